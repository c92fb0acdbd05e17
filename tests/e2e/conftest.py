"""Browser tests: Debian's chromium driven by Playwright against a real server.

One server subprocess serves the module's tests (each test makes its own session);
each person is a browser context of its own (own localStorage, own websocket).
Every page is watched for script errors and Content-Security-Policy violations:
a test fails on any.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.e2e.people import Person
from tests.support.server import ServerProcess

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).with_name("screenshots")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Module-scoped: the sync API runs an event loop in this thread while it is
    open, and the other test packages call ``asyncio.run``."""
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not installed (scripts/test installs it)")
    browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A real server for the browser tests of one module."""
    proc = ServerProcess(tmp_path_factory.mktemp("web") / "data").start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture
def people(browser: Browser, web: ServerProcess) -> Iterator[list[Person]]:
    """Collects the people a test opens; closes them and checks their consoles."""
    opened: list[Person] = []
    yield opened
    problems = [(p.name, e) for p in opened for e in p.problems]
    for person in opened:
        person.context.close()
    assert problems == [], problems


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
