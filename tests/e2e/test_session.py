"""Acceptance 1: a whole Tienstappenmethode session played through the UI only.

Three people in three browser contexts: the facilitator creates the session on the
start page, the presenter-to-be and a participant join by the invite link. They write
at the same time and each sees the others' items within a second.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.e2e.people import SEEN_WITHIN_MS as SEEN
from tests.e2e.people import Person
from tests.support.server import ServerProcess


def seen_by(text: str, *people: Person) -> None:
    """Everyone in ``people`` shows the item within a second of this call (made right
    after the item was sent), all of them together."""
    deadline = time.monotonic() + SEEN / 1000
    for person in people:
        remaining_ms = max(1.0, (deadline - time.monotonic()) * 1000)
        expect(person.item(text)).to_have_count(1, timeout=remaining_ms)
    for person in people:
        person.expect_item(text)


def test_whole_tienstappen_session(browser: Browser, web: ServerProcess,
                                   people: list[Person], screenshots: Path) -> None:
    fac = Person(browser, web.base, "Fenna")
    pres = Person(browser, web.base, "Dewi")
    part = Person(browser, web.base, "Anouk")
    people.extend([fac, pres, part])

    facilitator_link, invite_link = fac.create_session("Intervisie team Noord")
    fac.page.locator("[data-open-board]").click()
    fac.page.locator("#join-name").fill("Fenna")
    fac.accept_agreement()
    fac.page.locator("#join-name").press("Enter")
    expect(fac.page.locator("#step-title")).to_have_text("Check-in")
    assert fac.page.url == facilitator_link
    pres.join(invite_link)
    part.join(invite_link)
    expect(fac.page.locator(".person.is-online")).to_have_count(3)

    # 1 Check-in: two people write at the same time.
    pres.write("checkin", "Druk week, blij dat ik er ben", submit=False)
    part.write("checkin", "Nieuwsgierig", submit=False)
    pres.section("checkin").locator("textarea").press("Enter")
    part.section("checkin").locator("textarea").press("Enter")
    seen_by("Druk week", fac, part, pres)
    seen_by("Nieuwsgierig", fac, pres, part)

    # 2 Choose the case: sealed dot votes, revealed by the facilitator, who then
    # names the presenter.
    fac.next_step("Casus kiezen")
    expect(part.page.locator("#step-title")).to_have_text("Casus kiezen", timeout=SEEN)
    pres.write("cases", "Klant zegt telkens af. Vraag: hoe houd ik contact?")
    part.write("cases", "Collega neemt mijn klanten over. Vraag: wat doe ik?")
    seen_by("Klant zegt telkens af", fac, part)
    seen_by("Collega neemt", fac, pres)
    vote = part.item("Klant zegt telkens af").get_by_role("button", name=re.compile("^Stem op"))
    vote.click()
    expect(part.item("Klant zegt telkens af").locator(".my-votes")).to_have_text("jouw stemmen: 1")
    vote.click()
    pres.item("Klant zegt telkens af").get_by_role("button", name=re.compile("^Stem op")).click()
    expect(pres.item("Klant zegt telkens af").locator(".my-votes")).to_have_text("jouw stemmen: 1")
    expect(part.section("cases").locator(".votes-left")).to_have_text(
        "Je hebt nog 1 van je 3 stemmen.")
    expect(fac.item("Klant zegt telkens af").locator(".votes")).to_have_text("stemmen verborgen")
    fac.click("Onthul Casussen en hun vraag")
    for person in (fac, pres, part):
        expect(person.item("Klant zegt telkens af").locator(".votes")).to_have_text("3 stemmen")
    fac.screenshot(screenshots, "board-facilitator")
    # The facilitator names the author of the chosen case presenter, on the case.
    fac.item("Klant zegt telkens af").get_by_role("button", name="Maak inbrenger: Dewi").click()
    expect(pres.page.locator(".role-line")).to_contain_text("Jouw rol: Inbrenger")

    # 3 The presenter brings in the case.
    fac.next_step("Casus inbrengen")
    expect(part.section("case").locator("form.add-form")).to_have_count(0)
    pres.write("case", "Een klant zegt telkens af. Vraag: hoe houd ik contact?")
    seen_by("Een klant zegt telkens af", fac, part)

    # 4 Questions, written at the same time by the participant and the facilitator.
    fac.next_step("Vragen bedenken")
    expect(pres.section("questions").locator("form.add-form")).to_have_count(0)
    part.write("questions", "Wat wil je zelf bereiken met deze klant?", submit=False)
    fac.write("questions", "Wanneer lukte het contact wel?", submit=False)
    part.section("questions").locator("textarea").press("Enter")
    fac.section("questions").locator("textarea").press("Enter")
    part.write("questions", "Wie is er nog meer betrokken?")
    seen_by("zelf bereiken", fac, pres)
    seen_by("lukte het contact", part, pres)
    seen_by("nog meer betrokken", fac, pres)

    # 5 The presenter rates K/W/N, by mouse and by keyboard; the facilitator runs the
    # timer (the server's deadline counts down everywhere).
    fac.next_step("Vragen waarderen")
    fac.click("Start")
    expect(part.page.locator(".timer.is-running")).to_be_visible(timeout=SEEN)
    expect(part.page.locator("[data-timer]")).to_have_text(re.compile(r"^(5:00|4:5\d)$"))
    expect(part.page.locator(".btn-rate")).to_have_count(0)
    pres.item("zelf bereiken").get_by_role("button", name="Warm").click()
    pres.item("lukte het contact").get_by_role("button", name="Koud").click()
    pres.item("nog meer betrokken").focus()
    pres.page.keyboard.press("n")
    for person in (fac, part):
        for text, rating in (("zelf bereiken", "warm"), ("lukte het contact", "cold"),
                             ("nog meer betrokken", "neutral")):
            expect(person.item(text)).to_have_class(re.compile(f"rating-{rating}"), timeout=SEEN)
    pres.screenshot(screenshots, "board-presenter")

    # 6, 7 Answer and follow up: nothing is written; people say they are done.
    fac.next_step("Vragen beantwoorden")
    part.click("Ik ben klaar")
    expect(fac.page.locator(".ready-count")).to_have_text("1 van 3 klaar", timeout=SEEN)
    fac.next_step("Doorvragen")
    expect(fac.page.locator(".ready-count")).to_have_text("0 van 3 klaar")

    # 8 Re-define: "Mijn probleem is ..."; only the warm questions are shown.
    fac.next_step("Herdefiniëren")
    expect(part.item("zelf bereiken")).to_have_count(1)
    expect(part.item("lukte het contact")).to_have_count(0)
    part.write("redefinitions", "dat ik te veel wil.")
    fac.write("redefinitions", "Mijn probleem is dat ik geen grens stel.")
    seen_by("Mijn probleem is dat ik te veel wil.", fac, pres)
    seen_by("Mijn probleem is dat ik geen grens stel.", part, pres)

    # 9 The presenter rates the re-definitions, adds one and chooses it.
    fac.next_step("Herdefinities waarderen")
    pres.item("te veel wil").get_by_role("button", name="Neutraal").click()
    pres.write("redefinitions", "dat ik geen nee zeg.")
    pres.expect_item("geen nee zeg")
    pres.item("geen nee zeg").get_by_role("button", name="Kies deze").click()
    for person in (fac, part):
        chosen, rated = person.item("geen nee zeg"), person.item("te veel wil")
        expect(chosen).to_have_class(re.compile("is-chosen"), timeout=SEEN)
        expect(rated).to_have_class(re.compile("rating-neutral"), timeout=SEEN)

    # 10 Alternatives on the sticky-note canvas: drag by mouse, move by keyboard, colour.
    fac.next_step("Nieuwe situatie bespreken")
    part.write("alternatives", "Een vaste belafspraak maken")
    pres.write("alternatives", "Vaker nee zeggen")
    seen_by("vaste belafspraak", fac, pres)
    seen_by("Vaker nee zeggen", fac, part)
    note = part.item("vaste belafspraak")
    box = note.bounding_box()
    assert box is not None
    part.page.mouse.move(box["x"] + 20, box["y"] + 10)
    part.page.mouse.down()
    part.page.mouse.move(box["x"] + 120, box["y"] + 150, steps=5)
    part.page.mouse.up()
    left = note.evaluate("el => parseFloat(el.style.left)")
    expect(fac.item("vaste belafspraak")).to_have_css("left", f"{left:g}px", timeout=SEEN)
    pres.item("Vaker nee zeggen").focus()
    before = pres.item("Vaker nee zeggen").evaluate("el => parseFloat(el.style.left)")
    pres.page.keyboard.press("ArrowRight")
    moved = f"{before + 16:g}px"
    expect(fac.item("Vaker nee zeggen")).to_have_css("left", moved, timeout=SEEN)
    part.item("vaste belafspraak").get_by_label(re.compile("^Kleur van")).select_option("green")
    green = re.compile("color-green")
    expect(fac.item("vaste belafspraak")).to_have_class(green, timeout=SEEN)
    part.screenshot(screenshots, "board-notes")

    # 11 Tips, by the participants; anonymously from here on.
    fac.next_step("Tips en adviezen")
    expect(pres.section("tips").locator("form.add-form")).to_have_count(0)
    fac.click("Anoniem schrijven: uit")
    expect(part.page.get_by_text("Anoniem schrijven staat aan")).to_be_visible(timeout=SEEN)
    part.write("tips", "Plan het gesprek op een vast moment")
    seen_by("vast moment", fac, pres)
    expect(fac.item("vast moment").locator(".author")).to_have_text("Anoniem")
    fac.click("Anoniem schrijven: aan")

    # 12 Evaluate, everyone at the same time.
    fac.next_step("Nabespreken en evalueren")
    pres.write("evaluation", "Ik zie nu mijn eigen aandeel", submit=False)
    part.write("evaluation", "Vragen uitstellen werkt", submit=False)
    pres.section("evaluation").locator("textarea").press("Enter")
    part.section("evaluation").locator("textarea").press("Enter")
    seen_by("eigen aandeel", fac, part)
    seen_by("uitstellen werkt", fac, pres)

    # 13 Check-out in two lanes, then close.
    fac.next_step("Check-out: tops en tips")
    part.write("checkout", "Fijn tempo", lane="tops")
    pres.write("checkout", "Strakker op tijd", lane="tips")
    seen_by("Fijn tempo", fac, pres)
    seen_by("Strakker op tijd", fac, part)
    expect(fac.section("checkout").locator(".lane[data-key=lane-tops] .item")).to_have_count(1)

    fac.click("Sessie sluiten")
    fac.click("Ja, sluiten")
    for person in (fac, pres, part):
        expect(person.page.locator("#closed-title")).to_be_visible(timeout=SEEN)
        expect(person.page.locator("textarea")).to_have_count(0)
        expect(person.page.locator(".export-panel [data-action=export]")).to_have_count(4)
        # Everything written is on the closed board, once.
        for text in ("Druk week", "zelf bereiken", "geen nee zeg", "vaste belafspraak",
                     "vast moment", "eigen aandeel", "Fijn tempo"):
            expect(person.item(text)).to_have_count(1)
    with part.page.expect_download() as download:
        part.page.locator(".export-panel button", has_text="Markdown").click()
    assert download.value.suggested_filename.endswith(".md")
    assert "Fijn tempo" in Path(download.value.path()).read_text(encoding="utf-8")
    expect(part.page.locator("[data-export-status]")).to_have_text(re.compile("^Gedownload: .+"))
    fac.screenshot(screenshots, "board-closed")
    # The facilitator switches participant export off; the invite link may no longer
    # export, the facilitator link still may.
    fac.click("Deelnemers mogen exporteren: aan")
    expect(fac.page.get_by_role("button", name="Deelnemers mogen exporteren: uit")
           ).to_be_visible(timeout=SEEN)
    # the participant's panel offers nothing it would refuse (the server refuses it
    # too: tests/exports/test_access.py); the facilitator's panel keeps every format
    expect(part.page.locator(".export-panel [data-action=export]")).to_have_count(0)
    expect(part.page.locator("[data-export-off]")).to_have_text(
        re.compile("^De begeleider heeft export voor deelnemers uitgezet"))
    expect(fac.page.locator(".export-panel [data-action=export]")).to_have_count(4)
    part.screenshot(screenshots, "board-closed-export-off")
    with fac.page.expect_download() as download:
        fac.page.locator(".export-panel button", has_text="CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
