"""Journey 1, the township clerk: receipt with lot and expiry, issue, stock count, days of cover.

Everything asserted is what the clerk sees: labels, flash messages, the lots and quantities in
the stock table, and the days of cover read from the page before and after each movement."""

import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.journey import BROWSER
from tests.e2e.pages import assert_cover_consistent, assert_days_moved, read_cover

pytestmark = BROWSER

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
