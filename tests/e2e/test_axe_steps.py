"""axe on every step view of a whole session (frame included), for every role
(facilitator, presenter, participant, observer), and on the closed board: zero
violations of any impact. Every method in Dutch and in English."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.e2e.people import SEEN_WITHIN_MS, Person
from tests.e2e.test_live import links
from tests.support.server import ServerProcess

BOARD = "document.querySelector('iv-board')"
_axe = Axe()


def violations(page: Page) -> list[dict[str, Any]]:
    result = _axe.run(page)
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result.response["violations"]]


def send(page: Page, op: str) -> None:
    page.evaluate(f"() => {BOARD}.send({op})")


@pytest.mark.parametrize(("method", "lang"), [
    (method, lang)
    for method in ("tienstappen", "dominante_ideeen", "leren_van_successen", "dialoog",
                   "roddelmethode")
    for lang in ("nl", "en")])
def test_every_step_for_every_role_has_no_violation(
        browser: Browser, web: ServerProcess, people: list[Person], method: str,
        lang: str) -> None:
    facilitator_link, invite_link = links(web, "Alle stappen", method=method)
    names = {"facilitator": "Fenna", "presenter": "Pieter", "participant": "Anna",
             "observer": "Olaf"}
    who = {role: Person(browser, web.base, name) for role, name in names.items()}
    people.extend(who.values())
    for role, person in who.items():
        if lang == "en":
            person.open_start()
            person.page.get_by_role("button", name="English").click()
            expect(person.page.locator("html")).to_have_attribute("lang", "en")
        person.join(facilitator_link if role == "facilitator" else invite_link)
    fac = who["facilitator"]
    for role in ("presenter", "observer"):
        pid = who[role].page.evaluate(f"() => {BOARD}.model.me")
        send(fac.page, f'{{type: "assign_role", participant_id: "{pid}", role: "{role}"}}')
        expect(who[role].page.locator(".role-line")).to_contain_text(
            {"presenter": {"nl": "Inbrenger", "en": "Case presenter"},
             "observer": {"nl": "Toeschouwer", "en": "Observer"}}[role][lang])
    steps = fac.page.evaluate(f"() => {BOARD}.model.method.steps.length")
    found: dict[str, Any] = {}
    for step in range(steps):
        if step:
            send(fac.page, f'{{type: "set_step", step: {step}}}')
        title = fac.page.evaluate(
            f"() => {BOARD}.model.method.steps[{step}].title.{lang}")
        for role, person in who.items():
            expect(person.page.locator("#step-title")).to_have_text(title, timeout=SEEN_WITHIN_MS)
            # something written in every section this role may write in
            person.page.evaluate(f"""() => {{
                const board = {BOARD};
                for (const form of document.querySelectorAll('form.add-form:not(.is-disabled)')) {{
                  const area = form.querySelector('textarea');
                  if (!area || form.dataset.parent || form.dataset.count) continue;
                  const id = 'i' + Math.random().toString(36).slice(2, 12);
                  board.send({{type: 'add_item', item_id: id,
                    section: form.dataset.section, text: 'Tekst van {role} in stap {step}',
                    ...(form.dataset.lane ? {{lane: form.dataset.lane}} : {{}})}});
                }}
            }}""")
        for role, person in who.items():
            expect(person.page.locator("li.item.is-pending")).to_have_count(0)
            found[f"{step}-{role}"] = violations(person.page)
    send(fac.page, '{type: "close_session"}')
    for role, person in who.items():
        expect(person.page.locator("#closed-title")).to_be_visible()
        found[f"closed-{role}"] = violations(person.page)
    bad = {view: v for view, v in found.items() if v}
    summary = sorted({(x["id"], str(x["nodes"])) for v in bad.values() for x in v})
    assert bad == {}, summary
