"""A user journey in the browser: one screenshot folder, a browser context per person."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

# the demo logins from seed/demo.py (README, "Two commands")
DEMO_PASSWORDS = {
    "admin": "demo-admin-2026",
    "dispatcher": "demo-dispatch-2026",
    "viewer": "demo-viewer-2026",
    "clerk_city": "demo-clerk-2026",
    "clerk_county": "demo-clerk-2026",
    "clerk_township": "demo-clerk-2026",
}
VIEWPORT = {"width": 1366, "height": 900}
# every browser test module: `pytestmark = BROWSER` (one xdist group: one worker, one server)
BROWSER = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "step"


class Journey:
    """Screenshots of every step go to `folder/NN-step.png`, numbered across all the people
    taking part, so the folder reads as the story of the journey."""

    def __init__(self, browser: Browser, base_url: str, folder: Path, locale: str = "zh-CN"):
        self.browser = browser
        self.base_url = base_url
        self.folder = folder
        self.locale = locale
        self.steps = 0
        self.contexts: list[BrowserContext] = []

    def new_page(self) -> Page:
        """A page in a fresh browser context (its own cookies: its own person)."""
        context = self.browser.new_context(
            base_url=self.base_url,
            locale=self.locale,
            timezone_id="Asia/Shanghai",
            viewport=VIEWPORT,
            accept_downloads=True,
        )
        context.set_default_timeout(30_000)
        self.contexts.append(context)
        return context.new_page()

    def login(self, username: str, password: str | None = None) -> Page:
        """Log in through the login form (in Chinese) in a fresh context; the page after it."""
        page = self.new_page()
        page.goto("/auth/login")
        expect(page.locator("h1")).to_have_text("登录")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password or DEMO_PASSWORDS[username])
        self.shot(page, f"login-{username}")
        page.get_by_role("button", name="登录").click()
        expect(page.locator(".topbar .who")).to_be_visible()
        return page

    def switch_language(self, page: Page, to: str) -> None:
        """Press the top-bar language switch; `to` is the label it shows ('English' or '中文')."""
        switch = page.locator("#lang-switch")
        expect(switch).to_have_text(to)
        switch.click()
        expect(page.locator("html")).to_have_attribute("lang", "en" if to == "English" else "zh-CN")

    def shot(
        self, page: Page, step: str, *, full_page: bool = True, element: Locator | None = None
    ) -> Path:
        """Save a screenshot as the next numbered step: the whole page, only the window
        (`full_page=False`, for very long pages) or one element."""
        self.steps += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.steps:02d}-{slug(step)}.png"
        if element is not None:
            element.screenshot(path=path)
        else:
            page.screenshot(path=path, full_page=full_page)
        return path

    def close(self, failed: bool = False) -> None:
        for context in self.contexts:
            if failed:
                for page in context.pages:
                    if not page.is_closed():
                        self.shot(page, "failed", full_page=False)
            context.close()
        self.contexts.clear()
