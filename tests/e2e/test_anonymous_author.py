"""The author of an anonymous item keeps the right to change it, in the browser: the
item's secret stays in the author's localStorage (also across a reload); another
participant gets no edit or delete buttons, and a write forced through the socket is
refused and explained."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.e2e.people import SEEN_WITHIN_MS as SEEN
from tests.e2e.people import Person
from tests.support.server import ServerProcess

BOARD = "document.querySelector('iv-board')"
EDIT = re.compile("^Bewerk")
DELETE = re.compile("^Verwijder")


def test_the_author_edits_and_deletes_their_anonymous_item(
        browser: Browser, web: ServerProcess, people: list[Person], screenshots: Path) -> None:
    session = web.create_session(title="Anoniem", method="tienstappen")
    base = f"{web.base}/s/{session.id}#k="
    fac, anna, bert = (Person(browser, web.base, name) for name in ("Fenna", "Anna", "Bert"))
    people.extend([fac, anna, bert])
    fac.join(base + session.facilitator_token)
    anna.join(base + session.invite_token)
    bert.join(base + session.invite_token)
    fac.click("Anoniem schrijven: uit")
    expect(anna.page.get_by_text("Anoniem schrijven staat aan")).to_be_visible(timeout=SEEN)

    anna.write("checkin", "Ik kom net uit een lastig gesprek")
    own = anna.expect_item("lastig gesprek")
    seen = bert.expect_item("lastig gesprek")
    expect(seen.locator(".author")).to_have_text("Anoniem")
    expect(own.locator(".author")).to_have_text("Anoniem (van jou)")
    expect(seen.get_by_role("button", name=EDIT)).to_have_count(0)
    expect(seen.get_by_role("button", name=DELETE)).to_have_count(0)
    secrets = anna.page.evaluate(
        "() => Object.entries(localStorage).filter(([k]) => k.startsWith('iv.secrets.'))")
    assert len(secrets) == 1 and len(json.loads(secrets[0][1])) == 1

    # a reload keeps the secret, and with it the buttons
    anna.page.reload()
    own = anna.expect_item("lastig gesprek", timeout=5000)
    own.get_by_role("button", name=EDIT).click()
    anna.page.get_by_label("Tekst aanpassen").fill("Ik kom uit een goed gesprek")
    anna.click("Bewaar")
    bert.expect_item("goed gesprek")
    expect(bert.item("goed gesprek").locator(".author")).to_have_text("Anoniem")
    anna.screenshot(screenshots, "board-anonymous-author")

    # Bert forces an edit and a delete through the app's own socket: refused
    item_id = bert.page.evaluate(
        f"() => [...{BOARD}.model.items.values()].find(i => i.text.includes('goed')).id")
    bert.page.evaluate(f"""() => {BOARD}.send({{type: "edit_item", item_id: "{item_id}",
        text: "Overschreven"}})""")
    notice = bert.page.locator("[data-notice=error]")
    expect(notice).to_contain_text("Niet gelukt")
    bert.page.evaluate(f"""() => {BOARD}.send({{type: "delete_item",
        item_id: "{item_id}"}})""")
    expect(anna.item("Overschreven")).to_have_count(0)
    expect(anna.item("goed gesprek")).to_have_count(1)

    anna.item("goed gesprek").get_by_role("button", name=DELETE).click()
    expect(bert.item("goed gesprek")).to_have_count(0, timeout=SEEN)
    expect(fac.item("goed gesprek")).to_have_count(0, timeout=SEEN)
    assert anna.page.evaluate(
        "() => Object.entries(localStorage).filter(([k]) => k.startsWith('iv.secrets.'))"
        ".map(([, v]) => Object.keys(JSON.parse(v)).length)") == [0]
