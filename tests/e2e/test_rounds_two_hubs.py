"""Acceptance 2 in real Chromium over two hubs: four browser contexts, two on each hub
process (Redis between them). Order, speaker and deadline are the same in every
context; a pass and a timeout move on; a reload on the other hub keeps the round."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.people import SEEN_WITHIN_MS, Person
from tests.support.cluster import cluster

pytestmark = pytest.mark.redis

ROUND_SECONDS = 3
"""The 60 s timebox, shortened for the test."""


def round_view(person: Person) -> dict[str, Any]:
    panel = person.page.locator(".round-panel")
    return {
        "order": panel.locator("[data-speaker]").evaluate_all(
            "els => els.map(e => e.dataset.speaker)"),
        "current": panel.locator("[aria-current=true]").evaluate_all(
            "els => els.map(e => e.dataset.speaker)"),
        "deadline": panel.get_attribute("data-deadline"),
    }


def test_go_round_in_four_browsers_over_two_hubs(browser: Browser, tmp_path: Path,
                                                 screenshots: Path) -> None:
    with cluster(tmp_path, with_nginx=False) as c:
        session = c.hubs[0].create_session(title="Rondje over twee hubs")
        hub_a, hub_b = c.hubs[0].base, c.hubs[1].base

        def link(base: str, token: str) -> str:
            return f"{base}/s/{session.id}#k={token}"

        fac = Person(browser, hub_a, "Fenna")
        anna = Person(browser, hub_b, "Anna")
        ben = Person(browser, hub_a, "Ben")
        cas = Person(browser, hub_b, "Cas")
        everyone = [fac, anna, ben, cas]
        try:
            fac.join(link(hub_a, session.facilitator_token))
            anna.join(link(hub_b, session.invite_token))
            ben.join(link(hub_a, session.invite_token))
            cas.join(link(hub_b, session.invite_token))
            assert c.connections() == [2, 2]
            expect(fac.page.locator(".person.is-online")).to_have_count(4)

            fac.page.locator("#round-seconds").fill(str(ROUND_SECONDS))
            fac.click("Begin het rondje")
            for person in everyone:
                expect(person.page.locator(".round-panel [aria-current=true]")).to_have_count(1)
            views = [round_view(person) for person in everyone]
            assert all(v == views[0] for v in views), views
            assert len(views[0]["order"]) == 4

            fac.click("Klaar, volgende")
            expect(anna.page.get_by_text("Jij bent aan de beurt.")).to_be_visible(
                timeout=SEEN_WITHIN_MS)
            anna.click("Ik pas")
            expect(ben.page.get_by_text("Jij bent aan de beurt.")).to_be_visible(
                timeout=SEEN_WITHIN_MS)
            views = [round_view(person) for person in everyone]
            assert all(v == views[0] for v in views), views
            # Cas reloads on the other hub than Ben's: the round is kept
            cas.page.reload()
            expect(cas.page.locator(".round-panel")).to_have_attribute(
                "data-deadline", views[0]["deadline"] or "")
            # Ben lets his time run out; then Cas too
            for person in everyone:
                expect(person.page.get_by_text("Het rondje is klaar.")).to_be_visible(
                    timeout=(2 * ROUND_SECONDS + 4) * 1000)
            for person in everyone:
                states = person.page.locator(".round-panel .turn-state").all_inner_texts()
                assert states == ["sprak", "paste", "tijd om", "tijd om"], (person.name, states)
            cas.page.screenshot(path=str(screenshots / "round-two-hubs-1280.png"),
                                full_page=True)
            problems = [(p.name, e) for p in everyone for e in p.problems]
            assert problems == [], problems
        finally:
            for person in everyone:
                person.context.close()
