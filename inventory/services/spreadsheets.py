"""Stock-count sheets (XLSX template and all-or-nothing import) and stock/ledger exports.

An import validates every row before anything is posted: one bad row and nothing changes,
and the clerk gets every error with its row and column.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlmodel import Session, select

from accounts.models import User
from core.errors import ValidationError
from core.fields import NOTE_MAX
from core.timeutil import SHANGHAI, as_utc, local_today
from inventory.models import Balance, CatalogEntry, Facility, Item, Lot, Movement
from inventory.services import corrections, recording
from inventory.services.corrections import CountLine
from inventory.services.stock import HistoryFilter, movement_history

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
HEADER_ROW = 4
COLUMNS = ("item_code", "item_name", "unit", "lot_no", "expiry", "book", "counted", "note")
HEADERS = {
    "zh_CN": ("物资编码", "物资名称", "单位", "批号", "有效期至", "账面数量", "实盘数量", "备注"),
    "en": ("Item code", "Item", "Unit", "Lot number", "Expiry", "On the books", "Counted", "Note"),
}


class SpreadsheetError(ValidationError):
    """A file that cannot be applied; `rows` lists every problem by row and column."""

    def __init__(self, message: str, rows: list[dict] | None = None):
        super().__init__(message)
        self.rows = rows or []


def _headers(lang: str) -> tuple[str, ...]:
    return HEADERS["en" if lang.startswith("en") else "zh_CN"]


def stock_count_template(session: Session, facility: Facility, *, lang: str = "zh_CN") -> bytes:
    """An XLSX sheet listing every lot on the books, and a blank row per catalog item."""
    wb = Workbook()
    ws = wb.active
    ws.title = "count"
    ws["A1"] = _("Stock count")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"], ws["B2"], ws["C2"] = _("Depot"), facility.code, facility.name
    ws["A3"], ws["B3"] = _("Date"), local_today()
    ws["B3"].number_format = "yyyy-mm-dd"
    for col, title in enumerate(_headers(lang), start=1):
        cell = ws.cell(HEADER_ROW, col, title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF1F5")
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    lots = session.exec(
        select(Item, Lot, Balance)
        .join(Balance, Balance.item_id == Item.id)
        .join(Lot, Lot.id == Balance.lot_id)
        .where(Balance.facility_id == facility.id, Balance.form == "physical", Balance.quantity > 0)
        .order_by(Item.code, Lot.expiry, Lot.lot_no)
    ).all()
    held = {item.id for item, _lot, _b in lots}
    catalog = session.exec(
        select(Item)
        .join(CatalogEntry, CatalogEntry.item_id == Item.id)
        .where(CatalogEntry.tier == facility.tier)
        .order_by(Item.code)
    ).all()
    row = HEADER_ROW + 1
    english = lang.startswith("en")
    for item, lot, balance in lots:
        values = (
            item.code,
            item.name(lang),
            item.unit_en if english else item.unit_zh,
            lot.lot_no,
            lot.expiry,
            balance.quantity,
            None,
            None,
        )
        for col, value in enumerate(values, start=1):
            ws.cell(row, col, value)
        ws.cell(row, 5).number_format = "yyyy-mm-dd"
        row += 1
    for item in catalog:
        if item.id not in held:
            ws.cell(row, 1, item.code)
            ws.cell(row, 2, item.name(lang))
            ws.cell(row, 3, item.unit_en if english else item.unit_zh)
            ws.cell(row, 6, 0)
            ws.cell(row, 5).number_format = "yyyy-mm-dd"
            row += 1
    counted = DataValidation(
        type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True
    )
    counted.error = _("A counted quantity is a whole number, zero or more.")
    ws.add_data_validation(counted)
    counted.add(f"G{HEADER_ROW + 1}:G{max(row, HEADER_ROW + 2) + 200}")
    for letter, width in zip("ABCDEFGH", (14, 30, 8, 22, 12, 12, 12, 30), strict=True):
        ws.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass
class ImportResult:
    rows_read: int = 0
    lots_counted: int = 0
    movements: list[Movement] = field(default_factory=list)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def import_stock_count(
    session: Session, actor: User | None, facility: Facility, data: bytes, *, lang: str = "zh_CN"
) -> ImportResult:
    """Validate the whole sheet, then post each item's count; any error: nothing posted.

    :raises SpreadsheetError: with every row-level problem, or one file-level problem.
    """
    recording.authorize_depot(session, actor, facility.id)
    ws = _count_sheet(data, facility)
    headers = _headers(lang)
    items = {i.code: i for i in session.exec(select(Item).where(Item.active.is_(True)))}
    known_lots = {(lot.item_id, lot.lot_no): lot for lot in session.exec(select(Lot))}
    errors, by_item, seen = [], {}, set()
    result = ImportResult()
    for number, values in enumerate(
        ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True), start=HEADER_ROW + 1
    ):
        if number - HEADER_ROW > MAX_ROWS:
            raise SpreadsheetError(_("The sheet has more than %(n)d rows.", n=MAX_ROWS))
        cells = dict(zip(COLUMNS, list(values) + [None] * len(COLUMNS), strict=False))
        if cells["counted"] is None or _text(cells["counted"]) == "":
            continue  # not counted
        result.rows_read += 1
        read = _count_row(cells, items, known_lots, seen)
        if isinstance(read[1], CountLine):
            by_item.setdefault(read[0], []).append(read[1])
        else:
            column, message = read
            errors.append(
                {"row": number, "column": headers[COLUMNS.index(column)], "message": message}
            )
    if errors:
        raise SpreadsheetError(
            _("Nothing was applied: %(n)d row(s) need correcting.", n=len(errors)), errors
        )
    for item_id, lines in by_item.items():
        result.movements += corrections.count(
            session,
            actor,
            facility_id=facility.id,
            item_id=item_id,
            lines=lines,
            note=_("Stock count imported from Excel"),
        )
        result.lots_counted += len(lines)
    return result


def _count_sheet(data: bytes, facility: Facility):
    """The filled-in template's sheet, or the file-level problem: too large, not a workbook,
    another depot's sheet, or not the template's columns."""
    if len(data) > MAX_BYTES:
        raise SpreadsheetError(_("The file is larger than %(n)d MB.", n=MAX_BYTES // 2**20))
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise SpreadsheetError(_("This is not an Excel (.xlsx) file.")) from None
    ws = wb.worksheets[0]
    if _text(ws["B2"].value) != facility.code:
        raise SpreadsheetError(
            _(
                "This sheet belongs to depot %(code)s, not to this depot.",
                code=_text(ws["B2"].value) or "?",
            )
        )
    header = [
        _text(c)
        for c in next(ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True), ())
    ]
    if tuple(header[: len(COLUMNS)]) not in (HEADERS["zh_CN"], HEADERS["en"]):
        raise SpreadsheetError(_("The columns are not those of the stock-count template."))
    return ws


def _count_row(cells: dict, items: dict, known_lots: dict, seen: set) -> tuple:
    """A counted row as (item id, CountLine), or its first problem as (column, message);
    `seen` collects the (item, lot) pairs read so far."""
    counted = cells["counted"]
    item = items.get(_text(cells["item_code"]))
    if item is None:
        return "item_code", _("Unknown item code.")
    if (
        isinstance(counted, bool)
        or not isinstance(counted, int | float)
        or (isinstance(counted, float) and not counted.is_integer())
        or counted < 0
    ):
        return "counted", _("A counted quantity is a whole number, zero or more.")
    lot_no = _text(cells["lot_no"])
    if not lot_no:
        return "lot_no", _("A lot number is required.")
    if (item.id, lot_no) in seen:
        return "lot_no", _("Lot %(lot)s is counted twice.", lot=lot_no)
    seen.add((item.id, lot_no))
    expiry = cells["expiry"]
    if isinstance(expiry, datetime):
        expiry = expiry.date()
    elif expiry is not None and not isinstance(expiry, date):
        try:
            expiry = date.fromisoformat(_text(expiry)) if _text(expiry) else None
        except ValueError:
            return "expiry", _("Not a date.")
    if (item.id, lot_no) not in known_lots and item.shelf_life_days and expiry is None:
        return "expiry", _("This item expires: give the lot's expiry date.")
    note = _text(cells["note"])
    if len(note) > NOTE_MAX:
        return "note", _("At most %(n)d characters.", n=NOTE_MAX)
    return item.id, CountLine(lot_no, int(counted), expiry)


def _safe(value):
    # a text cell starting like a formula is shown as text, never run by Excel
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _table(headers: list[str], rows: list[list], fmt: str, sheet: str) -> bytes:
    rows = [[_safe(v) for v in row] for row in rows]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_stock(
    session: Session, facility_ids: list[int], fmt: str, *, lang: str = "zh_CN"
) -> bytes:
    """Current balances per depot, item and lot, as XLSX or CSV."""
    english = lang.startswith("en")
    rows = session.exec(
        select(Facility, Item, Lot, Balance)
        .join(Balance, Balance.facility_id == Facility.id)
        .join(Item, Item.id == Balance.item_id)
        .join(Lot, Lot.id == Balance.lot_id)
        .where(Balance.facility_id.in_(facility_ids), Balance.quantity > 0)
        .order_by(Facility.code, Item.code, Lot.expiry)
    ).all()
    headers = (
        [
            "Depot",
            "Item code",
            "Item",
            "Unit",
            "Lot",
            "Expiry",
            "Form",
            "Quantity",
            "Reserved",
            "Available",
        ]
        if english
        else [
            "储备库",
            "物资编码",
            "物资名称",
            "单位",
            "批号",
            "有效期至",
            "储备形式",
            "库存",
            "已占用",
            "可用",
        ]
    )
    data = [
        [
            f.code,
            i.code,
            i.name(lang),
            i.unit_en if english else i.unit_zh,
            lot.lot_no,
            lot.expiry,
            b.form,
            b.quantity,
            b.reserved,
            b.quantity - b.reserved,
        ]
        for f, i, lot, b in rows
    ]
    return _table(headers, data, fmt, "stock")


def export_movements(
    session: Session,
    facility_ids: list[int],
    filters: HistoryFilter,
    fmt: str,
    *,
    lang: str = "zh_CN",
) -> bytes:
    """The ledger rows of the depots, newest first, filtered like the history page."""
    english = lang.startswith("en")
    page = movement_history(session, facility_ids, filters, page=1, per_page=1_000_000)
    lots = {
        x.id: x for x in session.exec(select(Lot).where(Lot.id.in_({m.lot_id for m in page.rows})))
    }
    items = {x.id: x for x in session.exec(select(Item))}
    facilities = {x.id: x for x in session.exec(select(Facility))}
    users = {x.id: x for x in session.exec(select(User))}
    headers = (
        [
            "Time",
            "Depot",
            "Type",
            "Reason",
            "Item",
            "Lot",
            "Quantity",
            "Balance after",
            "Counterpart",
            "Order",
            "User",
            "Note",
        ]
        if english
        else [
            "时间",
            "储备库",
            "类型",
            "原因",
            "物资",
            "批号",
            "数量",
            "批号结存",
            "对方单位",
            "调拨令",
            "经办人",
            "备注",
        ]
    )
    data = []
    for m in page.rows:
        counterpart = facilities.get(m.counterpart_facility_id)
        data.append(
            [
                as_utc(m.occurred_at).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                facilities[m.facility_id].code,
                m.kind,
                m.reason,
                items[m.item_id].code,
                lots[m.lot_id].lot_no,
                m.quantity,
                m.balance_after,
                counterpart.code if counterpart else "",
                m.order_ref or "",
                users[m.user_id].username if m.user_id in users else "system",
                m.note,
            ]
        )
    return _table(headers, data, fmt, "movements")
