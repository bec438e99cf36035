"""Render the weekly readiness report to PDF with WeasyPrint (A4, embedded CJK font).

A report is rendered in its own language (`WeeklyReport.lang`: Chinese, the leadership's
language, unless an English one was asked for), whatever the language of the request; the
text stays searchable in the PDF.
"""

from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select
from weasyprint import HTML

from core.charts import change_bars, share_bars
from core.config import BASE_DIR
from core.svgmap import STATUS_COLOURS, render_map
from inventory.models import Facility
from reports.dashboard import map_points, share_class
from reports.weekly import LIST_LIMIT, SOONEST_LOTS, WeeklyReport, localized
from surge.models import OrderStatus

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


def network_map(rep: WeeklyReport) -> str:
    """The scope's depots on the offline map, coloured like the dashboard's (share of items
    meeting the physical target), each county's area tinted and named; in the report's
    language."""
    points = map_points(rep.readiness, name=lambda f: localized(f.name, f.name_en, rep.lang))
    if rep.is_county:
        labels = {rep.scope: rep.scope_name}
    else:
        groups = {p.group for p in points}
        labels = {code: name for code, name in rep.county_names.items() if code in groups}
    return render_map(points, group_labels=labels, title=_("Network map"))


def figures_at_text(rep: WeeklyReport) -> str:
    """Which instant the stock, cover and red list describe (in the current locale)."""
    when = rep.figures_local
    if rep.live:
        return _(
            "as at %(time)s (Beijing time), when the report was generated",
            time=f"{when:%Y-%m-%d %H:%M}",
        )
    return _(
        "as at the end of Sunday %(day)s (24:00 Beijing time), the end of the week",
        day=rep.week.sunday.isoformat(),
    )


def footer_note(rep: WeeklyReport) -> str:
    """The running footer: the instant of the figures and when the report was generated."""
    when = (
        f"{rep.figures_local:%Y-%m-%d %H:%M}"
        if rep.live
        else f"{rep.week.sunday.isoformat()} 24:00"
    )
    # gettext outside the f-string: the extractor does not look inside one
    figures, generated = _("Figures as at %(time)s", time=when), _("Generated at")
    return f"{figures} · {generated} {rep.generated_local:%Y-%m-%d %H:%M}"


def previous_text(rep: WeeklyReport) -> str:
    """What the change is measured against."""
    if rep.previous_at is not None:
        return _(
            "Against the end of the week before (Sunday %(day)s, 24:00), rebuilt from the "
            "ledger like the figures.",
            day=rep.previous_day.isoformat(),
        )
    return _("Now against the readiness snapshot of %(day)s.", day=rep.previous_day)


def render_html(session: Session, rep: WeeklyReport) -> str:
    """The report as HTML (needs an app context); in the report's own language."""
    with force_locale(rep.lang):
        t = rep.readiness.targets
        ids = {o.order.from_facility_id for o in _all_orders(rep)} | {
            o.order.to_facility_id for o in _all_orders(rep)
        }
        names = {fid: rep.facility_name(fid) for fid in rep.readiness.facilities}
        missing = ids - set(names)
        if missing:
            names.update(
                (fid, localized(name, name_en, rep.lang))
                for fid, name, name_en in session.exec(
                    select(Facility.id, Facility.name, Facility.name_en).where(
                        Facility.id.in_(missing)
                    )
                ).all()
            )
        figures_at = figures_at_text(rep)
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
            figures_at=figures_at,
            previous_note=previous_text(rep) if rep.previous else "",
            footer_note=footer_note(rep),
            share_class=share_class,
            order_status_label=lambda s: str(ORDER_STATUSES.get(s, s)),
            lang=rep.lang,
            network_map=network_map(rep),
            map_colours=STATUS_COLOURS,
            **charts(rep),
        )


def red_items_text(rep: WeeklyReport):
    """A depot's red items as one run of text (one text box per cell lays out far faster
    than an inline box per item)."""
    out = _("out")
    separator = "; " if rep.lang.startswith("en") else "；"

    def text(depot) -> str:
        parts = []
        for c in depot.covers:
            name = rep.readiness.items[c.item_id].name(rep.lang)
            days = c.physical_days
            parts.append(f"{name} ({out if c.physical <= 0 else f'{days:.1f}'})")
        return separator.join(parts)

    return text


def _all_orders(rep: WeeklyReport):
    return [*rep.orders.issued, *rep.orders.dispatched, *rep.orders.received]


def render_pdf(session: Session, rep: WeeklyReport) -> RenderedReport:
    """The report as PDF bytes, with its page count."""
    html = render_html(session, rep)
    document = HTML(string=html, base_url=str(BASE_DIR)).render()
    with force_locale(rep.lang):
        title = report_title(rep)
    return RenderedReport(document.write_pdf(), len(document.pages), title)
