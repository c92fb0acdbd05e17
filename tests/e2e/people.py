"""A person in front of the board: one browser context, helpers that use the UI only."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, expect

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SEEN_WITHIN_MS = 1000
"""How fast others' items must appear (acceptance: within a second)."""


def join_form_ready(page: Page) -> None:
    """Wait until the join form can be sent: its button is disabled until the page
    knows whether the session asks for an agreement."""
    expect(page.locator("form[data-action=join] button[type=submit]")).to_be_enabled()


def send_join(page: Page, name: str) -> None:
    """Give a name on the join form of a session without an agreement and send it
    with Enter, once the form can be sent (an Enter before that does nothing)."""
    page.locator("#join-name").fill(name)
    join_form_ready(page)
    page.locator("#join-name").press("Enter")


class Person:
    def __init__(self, browser: Browser, base: str, name: str, *,
                 viewport: dict[str, int] | None = None) -> None:
        self.name = name
        self.base = base
        self.context: BrowserContext = browser.new_context(viewport=viewport or DESKTOP)  # type: ignore[arg-type]
        self.page: Page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("pageerror", lambda error: self.problems.append(f"pageerror: {error}"))
        self.page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        # A websocket cut on purpose logs a network error, and the export endpoints
        # may answer 404 where they are not built: the UI explains both.
        if "WebSocket" in message.text or "/export/" in url:
            return
        self.problems.append(f"console: {message.text} ({url})")

    # -- pages --------------------------------------------------------------------------

    def open_start(self) -> None:
        self.page.goto(self.base + "/")
        expect(self.page.locator("#method option").first).to_be_attached()

    def create_session(self, title: str, method_label: str | None = None) -> tuple[str, str]:
        """Create a session on the start page; returns (facilitator link, invite link)."""
        self.open_start()
        self.page.locator("#title").fill(title)
        if method_label:
            self.page.locator("#method").select_option(label=method_label)
        self.page.locator("form[data-key=create] button[type=submit]").click()
        expect(self.page.locator("[data-created]")).to_be_visible()
        return (self.page.locator("#facilitator-link").input_value(),
                self.page.locator("#invite-link").input_value())

    def join(self, link: str) -> None:
        self.page.goto(link)
        self.page.locator("#join-name").fill(self.name)
        self.accept_agreement()
        self.page.locator("#join-name").press("Enter")
        expect(self.page.locator(".step-head, .closed-head")).to_be_visible()
        expect(self.page.locator(".status-open")).to_be_visible()

    def accept_agreement(self) -> None:
        """Tick the session's agreement on the join form, if it has one (the form
        is ready once it knows)."""
        join_form_ready(self.page)
        agree = self.page.locator("#join-agree")
        if agree.count():
            agree.check()

    def screenshot(self, folder: Path, name: str) -> None:
        """Full-page screenshots of the current view at 1280 and 390 px."""
        for label, size in (("1280", DESKTOP), ("390", PHONE)):
            self.page.set_viewport_size(size)  # type: ignore[arg-type]
            self.page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
        self.page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]

    # -- board --------------------------------------------------------------------------

    def section(self, section_id: str) -> Locator:
        return self.page.locator(f"section[data-section={section_id}]")

    def item(self, text: str) -> Locator:
        return self.page.locator("li.item", has=self.page.locator(".item-text", has_text=text))

    def write(self, section_id: str, text: str, *, lane: str | None = None,
              submit: bool = True) -> None:
        """Type into the section's add form (the lane's, if given) and press Enter."""
        selector = f"form.add-form[data-lane={lane}]" if lane else "form.add-form"
        area = self.section(section_id).locator(selector).first.locator("textarea")
        area.fill(text)
        if submit:
            area.press("Enter")

    def expect_item(self, text: str, timeout: float = SEEN_WITHIN_MS) -> Locator:
        item = self.item(text)
        expect(item).to_have_count(1, timeout=timeout)
        expect(item).not_to_have_class(re.compile(r"is-pending"), timeout=timeout + 4000)
        return item

    def click(self, name: str | re.Pattern[str], within: Locator | None = None) -> None:
        (within or self.page).get_by_role("button", name=name).click()

    def next_step(self, expected_title: str) -> None:
        self.page.locator(".step-controls .btn-primary").click()
        expect(self.page.locator("#step-title")).to_have_text(expected_title)
