"""Acceptance 4 and 5: axe-core finds no serious or critical violation on the start,
join, board and closed-board views, in Dutch and in English; every view is saved as a
screenshot at 1280 and 390 px (tests/e2e/screenshots/, not committed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.e2e.people import Person
from tests.support.server import ServerProcess

BLOCKING = ("serious", "critical")
SWITCH = {"nl": "English", "en": "Nederlands"}
TEXTS = {
    "nl": {"closed": "Deze sessie is gesloten", "join": "Welkom bij de intervisie"},
    "en": {"closed": "This session is closed", "join": "Welcome to the intervision session"},
}
_axe = Axe()


LABEL_IN_NAME = """() => {
  const words = (text) => text.toLowerCase().normalize('NFKD')
    .replace(/[^\\p{L}\\p{N}]+/gu, ' ').trim();
  const shown = (el) => {  // the text on screen, without decoration hidden from readers
    const copy = el.cloneNode(true);
    copy.querySelectorAll('[aria-hidden=true]').forEach((part) => part.remove());
    return copy.textContent ?? '';
  };
  const controls = 'button, a, input, select, textarea, summary, [role=button], [role=link]';
  const found = [];
  for (const el of document.querySelectorAll('[aria-label]')) {
    if (!el.matches(controls) || el.getClientRects().length === 0) continue;
    const seen = words(shown(el));
    if (seen && !words(el.getAttribute('aria-label')).startsWith(seen)) {
      found.push(`${el.tagName.toLowerCase()} "${shown(el).trim()}" named `
        + `"${el.getAttribute('aria-label')}"`);
    }
  }
  return found;
}"""
"""WCAG 2.5.3 (label in name): a control's accessible name starts with the words it
shows, so speech users can say what they see (axe runs no such rule by default)."""


def violations(page: Page) -> list[dict[str, Any]]:
    result = _axe.run(page)
    found = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result.response["violations"] if v["impact"] in BLOCKING
    ]
    mismatched = page.evaluate(LABEL_IN_NAME)
    if mismatched:
        found.append({"id": "label-in-name", "impact": "serious", "nodes": mismatched[:8]})
    return found


def choose_language(person: Person, lang: str) -> None:
    """Use the switch on the start page; the choice is kept for the other pages."""
    person.open_start()
    if lang != "nl":
        person.page.get_by_role("button", name=SWITCH["nl"]).click()
    expect(person.page.locator("html")).to_have_attribute("lang", lang)
    expect(person.page.get_by_role("button", name=SWITCH[lang])).to_be_visible()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_views_have_no_serious_violations(browser: Browser, web: ServerProcess,
                                          people: list[Person], screenshots: Path,
                                          lang: str) -> None:
    fac = Person(browser, web.base, "Fenna")
    part = Person(browser, web.base, "Anouk")
    people.extend([fac, part])
    found: dict[str, list[dict[str, Any]]] = {}

    choose_language(fac, lang)
    found["start"] = violations(fac.page)
    fac.screenshot(screenshots, f"start-{lang}")
    title = "Intervisie team Noord" if lang == "nl" else "Intervision team North"
    facilitator_link, invite_link = fac.create_session(title)
    found["start-created"] = violations(fac.page)
    fac.screenshot(screenshots, f"start-created-{lang}")

    choose_language(part, lang)
    part.page.goto(invite_link)
    expect(part.page.locator("h1")).to_have_text(TEXTS[lang]["join"])
    found["join"] = violations(part.page)
    part.screenshot(screenshots, f"join-{lang}")
    part.page.locator("#join-name").fill("Anouk")
    part.accept_agreement()
    part.page.locator("#join-name").press("Enter")
    fac.join(facilitator_link)

    part.write("checkin", "Nieuwsgierig naar de casus van vandaag" if lang == "nl"
               else "Curious about today's case")
    fac.write("checkin", "Goed uitgerust" if lang == "nl" else "Well rested")
    fac.page.locator(".step-controls .btn-primary").click()
    case = ("Klant zegt telkens af. Vraag: hoe houd ik contact?" if lang == "nl"
            else "A client keeps cancelling. Question: how do I stay in touch?")
    part.write("cases", case)
    fac.expect_item(case)
    found["board-facilitator"] = violations(fac.page)
    found["board-participant"] = violations(part.page)
    part.screenshot(screenshots, f"board-participant-{lang}")

    fac.page.locator("[data-action=close-ask]").click()
    fac.page.locator("[data-action=close-confirm]").click()
    expect(part.page.locator("#closed-title")).to_have_text(TEXTS[lang]["closed"])
    found["closed"] = violations(part.page)
    part.screenshot(screenshots, f"closed-{lang}")

    assert {view: v for view, v in found.items() if v} == {}
