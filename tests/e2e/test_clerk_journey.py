"""Journey 1, the township clerk: receipt with lot and expiry, issue, stock count, days of cover.

Everything asserted is what the clerk sees: labels, flash messages, the lots and quantities in
the stock table, and the days of cover read from the page before and after each movement."""

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

ITEM = "DRG-IBU"  # ibuprofen tablets: one lot at the demo township depot, below 10 days

TEXT = {
    "zh-CN": {
        "my_depot": "本库",
        "stock_tab": "库存",
        "days_header": "可保障天数",
        "receipt": "入库",
        "issue": "发放",
        "item": "物资",
        "lot": "批号",
        "expiry": "失效日期",
        "quantity": "数量",
        "source": "来源",
        "purchase": "采购",
        "reserve_form": "储备形式",
        "physical": "实物储备",
        "note": "备注",
        "save": "保存",
        "receipt_done": "入库已登记。",
        "issue_done": "发放已登记。",
        "count_link": "盘点",
        "count_title": "盘点",
        "on_books": "账面数量",
        "post_count": "提交盘点",
        "count_done": "盘点已入账：1 处差异。",
        "expired": "已过期",
        "readiness": "储备达标",
        "not_yours": "这不是您的储备库。",
    },
    "en": {
        "my_depot": "My depot",
        "stock_tab": "Stock",
        "days_header": "Days of cover",
        "receipt": "Receipt",
        "issue": "Issue",
        "item": "Item",
        "lot": "Lot number",
        "expiry": "Expiry date",
        "quantity": "Quantity",
        "source": "Source",
        "purchase": "Purchase",
        "reserve_form": "Reserve form",
        "physical": "Physical",
        "note": "Note",
        "save": "Save",
        "receipt_done": "Receipt recorded.",
        "issue_done": "Issue recorded.",
        "count_link": "Count",
        "count_title": "Stock count",
        "on_books": "On the books",
        "post_count": "Post the count",
        "count_done": "Stock count posted: 1 variance(s).",
        "expired": "expired",
        "readiness": "Readiness",
        "not_yours": "This is not your depot.",
    },
}


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


def read_cover(page: Page, code: str, t: dict) -> Cover:
    rows = page.locator(f'#stock tr[data-item="{code}"]')
    expect(rows.first).to_be_visible()
    badge = rows.first.locator("td.days .cover")
    lines = rows.evaluate_all(
        """rows => rows.map(r => {
             const cells = [r.querySelector('td.code')];
             while (cells.length < 5) cells.push(cells[cells.length - 1].nextElementSibling);
             return cells.map(c => c.innerText.trim());
           })"""
    )
    lots, usable = {}, 0
    for lot_no, expiry, form, on_hand, reserved in lines:
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


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_clerk_records_receipt_issue_and_count(journey, locale):
    t = TEXT[locale]
    j = journey("clerk" if locale == "zh-CN" else "clerk-en")
    page = j.login("clerk_township")

    # straight to their depot, the only one they hold
    expect(page).to_have_url(re.compile(r"/depots/\d+$"))
    own_id = int(page.url.rsplit("/", 1)[1])
    if locale == "en":
        j.switch_language(page, "English")
    expect(page.locator(".topbar nav")).to_contain_text(t["my_depot"])
    expect(page.locator(".subnav a.active")).to_have_text(t["stock_tab"])
    expect(page.locator("#stock thead")).to_contain_text(t["days_header"])
    depot_name = page.locator("h1").inner_text()
    assert "SX-T-" in depot_name  # a township depot of the demo city
    item_row = page.locator(f'#stock tr[data-item="{ITEM}"]').first
    item_label = f"{ITEM} · {item_row.locator('strong').inner_text()}"
    start = read_cover(page, ITEM, t)
    assert_cover_consistent(start)
    j.shot(page, "depot-stock")

    # a receipt of ten days' use, a new lot with an expiry date; key 1 opens the form
    lot_no = f"E2E-{uuid.uuid4().hex[:8].upper()}"
    expiry = (date.today() + timedelta(days=730)).isoformat()
    received = round(10 * start.daily_use)
    page.keyboard.press("1")
    expect(page.locator("h1")).to_contain_text(t["receipt"])
    page.get_by_label(t["item"], exact=True).select_option(label=item_label)
    page.get_by_label(t["lot"], exact=True).fill(lot_no)
    page.get_by_label(t["expiry"], exact=True).fill(expiry)
    page.get_by_label(t["quantity"], exact=True).fill(str(received))
    page.get_by_label(t["source"], exact=True).select_option(label=t["purchase"])
    expect(page.get_by_label(t["reserve_form"], exact=True)).to_have_value("physical")
    page.get_by_label(t["note"], exact=True).fill("e2e receipt")
    j.shot(page, "receipt-form")
    page.get_by_role("button", name=t["save"], exact=True).click()
    expect(page.locator(".flash.success")).to_have_text(t["receipt_done"])
    new_lot = page.locator(f'#stock tr[data-item="{ITEM}"]', has_text=lot_no)
    expect(new_lot).to_contain_text(expiry)
    expect(new_lot).to_contain_text(str(received))
    after_receipt = read_cover(page, ITEM, t)
    assert after_receipt.lots[lot_no] == received
    assert_days_moved(start, after_receipt, received)
    j.shot(page, "after-receipt")

    # an issue of two days' use, first expiry first out; key 2 opens the form
    issued = round(2 * start.daily_use)
    page.keyboard.press("2")
    expect(page.locator("h1")).to_contain_text(t["issue"])
    page.get_by_label(t["item"], exact=True).select_option(label=item_label)
    page.get_by_label(t["quantity"], exact=True).fill(str(issued))
    j.shot(page, "issue-form")
    page.get_by_role("button", name=t["save"], exact=True).click()
    expect(page.locator(".flash.success")).to_have_text(t["issue_done"])
    after_issue = read_cover(page, ITEM, t)
    assert sum(after_issue.lots.values()) == sum(after_receipt.lots.values()) - issued
    assert_days_moved(after_receipt, after_issue, -issued)
    j.shot(page, "after-issue")

    # a stock count: one day's use of the new lot is missing from the shelf
    missing = round(start.daily_use)
    item_row.get_by_role("link", name=t["count_link"], exact=True).click()
    expect(page.locator("h1")).to_contain_text(t["count_title"])
    expect(page.locator("#count-form thead")).to_contain_text(t["on_books"])
    count_row = page.locator("#count-form tbody tr", has_text=lot_no)
    on_books = int(count_row.locator("td").nth(2).inner_text())
    assert on_books == after_issue.lots[lot_no]
    count_row.locator("input[type=number]").fill(str(on_books - missing))
    j.shot(page, "count-form")
    page.get_by_role("button", name=t["post_count"]).click()
    expect(page.locator(".flash.success")).to_have_text(t["count_done"])
    after_count = read_cover(page, ITEM, t)
    assert after_count.lots[lot_no] == on_books - missing
    assert_days_moved(after_issue, after_count, -missing)
    j.shot(page, "after-count")

    # the net change the clerk sees over the whole visit
    assert_days_moved(start, after_count, received - issued - missing)

    # another depot, found on the readiness dashboard and opened by URL: refused
    page.locator(".topbar nav").get_by_role("link", name=t["readiness"]).click()
    hrefs = page.locator("a[href*='/dashboard/facility/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    other_id = next(int(h.rsplit("/", 1)[1]) for h in hrefs if int(h.rsplit("/", 1)[1]) != own_id)
    response = page.goto(f"/depots/{other_id}")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("403")
    expect(page.locator(".error-message")).to_have_text(t["not_yours"])
    expect(page.locator("#record-actions")).to_have_count(0)
    j.shot(page, "other-depot-refused")
