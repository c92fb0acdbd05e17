"""Acceptance of intervision groups in the browser (Chromium, five people, each a
browser context of its own): create a group, four members join by link, plan eight
meetings six weeks apart, the calendar file, the rota and an override, meeting 1
played with roles from the plan (no name typed), and meeting 2's look-back with the
owner's follow-up note reaching every member live."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
from playwright.sync_api import Browser, expect

from tests.e2e.people import Person
from tests.support.server import ServerProcess

SEEN = 1000
LIVE = 6000
"""The group page polls every 3 s: a change by another member shows within two polls."""
NAMES = ["Fenna", "Anouk", "Bram", "Dewi", "Sem"]


def member_key(person: Person, group_id: str) -> str:
    key: str = person.page.evaluate(
        "id => JSON.parse(localStorage.getItem(`iv.group.${id}`)).key", group_id)
    return key


def test_group_year_plan_meeting_and_look_back(browser: Browser, web: ServerProcess,
                                               people: list[Person], screenshots: Path) -> None:
    everyone = [Person(browser, web.base, name) for name in NAMES]
    people.extend(everyone)
    fenna = everyone[0]

    # Fenna creates the group on the start page and lands on its page.
    fenna.open_start()
    fenna.page.locator("#group-name").fill("Intervisie team Noord")
    fenna.page.locator("#group-your-name").fill("Fenna")
    fenna.page.locator("#group-weeks").fill("6")
    fenna.page.locator("iv-group-new button[type=submit]").click()
    expect(fenna.page).to_have_url(re.compile(r"/g/[0-9a-f]{32}$"))
    group_id = fenna.page.url.rsplit("/", 1)[1]
    expect(fenna.page.locator("h1")).to_have_text("Intervisie team Noord")
    invite = fenna.page.locator("#group-invite").input_value()
    assert "#i=" in invite

    # Four members join by the invite link with a display name.
    for person in everyone[1:]:
        person.page.goto(invite)
        person.page.locator("#member-name").fill(person.name)
        person.page.locator("#member-name").press("Enter")
        expect(person.page.locator("h1")).to_have_text("Intervisie team Noord")
        assert "#" not in person.page.url, "the secret leaves the address bar"
    expect(fenna.page.locator("#members-title .count")).to_have_text("5", timeout=LIVE)

    # Anouk plans 8 meetings, every 6 weeks, from 12 January 2027 at 19:30.
    anouk = everyone[1]
    anouk.page.locator("#series-date").fill("2027-01-12")
    anouk.page.locator("#series-time").fill("19:30")
    anouk.page.locator("#series-count").fill("8")
    anouk.page.locator("#series-weeks").fill("6")
    anouk.page.locator("form[data-form=series] button[type=submit]").click()
    expect(anouk.page.locator("li.meeting")).to_have_count(8)
    for person in everyone:
        expect(person.page.locator("li.meeting")).to_have_count(8, timeout=LIVE)

    # The series calendar file: 8 events at 19:30 Amsterdam time across the DST change.
    with fenna.page.expect_download() as download:
        fenna.click("Agenda (alle bijeenkomsten)")
    body = Path(download.value.path()).read_bytes()
    events = list(icalendar.Calendar.from_ical(body).walk("VEVENT"))
    assert len(events) == 8
    starts = [e.decoded("dtstart") for e in events]
    zone = ZoneInfo("Europe/Amsterdam")
    assert {s.astimezone(zone).strftime("%H:%M") for s in starts} == {"19:30"}
    assert {s.utcoffset() for s in starts} == {dt.timedelta(hours=1), dt.timedelta(hours=2)}
    keys = [member_key(p, group_id) for p in everyone]
    for secret in [*keys, invite.split("#i=")[1]]:
        assert secret.encode() not in body

    # The rota: each of the five facilitates once before anyone twice.
    def suggested(page_person: Person, role: str) -> list[str]:
        hints = page_person.page.locator(f"li.meeting [id^={role}-][id$=-hint]")
        return [re.sub(r"^Voorstel: ", "", t) for t in hints.all_inner_texts()]

    facilitators = suggested(fenna, "facilitator")
    assert len(facilitators) == 8 and sorted(facilitators[:5]) == sorted(NAMES), facilitators
    presenters = suggested(fenna, "presenter")
    assert sorted(presenters[:5]) == sorted(NAMES), presenters
    # Bram overrides meeting 6's facilitator: Dewi; it sticks and everyone sees it.
    bram = everyone[2]
    sixth = bram.page.locator("li.meeting").nth(5)
    sixth.locator("select[data-role=facilitator]").select_option(label="Dewi")
    for person in everyone:
        select = person.page.locator("li.meeting").nth(5).locator("select[data-role=facilitator]")
        expect(select.locator("option:checked")).to_have_text("Dewi", timeout=LIVE)
    fenna.screenshot(screenshots, "group-plan")

    # Meeting 1 with roles from the plan; nobody types a name.
    by_name = {p.name: p for p in everyone}
    fac, pres = by_name[facilitators[0]], by_name[presenters[0]]
    others = [p for p in everyone if p not in (fac, pres)]
    fac.page.locator(".next-card [data-action=start]").click()
    expect(fac.page).to_have_url(re.compile(r"/s/[0-9a-f]{32}#g=[0-9a-f]{32}&meeting=[0-9a-f]+$"))
    board_url = fac.page.url
    for person in [pres, *others]:
        person.page.locator(".next-card [data-action=start]").click()
        expect(person.page).to_have_url(board_url)
    for person in everyone:
        expect(person.page.locator(".step-head")).to_be_visible(timeout=LIVE)
        expect(person.page.locator("#join-name")).to_have_count(0)
    expect(fac.page.locator(".step-controls .btn-primary")).to_be_visible()
    expect(pres.page.locator(".person", has_text=pres.name).locator(".role-presenter")
           ).to_be_visible()

    def goto(title: str) -> None:
        fac.page.locator(".step-jump", has_text=title).click()
        expect(fac.page.locator("#step-title")).to_have_text(title)

    goto("Herdefiniëren")
    others[0].write("redefinitions", "dat ik alles zelf wil doen.")
    goto("Herdefinities waarderen")
    pres.write("redefinitions", "dat ik geen nee zeg.")
    pres.expect_item("geen nee zeg")
    pres.item("geen nee zeg").get_by_role("button", name="Kies deze").click()
    expect(others[1].item("geen nee zeg")).to_have_class(re.compile("is-chosen"), timeout=SEEN)
    goto("Nieuwe situatie bespreken")
    pres.write("alternatives", "Elke week een vaste belafspraak")
    pres.expect_item("vaste belafspraak")
    fac.click("Sessie sluiten")
    fac.click("Ja, sluiten")
    for person in everyone:
        expect(person.page.locator("#closed-title")).to_be_visible(timeout=LIVE)

    # Meeting 2's look-back on the group page (the closed board links back to it).
    for person in everyone:
        person.page.locator("[data-group-link]").click()
        expect(person.page).to_have_url(f"{web.base}/g/{group_id}")
        look = person.page.locator(".lookback")
        expect(look.locator(".redefinition")).to_have_text(
            "Mijn probleem is dat ik geen nee zeg.", timeout=LIVE)
        expect(look.locator(".action-text")).to_have_text("Elke week een vaste belafspraak")
    expect(fenna.page.locator("li.meeting").first.locator(".badge")).to_have_text("afgerond")
    fenna.screenshot(screenshots, "group-after-meeting-1")

    # Meeting 2: its facilitator starts it; after the check-in comes the look-back step.
    fac2 = by_name[facilitators[1]]
    fac2.page.locator(".next-card [data-action=start]").click()
    expect(fac2.page).to_have_url(re.compile(r"/s/[0-9a-f]{32}#g="))
    for person in everyone:
        if person is not fac2:
            person.page.locator(".next-card [data-action=start]").click()
        expect(person.page.locator(".step-head")).to_be_visible(timeout=LIVE)
    fac2.next_step("Terugblik")
    for person in everyone:
        look = person.page.locator("iv-lookback")
        expect(look.locator(".redefinition")).to_have_text(
            "Mijn probleem is dat ik geen nee zeg.", timeout=LIVE)
        expect(look.locator(".action-text")).to_have_text("Elke week een vaste belafspraak")
    # Only the owner (meeting 1's presenter) has the follow-up form; the note goes live.
    for person in everyone:
        if person is not pres:
            expect(person.page.locator("iv-lookback form[data-form=follow-up]")).to_have_count(0)
    form = pres.page.locator("iv-lookback form[data-form=follow-up]")
    form.get_by_label("deels").check()
    form.get_by_label("Eén regel toelichting").fill("Twee van de drie weken gelukt")
    form.get_by_role("button", name="Terugkoppeling opslaan").click()
    for person in everyone:
        action = person.page.locator("iv-lookback .action")
        expect(action.locator(".badge")).to_have_text("deels", timeout=LIVE)
        expect(action.locator(".action-note")).to_have_text("Twee van de drie weken gelukt")
    pres.screenshot(screenshots, "board-lookback")
    # the look-back step is optional: the facilitator simply goes on
    fac2.next_step("Casus kiezen")
    expect(pres.page.locator("iv-lookback")).to_have_count(0, timeout=LIVE)

    # The group page shows the note too, and the archive offers meeting 1's report.
    member = others[0]
    member.page.goto(f"{web.base}/g/{group_id}")
    expect(member.page.locator(".lookback .action-note")).to_have_text(
        "Twee van de drie weken gelukt", timeout=LIVE)
    with member.page.expect_download() as report:
        member.page.locator(".archive button", has_text="MD").click()
    assert "geen nee zeg" in Path(report.value.path()).read_text(encoding="utf-8")
    # named as typed (the UTF-8 name), no day twice (the board is named after its
    # planned day; the day it closed follows when that is another)
    name = report.value.suggested_filename
    days = re.findall(r"\d{4}-\d{2}-\d{2}", name)
    assert name.startswith("Intervisie team Noord ") and len(days) == len(set(days)), name
    member.screenshot(screenshots, "group-lookback")
