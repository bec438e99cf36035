"""Stock-count sheets: template, all-or-nothing import with row errors; XLSX and CSV exports."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from core.errors import Forbidden
from inventory.models import Balance, Movement
from inventory.services import catalog, movements
from inventory.services.ledger import verify_ledger
from inventory.services.spreadsheets import (
    SpreadsheetError,
    export_movements,
    export_stock,
    import_stock_count,
    stock_count_template,
)
from inventory.services.stock import HistoryFilter
from tests.factories import make_item, make_network, make_user, receive


@pytest.fixture
def depot(session):
    f = make_network(session)
    n95 = make_item(session)
    vent = make_item(
        session,
        "EQP-VENT",
        name_zh="呼吸机",
        name_en="Ventilator",
        category="equipment",
        shelf_life_days=None,
    )
    catalog.set_catalog(session, "township", [n95.id, vent.id])
    receive(session, f["A"], n95, 50, lot_no="L1", expiry=date(2030, 1, 1))
    receive(session, f["A"], n95, 20, lot_no="L2", expiry=date(2031, 1, 1))
    clerk = make_user(session, "clerk", "clerk", facilities=[f["A"]])
    session.commit()
    return f, n95, vent, clerk


def _fill(data: bytes, values: dict[int, dict]) -> bytes:
    """Set cells of the template: {row: {column letter: value}}."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    for row, cells in values.items():
        for column, value in cells.items():
            ws[f"{column}{row}"] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rows(data: bytes) -> list[tuple]:
    ws = load_workbook(io.BytesIO(data)).active
    return list(ws.iter_rows(min_row=5, values_only=True))


def test_template_lists_lots_on_the_books_and_catalog_items(session, depot):
    f, n95, vent, _clerk = depot
    rows = _rows(stock_count_template(session, f["A"]))
    # the lots on the books first, then catalog items with nothing on hand
    assert [(r[0], r[3], r[5]) for r in rows] == [
        ("PPE-N95", "L1", 50),
        ("PPE-N95", "L2", 20),
        ("EQP-VENT", None, 0),
    ]


def test_round_trip_posts_the_variances(session, depot):
    f, n95, vent, clerk = depot
    sheet = stock_count_template(session, f["A"])
    rows = {r[3]: n for n, r in enumerate(_rows(sheet), start=5)}
    vent_row = next(n for n, r in enumerate(_rows(sheet), start=5) if r[0] == "EQP-VENT")
    filled = _fill(
        sheet, {rows["L1"]: {"G": 47}, rows["L2"]: {"G": 20}, vent_row: {"D": "SN-001", "G": 2}}
    )
    result = import_stock_count(session, clerk, f["A"], filled)
    session.commit()
    assert (result.rows_read, result.lots_counted, len(result.movements)) == (3, 3, 2)
    total = session.exec(select(func.sum(Balance.quantity))).one()
    assert total == 47 + 20 + 2
    assert verify_ledger(session) == []


def test_bad_rows_are_all_reported_and_nothing_is_applied(session, depot):
    f, n95, _vent, clerk = depot
    sheet = stock_count_template(session, f["A"])
    before = session.exec(select(func.count()).select_from(Movement)).one()
    filled = _fill(
        sheet,
        {
            5: {"G": -3},
            6: {"G": "many"},
            7: {"D": None, "G": 4},
            8: {"A": "NOPE", "D": "X", "G": 1},
            9: {"A": "PPE-N95", "D": "NEW-LOT", "G": 5},  # new lot of an expiring item: no expiry
        },
    )
    with pytest.raises(SpreadsheetError) as excinfo:
        import_stock_count(session, clerk, f["A"], filled)
    session.rollback()
    problems = {(p["row"], p["column"]) for p in excinfo.value.rows}
    assert problems == {
        (5, "实盘数量"),
        (6, "实盘数量"),
        (7, "批号"),
        (8, "物资编码"),
        (9, "有效期至"),
    }
    assert session.exec(select(func.count()).select_from(Movement)).one() == before


def test_another_depots_sheet_or_a_non_xlsx_file_is_refused(session, depot):
    f, _n95, _vent, clerk = depot
    other = stock_count_template(session, f["B"])
    with pytest.raises(SpreadsheetError, match="B"):
        import_stock_count(session, clerk, f["A"], other)
    with pytest.raises(SpreadsheetError):
        import_stock_count(session, clerk, f["A"], b"name,qty\nN95,3\n")


def test_clerk_of_another_depot_cannot_import(session, depot):
    f, _n95, _vent, _clerk = depot
    stranger = make_user(session, "stranger", "clerk", facilities=[f["B"]])
    with pytest.raises(Forbidden):
        import_stock_count(session, stranger, f["A"], stock_count_template(session, f["A"]))


def test_exports_in_both_formats_with_formula_guard(session, depot):
    f, n95, _vent, clerk = depot
    movements.issue(
        session,
        clerk,
        facility_id=f["A"].id,
        item_id=n95.id,
        quantity=3,
        note='=HYPERLINK("http://evil")',
    )
    session.commit()
    csv_bytes = export_stock(session, [f["A"].id], "csv")
    assert csv_bytes.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    assert rows[0][0] == "储备库" and {r[4] for r in rows[1:]} == {"L1", "L2"}
    ws = load_workbook(io.BytesIO(export_stock(session, [f["A"].id], "xlsx"))).active
    assert sum(r[7] for r in ws.iter_rows(min_row=2, values_only=True)) == 67
    history = export_movements(session, [f["A"].id], HistoryFilter(kind="issue"), "csv")
    rows = list(csv.reader(io.StringIO(history.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][2] == "issue" and rows[1][11].startswith("'=")
    ws = load_workbook(
        io.BytesIO(export_movements(session, [f["A"].id], HistoryFilter(), "xlsx"))
    ).active
    assert ws.max_row == 1 + 3


def test_upload_page_shows_row_errors(sqlite_app):
    from sqlmodel import Session

    from core.db import get_engine

    with sqlite_app.app_context(), Session(get_engine(sqlite_app)) as session:
        f = make_network(session)
        item = make_item(session)
        receive(session, f["A"], item, 10)
        make_user(session, "clerk", "clerk", facilities=[f["A"]])
        session.commit()
        fid = f["A"].id
    client = sqlite_app.test_client()
    client.post("/auth/login", data={"username": "clerk", "password": "password-123"})
    sheet = client.get(f"/depots/{fid}/count-sheet.xlsx")
    assert sheet.status_code == 200 and sheet.mimetype.endswith("sheet")
    bad = _fill(sheet.data, {5: {"G": -1}})
    response = client.post(
        f"/depots/{fid}/count-sheet",
        data={"file": (io.BytesIO(bad), "count.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert 'id="import-problems"' in response.get_data(as_text=True)
    good = _fill(sheet.data, {5: {"G": 8}})
    response = client.post(
        f"/depots/{fid}/count-sheet",
        data={"file": (io.BytesIO(good), "count.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    export = client.get(f"/depots/{fid}/export/stock.csv")
    assert export.status_code == 200 and "8" in export.data.decode("utf-8-sig")
