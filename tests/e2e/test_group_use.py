"""A group really using the board (issue: findings from a full walkthrough).

Each test replays one finding the way people met it, through the UI only, and
checks what they should see now.
"""

from __future__ import annotations

from pathlib import Path

import pypdf
from playwright.sync_api import Browser, expect

from tests.e2e.people import PHONE, SEEN_WITHIN_MS, Person, send_join
from tests.e2e.test_live import links
from tests.support.server import ServerProcess

LEADS = ".step-controls .btn-primary"
"""The facilitator's "next step" button: only the facilitator's view has it."""


def open_link(person: Person, link: str) -> None:
    """Open a link and give a name, without expecting the board (a question may come)."""
    person.page.goto(link)
    send_join(person.page, person.name)


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


# -- 7. the case vote flows into the method; 5. errors that clear, votes used up -----------


def test_case_vote_closes_on_reveal_and_the_case_flows_into_the_method(
        browser: Browser, web: ServerProcess, people: list[Person], screenshots: Path) -> None:
    facilitator_link, invite_link = links(web, "Casus kiezen")
    fac = Person(browser, web.base, "Fenna")
    anna = Person(browser, web.base, "Anna")
    ben = Person(browser, web.base, "Ben")
    people.extend([fac, anna, ben])
    ben.page.clock.install()
    for person, link in ((fac, facilitator_link), (anna, invite_link), (ben, invite_link)):
        person.join(link)
    fac.next_step("Casus kiezen")
    anna.write("cases", "Mijn team luistert niet. Hoe krijg ik ze mee?")
    ben.write("cases", "Een lastige ouder")
    ben.expect_item("Mijn team luistert niet")

    # 5: the votes run out: "+ stem" goes off; a forced vote is explained, then clears
    add_vote = ben.item("Mijn team luistert niet").locator("[data-action=vote][data-delta='1']")
    for _ in range(3):
        expect(add_vote).to_be_enabled()
        add_vote.click()
    expect(ben.page.locator(".votes-left")).to_contain_text("Je hebt nog 0 van je 3 stemmen")
    expect(add_vote).to_be_disabled()
    item_id = ben.item("Een lastige ouder").get_attribute("data-item")
    ben.page.evaluate(f"""() => document.querySelector('iv-board').send(
        {{type: "vote", item_id: "{item_id}", delta: 1}})""")
    notice = ben.page.locator("[data-notice=error]")
    expect(notice).to_contain_text("Je hebt al je stemmen in dit onderdeel gebruikt.")
    ben.page.clock.fast_forward(20_000)
    expect(notice).to_have_count(0)

    # 7: the reveal closes the vote, on the server: no "+ stem", a late vote is refused
    anna_vote = anna.item("Een lastige ouder").locator("[data-action=vote][data-delta='1']")
    anna_vote.click()
    expect(anna.item("Een lastige ouder").locator(".my-votes")).to_have_text("jouw stemmen: 1")
    fac.click("Onthul Casussen en hun vraag")
    expect(anna.page.locator("[data-action=vote]")).to_have_count(0, timeout=SEEN_WITHIN_MS)
    anna.page.evaluate(f"""() => document.querySelector('iv-board').send(
        {{type: "vote", item_id: "{item_id}", delta: 1}})""")
    expect(anna.page.locator("[data-notice=error]")).to_contain_text(
        "De stemmen zijn al onthuld; stemmen kan niet meer.")
    expect(fac.item("Een lastige ouder").locator(".votes")).to_have_text("1 stem")
    expect(fac.item("Mijn team luistert niet").locator(".votes")).to_have_text("3 stemmen")

    # the facilitator names the presenter; the method starts with her case in place
    fac.page.get_by_role("button", name="Maak inbrenger: Anna").first.click()
    fac.next_step("Casus inbrengen")
    case = anna.section("case")
    expect(case.locator(".item-text")).to_have_text(
        "Mijn team luistert niet. Hoe krijg ik ze mee?", timeout=SEEN_WITHIN_MS)
    # the step change took the old notice away
    expect(anna.page.locator("[data-notice]")).to_have_count(0)
    anna.page.screenshot(path=str(screenshots / "case-carried-1280.png"), full_page=True)


# -- 2. unsent text is kept; 3. focus goes to the new step --------------------------------


def focused_id(person: Person) -> str:
    return str(person.page.evaluate("() => document.activeElement?.id ?? ''"))


def test_drafts_survive_step_changes_and_reloads_and_focus_follows_the_step(
        browser: Browser, web: ServerProcess, people: list[Person]) -> None:
    facilitator_link, invite_link = links(web, "Concepten")
    fac = Person(browser, web.base, "Fenna")
    kim = Person(browser, web.base, "Kim")  # keyboard only
    people.extend([fac, kim])
    fac.join(facilitator_link)
    kim.join(invite_link)
    area = kim.section("checkin").locator("textarea")
    area.press_sequentially("Ik zit nog half in mijn vorige")

    # the facilitator moves on: the field goes, the focus lands on the step's heading
    fac.next_step("Casus kiezen")
    expect(kim.page.locator("#step-title")).to_have_text("Casus kiezen")
    kim.page.wait_for_function("() => document.activeElement?.id === 'step-title'")
    # one Tab and Enter bring the keyboard user into the step's field
    kim.page.keyboard.press("Tab")
    expect(kim.page.locator(":focus")).to_have_text("Naar het invulveld")
    kim.page.keyboard.press("Enter")
    expect(kim.section("cases").locator("textarea")).to_be_focused()

    # back again: the half-typed text is still there, and after a reload too
    fac.page.get_by_role("button", name="Vorige").click()
    expect(area).to_have_value("Ik zit nog half in mijn vorige", timeout=SEEN_WITHIN_MS)
    kim.page.reload()
    expect(kim.section("checkin").locator("textarea")).to_have_value(
        "Ik zit nog half in mijn vorige")
    # sent, the draft goes
    kim.section("checkin").locator("textarea").press("End")
    kim.section("checkin").locator("textarea").press_sequentially(" gesprek.")
    kim.section("checkin").locator("textarea").press("Enter")
    fac.expect_item("Ik zit nog half in mijn vorige gesprek.")
    kim.page.reload()
    expect(kim.section("checkin").locator("textarea")).to_have_value("")

    # whoever moves the step keeps their place: the facilitator's focus stays on "next"
    fac.page.locator(LEADS).focus()
    fac.page.keyboard.press("Enter")
    expect(fac.page.locator("#step-title")).to_have_text("Casus kiezen")
    expect(fac.page.locator(LEADS)).to_be_focused()


# -- 6. screen readers are told; 10. everyone sees the facilitator is gone -----------------


def test_screen_reader_hears_the_events_and_everyone_sees_the_lead_is_gone(
        browser: Browser, web: ServerProcess, people: list[Person], screenshots: Path) -> None:
    facilitator_link, invite_link = links(web, "Meldingen")
    fac = Person(browser, web.base, "Fenna")
    anna = Person(browser, web.base, "Anna")
    ben = Person(browser, web.base, "Ben")
    people.extend([fac, anna, ben])
    ben.page.clock.install()
    for person, link in ((fac, facilitator_link), (anna, invite_link), (ben, invite_link)):
        person.join(link)
    heard = ben.page.locator("#announcer")
    fac.next_step("Casus kiezen")
    ben.write("cases", "Een lastige ouder")
    fac.expect_item("Een lastige ouder")
    fac.click("Onthul Casussen en hun vraag")
    expect(heard).to_contain_text("De begeleider heeft Casussen en hun vraag onthuld.")
    fac.page.get_by_role("button", name="Maak inbrenger: Anna").first.click()
    expect(heard).to_contain_text("Anna is nu de inbrenger.")
    expect(anna.page.locator("#announcer")).to_contain_text("Jij bent nu de inbrenger.")

    fac.next_step("Casus inbrengen")
    fac.next_step("Vragen bedenken")
    ben.write("questions", "Wat wil je zelf?")
    anna.expect_item("Wat wil je zelf?")
    fac.next_step("Vragen waarderen")
    anna.item("Wat wil je zelf?").locator("[data-action=rate][data-rating=warm]").click()
    expect(heard).to_contain_text("Je bijdrage „Wat wil je zelf?” kreeg het oordeel: warm.")

    # 10: a stopped timer says so; 6: the end of the time is read out
    state = ben.page.locator("[data-timer-state]")
    expect(state).to_have_text("staat stil")
    fac.click("Start")
    expect(state).to_have_text("loopt")
    ben.page.clock.fast_forward(6 * 60_000)
    expect(heard).to_contain_text("De tijd voor deze stap is om.")

    # the facilitator drops out: everyone sees it at the top, and hears it
    fac.page.close()
    away = ben.page.locator("[data-banner=lead-away]")
    expect(away).to_contain_text("De begeleider is niet verbonden.", timeout=5000)
    expect(heard).to_contain_text("Fenna, de begeleider, is niet meer verbonden.")
    ben.page.screenshot(path=str(screenshots / "lead-away-1280.png"), full_page=True)


# -- 9. words and numbers that read well ----------------------------------------------------


def test_words_and_numbers_read_well(
        browser: Browser, web: ServerProcess, people: list[Person], screenshots: Path) -> None:
    facilitator_link, invite_link = links(web, "Woorden")
    fac = Person(browser, web.base, "Fenna")
    people.append(fac)
    fac.page.goto(facilitator_link)
    # the facilitator is welcomed, not asked to "join"
    expect(fac.page.locator("h1")).to_have_text("Welkom bij de intervisie")
    send_join(fac.page, "Fenna")
    expect(fac.page.locator(".progress-count")).to_have_text("Begin van de sessie")
    # a field's label is not its button's
    checkin = fac.section("checkin")
    expect(checkin.locator("label.add-label")).to_have_text("Jouw bijdrage")
    expect(checkin.locator("button[type=submit]")).to_have_text("Toevoegen")
    # resetting the timer says what it does
    expect(fac.page.get_by_role("button", name="Terug naar begintijd")).to_be_visible()
    fac.next_step("Casus kiezen")
    fac.next_step("Casus inbrengen")
    # Tienstappen's own first step is step 1 of its 10, not "Stap 3 van 13"
    expect(fac.page.locator(".progress-count")).to_have_text("Stap 1 van 10")
    expect(fac.page.locator(".step-head .eyebrow")).to_have_text("Stap 1 van 10")
    for _ in range(5):
        fac.page.locator(LEADS).click()
    expect(fac.page.locator("#step-title")).to_have_text("Herdefiniëren")
    expect(fac.page.locator(".progress-count")).to_have_text("Stap 6 van 10")
    # the prefix and a sentence of one's own make one sentence
    fac.write("redefinitions", "ik weet niet hoe ik nee zeg")
    fac.expect_item("Mijn probleem is: ik weet niet hoe ik nee zeg")
    fac.write("redefinitions", "dat ik alles zelf wil doen")
    fac.expect_item("Mijn probleem is dat ik alles zelf wil doen")

    # a phone is not told about Shift+Enter
    phone_context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        phone = phone_context.new_page()
        phone.goto(invite_link)
        send_join(phone, "Anna")
        hint = phone.locator("section[data-section=redefinitions] .enter-hint")
        expect(hint.locator(".touch-only")).to_be_visible()
        expect(hint.locator(".keys-only")).to_be_hidden()
        phone.screenshot(path=str(screenshots / "words-phone-390.png"), full_page=True)
    finally:
        phone_context.close()
    expect(fac.section("redefinitions").locator(".keys-only")).to_be_attached()


def test_a_chosen_hot_spot_is_not_called_a_definition(
        browser: Browser, web: ServerProcess, people: list[Person]) -> None:
    facilitator_link, _ = links(web, "Hittepunt", method="dialoog")
    fac = Person(browser, web.base, "Fenna")
    people.append(fac)
    fac.join(facilitator_link)
    fac.next_step("Casus kiezen")
    fac.next_step("Bevragen")
    fac.write("hourglass", "Toen hij de deur dichtdeed", lane="hotspot")
    item = fac.expect_item("Toen hij de deur dichtdeed")
    item.get_by_role("button", name="Kies deze").click()
    expect(item.locator(".flag")).to_have_text("Gekozen")


# -- 4. notes moved with a single pointer, on a phone too, never hidden under another -----


def rect(person: Person, text: str) -> dict[str, float]:
    box = person.item(text).bounding_box()
    assert box is not None
    return box


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


def test_notes_move_without_dragging_on_a_phone_too_and_never_hide(
        browser: Browser, web: ServerProcess, people: list[Person], screenshots: Path) -> None:
    facilitator_link, invite_link = links(web, "Notities")
    fac = Person(browser, web.base, "Fenna")
    anna = Person(browser, web.base, "Anna")
    people.extend([fac, anna])
    fac.join(facilitator_link)
    anna.join(invite_link)
    fac.page.get_by_role("button", name="Nieuwe situatie bespreken: ga naar Stap 8 van 10").click()
    expect(anna.page.locator("#step-title")).to_have_text("Nieuwe situatie bespreken")
    anna.write("alternatives", "Een vaste belafspraak")
    anna.write("alternatives", "Vaker nee zeggen")
    anna.expect_item("Vaker nee zeggen")

    # the buttons show without hovering; "Verplaats" then one click places the note
    first = anna.item("Een vaste belafspraak")
    move = first.get_by_role("button", name="Verplaats: Een vaste belafspraak")
    expect(move).to_be_visible()
    move.click()
    expect(anna.page.locator(".placing-hint")).to_contain_text("Klik of tik op de plek")
    canvas = anna.page.locator("[data-canvas=alternatives]").bounding_box()
    assert canvas is not None
    anna.page.mouse.click(canvas["x"] + 500, canvas["y"] + 40)
    expect(fac.item("Een vaste belafspraak")).to_have_css("left", "484px", timeout=SEEN_WITHIN_MS)
    expect(anna.page.locator(".placing-hint")).to_have_count(0)

    # dropped on top of another note, a note moves clear of it
    second = rect(anna, "Vaker nee zeggen")
    target = rect(anna, "Een vaste belafspraak")
    anna.page.mouse.move(second["x"] + 30, second["y"] + 10)
    anna.page.mouse.down()
    anna.page.mouse.move(target["x"] + 40, target["y"] + 20, steps=6)
    anna.page.mouse.up()
    expect(fac.item("Vaker nee zeggen")).not_to_have_css("left", "224px", timeout=SEEN_WITHIN_MS)
    fac.page.wait_for_function(
        """() => { const [a, b] = [...document.querySelectorAll('[data-canvas] li.note')]
               .map((n) => n.getBoundingClientRect());
           return !(a.left < b.right && b.left < a.right
                    && a.top < b.bottom && b.top < a.bottom); }""")
    assert not overlap(rect(anna, "Vaker nee zeggen"), rect(anna, "Een vaste belafspraak"))

    # on a phone: the canvas is there, the hint speaks of tapping, a tap places a note
    phone_context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        phone = phone_context.new_page()
        phone.goto(invite_link)
        send_join(phone, "Bo")
        note = phone.locator("li.note", has_text="Vaker nee zeggen")
        expect(note).to_have_css("position", "absolute")
        hint = phone.locator("section[data-section=alternatives] .hint").first
        expect(hint).to_contain_text("tik")
        note.get_by_role("button", name="Verplaats: Vaker nee zeggen").tap()
        expect(phone.locator(".placing-hint")).to_be_visible()
        place = phone.locator("[data-canvas=alternatives]")
        place.evaluate(
            "el => { el.scrollIntoView({block: 'start'}); el.parentElement.scrollLeft = 0; }")
        box = place.bounding_box()
        assert box is not None
        phone.touchscreen.tap(box["x"] + 40, box["y"] + 300)
        expect(fac.item("Vaker nee zeggen")).to_have_css("left", "24px", timeout=SEEN_WITHIN_MS)
        phone.screenshot(path=str(screenshots / "notes-phone-390.png"), full_page=True)
    finally:
        phone_context.close()


# -- 11. the report a facilitator sends round -------------------------------------------------


def test_report_summary_first_tagged_named_and_csv_for_dutch_excel(
        browser: Browser, web: ServerProcess, people: list[Person], screenshots: Path) -> None:
    facilitator_link, invite_link = links(web, "Intervisie team Noord")
    fac = Person(browser, web.base, "Fenna")
    anna = Person(browser, web.base, "Anna")
    people.extend([fac, anna])
    fac.join(facilitator_link)
    anna.join(invite_link)
    fac.next_step("Casus kiezen")
    anna.write("cases", "Mijn team luistert niet. Vraag: hoe krijg ik ze mee?")
    fac.expect_item("Mijn team luistert niet")
    fac.click("Onthul Casussen en hun vraag")
    fac.page.get_by_role("button", name="Maak inbrenger: Anna").first.click()
    fac.next_step("Casus inbrengen")
    fac.page.get_by_role("button", name="Herdefiniëren: ga naar Stap 6 van 10").click()
    expect(fac.page.locator("#step-title")).to_have_text("Herdefiniëren")
    fac.write("redefinitions", "dat ik het zelf wil oplossen")
    fac.page.get_by_role("button", name="Herdefinities waarderen: ga naar Stap 7 van 10").click()
    expect(anna.page.locator("#step-title")).to_have_text("Herdefinities waarderen")
    anna.item("dat ik het zelf wil oplossen").get_by_role("button", name="Kies deze").click()
    fac.expect_item("dat ik het zelf wil oplossen")
    fac.page.get_by_role("button", name="Nabespreken en evalueren: ga naar Stap 10 van 10").click()
    expect(anna.page.locator("#step-title")).to_have_text("Nabespreken en evalueren")
    anna.write("evaluation", "Ik vraag het team eerst wat zij willen")
    fac.expect_item("Ik vraag het team eerst")
    fac.page.locator("[data-action=close-ask]").click()
    fac.page.locator("[data-action=close-confirm]").click()
    expect(anna.page.locator("#closed-title")).to_be_visible()

    with anna.page.expect_download() as download:
        anna.page.locator(".export-panel button", has_text="PDF").click()
    pdf_file = download.value
    pdf_file.save_as(screenshots / "report.pdf")
    assert pdf_file.suggested_filename.startswith("Intervisie team Noord ")
    assert pdf_file.suggested_filename.endswith(".pdf")
    reader = pypdf.PdfReader(pdf_file.path())
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl" and "/StructTreeRoot" in root
    assert reader.metadata is not None and reader.metadata.title == "Intervisie team Noord"
    first = " ".join(reader.pages[0].extract_text().split())
    for text in ("Samenvatting", "Mijn team luistert niet. Vraag: hoe krijg ik ze mee?",
                 "Gekozen definitie", "Mijn probleem is dat ik het zelf wil oplossen",
                 "Wat de inbrenger meeneemt", "Ik vraag het team eerst wat zij willen"):
        assert text in first, text
    assert "Geen nieuwe items" not in " ".join(p.extract_text() for p in reader.pages)

    with anna.page.expect_download() as download:
        anna.page.locator(".export-panel button", has_text="CSV").click()
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith("\ufeff".encode()) and download.value.suggested_filename.endswith(".csv")
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert header.split(";")[:3] == ["stap", "onderdeel", "soort"]
