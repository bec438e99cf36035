"""Render the weekly readiness report to PDF with WeasyPrint (A4, embedded CJK font).

The report is always rendered in Chinese (the leadership's language), whatever language the
person asking for it uses; the text stays searchable in the PDF.
"""

from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from config import BASE_DIR
from dispatch.models import OrderStatus
from inventory.models import Facility
from reports.charts import change_bars, share_bars
from reports.dashboard import share_class
from reports.weekly import LIST_LIMIT, SOONEST_LOTS, WeeklyReport

REPORT_LOCALE = "zh_CN"
CHART_ROWS = 30  # bars beyond this many would not fit a page: the worst are charted
ORDER_STATUSES = {
    OrderStatus.DRAFT: _l("Draft"),
    OrderStatus.APPROVED: _l("Approved"),
    OrderStatus.DISPATCHED: _l("Dispatched"),
    OrderStatus.RECEIVED: _l("Received"),
    OrderStatus.CLOSED: _l("Closed"),
    OrderStatus.CANCELLED: _l("Cancelled"),
}


@dataclass
class RenderedReport:
    pdf: bytes
    pages: int
    title: str


def report_title(rep: WeeklyReport) -> str:
    """'绍兴市医疗应急物资储备达标周报' (the scope's name and the report's name)."""
    return _(
        "%(scope)s weekly readiness report of emergency medical reserves", scope=rep.scope_name
    )


def _group_label(rep: WeeklyReport, key: str, name: str) -> str:
    return name or _("City depot")


def charts(rep: WeeklyReport) -> dict:
    """The SVG charts: share meeting each target per group, and the change per group."""
    t = rep.readiness.targets
    groups = [g for g in rep.groups if g.roll.judged]
    many = len(groups) > CHART_ROWS
    shown = (
        sorted(groups, key=lambda g: g.roll.share_physical or 0)[:CHART_ROWS] if many else groups
    )
    series = [
        _("%(d)d days physical", d=t.physical_days),
        _("%(d)d days all forms", d=t.all_forms_days),
        _("%(d)d days all forms", d=t.long_days),
    ]
    share_chart = (
        share_bars(
            [
                (
                    _group_label(rep, g.key, g.name),
                    [g.roll.share_physical, g.roll.share_short, g.roll.share_long],
                )
                for g in shown
            ],
            series,
        )
        if shown
        else ""
    )
    noun = _("depots") if rep.is_county else _("districts and counties")
    share_title = (
        _(
            "Share meeting each target: the %(n)d %(noun)s with the lowest share",
            n=CHART_ROWS,
            noun=noun,
        )
        if many
        else _("Share of depot-items meeting each target")
    )
    changes = [(g, g.change("share_physical")) for g in groups]
    changes = [(g, c) for g, c in changes if c is not None]
    if len(changes) > CHART_ROWS:
        changes = sorted(changes, key=lambda gc: -abs(gc[1]))[:CHART_ROWS]
    change_chart = (
        change_bars([(_group_label(rep, g.key, g.name), c) for g, c in changes]) if changes else ""
    )
    change_title = _(
        "Change in the share meeting %(d)d days physical, percentage points", d=t.physical_days
    )
    return {
        "share_chart": share_chart,
        "share_chart_title": share_title,
        "change_chart": change_chart,
        "change_chart_title": change_title,
    }


def render_html(session: Session, rep: WeeklyReport) -> str:
    """The report as HTML (needs an app context); always in the report language."""
    with force_locale(REPORT_LOCALE):
        t = rep.readiness.targets
        ids = {o.order.from_facility_id for o in _all_orders(rep)} | {
            o.order.to_facility_id for o in _all_orders(rep)
        }
        names = {f.id: f.name for f in rep.readiness.facilities.values()}
        missing = ids - set(names)
        if missing:
            names.update(
                session.exec(
                    select(Facility.id, Facility.name).where(Facility.id.in_(missing))
                ).all()
            )
        return render_template(
            "reports/pdf/weekly.html",
            rep=rep,
            title=report_title(rep),
            week_label=_("Week %(week)d of %(year)d", week=rep.week.week, year=rep.week.year)
            + f" ({rep.week.label})",
            group_title=_("By depot") if rep.is_county else _("By district and county"),
            change_labels={
                f"physical:{t.physical_days}": _("Meeting %(d)d days physical", d=t.physical_days),
                f"short:{t.all_forms_days}": _("Meeting %(d)d days, all forms", d=t.all_forms_days),
                f"long:{t.long_days}": _("Meeting %(d)d days, all forms", d=t.long_days),
                "coverage": _("Catalog coverage"),
                "red": _("Red items"),
                "stock_outs": _("Stock-outs"),
            },
            names=names,
            limit=LIST_LIMIT,
            soonest=SOONEST_LOTS,
            red_items=red_items_text(rep),
            footer_note=f"{_('Generated at')} {rep.generated_local:%Y-%m-%d %H:%M}",
            share_class=share_class,
            order_status_label=lambda s: str(ORDER_STATUSES.get(s, s)),
            lang=REPORT_LOCALE,
            **charts(rep),
        )


def red_items_text(rep: WeeklyReport):
    """A depot's red items as one run of text (one text box per cell lays out far faster
    than an inline box per item)."""
    out = _("out")

    def text(depot) -> str:
        parts = []
        for c in depot.covers:
            name = rep.readiness.items[c.item_id].name(REPORT_LOCALE)
            days = c.physical_days
            parts.append(f"{name} ({out if c.physical <= 0 else f'{days:.1f}'})")
        return "；".join(parts)

    return text


def _all_orders(rep: WeeklyReport):
    return [*rep.orders.issued, *rep.orders.dispatched, *rep.orders.received]


def render_pdf(session: Session, rep: WeeklyReport) -> RenderedReport:
    """The report as PDF bytes, with its page count."""
    from weasyprint import HTML

    html = render_html(session, rep)
    document = HTML(string=html, base_url=str(BASE_DIR)).render()
    with force_locale(REPORT_LOCALE):
        title = report_title(rep)
    return RenderedReport(document.write_pdf(), len(document.pages), title)
