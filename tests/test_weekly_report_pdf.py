"""The weekly report rendered: the PDF's text and fonts, the CLI, the archive and the reports
page, the charts, the English report and the network map (its figures:
tests/test_weekly_report.py)."""

import shutil
import subprocess

import pytest
from sqlmodel import Session, select

from core.db import get_engine
from inventory.services import network
from reports.archive import render_weekly
from reports.models import Report
from reports.weekly import build_weekly_report
from reports.weeks import last_complete_week
from tests.factories import make_user
from tests.weekly_report_world import (
    NOW,
    TODAY,
    WEEK,
    build,
    order,
    shanghai,
)

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
