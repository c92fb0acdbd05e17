"""Acceptance 2 and 3: locks reach the participant's UI, a write forced through the
socket is refused and explained; a lost connection shows a banner, resumes by itself
and loses or doubles nothing (also across a killed and restarted server)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.e2e.people import SEEN_WITHIN_MS, Person
from tests.support.server import ServerProcess

RESUME_WITHIN_MS = 10_000
"""The client retries after 1, 2, 4 s: a resume must be done well within this."""
BOARD = "document.querySelector('iv-board')"


def links(server: ServerProcess, title: str, method: str = "tienstappen") -> tuple[str, str]:
    session = server.create_session(title=title, method=method)
    base = f"{server.base}/s/{session.id}#k="
    return base + session.facilitator_token, base + session.invite_token


def test_locked_section_disables_ui_and_refuses_forced_writes(
        browser: Browser, web: ServerProcess, people: list[Person]) -> None:
    facilitator_link, invite_link = links(web, "Slot")
    fac = Person(browser, web.base, "Fenna")
    part = Person(browser, web.base, "Anouk")
    people.extend([fac, part])
    fac.join(facilitator_link)
    part.join(invite_link)
    part.write("checkin", "Voor het slot")
    fac.expect_item("Voor het slot")

    fac.click("Vergrendel Check-in")
    area = part.section("checkin").locator("textarea")
    expect(area).to_be_disabled(timeout=SEEN_WITHIN_MS)
    expect(part.section("checkin").locator("button[type=submit]")).to_be_disabled()
    expect(part.section("checkin").locator(".badge-locked")).to_have_text(
        "Vergrendeld door de begeleider")
    expect(part.item("Voor het slot").get_by_role("button", name=re.compile("^Bewerk"))
           ).to_have_count(0)

    # Around the disabled UI: the app's own socket sends the write anyway.
    part.page.evaluate(f"""() => {BOARD}.send({{type: "add_item", item_id: "forced-1",
        section: "checkin", text: "Toch geschreven"}})""")
    notice = part.page.locator("[data-notice=error]")
    expect(notice).to_contain_text("Niet gelukt (toevoegen)")
    expect(notice).to_contain_text("De begeleider heeft dit onderdeel vergrendeld.")
    expect(part.item("Toch geschreven")).to_have_count(0)
    expect(fac.item("Toch geschreven")).to_have_count(0)
    assert part.page.evaluate(f"() => {BOARD}.connection.pending.length") == 0

    fac.click("Ontgrendel Check-in")
    expect(area).to_be_enabled(timeout=SEEN_WITHIN_MS)
    part.write("checkin", "Na het slot")
    fac.expect_item("Na het slot")


def texts_once(person: Person, texts: list[str]) -> None:
    for text in texts:
        person.expect_item(text, timeout=RESUME_WITHIN_MS)
    expect(person.page.locator("li.item.is-pending")).to_have_count(0)


def test_lost_websocket_resumes_without_loss_or_doubles(
        browser: Browser, web: ServerProcess, people: list[Person]) -> None:
    facilitator_link, invite_link = links(web, "Onderbreking")
    fac = Person(browser, web.base, "Fenna")
    part = Person(browser, web.base, "Anouk")
    people.extend([fac, part])
    fac.join(facilitator_link)
    part.join(invite_link)
    part.write("checkin", "Voor de onderbreking")
    fac.expect_item("Voor de onderbreking")

    # An op goes out and the socket is cut at once: its answer may never arrive.
    part.page.evaluate(f"""() => {{
        const board = {BOARD};
        board.send({{type: "add_item", item_id: "in-flight-1", section: "checkin",
                     text: "Onderweg verstuurd"}});
        board.connection.socket.close();
    }}""")
    banner = part.page.locator("[data-banner=offline]")
    expect(banner).to_be_visible()
    expect(part.page.locator(".status-offline")).to_be_visible()
    part.write("checkin", "Tijdens de onderbreking")
    expect(part.item("Tijdens de onderbreking")).to_have_class(re.compile("is-pending"))
    fac.write("checkin", "Intussen van de begeleider")
    fac.expect_item("Intussen van de begeleider")

    expect(banner).to_have_count(0, timeout=RESUME_WITHIN_MS)
    expected = ["Voor de onderbreking", "Onderweg verstuurd", "Tijdens de onderbreking",
                "Intussen van de begeleider"]
    for person in (fac, part):
        texts_once(person, expected)
        expect(person.section("checkin").locator("li.item")).to_have_count(len(expected))
    # Live again: a new item still arrives within a second.
    fac.write("checkin", "Weer live")
    part.expect_item("Weer live")
    # A reload keeps the member (same client id), the board and nothing pending.
    part.page.reload()
    expect(part.page.locator(".status-open")).to_be_visible()
    expect(part.page.locator(".person-name", has_text="Anouk (jij)")).to_have_count(1)
    expect(fac.page.locator(".person")).to_have_count(2)
    texts_once(part, [*expected, "Weer live"])


def test_killed_server_comes_back_and_clients_resume(
        browser: Browser, people: list[Person], tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        facilitator_link, invite_link = links(server, "Herstart")
        fac = Person(browser, server.base, "Fenna")
        part = Person(browser, server.base, "Anouk")
        people.extend([fac, part])
        fac.join(facilitator_link)
        part.join(invite_link)
        part.write("checkin", "Voor de herstart")
        fac.expect_item("Voor de herstart")

        server.kill()
        for person in (fac, part):
            expect(person.page.locator("[data-banner=offline]")).to_be_visible()
        part.write("checkin", "Geschreven zonder server")
        expect(part.item("Geschreven zonder server")).to_have_class(re.compile("is-pending"))
        server.start()

        for person in (fac, part):
            expect(person.page.locator("[data-banner=offline]")).to_have_count(
                0, timeout=RESUME_WITHIN_MS)
            texts_once(person, ["Voor de herstart", "Geschreven zonder server"])
            expect(person.section("checkin").locator("li.item")).to_have_count(2)
        fac.write("checkin", "Na de herstart")
        part.expect_item("Na de herstart")
    finally:
        server.stop()


def test_removed_member_is_told_and_stays_out(
        browser: Browser, web: ServerProcess, people: list[Person]) -> None:
    facilitator_link, invite_link = links(web, "Verwijderen")
    fac = Person(browser, web.base, "Fenna")
    part = Person(browser, web.base, "Anouk")
    people.extend([fac, part])
    fac.join(facilitator_link)
    part.join(invite_link)
    fac.page.locator("summary", has_text="Meer").click()
    fac.click("Verwijderen uit de sessie: Anouk")
    fac.click("Ja, verwijder Anouk")
    banner = part.page.locator("[data-banner=ended]")
    expect(banner).to_contain_text("De begeleider heeft je uit deze sessie verwijderd.",
                                   timeout=SEEN_WITHIN_MS)
    expect(fac.page.locator(".person")).to_have_count(1)
    part.page.reload()
    expect(part.page.locator("[data-banner=ended]")).to_be_visible()
