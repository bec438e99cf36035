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


def box_overflows(page, selector: str) -> bool:
    """Whether the box's content is wider than the box (it scrolls sideways inside it)."""
    return page.locator(selector).evaluate("el => el.scrollWidth > el.clientWidth")


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
