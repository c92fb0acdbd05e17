"""A group really using the board (issue: findings from a full walkthrough).

Each test replays one finding the way people met it, through the UI only, and
checks what they should see now.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.e2e.people import PHONE, SEEN_WITHIN_MS, Person
from tests.e2e.test_live import links
from tests.support.server import ServerProcess

LEADS = ".step-controls .btn-primary"
"""The facilitator's "next step" button: only the facilitator's view has it."""


def open_link(person: Person, link: str) -> None:
    """Open a link and give a name, without expecting the board (a question may come)."""
    person.page.goto(link)
    person.page.locator("#join-name").fill(person.name)
    person.page.locator("#join-name").press("Enter")


# -- 1. one person on two devices ---------------------------------------------------------


def test_facilitator_link_on_a_second_device_asks_and_tells_the_first(
        browser: Browser, web: ServerProcess, people: list[Person], screenshots: Path) -> None:
    facilitator_link, invite_link = links(web, "Twee apparaten")
    laptop = Person(browser, web.base, "Fenna")
    phone = Person(browser, web.base, "Fenna", viewport=PHONE)
    anna = Person(browser, web.base, "Anna")
    people.extend([laptop, phone, anna])
    laptop.join(facilitator_link)
    anna.join(invite_link)

    # the second device is asked; the first keeps leading meanwhile
    open_link(phone, facilitator_link)
    question = phone.page.locator("[data-banner=takeover]")
    expect(question).to_contain_text("Deze sessie heeft al een begeleider.")
    phone.page.screenshot(path=str(screenshots / "takeover-question-390.png"), full_page=True)
    expect(phone.page.locator(LEADS)).to_have_count(0)
    expect(laptop.page.locator(LEADS)).to_be_visible()
    expect(laptop.page.locator("[data-banner=role-taken]")).to_have_count(0)

    # taking over: the first device is told at once and stays in as a participant
    phone.click("Rol overnemen")
    expect(phone.page.locator(LEADS)).to_be_visible()
    told = laptop.page.locator("[data-banner=role-taken]")
    expect(told).to_contain_text("Je bent geen begeleider meer.", timeout=SEEN_WITHIN_MS)
    expect(laptop.page.locator(LEADS)).to_have_count(0)
    expect(laptop.page.locator("#announcer")).to_contain_text("Je bent geen begeleider meer")
    laptop.page.screenshot(path=str(screenshots / "takeover-told-1280.png"), full_page=True)
    phone.next_step("Casus kiezen")
    expect(anna.page.locator("#step-title")).to_have_text("Casus kiezen")

    # the first device takes the role back; now the phone is told
    laptop.click("Rol terugnemen")
    expect(laptop.page.locator(LEADS)).to_be_visible()
    expect(phone.page.locator("[data-banner=role-taken]")).to_be_visible(timeout=SEEN_WITHIN_MS)

    # after a reload the phone is asked again, never demoted or promoted silently;
    # joining as a participant is remembered for the reconnects after it
    phone.page.reload()
    expect(phone.page.locator("[data-banner=takeover]")).to_be_visible()
    phone.click("Meedoen als deelnemer")
    expect(phone.page.locator(".status-open")).to_be_visible()
    expect(phone.page.locator(LEADS)).to_have_count(0)
    phone.page.reload()
    expect(phone.page.locator(".status-open")).to_be_visible()
    expect(phone.page.locator("[data-banner=takeover]")).to_have_count(0)
    expect(laptop.page.locator(LEADS)).to_be_visible()
