"""Leading the meeting in real Chromium, four browser contexts each:

1. the facilitator points at an item below the fold on a 390 px screen: it comes into
   view for a follower within a second, a member who stopped following (key F) is not
   moved, a late joiner lands on it;
2. a go-round of four: order, speaker and deadline are the same in every context; a
   pass, a move on and a timeout end turns; a reload keeps the round;
3. a closed question gets the server's gentle hint in the composer and is sent anyway;
4. a prepared case survives a reload, is in no websocket frame or HTTP request until
   it is brought in, and arrives in the case list with one action;
and axe finds no serious violation on these views (facilitator notes included).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, WebSocket, expect

from tests.e2e.people import PHONE, SEEN_WITHIN_MS, Person, send_join
from tests.e2e.test_accessibility import violations
from tests.support.server import ServerProcess

BOARD = "document.querySelector('iv-board')"
CHOOSE_CASE = 1
ASK = 3
ROUND_SECONDS = 3
"""The 60 s timebox, shortened for the test."""


def links(server: ServerProcess, title: str) -> tuple[str, str]:
    session = server.create_session(title=title)
    base = f"{server.base}/s/{session.id}#k="
    return base + session.facilitator_token, base + session.invite_token


def in_view(page: Page, selector: str) -> bool:
    return bool(page.evaluate("""(selector) => {
        const r = document.querySelector(selector).getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight;
    }""", selector))


def go_to_step(fac: Person, step: int) -> None:
    fac.page.evaluate(f"() => {BOARD}.send({{type: 'set_step', step: {step}}})")
    expect(fac.page.locator("[aria-current=step]")).to_have_attribute(
        "data-key", f"step-{step}")


# -- 1. spotlight ------------------------------------------------------------------------


def test_spotlight_brings_an_item_into_view_for_followers_only(
        browser: Browser, web: ServerProcess, people: list[Person], screenshots: Path) -> None:
    facilitator_link, invite_link = links(web, "Spotlight")
    fac = Person(browser, web.base, "Fenna", viewport=PHONE)
    anna = Person(browser, web.base, "Anna", viewport=PHONE)
    ben = Person(browser, web.base, "Ben", viewport=PHONE)
    late = Person(browser, web.base, "Laura", viewport=PHONE)
    people.extend([fac, anna, ben, late])
    fac.join(facilitator_link)
    anna.join(invite_link)
    ben.join(invite_link)
    texts = [f"Binnenkomer {n}: een zin om de lijst lang te maken" for n in range(1, 13)]
    for text in texts:
        fac.write("checkin", text)
    target_text = texts[-1]
    for person in (fac, anna, ben):
        person.expect_item(target_text, timeout=5000)
    target = f"li[data-item='{fac.item(target_text).get_attribute('data-item')}']"

    # Ben stops following with one key; everyone sees he looks around himself
    ben.page.locator("body").click(position={"x": 5, "y": 5})
    fac.page.evaluate(f"() => {BOARD}.send({{type: 'set_spotlight', section: 'checkin'}})")
    expect(ben.page.locator(".spotlight-bar")).to_be_visible()
    ben.page.keyboard.press("f")
    expect(ben.page.get_by_role("button", name="Volg de begeleider (F)")).to_be_visible()
    looks_around = fac.page.locator("[data-person] .follow-tag", has_text="kijkt zelf rond")
    expect(looks_around).to_have_count(1)
    for person in (anna, ben):
        person.page.evaluate("() => window.scrollTo(0, 0)")
        assert not in_view(person.page, target), f"{person.name}: the item is not below the fold"

    fac.item(target_text).get_by_role("button", name=re.compile("^Aanwijzen voor iedereen")).click()
    started = time.monotonic()
    expect(anna.page.locator(target)).to_be_in_viewport(timeout=SEEN_WITHIN_MS)
    elapsed_ms = (time.monotonic() - started) * 1000
    print(f"\nspotlight in view for the follower after {elapsed_ms:.0f} ms")
    expect(anna.page.locator(target)).to_have_class(re.compile("is-spotlit"))
    # Ben got the same event (the mark shows) but was not moved
    expect(ben.page.locator(target)).to_have_class(re.compile("is-spotlit"))
    assert ben.page.evaluate("() => window.scrollY") == 0
    assert not in_view(ben.page, target)

    # a late joiner lands on the spotlight
    late.join(invite_link)
    expect(late.page.locator(target)).to_be_in_viewport(timeout=SEEN_WITHIN_MS)
    expect(late.page.locator(target)).to_have_class(re.compile("is-spotlit"))
    # Ben comes back with the same key and is brought to it
    ben.page.keyboard.press("f")
    expect(ben.page.locator(target)).to_be_in_viewport(timeout=SEEN_WITHIN_MS)
    expect(looks_around).to_have_count(0)
    anna.page.screenshot(path=str(screenshots / "spotlight-follower-390.png"))
    fac.page.screenshot(path=str(screenshots / "spotlight-facilitator-390.png"))
    ben.page.set_viewport_size({"width": 1280, "height": 900})
    ben.page.screenshot(path=str(screenshots / "spotlight-member-1280.png"))


# -- 2. go-round ---------------------------------------------------------------------------


def round_view(person: Person) -> dict[str, Any]:
    panel = person.page.locator(".round-panel")
    return {
        "order": panel.locator("[data-speaker]").evaluate_all(
            "els => els.map(e => e.dataset.speaker)"),
        "current": panel.locator("[aria-current=true]").evaluate_all(
            "els => els.map(e => e.dataset.speaker)"),
        "deadline": panel.get_attribute("data-deadline"),
    }


def test_go_round_of_four(browser: Browser, web: ServerProcess, people: list[Person],
                          screenshots: Path) -> None:
    facilitator_link, invite_link = links(web, "Rondje")
    fac = Person(browser, web.base, "Fenna")
    anna = Person(browser, web.base, "Anna")
    ben = Person(browser, web.base, "Ben")
    cas = Person(browser, web.base, "Cas")
    everyone = [fac, anna, ben, cas]
    people.extend(everyone)
    fac.join(facilitator_link)
    for person in everyone[1:]:
        person.join(invite_link)
    expect(fac.page.locator(".person.is-online")).to_have_count(4)

    notes = fac.page.locator(".facilitator-note")
    expect(notes).to_contain_text("Open met een rondje")
    for person in everyone[1:]:
        expect(person.page.locator(".facilitator-note")).to_have_count(0)
    fac.page.locator("#round-seconds").fill(str(ROUND_SECONDS))
    fac.click("Begin het rondje")
    for person in everyone:
        expect(person.page.locator(".round-panel [aria-current=true]")).to_have_count(1)
    # the start form went with the start: the focus stays in the round, on its heading
    expect(fac.page.locator("#round-title")).to_be_focused()
    views = [round_view(person) for person in everyone]
    assert all(v == views[0] for v in views), views
    assert len(views[0]["order"]) == 4 and views[0]["deadline"]
    names = fac.page.locator(".round-panel .turn-name").all_inner_texts()
    assert [n.replace(" (jij)", "") for n in names] == ["Fenna", "Anna", "Ben", "Cas"]
    fac.page.screenshot(path=str(screenshots / "round-facilitator-1280.png"), full_page=True)
    anna.page.screenshot(path=str(screenshots / "round-participant-1280.png"), full_page=True)

    fac.click("Klaar, volgende")  # Fenna speaks first and moves on
    expect(anna.page.get_by_text("Jij bent aan de beurt.")).to_be_visible(timeout=SEEN_WITHIN_MS)
    anna.click("Ik pas")
    expect(ben.page.get_by_text("Jij bent aan de beurt.")).to_be_visible(timeout=SEEN_WITHIN_MS)
    deadline = round_view(ben)["deadline"]
    # Cas reloads during Ben's turn: the round is still there, same deadline
    cas.page.reload()
    expect(cas.page.locator(".round-panel")).to_have_attribute("data-deadline", deadline or "")
    # Ben says nothing: the server's deadline moves on to Cas
    expect(cas.page.get_by_text("Jij bent aan de beurt.")).to_be_visible(
        timeout=(ROUND_SECONDS + 3) * 1000)
    views = [round_view(person) for person in everyone]
    assert all(v == views[0] for v in views), views
    cas.click("Klaar, volgende")
    for person in everyone:
        expect(person.page.get_by_text("Het rondje is klaar.")).to_be_visible()
        states = person.page.locator(".round-panel .turn-state").all_inner_texts()
        assert states == ["sprak", "paste", "tijd om", "sprak"], (person.name, states)
    expect(cas.page.locator("#round-title")).to_be_focused()  # the button went with the turn


# -- 3. open questions -------------------------------------------------------------------


def test_closed_question_hint_shows_and_never_blocks(
        browser: Browser, web: ServerProcess, people: list[Person], screenshots: Path) -> None:
    facilitator_link, invite_link = links(web, "Open vragen")
    fac = Person(browser, web.base, "Fenna")
    anna = Person(browser, web.base, "Anna")
    people.extend([fac, anna])
    fac.join(facilitator_link)
    anna.join(invite_link)
    go_to_step(fac, ASK)
    expect(anna.page.locator("#step-title")).to_have_text("Vragen bedenken")
    form = anna.section("questions").locator("form.add-form")
    hint = form.locator(".question-hint")
    closed = "Heb je dat al met je leidinggevende besproken?"
    anna.write("questions", closed, submit=False)
    expect(hint).to_contain_text("Dit leest als een gesloten vraag (“heb je …”)")
    expect(form.locator("button[type=submit]")).to_be_enabled()
    anna.page.screenshot(path=str(screenshots / "question-hint-1280.png"), full_page=True)
    anna.page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    anna.page.screenshot(path=str(screenshots / "question-hint-390.png"), full_page=True)
    anna.page.set_viewport_size({"width": 1280, "height": 900})
    found = violations(anna.page)
    form.locator("textarea").press("Enter")
    fac.expect_item(closed)  # sent as written: the hint never blocks
    expect(hint).to_be_empty()
    anna.write("questions", "Wat maakte dat je toen bleef?", submit=False)
    expect(hint).to_have_attribute("data-question-hint", "open")
    expect(hint).to_be_empty()
    assert found == []


# -- 4. case preparation -----------------------------------------------------------------


class Wire:
    """Everything a page sends: websocket frames and HTTP requests (with bodies)."""

    def __init__(self, page: Page) -> None:
        self.sent: list[str] = []
        page.on("websocket", self._socket)
        page.on("request", lambda r: self.sent.append(f"{r.method} {r.url} {r.post_data or ''}"))

    def _socket(self, ws: WebSocket) -> None:
        self.sent.append(f"WS {ws.url}")
        ws.on("framesent", lambda payload: self.sent.append(str(payload)))

    def holding(self, *needles: str) -> list[str]:
        return [s for s in self.sent if any(n in s for n in needles)]


def test_prepared_case_stays_in_the_browser_until_brought_in(
        browser: Browser, web: ServerProcess, people: list[Person], screenshots: Path) -> None:
    facilitator_link, invite_link = links(web, "Voorbereiden")
    fac = Person(browser, web.base, "Fenna")
    anna = Person(browser, web.base, "Anna")
    ben = Person(browser, web.base, "Ben")
    people.extend([fac, anna, ben])
    wire = Wire(anna.page)
    facts = "Sinds maart meldt collega Pim zich elke maandag ziek (uniekefeit-7731)"
    feeling = "Ik voelde me machteloos en boos (uniekgevoel-5519)"
    question = "Hoe spreek ik Pim aan zonder de relatie te schaden? (uniekevraag-2290)"
    secrets = ("uniekefeit-7731", "uniekgevoel-5519", "uniekevraag-2290")

    anna.page.goto(invite_link)
    anna.click("Casus voorbereiden")
    anna.page.locator("#prep-facts").fill(facts)
    anna.page.locator("#prep-experience").fill(feeling)
    anna.page.locator("#prep-question").fill(question)
    anna.page.get_by_label("De vraag gaat over mijzelf, niet over een ander.").check()
    anna.page.get_by_label("Ik was zelf een van de hoofdrolspelers.").check()
    found = {"prep-join": violations(anna.page)}
    anna.screenshot(screenshots, "prep-join")
    anna.page.reload()
    anna.click("Casus voorbereiden")
    expect(anna.page.locator("#prep-facts")).to_have_value(facts)
    expect(anna.page.locator("#prep-experience")).to_have_value(feeling)
    expect(anna.page.locator("#prep-question")).to_have_value(question)
    expect(anna.page.get_by_label("Ik was zelf een van de hoofdrolspelers.")).to_be_checked()
    expect(anna.page.get_by_label("Ze is urgent: ik zit er nu mee.")).not_to_be_checked()

    # joining: the name goes to the server, the draft does not
    send_join(anna.page, "Anna")
    expect(anna.page.locator(".status-open")).to_be_visible()
    fac.join(facilitator_link)
    ben.join(invite_link)
    bring = anna.page.get_by_role("button", name="Breng in bij de casuskeuze")
    expect(bring).to_be_disabled()  # check-in: the case choice comes next
    anna.page.locator("#prep-facts").fill(facts + ".")
    go_to_step(fac, CHOOSE_CASE)
    expect(bring).to_be_enabled(timeout=SEEN_WITHIN_MS)
    found["prep-board"] = violations(anna.page)
    anna.screenshot(screenshots, "prep-board")
    assert any(s.startswith("WS ") for s in wire.sent) and any('"hello"' in s for s in wire.sent)
    assert wire.holding(*secrets) == [], "the draft left the browser before it was brought in"

    bring.click()
    for person in (fac, ben, anna):
        case = person.section("cases").locator("li.item", has_text="uniekevraag-2290")
        expect(case).to_have_count(1, timeout=SEEN_WITHIN_MS)
        expect(case).to_contain_text("uniekefeit-7731")
    assert len(wire.holding("uniekevraag-2290")) == 1  # one action: one add_item
    expect(anna.page.locator(".prep-done")).to_have_text(re.compile("Je casus staat op het bord"))
    fac.page.screenshot(path=str(screenshots / "prep-case-arrived-1280.png"), full_page=True)
    assert {view: v for view, v in found.items() if v} == {}


# -- axe on the facilitator's views ----------------------------------------------------------


def test_facilitator_views_have_no_serious_violations(
        browser: Browser, web: ServerProcess, people: list[Person], screenshots: Path) -> None:
    facilitator_link, invite_link = links(web, "Toegankelijk")
    fac = Person(browser, web.base, "Fenna")
    anna = Person(browser, web.base, "Anna")
    people.extend([fac, anna])
    fac.join(facilitator_link)
    anna.join(invite_link)
    fac.write("checkin", "Scherp vandaag")
    anna.expect_item("Scherp vandaag")
    fac.item("Scherp vandaag").get_by_role("button", name=re.compile("^Aanwijzen")).click()
    expect(anna.page.locator(".spotlight-bar")).to_be_visible()
    expect(fac.page.locator(".facilitator-note")).to_be_visible()
    found = {"facilitator-start": violations(fac.page)}  # notes, spotlight, round form
    fac.click("Begin het rondje")
    expect(anna.page.locator(".round-panel [aria-current=true]")).to_have_count(1)
    found |= {"facilitator": violations(fac.page), "participant": violations(anna.page)}
    fac.screenshot(screenshots, "lead-facilitator")
    anna.screenshot(screenshots, "lead-participant")
    assert {view: v for view, v in found.items() if v} == {}
