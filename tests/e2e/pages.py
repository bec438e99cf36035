"""Reading what a page shows, the way a person reads it."""

from dataclasses import dataclass

from playwright.sync_api import Locator, Page, expect


@dataclass
class Cover:
    """One item's line on the depot page, as the clerk reads it."""

    days: float
    colour: str  # the badge: red (< 10), amber (10-30), green (>= 30)
    daily_use: float
    usable: int  # physical, not expired, not reserved
    lots: dict[str, int]  # lot number -> on hand

    @property
    def precision(self) -> float:
        # the page shows one decimal below 30 days, whole days above
        return 0.1 if self.days < 30 else 1.0


CHINESE = {"physical": "实物储备", "expired": "已过期"}


def read_cover(page: Page, code: str, t: dict = CHINESE) -> Cover:
    """One item's line of the depot stock page (`t` holds the page's words for 'physical'
    and 'expired')."""
    rows = page.locator(f'#stock tr[data-item="{code}"]')
    expect(rows.first).to_be_visible()
    badge = rows.first.locator("td.days .cover")
    lines = rows.evaluate_all(
        """rows => rows.map(r => {
             const cells = [r.querySelector('td.code')];
             if (!cells[0]) return null;  // 'none on hand'
             while (cells.length < 5) cells.push(cells[cells.length - 1].nextElementSibling);
             return cells.map(c => c.innerText.trim());
           })"""
    )
    lots, usable = {}, 0
    for lot_no, expiry, form, on_hand, reserved in filter(None, lines):
        quantity = int(on_hand.split()[0])
        lots[lot_no] = quantity
        if form == t["physical"] and t["expired"] not in expiry:
            usable += quantity - int(reserved or 0)
    daily_use = float(rows.first.locator("td.num").nth(2).inner_text())
    colour = next(c for c in ("red", "amber", "green") if c in badge.get_attribute("class"))
    return Cover(float(badge.inner_text()), colour, daily_use, usable, lots)


def assert_cover_consistent(cover: Cover) -> None:
    """The days shown are the usable stock shown over the daily use shown, in the right colour."""
    expected = cover.usable / cover.daily_use
    # the daily use is shown rounded to 0.1: allow for that and for the display's own rounding
    slack = cover.precision / 2 + expected * 0.05 / cover.daily_use + 0.01
    assert abs(cover.days - expected) <= slack, (cover, expected)
    assert cover.colour == ("red" if cover.days < 10 else "amber" if cover.days < 30 else "green")


def assert_days_moved(before: Cover, after: Cover, units: int) -> None:
    """Days of cover moved by `units` ÷ daily use (within the rounding of what is shown)."""
    assert after.usable == before.usable + units
    assert after.daily_use == before.daily_use
    expected = units / before.daily_use
    slack = (before.precision + after.precision) / 2 + 0.01
    assert abs((after.days - before.days) - expected) <= slack, (before, after, expected)
    assert_cover_consistent(after)


def text_lines(elements: Locator) -> list[int]:
    """How many lines of text each element's content takes on screen (1: it does not wrap)."""
    return elements.evaluate_all(
        """els => els.map(el => {
             // the line boxes of its text: tops of the text's rectangles, a few pixels apart
             // at most on one line
             const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
             const tops = [];
             for (let node = walker.nextNode(); node; node = walker.nextNode()) {
               const range = document.createRange();
               range.selectNodeContents(node);
               for (const r of range.getClientRects()) if (r.width > 0) tops.push(r.top);
             }
             tops.sort((a, b) => a - b);
             return tops.filter((top, i) => i === 0 || top - tops[i - 1] > 4).length;
           })"""
    )


def scrolls_sideways(page: Page) -> bool:
    """Whether the page itself is wider than the window (the user must scroll sideways)."""
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
