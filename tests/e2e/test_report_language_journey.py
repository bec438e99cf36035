"""Journey 4, an English reader: the dispatcher switches the site to English, generates a
county's weekly report, which is offered in English, and downloads an English PDF; the
archive lists it as English, beside the scheduler's Chinese report.

(After the leader's journey, which downloads the newest report and expects Chinese.)"""

import subprocess

from playwright.sync_api import expect

from tests.e2e.journey import BROWSER

pytestmark = BROWSER


def test_english_reader_generates_and_downloads_an_english_report(journey, tmp_path):
    j = journey("english-report")
    page = j.login("dispatcher")
    page.locator("#nav-reports").click()
    expect(page.locator("#lang")).to_have_value("zh_CN")  # the Chinese site offers Chinese
    j.switch_language(page, "English")
    expect(page.locator("h1")).to_have_text("Weekly readiness reports")
    expect(page.locator("#lang")).to_have_value("en")
    expect(page.locator("#lang option:checked")).to_have_text("English")
    before = page.locator("#reports tbody tr[data-report-id]").count()
    page.locator("#county").select_option(label="Xinchang County")
    j.shot(page, "generate-form-in-english")
    page.locator("#generate-report").click()
    expect(page.locator(".flash.success")).to_contain_text("generated")
    rows = page.locator("#reports tbody tr[data-report-id]")
    expect(rows).to_have_count(before + 1)
    newest = rows.first
    expect(newest.locator("td.report-lang")).to_have_text("English")
    expect(newest.locator("td").nth(1)).to_have_text("Xinchang County")
    expect(page.locator('#reports td.report-lang[lang="zh-CN"]').first).to_have_text("中文")
    j.shot(page, "archive-with-an-english-report")
    with page.expect_download() as info:
        newest.locator("a.download-pdf").click()
    download = info.value
    assert download.suggested_filename.endswith("-en.pdf")
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Xinchang County weekly readiness report of emergency medical reserves" in " ".join(
        text.split()
    )
    assert "Headline figures" in text and "By depot" in text and "主要指标" not in text
    assert "Figures as at" in text  # every page's footer says which instant
