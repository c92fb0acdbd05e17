"""Keyboard alone: reach, add, move between items, edit, vote and step with Tab, the
arrow keys and Enter; others' new items are announced in the polite live region."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.e2e.people import SEEN_WITHIN_MS, Person
from tests.e2e.test_live import links
from tests.support.server import ServerProcess

MAX_TABS = 80


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the focus is on an element matching ``selector``."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def test_keyboard_only(browser: Browser, web: ServerProcess, people: list[Person]) -> None:
    facilitator_link, invite_link = links(web, "Toetsenbord")
    fac = Person(browser, web.base, "Fenna")
    part = Person(browser, web.base, "Anouk")
    people.extend([fac, part])
    fac.join(facilitator_link)
    part.join(invite_link)

    # Add two items with the keyboard only.
    tab_to(part.page, "section[data-section=checkin] textarea")
    part.page.keyboard.type("Eerste gedachte")
    part.page.keyboard.press("Enter")
    part.page.keyboard.type("Tweede gedachte")
    part.page.keyboard.press("Enter")
    fac.expect_item("Eerste gedachte")
    fac.expect_item("Tweede gedachte")
    expect(fac.page.locator("#announcer")).to_contain_text("Anouk in Check-in: Tweede gedachte")

    # Move between items with the arrow keys, edit in place with Enter.
    tab_to(part.page, "li[data-item]")
    part.page.keyboard.press("ArrowDown")
    expect(part.page.locator("li.item:focus .item-text")).to_have_text("Tweede gedachte")
    part.page.keyboard.press("Enter")
    expect(part.page.locator("form.edit-form textarea")).to_be_focused()
    part.page.keyboard.type(", aangevuld")
    part.page.keyboard.press("Enter")
    fac.expect_item("Tweede gedachte, aangevuld")
    expect(part.page.locator("li.item:focus .item-text")).to_have_text("Tweede gedachte, aangevuld")

    # The facilitator steps forward by keyboard; the participant votes by keyboard.
    tab_to(fac.page, ".step-controls .btn-primary")
    fac.page.keyboard.press("Enter")
    expect(part.page.locator("#step-title")).to_have_text("Casus kiezen", timeout=SEEN_WITHIN_MS)
    expect(part.page.locator("#announcer")).to_contain_text("Begin van de sessie: Casus kiezen")
    fac.write("cases", "Een casus om op te stemmen")
    part.expect_item("Een casus om op te stemmen")
    tab_to(part.page, "button[data-action=vote][data-delta='1']")
    part.page.keyboard.press("Enter")
    expect(part.item("Een casus om op te stemmen").locator(".my-votes")).to_have_text(
        "jouw stemmen: 1")
