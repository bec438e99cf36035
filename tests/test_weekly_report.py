"""The weekly report: its figures against the readiness services on a hand-made network, the
orders of the week, the change against stored snapshots, the PDF's text, the CLI, the archive."""

import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from core.db import get_engine
from core.timeutil import SHANGHAI
from inventory.services import catalog, corrections, ledger, network
from inventory.services.expiry import expiring_lots
from inventory.services.readiness import compute_readiness, facilities_in_county
from reports.archive import render_weekly
from reports.models import Report
from reports.snapshots import take_snapshots
from reports.weekly import build_weekly_report
from reports.weeks import IsoWeek, last_complete_week
from surge.models import AllocationOrder, AllocationOrderLine
from tests.factories import make_item, make_network, make_user, receive

TODAY = date(2026, 11, 24)  # a Tuesday: the last complete week is 2026-W47 (16–22 Nov)
WEEK = IsoWeek(2026, 47)
THIS_WEEK = IsoWeek(2026, 48)


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


IN_WEEK = shanghai(2026, 11, 18, 10, 0)  # Wednesday of 2026-W47
NOW = shanghai(2026, 11, 24, 9, 0)  # TODAY, 09:00 in Beijing


def build(session):
    """Two counties: 越城区 (K with townships A, B) and 柯桥区 (depot Q); the city depot C.

    N95 (township catalog, norm 10/day at A, B, Q): A holds 50 (5 days: red), B 2000
    (200 days), Q nothing (stock-out). Gloves at C: norm 100/day, 5000 (50 days: 30 met by
    physical stock, 90 not). A lot of B's expires in 20 days.
    """
    f = make_network(session)
    network.upsert_region(session, "330603", name="柯桥区", level="county", parent_code="330600")
    f["Q"] = network.upsert_facility(
        session,
        "Q",
        parent_code="C",
        name="柯桥区库",
        tier="county",
        region_code="330603",
        lon=120.49,
        lat=30.08,
        beds=100,
    )
    n95 = make_item(session)
    gloves = make_item(
        session, "PPE-GLOVE", name_zh="一次性医用手套", name_en="Gloves", criticality=3
    )
    catalog.set_catalog(session, "township", [n95.id])
    catalog.set_catalog(session, "county", [n95.id])
    catalog.set_catalog(session, "city", [gloves.id])
    for key in ("A", "B", "Q"):
        catalog.set_norm(session, f[key], n95, 10, basis="t", source="t")
    catalog.set_norm(session, f["C"], gloves, 100, basis="t", source="t")
    # received during the week reported on (a finished week is reported as at its end)
    at = IN_WEEK
    receive(session, f["A"], n95, 50, lot_no="A1", expiry=date(2030, 1, 1), occurred_at=at)
    receive(session, f["B"], n95, 1500, lot_no="B1", expiry=date(2030, 1, 1), occurred_at=at)
    receive(
        session, f["B"], n95, 500, lot_no="B2", expiry=TODAY + timedelta(days=20), occurred_at=at
    )
    receive(session, f["C"], gloves, 5000, lot_no="G1", expiry=date(2031, 1, 1), occurred_at=at)
    return f, n95, gloves


def order(session, number, src, dst, item, qty, **times):
    o = AllocationOrder(
        number=number,
        from_facility_id=src.id,
        to_facility_id=dst.id,
        status=times.pop("status", "draft"),
        **times,
    )
    session.add(o)
    session.flush()
    session.add(AllocationOrderLine(order_id=o.id, item_id=item.id, quantity=qty))
    session.flush()
    return o


def test_report_figures_equal_the_readiness_services(session):
    f, n95, gloves = build(session)
    rep = build_weekly_report(session, WEEK, today=TODAY, now=NOW)
    # nothing moved after the week: its end looks like today
    assert rep.figures_at == WEEK.end and rep.as_of == WEEK.sunday and not rep.live
    r = compute_readiness(session, today=TODAY)
    # by hand: 4 judged pairs (A, B, Q N95; C gloves); A red, Q stock-out: 2 of 4 meet 10 d
    h = rep.headline
    assert (h.judged, h.meets_physical, h.red, h.stock_outs) == (4, 2, 2, 1)
    assert h.share_physical == 0.5 == r.city.share_physical
    assert h.share_short == r.city.share_short == 0.5  # B 200 d and C 50 d meet 30 d
    assert h.share_long == r.city.share_long == 0.25  # only B meets 90 d
    # catalog: A, B, K hold? K holds nothing; A, B hold N95; Q holds nothing; C holds gloves
    assert h.catalog_coverage == r.city.catalog_coverage == 3 / 5
    for tier, roll in r.by_tier.items():
        assert vars(rep.readiness.by_tier[tier]) == vars(roll)
    groups = {g.key: g for g in rep.groups}
    assert set(groups) == {"city", "330602", "330603"}
    for key, g in groups.items():
        assert vars(g.roll) == vars(r.by_county[key])
    assert (groups["330602"].depots, groups["330603"].depots, groups["city"].depots) == (3, 1, 1)
    assert groups["330603"].name == "柯桥区" and groups["330603"].roll.stock_outs == 1
    assert [(c.facility_id, c.item_id) for c in rep.red_list] == [
        (c.facility_id, c.item_id) for c in r.red_list()
    ]
    assert [(d.facility_id, len(d.covers)) for d in rep.red_by_depot()] == [
        (f["Q"].id, 1),
        (f["A"].id, 1),
    ]
    expiring = expiring_lots(session, within_days=90, today=TODAY, include_expired=False)
    assert [e.lot.id for e in rep.expiring] == [e.lot.id for e in expiring]
    (soon,) = rep.expiring_by_item()
    assert (soon.item_id, soon.lots, soon.within_soon, soon.later) == (n95.id, 1, 500, 0)
    # the week before, rebuilt from the ledger: nothing had been received by its end
    assert rep.previous_at == WEEK.start and rep.previous_day == date(2026, 11, 15)
    assert (rep.previous.judged, rep.previous.stock_outs) == (4, 4)
    assert rep.changes()[0].delta == pytest.approx(50.0)


def post(session, facility, item, lot_no, qty, kind, when, **extra):
    lot = ledger.find_lot(session, item.id, lot_no)
    return ledger.post(
        session,
        ledger.Posting(
            facility_id=facility.id,
            item_id=item.id,
            lot_id=lot.id,
            form="physical",
            kind=kind,
            quantity=qty,
            occurred_at=when,
            **extra,
        ),
    )


def test_a_past_week_is_reported_as_it_stood_at_its_end(session):
    """Movements after Sunday 24:00 do not change last week's figures; late entries, reversals
    and reservations are placed by when they took effect."""
    f, n95, gloves = build(session)
    # a mistake on Friday (A received 1,000 that never came), reversed on Tuesday
    wrong = receive(
        session, f["A"], n95, 1000, lot_no="A9", occurred_at=shanghai(2026, 11, 20, 15, 0)
    )
    corrections.reverse(session, None, wrong.id, note="typed twice")
    # entered on Tuesday, happened on Sunday evening (a Beijing-time value, as the API sends)
    receive(
        session,
        f["Q"],
        n95,
        300,
        lot_no="Q1",
        occurred_at=datetime(2026, 11, 22, 23, 0, tzinfo=SHANGHAI),
    )
    # after the week: A receives at Monday 00:00 exactly, B issues from the expiring lot
    receive(session, f["A"], n95, 500, lot_no="A2", occurred_at=WEEK.end)
    post(session, f["B"], n95, "B2", -400, "issue", shanghai(2026, 11, 24, 8, 0))
    # gloves promised to an order on Saturday, dispatched on Monday
    order(
        session,
        "DL-R",
        f["C"],
        f["A"],
        gloves,
        4500,
        status="dispatched",
        issued_at=shanghai(2026, 11, 21, 9, 0),
        approved_at=shanghai(2026, 11, 21, 10, 0),
        dispatched_at=shanghai(2026, 11, 23, 9, 0),
    )
    monday = shanghai(2026, 11, 23, 9, 0)
    post(session, f["C"], gloves, "G1", -4500, "transfer_out", monday, order_ref="DL-R")

    rep = build_weekly_report(session, WEEK, today=TODAY, now=NOW)
    assert rep.figures_at == shanghai(2026, 11, 23, 0, 0) and rep.as_of == date(2026, 11, 22)
    covers = rep.readiness.covers
    stock = {k: covers[(f[k].id, n95.id)].physical for k in ("A", "B", "Q")}
    assert stock == {"A": 50, "B": 2000, "Q": 300}
    glove = covers[(f["C"].id, gloves.id)]
    assert (glove.physical, glove.reserved) == (500, 4500)  # 5,000 on the shelf, 4,500 promised
    h = rep.headline
    # A (5 days) and C (5 days usable) red; B and Q meet 10 days; nothing out of stock
    assert (h.judged, h.meets_physical, h.red, h.stock_outs) == (4, 2, 2, 0)
    assert {c.facility_id for c in rep.red_list} == {f["A"].id, f["C"].id}
    groups = {g.key: g.roll for g in rep.groups}
    assert (groups["330603"].meets_physical, groups["city"].red) == (1, 1)
    # B2's 500 units as they stood, 22 days before expiry counted from that Sunday
    (lot,) = rep.expiring
    assert (lot.lot.lot_no, lot.quantity, lot.days_left) == ("B2", 500, 22)

    # today the picture differs: the later movements count
    now = compute_readiness(session, today=TODAY).covers
    assert (now[(f["A"].id, n95.id)].physical, now[(f["B"].id, n95.id)].physical) == (550, 1600)
    assert now[(f["C"].id, gloves.id)].reserved == 0

    # the current week keeps the live figures
    live = build_weekly_report(session, THIS_WEEK, today=TODAY, now=NOW)
    assert live.live and live.as_of == TODAY
    assert vars(live.headline) == vars(compute_readiness(session, today=TODAY).city)


def test_county_report_covers_only_the_county(session):
    f, n95, _gloves = build(session)
    rep = build_weekly_report(session, WEEK, county="330602", today=TODAY)
    ids = facilities_in_county(session, "330602")
    r = compute_readiness(session, facility_ids=ids, today=TODAY)
    assert rep.scope_name == "越城区" and set(rep.readiness.facilities) == set(ids)
    assert vars(rep.headline) == vars(r.city)
    assert (rep.headline.judged, rep.headline.red) == (2, 1)
    assert [g.key for g in rep.groups] == ["K", "A", "B"]  # the county depot, then townships
    assert {g.key: vars(g.roll) for g in rep.groups} == {
        r.facilities[fid].code: vars(roll) for fid, roll in r.by_facility.items()
    }


def test_orders_of_the_week_by_event_and_boundary(session):
    f, n95, _gloves = build(session)
    order(session, "O-IN", f["C"], f["A"], n95, 10, issued_at=shanghai(2026, 11, 16, 0, 0))
    order(  # issued the week before, dispatched on Sunday night: dispatched only
        session,
        "O-DISP",
        f["B"],
        f["A"],
        n95,
        20,
        status="dispatched",
        issued_at=shanghai(2026, 11, 12, 9, 0),
        dispatched_at=shanghai(2026, 11, 22, 23, 59),
    )
    order(  # received at Monday 00:00 of the next week: not in this week
        session,
        "O-NEXT",
        f["C"],
        f["B"],
        n95,
        30,
        status="received",
        issued_at=shanghai(2026, 11, 10, 9, 0),
        dispatched_at=shanghai(2026, 11, 11, 9, 0),
        received_at=shanghai(2026, 11, 23, 0, 0),
    )
    order(session, "O-KQ", f["C"], f["Q"], n95, 5, issued_at=shanghai(2026, 11, 20, 8, 0))
    rep = build_weekly_report(session, WEEK, today=TODAY)
    numbers = {
        k: [w.order.number for w in getattr(rep.orders, k)]
        for k in ("issued", "dispatched", "received")
    }
    assert numbers == {"issued": ["O-IN", "O-KQ"], "dispatched": ["O-DISP"], "received": []}
    assert rep.orders.dispatched[0].quantity == 20
    county = build_weekly_report(session, WEEK, county="330602", today=TODAY)
    assert [w.order.number for w in county.orders.issued] == ["O-IN"]  # not the 柯桥区 order


def test_change_against_the_snapshot_a_week_before(session):
    """The current week (not yet ended): live figures, compared with a stored snapshot."""
    f, n95, _gloves = build(session)
    take_snapshots(session, day=TODAY - timedelta(days=7))
    receive(session, f["A"], n95, 100, lot_no="A2", expiry=date(2030, 1, 1))  # A: 15 days
    rep = build_weekly_report(session, THIS_WEEK, today=TODAY, now=NOW)
    assert rep.live and rep.figures_at is None and rep.previous_at is None
    assert rep.previous_day == TODAY - timedelta(days=7)
    assert (rep.previous.meets_physical, rep.headline.meets_physical) == (2, 3)
    change = {c.label: c for c in rep.changes()}
    assert change["physical:10"].delta == pytest.approx(25.0)  # 50 % -> 75 %
    assert change["red"].delta == -1
    groups = {g.key: g for g in rep.groups}
    assert groups["330602"].change("share_physical") == pytest.approx(50.0)  # 1/2 -> 2/2
    assert groups["330603"].change("share_physical") == 0
    # a snapshot only 3 days old is not "a week before"
    later = build_weekly_report(
        session, WEEK, today=TODAY - timedelta(days=4), now=shanghai(2026, 11, 20, 9, 0)
    )
    assert later.live and later.previous is None


needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [shutil.which("pdftotext"), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@needs_poppler
def test_pdf_has_the_chinese_title_as_text_in_an_embedded_cjk_font(sqlite_app, tmp_path):
    with sqlite_app.app_context(), Session(get_engine(sqlite_app)) as session:
        f, n95, _ = build(session)
        order(session, "DL-2026-0001", f["C"], f["A"], n95, 10, issued_at=shanghai(2026, 11, 17, 9))
        session.commit()
        generated = render_weekly(session, WEEK, county=None, today=TODAY)
    pdf = generated.rendered.pdf
    assert pdf.startswith(b"%PDF") and generated.rendered.pages >= 4
    text = pdf_text(pdf, tmp_path)
    assert "绍兴市医疗应急物资储备达标周报" in text.replace(" ", "")
    assert "2026-W47" in text and "塔山储备点" in text and "DL-2026-0001" in text
    path = tmp_path / "r.pdf"
    fonts = subprocess.run(
        [shutil.which("pdffonts"), str(path)], capture_output=True, text=True
    ).stdout
    cjk = [line for line in fonts.splitlines() if "Noto-Sans-CJK" in line]
    assert cjk and all(" yes " in line for line in cjk)  # embedded


def test_cli_writes_a_pdf_and_refuses_bad_input_in_one_line(sqlite_app, tmp_path):
    with sqlite_app.app_context(), Session(get_engine(sqlite_app)) as session:
        build(session)
        session.commit()
    runner = sqlite_app.test_cli_runner()
    out = tmp_path / "w.pdf"
    for args in (["--county", "999999"], ["--week", "2026-W60"], ["--week", "next week"]):
        result = runner.invoke(args=["report", "weekly", "--out", str(out), *args])
        assert result.exit_code == 2, result.output
        assert result.output.count("\n") == 1 and result.output.startswith("Error:")
    assert not out.exists()
    result = runner.invoke(
        args=["report", "weekly", "--out", str(out), "--county", "330602", "--week", "2026-W47"]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF") and "越城区 2026-W47" in result.output
    with Session(get_engine(sqlite_app)) as session:
        assert session.exec(select(Report)).all() == []  # not archived without --archive
    result = runner.invoke(args=["report", "weekly", "--out", str(out), "--archive"])
    assert result.exit_code == 0, result.output
    with Session(get_engine(sqlite_app)) as session:
        (row,) = session.exec(select(Report)).all()
        assert (row.scope, row.source, row.generated_by_id) == ("city", "cli", None)
        assert row.iso_week == last_complete_week().label and row.pdf == out.read_bytes()


def test_generate_list_and_download_through_the_reports_page(sqlite_app):
    with sqlite_app.app_context(), Session(get_engine(sqlite_app)) as session:
        f, _n95, _gloves = build(session)
        make_user(session, "disp", "dispatcher")
        make_user(session, "clerk", "clerk", facilities=[f["Q"]])
        session.commit()
    disp = sqlite_app.test_client()
    disp.post("/auth/login", data={"username": "disp", "password": "password-123"})
    bad = disp.post("/dashboard/reports", data={"week": "2026-W99", "county": "330602"})
    assert bad.status_code == 422 and "field-error" in bad.get_data(as_text=True)
    unknown = disp.post("/dashboard/reports", data={"week": "2026-W47", "county": "123456"})
    assert unknown.status_code == 422
    response = disp.post("/dashboard/reports", data={"week": "2026-W47", "county": "330602"})
    assert response.status_code == 303
    page = disp.get("/dashboard/reports").get_data(as_text=True)
    assert "2026-W47" in page and "越城区" in page and 'class="download-pdf"' in page
    with Session(get_engine(sqlite_app)) as session:
        (row,) = session.exec(select(Report)).all()
        assert (row.scope, row.source) == ("330602", "web") and row.generated_by_id is not None
    clerk = sqlite_app.test_client()
    clerk.post("/auth/login", data={"username": "clerk", "password": "password-123"})
    pdf = clerk.get(f"/dashboard/reports/{row.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert (
        pdf.data == row.pdf
        and "readiness-330602-2026-W47.pdf" in pdf.headers["Content-Disposition"]
    )
    assert clerk.get("/dashboard/reports/999.pdf").status_code == 404
    assert sqlite_app.test_client().get(f"/dashboard/reports/{row.id}.pdf").status_code == 302


def test_charts_escape_and_shorten_labels():
    from core.charts import change_bars, share_bars

    svg = share_bars([("<b>" + "长" * 40, [0.5, None, 1.0])], ["10", "30", "90"])
    assert "&lt;b&gt;" in svg and "<b>" not in svg and "…" in svg
    assert svg.count("<rect") == 3 + 2  # three legend keys, two bars (one share is missing)
    down = change_bars([("A", -12.5), ("B", 3.0)])
    assert 'fill="#c62828"' in down and 'fill="#2e7d32"' in down and "-12.5" in down


@needs_poppler
def test_english_report_has_english_headings_and_names(sqlite_app, tmp_path):
    with sqlite_app.app_context(), Session(get_engine(sqlite_app)) as session:
        f, n95, _ = build(session)
        network.upsert_region(session, "330600", name="绍兴市", name_en="Shaoxing", level="city")
        network.upsert_region(
            session,
            "330602",
            name="越城区",
            name_en="Yuecheng District",
            level="county",
            parent_code="330600",
        )
        session.commit()
        english = render_weekly(session, WEEK, today=TODAY, now=NOW, lang="en")
        chinese = render_weekly(session, WEEK, today=TODAY, now=NOW)
    assert english.report.lang == "en" and chinese.report.lang == "zh_CN"
    text = pdf_text(english.rendered.pdf, tmp_path)
    for heading in ("1. Headline figures", "2. By district and county", "4. Red list"):
        assert heading in text
    assert "Shaoxing weekly readiness report" in text and "Yuecheng District" in text
    assert "N95 respirator" in text and "医用防护口罩" not in text  # the item's English name
    assert "as at the end of Sunday 2026-11-22" in text  # the instant the figures describe
    assert "周报" not in text and "主要指标" not in text
    assert english.rendered.title.endswith("weekly readiness report of emergency medical reserves")
    zh = pdf_text(chinese.rendered.pdf, tmp_path).replace(" ", "")
    assert "1.主要指标" in zh and "截至2026-11-22周日24:00" in zh and "Headline" not in zh


def test_cli_report_language(sqlite_app, tmp_path):
    with sqlite_app.app_context(), Session(get_engine(sqlite_app)) as session:
        build(session)
        session.commit()
    runner = sqlite_app.test_cli_runner()
    out = tmp_path / "w.pdf"
    for bad in ("fr", "english", "zh-TW"):
        result = runner.invoke(args=["report", "weekly", "--out", str(out), "--lang", bad])
        assert result.exit_code == 2, result.output
        assert result.output.count("\n") == 1
        assert result.output.startswith(f"Error: --lang {bad!r}: ")
    assert not out.exists()
    args = ["report", "weekly", "--out", str(out), "--week", "2026-W47", "--archive"]
    result = runner.invoke(args=[*args, "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "2026-W47 (en)" in result.output
    result = runner.invoke(args=args)  # Chinese unless told
    assert result.exit_code == 0 and "绍兴市 2026-W47 (zh_CN)" in result.output
    with Session(get_engine(sqlite_app)) as session:
        rows = session.exec(select(Report).order_by(Report.id)).all()
    assert [(r.lang, r.filename) for r in rows] == [
        ("en", "readiness-city-2026-W47-en.pdf"),
        ("zh_CN", "readiness-city-2026-W47.pdf"),
    ]


@needs_poppler
def test_a_reader_of_the_english_site_generates_an_english_report(sqlite_app, tmp_path):
    with sqlite_app.app_context(), Session(get_engine(sqlite_app)) as session:
        build(session)
        make_user(session, "disp", "dispatcher")
        session.commit()
    disp = sqlite_app.test_client()
    disp.post("/auth/login", data={"username": "disp", "password": "password-123"})
    page = disp.get("/dashboard/reports").get_data(as_text=True)
    assert '<option value="zh_CN" selected>' in page  # Chinese site: Chinese by default
    disp.post("/auth/lang/en", data={"next": "/"})
    page = disp.get("/dashboard/reports").get_data(as_text=True)
    assert '<option value="en" selected>English</option>' in page
    bad = disp.post("/dashboard/reports", data={"week": "2026-W47", "lang": "fr"})
    assert bad.status_code == 422 and "Choose Chinese (zh) or English (en)." in bad.get_data(
        as_text=True
    )
    with Session(get_engine(sqlite_app)) as session:
        assert session.exec(select(Report)).all() == []
    assert (
        disp.post("/dashboard/reports", data={"week": "2026-W47", "lang": "en"}).status_code == 303
    )
    with Session(get_engine(sqlite_app)) as session:
        (row,) = session.exec(select(Report)).all()
    assert (row.lang, row.filename) == ("en", "readiness-city-2026-W47-en.pdf")
    listing = disp.get("/dashboard/reports").get_data(as_text=True)
    assert '<td class="report-lang" lang="en">English</td>' in listing
    pdf = disp.get(f"/dashboard/reports/{row.id}.pdf")
    assert "readiness-city-2026-W47-en.pdf" in pdf.headers["Content-Disposition"]
    text = pdf_text(pdf.data, tmp_path)
    assert "Headline figures" in text and "Red list" in text


def _map_of(html: str) -> str:
    return html[
        html.index('id="network-map"') : html.index("</svg>", html.index('id="network-map"'))
    ]


@needs_poppler
def test_the_report_opens_with_the_network_map_in_its_language(sqlite_app, tmp_path):
    """The headline page carries the map: every depot of the scope coloured by its share of
    items meeting the physical target (as the dashboard), county areas named in the report's
    language, and a legend."""
    import re

    from reports.pdf import render_html

    with sqlite_app.app_context(), Session(get_engine(sqlite_app)) as session:
        f, _n95, _gloves = build(session)
        network.upsert_region(
            session, "330602", name="越城区", name_en="Yuecheng District", level="county",
            parent_code="330600",
        )  # fmt: skip
        session.commit()
        city = render_html(session, build_weekly_report(session, WEEK, today=TODAY, now=NOW))
        english = render_html(
            session, build_weekly_report(session, WEEK, today=TODAY, now=NOW, lang="en")
        )
        county = render_html(
            session, build_weekly_report(session, WEEK, county="330602", today=TODAY, now=NOW)
        )
        pdf = render_weekly(session, WEEK, today=TODAY, now=NOW).rendered.pdf
    # A 5 days and Q out of stock: red; B (200 days) and C (gloves, 50 days): green; K holds
    # nothing with a norm: grey
    svg = _map_of(city)
    assert sorted(re.findall(r'class="depot" data-status="(\w+)"', svg)) == [
        "green", "green", "none", "red", "red"
    ]  # fmt: skip
    assert '<g class="county" data-group="330602">' in svg  # 越城区's area (柯桥区: one depot)
    assert re.findall(r'fill="#1d2733">([^<]+)</text>', svg) == ["越城区", "柯桥区"]
    legend = city[city.index('id="map-legend"') :]
    legend = legend[: legend.index("</p>")]
    assert "储备网络分布图" in city and "95 % 及以上" in legend and "低于 80 %" in legend
    # English: the counties' English names where recorded (柯桥区 has none)
    assert re.findall(r'fill="#1d2733">([^<]+)</text>', _map_of(english)) == [
        "Yuecheng District", "柯桥区"
    ]  # fmt: skip
    assert "Network map" in english and "95 % or more" in english
    # a county's report: its own depots only
    svg = _map_of(county)
    assert len(re.findall(r'class="depot"', svg)) == 3
    assert re.findall(r'fill="#1d2733">([^<]+)</text>', svg) == ["越城区"]
    # in the PDF, on the headline page (the second), the names as text
    page = subprocess.run(
        [shutil.which("pdftotext"), "-f", "2", "-l", "2", "-", "-"],
        input=pdf, capture_output=True, check=True,
    ).stdout.decode().replace(" ", "")  # fmt: skip
    assert "主要指标" in page and "储备网络分布图" in page and "柯桥区" in page
