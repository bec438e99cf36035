"""Journey 3, the leader (viewer): the readiness dashboard, its map, a county, a depot; the
weekly PDF.

The figures are checked against each other as the leader would read them: the red-items
headline equals the red list's length and the red marks summed over the counties; the map
shows every depot of the network; a county's own headline matches its row in the city matrix."""

import re
import subprocess
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.journey import BROWSER
from tests.e2e.pages import text_lines

pytestmark = BROWSER

COUNTIES = ["越城区", "柯桥区", "上虞区", "新昌县", "诸暨市", "嵊州市"]
CATEGORIES = ["防护用品", "检测试剂", "消杀用品", "药品", "救治设备"]
# the matrix's column headers: short, each naming its category in full in its title
SHORT_CATEGORIES = ["防护", "检测", "消杀", "药品", "设备"]
HEADLINE_LABELS = [
    "达到 10 天实物储备",
    "达到 30 天（全部形式）",
    "达到 90 天（全部形式）",
    "实物可保障天数（Σ库存 ÷ Σ日用量）",
    "目录覆盖率",
    "红色项（不足 10 天）",
]
PERCENT = re.compile(r"^\d{1,3}%$")


def headline(page: Page) -> dict[str, str]:
    """The headline figures by their label."""
    kpis = page.locator(".kpis .kpi")
    expect(kpis).to_have_count(len(HEADLINE_LABELS))
    return {
        kpi.locator(".label").inner_text(): kpi.locator(".value").inner_text() for kpi in kpis.all()
    }


def red_marks(cell_text: str) -> int:
    """The '✕' count in a matrix cell such as '87%50✕' (0 when none are red)."""
    found = re.search(r"(\d+)✕", cell_text)
    return int(found.group(1)) if found else 0


def assert_headline_figures(figures: dict[str, str]) -> int:
    assert list(figures) == HEADLINE_LABELS
    for label in HEADLINE_LABELS[:3] + HEADLINE_LABELS[4:5]:
        assert PERCENT.match(figures[label]), (label, figures[label])
    assert re.match(r"^\d+(\.\d)?$", figures[HEADLINE_LABELS[3]])
    return int(figures[HEADLINE_LABELS[5]])


def test_leader_reads_dashboard_map_and_county(journey):
    j = journey("leader")
    page = j.login("viewer")

    # the leader lands on the reserve network: every depot of the city
    expect(page.locator("h1")).to_have_text("储备网络")
    depots = page.locator(".tree .facility").count()
    assert depots > 100  # the demo city: 1 city, 6 county, ~100 township depots
    expect(page.locator(".topbar .who")).to_contain_text("领导")
    j.shot(page, "network")

    page.locator(".topbar nav").get_by_role("link", name="储备达标").click()
    expect(page.locator("h1")).to_have_text("储备网络达标情况")
    figures = headline(page)
    red = assert_headline_figures(figures)
    expect(page.locator("#red-list")).to_contain_text(f"红色清单：实物储备不足 10 天 ({red})")
    assert page.locator("#red tbody tr").count() == min(red, 100)

    # the county × category matrix: the city depot and the six counties, five categories
    expect(page.get_by_role("heading", name="区县 × 物资类别")).to_be_visible()
    header = page.locator("#matrix thead th").all_inner_texts()
    assert header == ["区、县（市）", *SHORT_CATEGORIES, "全部", "天数"]
    titles = page.locator("#matrix thead th abbr").evaluate_all("a => a.map(x => x.title)")
    assert titles == CATEGORIES
    assert text_lines(page.locator("#matrix thead th")) == [1] * len(header)
    rows = page.locator("#matrix tbody tr")
    names = [row.locator("th").inner_text() for row in rows.all()]
    assert names == ["市级储备库", *COUNTIES]  # counties in code order
    all_column = [row.locator("td").nth(len(CATEGORIES)).inner_text() for row in rows.all()]
    for cell in all_column:
        assert re.match(r"^\d{1,3}%", cell), cell
    # every red depot-item is counted once, in its county's row (or the city depot's)
    assert sum(red_marks(cell) for cell in all_column) == red
    j.shot(page, "dashboard", full_page=False)

    # the map: one point per depot of the network, each named in its tooltip
    expect(page.get_by_role("heading", name="地图")).to_be_visible()
    svg = page.locator("#map svg.network-map")
    expect(svg).to_be_visible()
    points = svg.locator("g.depot")
    expect(points).to_have_count(depots)
    assert all(t.strip() for t in points.locator("title").all_text_contents())
    j.shot(page, "map", element=page.locator("#map"))

    # drill down into a county from the matrix
    county = COUNTIES[0]
    county_row = rows.filter(has=page.get_by_role("link", name=county))
    county_red = red_marks(county_row.locator("td").nth(len(CATEGORIES)).inner_text())
    county_row.get_by_role("link", name=county).click()
    expect(page.locator("h1")).to_have_text(county)
    county_figures = headline(page)
    assert assert_headline_figures(county_figures) == county_red
    county_depots = page.locator("#matrix tbody tr")
    county_map_points = page.locator("#map svg g.depot")
    expect(county_map_points).to_have_count(county_depots.count())
    assert county_depots.count() > 1
    depot_cells = [r.locator("td").nth(len(CATEGORIES)).inner_text() for r in county_depots.all()]
    assert sum(red_marks(cell) for cell in depot_cells) == county_red
    j.shot(page, "county")

    # and into the county depot, from the county's map (drawn last, on top of the townships)
    point = page.locator("#map svg a").last
    depot_name = point.locator("title").text_content().split()[0]
    point.locator("g.depot").click()
    expect(page).to_have_url(re.compile(r"/dashboard/facility/\d+$"))
    expect(page.locator("h1")).to_contain_text(depot_name)
    expect(page.locator("#items thead")).to_contain_text("实物可保障天数")
    assert page.locator("#items tbody tr").count() > 10
    j.shot(page, "depot")


def test_leader_downloads_weekly_pdf(journey, tmp_path):
    j = journey("leader-weekly-pdf")
    page = j.login("viewer")
    page.locator("#nav-reports").click()
    expect(page.locator("h1")).to_contain_text("周报")
    expect(page.locator("a.download-pdf").first).to_have_text("下载 PDF")
    j.shot(page, "report-archive")
    with page.expect_download() as info:
        page.locator("a.download-pdf").first.click()
    download = info.value
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    assert pdf.suffix == ".pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = pdftotext(pdf)
    # the Chinese title is real text in the PDF (searchable), not drawn shapes
    assert "绍兴市医疗应急物资储备达标周报" in text


def pdftotext(pdf: Path) -> str:
    done = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout
