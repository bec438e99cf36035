"""What the pages look like on a desktop and on a phone: codes, lot numbers and quantities stay
on one line, matrix headers do not wrap, and wide tables scroll inside their own box rather
than pushing the page sideways. Measured on the elements' boxes in Chromium."""

import pytest
from playwright.sync_api import expect

from tests.e2e.journey import BROWSER
from tests.e2e.pages import scrolls_sideways, text_lines

pytestmark = BROWSER

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
DESKTOP_WIDE = {"width": 1366, "height": 900}


def box_overflows(page, selector: str) -> bool:
    """Whether the box's content is wider than the box (it scrolls sideways inside it)."""
    return page.locator(selector).evaluate("el => el.scrollWidth > el.clientWidth")


def split_words(elements) -> list[str]:
    """The words of the elements' text that are broken across two lines on screen."""
    return elements.evaluate_all(
        """els => els.flatMap(el => {
             const split = [];
             const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
             for (let node = walker.nextNode(); node; node = walker.nextNode()) {
               for (const m of node.data.matchAll(/\\S+/g)) {
                 const range = document.createRange();
                 range.setStart(node, m.index);
                 range.setEnd(node, m.index + m[0].length);
                 const tops = new Set([...range.getClientRects()]
                   .filter(r => r.width > 0).map(r => Math.round(r.top)));
                 if (tops.size > 1) split.push(m[0]);
               }
             }
             return split;
           })"""
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_city_clerks_stock_table_in_english_keeps_lots_and_units_on_one_line(journey, viewport):
    j = journey(f"layout-depot-en-{viewport['width']}")
    page = j.login("clerk_city")
    page.set_viewport_size(viewport)
    j.switch_language(page, "English")
    expect(page.locator("#stock thead")).to_contain_text("Lot number")
    lots = page.locator("#stock td.code")
    assert lots.count() > 50  # the city depot holds several lots of every item
    assert set(text_lines(lots)) == {1}
    quantities = page.locator("#stock tbody td.num.nowrap")
    assert quantities.count() == lots.count()
    assert all(" " in q for q in quantities.all_inner_texts())  # "27922 bottle"
    assert set(text_lines(quantities)) == {1}
    assert set(text_lines(page.locator("#stock td:not([rowspan]) .nowrap"))) == {1}  # dates
    # the table fits the window, or scrolls inside its own box; the page never goes sideways
    assert not scrolls_sideways(page)
    wrapper = "#stock >> xpath=.."
    if viewport is PHONE:
        assert box_overflows(page, wrapper)
        assert page.locator(wrapper).evaluate("el => getComputedStyle(el).overflowX") == "auto"
    else:
        assert not box_overflows(page, wrapper)
    j.shot(page, "depot-stock", full_page=False)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_readiness_matrix_headers_are_short_and_on_one_line(journey, locale):
    j = journey(f"layout-dashboard-{locale}")
    page = j.login("viewer")
    page.set_viewport_size(DESKTOP)
    if locale == "en":
        j.switch_language(page, "English")
    page.goto("/dashboard/")
    headers = page.locator("#matrix thead th")
    expect(headers).to_have_count(8)  # depot or county, five categories, all, days
    categories = page.locator("#matrix thead th.cat abbr")
    expect(categories).to_have_count(5)
    titles = categories.evaluate_all("a => a.map(x => x.title)")
    shorts = categories.all_inner_texts()
    # each header names its category in full in its title, and is no longer than that
    assert all(t and len(s) <= len(t) for s, t in zip(shorts, titles, strict=True))
    assert set(text_lines(headers.locator("abbr"))) == {1}
    assert set(text_lines(page.locator("#matrix td.cell"))) == {1}
    # county names (longer in English: "Yuecheng District") wrap only between words
    assert split_words(page.locator("#matrix tbody th")) == []
    # on a 1280-pixel screen the matrix fits its half of the page without scrolling
    assert not box_overflows(page, "#matrix >> xpath=..")
    assert not scrolls_sideways(page)
    j.shot(page, "matrix", element=page.locator("#matrix"))
    # a phone: the matrix scrolls inside its box, the page does not
    page.set_viewport_size(PHONE)
    assert box_overflows(page, "#matrix >> xpath=..")
    assert not scrolls_sideways(page)
    assert set(text_lines(headers.locator("abbr"))) == {1}
    j.shot(page, "matrix-phone", full_page=False)


def test_the_plans_depots_before_and_after_in_english_wrap_names_between_words_only(journey):
    """Long English depot names take a few whole-word lines, figures never wrap: on a
    1366-pixel desktop and on a 390-pixel phone."""
    j = journey("layout-plan-en")
    page = j.login("dispatcher")
    j.switch_language(page, "English")
    page.goto("/surge/scenarios/new")
    page.locator("#name").fill("Layout check: Yuecheng fivefold")
    page.locator("input[name=region_codes][value='330602']").check()  # 越城区
    page.locator("#multiplier").fill("5")
    page.locator("#horizon_days").fill("14")
    page.locator("#target_days").fill("10")
    page.locator("input[name=links][value=hierarchy]").check()
    page.locator("#max_distance_km").fill("80")
    page.locator("#save-scenario").click()
    expect(page.locator(".flash.success")).to_be_visible()
    page.locator("#make-plan").click(timeout=180_000)
    expect(page.locator("#cover-change")).to_be_visible(timeout=180_000)
    names = page.locator("#cover-change .depot-name")
    assert names.count() > 20
    # the demo's English names: "Chengnan Subdistrict health centre reserve point" and the like
    assert max(len(n) for n in names.all_inner_texts()) > 40
    figures = page.locator("#cover-change td.num:not(:empty)")  # In and Out may be blank
    for viewport, most_lines in ((DESKTOP_WIDE, 2), (PHONE, 4)):
        page.set_viewport_size(viewport)
        table = page.locator("#cover-change")
        table.scroll_into_view_if_needed()
        lines = text_lines(names)
        assert max(lines) <= most_lines, (viewport, lines)
        assert set(text_lines(figures)) == {1}, viewport  # "14 → 3", "48,373", the cover badges
        # a name breaks only between words (each word on one line), none sticks out of its cell
        assert split_words(names) == [], viewport
        assert not any(
            names.evaluate_all(
                "els => els.map(e => e.closest('td').scrollWidth > e.closest('td').clientWidth)"
            )
        )
        assert not scrolls_sideways(page)
        j.shot(page, f"cover-change-{viewport['width']}", element=table.locator("xpath=.."))
