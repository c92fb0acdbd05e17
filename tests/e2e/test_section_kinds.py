"""The other section kinds in the browser: ideas with circling and alternatives, the
hourglass with a hidden-until-revealed step, success factors in lanes and sheets."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.e2e.people import SEEN_WITHIN_MS as SEEN
from tests.e2e.people import Person
from tests.e2e.test_live import links
from tests.support.server import ServerProcess


def pair(browser: Browser, web: ServerProcess, people: list[Person],
         method: str) -> tuple[Person, Person]:
    facilitator_link, invite_link = links(web, f"Intervisie {method}", method)
    fac = Person(browser, web.base, "Fenna")
    part = Person(browser, web.base, "Anouk")
    people.extend([fac, part])
    fac.join(facilitator_link)
    part.join(invite_link)
    return fac, part


FRAME_BEFORE = 2
"""The frame's check-in and case choice come before every method's own steps."""


def goto(fac: Person, part: Person, number: int) -> None:
    """The facilitator jumps to a step (counted with the frame's two steps before
    the method) by the progress bar; the board counts the method's own steps."""
    own = number - FRAME_BEFORE
    fac.page.get_by_role("button", name=re.compile(f": ga naar Stap {own} van")).click()
    expect(part.page.locator(".progress-count")).to_have_text(
        re.compile(f"^Stap {own} van"), timeout=SEEN)


def test_ideas_circled_with_alternatives(browser: Browser, web: ServerProcess,
                                         people: list[Person], screenshots: Path) -> None:
    fac, part = pair(browser, web, people, "dominante_ideeen")
    goto(fac, part, 5)
    part.write("ideas", "Als ik het niet doe, doet niemand het")
    fac.write("ideas", "Hulp vragen is zwak")
    fac.expect_item("niemand het")
    fac.click("Maak inbrenger: Anouk")
    goto(fac, part, 6)
    part.item("niemand het").get_by_role("button", name="Omcirkel").click()
    expect(fac.item("niemand het")).to_have_class(re.compile("is-circled"), timeout=SEEN)
    goto(fac, part, 7)
    expect(fac.item("zwak")).to_have_count(0)
    part.page.get_by_label("Alternatief voor: Als ik het niet doe").fill(
        "Als ik het laat liggen, pakt een ander het op")
    part.page.get_by_label("Alternatief voor: Als ik het niet doe").press("Enter")
    alternative = fac.item("niemand het").locator(".alternatives .item-text")
    expect(alternative).to_have_text("Als ik het laat liggen, pakt een ander het op",
                                     timeout=SEEN)
    fac.screenshot(screenshots, "board-ideas")


def test_hourglass_and_hidden_until_revealed(browser: Browser, web: ServerProcess,
                                             people: list[Person], screenshots: Path) -> None:
    fac, part = pair(browser, web, people, "dialoog")
    goto(fac, part, 3)
    part.write("hourglass", "Het moment dat ik de deur dichtdeed", lane="hotspot")
    fac.write("hourglass", "Wanneer grijp je in?", lane="theme")
    expect(fac.section("hourglass").locator("[data-key=lane-hotspot] .item-text")).to_have_text(
        "Het moment dat ik de deur dichtdeed", timeout=SEEN)
    fac.screenshot(screenshots, "board-hourglass")
    goto(fac, part, 5)
    # Anonymous and hidden: the server sends the item to nobody, its author's client
    # keeps its own copy once applied.
    fac.click("Anoniem schrijven: uit")
    expect(part.page.get_by_text("Anoniem schrijven staat aan")).to_be_visible(timeout=SEEN)
    part.write("perspectives", "Ik zou me machteloos voelen")
    part.expect_item("machteloos")
    expect(fac.section("perspectives").locator(".badge-hidden")).to_have_text(
        "Verborgen tot onthulling (1)", timeout=SEEN)
    expect(fac.item("machteloos")).to_have_count(0)
    fac.click(re.compile("^Onthul In de schoenen"))
    fac.expect_item("machteloos")
    expect(fac.item("machteloos").locator(".author")).to_have_text("Anoniem")
    expect(part.item("machteloos")).to_have_count(1)


def test_success_factors_in_lanes_and_sheets(browser: Browser, web: ServerProcess,
                                             people: list[Person], screenshots: Path) -> None:
    fac, part = pair(browser, web, people, "leren_van_successen")
    goto(fac, part, 4)
    part.write("factors", "Ze bleef rustig doorvragen", lane="own")
    fac.write("factors", "De werkgever gaf een proefplaats", lane="environment")
    goto(fac, part, 5)
    sheet_two = part.section("factors").locator("[data-key=sheet-2] form[data-lane=own] textarea")
    sheet_two.fill("Ze geloofde echt in de klant")
    sheet_two.press("Enter")
    own_two = fac.section("factors").locator("[data-key=sheet-2] [data-key=lane-own] .item-text")
    expect(own_two).to_have_text("Ze geloofde echt in de klant", timeout=SEEN)
    env_one = part.section("factors").locator(
        "[data-key=sheet-1] [data-key=lane-environment] .item-text")
    expect(env_one).to_have_text("De werkgever gaf een proefplaats")
    fac.screenshot(screenshots, "board-factors")
