"""Browser journeys: the real server on a fresh seeded database, driven by Debian's Chromium.

Every test module here starts with `pytestmark = BROWSER`: the `browser` marker and one xdist
group, so with `pytest -n 2 --dist loadgroup` they all run on one worker and share one server.

    from tests.e2e.journey import BROWSER

    pytestmark = BROWSER


    def test_something(journey):
        j = journey("dispatcher")          # screenshots in <run folder>/dispatcher/
        page = j.login("dispatcher")       # a fresh browser context, logged in through the form
        page.goto("/dashboard/")
        j.shot(page, "dashboard")          # NN-dashboard.png
"""

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.e2e.journey import Journey
from tests.e2e.live_server import LiveServer

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
# assertions wait for the page up to this long (Playwright's default, 5 s, is short on a busy
# machine with two test workers, gunicorn and Chromium sharing two cores)
expect.set_options(timeout=20_000)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # remember the outcome, so the journey fixture can photograph the page a test failed on
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"e2e_{report.when}_failed", report.failed)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app under gunicorn on a free port, on a fresh migrated and seeded SQLite database.

    With E2E_BASE_URL set, the journeys use that running server instead (it must hold the
    demo seed; the journeys add movements to it)."""
    if os.environ.get("E2E_BASE_URL"):
        yield SimpleNamespace(base_url=os.environ["E2E_BASE_URL"].rstrip("/"))
        return
    server = LiveServer(tmp_path_factory.mktemp("e2e-server"))
    server.prepare_database()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless (Playwright's own browser download is not used)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-system-deps.sh as root")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """This run's screenshot folder (set once per run by tests/conftest.py)."""
    return Path(os.environ["E2E_ARTIFACTS_DIR"])


@pytest.fixture
def journey(request, browser, live_server, artifacts_dir):
    """Start a journey: `journey(name, locale="zh-CN")`; its contexts close after the test,
    with a screenshot of every open page when the test failed."""
    started: list[Journey] = []

    def start(name: str, locale: str = "zh-CN") -> Journey:
        j = Journey(browser, live_server.base_url, artifacts_dir / name, locale=locale)
        started.append(j)
        return j

    yield start
    failed = getattr(request.node, "e2e_call_failed", False)
    for j in started:
        j.close(failed=failed)
