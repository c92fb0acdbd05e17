"""The group page: axe-core finds no serious or critical violation (join, empty plan,
full plan with look-back and learning questions, the look-back step on the board), in
Dutch and English; and the plan, an override and a follow-up note work by keyboard
alone. A member's personal link opens the page on another device (context)."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.people import Person
from tests.e2e.test_accessibility import choose_language, violations
from tests.support.client import run
from tests.support.groups import Group, create_group, plan_series, play_meeting
from tests.support.server import ServerProcess


def in_thread(group: Group, meeting: dict[str, Any]) -> None:
    """Play a meeting over websockets beside the browser (own thread, own loop)."""
    errors: list[BaseException] = []

    def body() -> None:
        async def scenario() -> None:
            clients = await play_meeting(group, meeting, "Mijn probleem is dat ik haast heb.",
                                         ["Elke ochtend tien minuten plannen"])
            for client in clients.values():
                await client.close()
        try:
            run(scenario)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join(60)
    assert not errors, errors


def open_as(person: Person, group: Group, who: int) -> None:
    """The member's personal link: the page keeps the key and drops it from the URL."""
    person.page.goto(f"{group.server.base}/g/{group.id}#m={group.people[who].key}")
    expect(person.page.locator(".group-head h1")).to_be_visible()
    assert "#" not in person.page.url


def tab_to(page: Page, selector: str, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"{selector} not reachable by Tab")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_group_views_have_no_serious_violations(browser: Browser, web: ServerProcess,
                                                people: list[Person], screenshots: Path,
                                                lang: str) -> None:
    group = create_group(web, language=lang)
    for name in ("Anouk", "Bram", "Dewi", "Sem"):
        group.join(name)
    fenna, newcomer = Person(browser, web.base, "Fenna"), Person(browser, web.base, "Noor")
    people.extend([fenna, newcomer])
    found: dict[str, list[dict[str, Any]]] = {}

    choose_language(newcomer, lang)
    newcomer.page.goto(f"{web.base}/g/{group.id}#i={group.invite}")
    expect(newcomer.page.locator("#member-name")).to_be_visible()
    found["join"] = violations(newcomer.page)
    newcomer.screenshot(screenshots, f"group-join-{lang}")

    choose_language(fenna, lang)
    open_as(fenna, group, 0)
    found["empty"] = violations(fenna.page)
    fenna.screenshot(screenshots, f"group-empty-{lang}")

    group.call(group.people[0], "POST", "/questions", {"version": 0, "text": "Hoe zeg ik nee?"})
    plan = plan_series(group, group.people[0])
    in_thread(group, plan["meetings"][0])
    fenna.page.reload()
    expect(fenna.page.locator(".lookback .redefinition")).to_be_visible()
    fenna.page.locator("details.evaluation summary").first.click()
    found["full"] = violations(fenna.page)
    fenna.screenshot(screenshots, f"group-full-{lang}")

    # Fenna facilitates meeting 2 (an override) and opens its look-back step
    current = group.view(group.people[0])["plan"]
    answer = group.call(group.people[0], "PATCH", f"/plan/meetings/{current['meetings'][1]['id']}",
                        {"version": current["version"], "facilitator": group.people[0].member_id})
    assert answer.status == 200, answer.body
    fenna.page.reload()
    fenna.page.locator(".next-card [data-action=start]").click()
    expect(fenna.page.locator(".step-head")).to_be_visible()
    fenna.page.locator(".step-controls .btn-primary").click()
    expect(fenna.page.locator("iv-lookback .redefinition")).to_be_visible()
    found["board-lookback"] = violations(fenna.page)
    fenna.screenshot(screenshots, f"board-lookback-{lang}")
    assert {view: v for view, v in found.items() if v} == {}


def test_plan_override_and_follow_up_by_keyboard(browser: Browser, web: ServerProcess,
                                                 people: list[Person]) -> None:
    group = create_group(web)
    for name in ("Anouk", "Bram", "Dewi", "Sem"):
        group.join(name)
    person = Person(browser, web.base, "Fenna")
    people.append(person)
    open_as(person, group, 0)
    page = person.page

    tab_to(page, "#series-date")
    page.keyboard.type("12012027")  # the date field takes digits in its locale order
    if page.locator("#series-date").input_value() != "2027-01-12":
        page.locator("#series-date").fill("2027-01-12")  # locales differ in the order
    tab_to(page, "#series-count")
    page.keyboard.press("Control+a")
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    expect(page.locator("li.meeting")).to_have_count(3)

    first_facilitator = page.locator("li.meeting").first.locator("select[data-role=facilitator]")
    tab_to(page, "li.meeting:first-child select[data-role=facilitator]")
    page.keyboard.press("ArrowDown")
    expect(first_facilitator.locator("option:checked")).not_to_have_text(
        "Volgens het rooster", timeout=5000)
    expect(page.locator("li.meeting").first.locator("[id$=-hint]")).to_have_count(1)

    # a follow-up note by keyboard: Fenna presents meeting 1 (the group decides so)
    plan = group.view(group.people[0])["plan"]
    meeting = plan["meetings"][0]
    others = [p.member_id for p in group.people if p.member_id != group.people[0].member_id]
    answer = group.call(group.people[0], "PATCH", f"/plan/meetings/{meeting['id']}",
                        {"version": plan["version"], "presenter": group.people[0].member_id,
                         "facilitator": others[0]})
    assert answer.status == 200, answer.body
    in_thread(group, answer.json()["meetings"][0])
    page.reload()
    expect(page.locator("form[data-form=follow-up]")).to_be_visible()
    tab_to(page, "form[data-form=follow-up] input[type=radio]")
    page.keyboard.press("ArrowRight")  # done -> partly
    tab_to(page, "form[data-form=follow-up] input[name=note]")
    page.keyboard.type("Lukt op maandag")
    page.keyboard.press("Enter")
    expect(page.locator(".lookback .action-note")).to_have_text("Lukt op maandag")
    expect(page.locator(".lookback .action .badge")).to_have_text("deels")


def test_two_plan_edits_at_once_in_the_browser(browser: Browser, web: ServerProcess,
                                               people: list[Person]) -> None:
    """Anouk and Bram edit the plan from the same version; Bram's page gets 409, applies
    his change again to the plan in force, and both changes stay."""
    group = create_group(web)
    for name in ("Anouk", "Bram", "Dewi", "Sem"):
        group.join(name)
    plan_series(group, group.people[0], count=3)
    anouk, bram = Person(browser, web.base, "Anouk"), Person(browser, web.base, "Bram")
    people.extend([anouk, bram])
    open_as(anouk, group, 1)
    open_as(bram, group, 2)
    # Bram's page stops polling, so it surely still holds the version both read
    bram.page.evaluate("window.clearInterval(document.querySelector('iv-group').poller)")
    anouk.page.locator("li.meeting").nth(1).locator("select[data-role=facilitator]"
                                                   ).select_option(label="Sem")
    expect(anouk.page.locator(".notice")).to_have_text("Opgeslagen.")
    bram.page.locator("li.meeting").nth(2).locator("select[data-role=presenter]"
                                                  ).select_option(label="Dewi")
    expect(bram.page.locator(".notice")).to_contain_text("tegelijk")
    for person in (anouk, bram):
        meetings = person.page.locator("li.meeting")
        expect(meetings.nth(1).locator("select[data-role=facilitator] option:checked")
               ).to_have_text("Sem", timeout=6000)
        expect(meetings.nth(2).locator("select[data-role=presenter] option:checked")
               ).to_have_text("Dewi", timeout=6000)
    final = group.view(group.people[0])["plan"]["meetings"]
    names = {p.member_id: p.name for p in group.people}
    assert names[final[1]["facilitator"]] == "Sem" and names[final[2]["presenter"]] == "Dewi"
    # the browser logs the answered 409 as a failed resource; the page resolved it
    conflicts = [p for p in bram.problems if "409" in p and "/plan/meetings/" in p]
    assert len(conflicts) == 1, bram.problems
    bram.problems.remove(conflicts[0])


def test_manager_rotates_the_invite_removes_a_member_and_hands_on(
        browser: Browser, web: ServerProcess, people: list[Person]) -> None:
    group = create_group(web)
    for name in ("Anouk", "Bram"):
        group.join(name)
    fenna, bram = Person(browser, web.base, "Fenna"), Person(browser, web.base, "Bram")
    people.extend([fenna, bram])
    open_as(fenna, group, 0)
    open_as(bram, group, 2)
    page = fenna.page
    expect(page.locator("#group-invite")).to_have_count(0)  # not kept in this browser
    page.get_by_role("button", name="Nieuwe uitnodigingslink").click()
    invite = page.locator("#group-invite")
    expect(invite).to_have_value(re.compile(r"/g/[0-9a-f]{32}#i=.+"))
    assert group.invite not in invite.input_value()

    page.get_by_role("button", name="Verwijderen uit de groep: Bram").click()
    page.get_by_role("button", name="Ja, verwijder Bram").click()
    expect(page.locator(".person", has_text="Bram")).to_have_count(0)
    # Bram's page finds the group gone for him at its next poll
    expect(bram.page.locator("h1")).to_have_text("Groep niet gevonden", timeout=6000)

    page.get_by_role("button", name="Beheer overdragen aan Anouk").click()
    page.get_by_role("button", name="Ja, Anouk gaat beheren").click()
    expect(page.locator(".person", has_text="Anouk").locator(".role-tag")).to_have_text("beheert")
    expect(page.get_by_role("button", name="Nieuwe uitnodigingslink")).to_have_count(0)
    expect(page.locator("#danger-title")).to_have_count(0)
    # the 404 Bram's page got is how the server says "not a member"
    bram.problems[:] = [p for p in bram.problems if "404" not in p]


def test_manager_changes_the_settings(browser: Browser, web: ServerProcess,
                                      people: list[Person]) -> None:
    group = create_group(web)
    fenna = Person(browser, web.base, "Fenna")
    people.append(fenna)
    open_as(fenna, group, 0)
    page = fenna.page
    page.get_by_text("Instellingen van de groep").click()
    page.locator("#settings-name").fill("Team Zuid")
    page.locator("#settings-weeks").fill("4")
    page.locator("form[data-form=settings] button[type=submit]").click()
    expect(page.locator(".group-head h1")).to_have_text("Team Zuid")
    expect(page.locator(".group-head .lead")).to_contain_text("om de 4 weken")
    assert group.view(group.people[0])["group"]["cadence_weeks"] == 4


def test_a_member_rewords_and_deletes_a_learning_question(
        browser: Browser, web: ServerProcess, people: list[Person]) -> None:
    """A learning question is added, reworded and deleted in the page; the server holds
    what the page shows, and a shared question leaves the other member's answer too."""
    group = create_group(web)
    group.join("Anouk")
    fenna = Person(browser, web.base, "Fenna")
    people.append(fenna)
    open_as(fenna, group, 0)
    page = fenna.page
    page.locator("#new-question").fill("Hoe zeg ik nee?")
    page.locator("form[data-form=question] input[name=shared]").check()
    page.get_by_role("button", name="Leervraag toevoegen").click()
    mine = page.locator(".questions:not(.shared) .question")
    expect(mine).to_have_count(1)
    mine.get_by_text("Vraag aanpassen of verwijderen").click()
    reworded = "Hoe zeg ik vaker nee, zonder schuldgevoel?"
    mine.locator("textarea[name=text]").fill(reworded)
    mine.locator("form[data-form=question-edit] button[type=submit]").click()
    expect(mine.locator(".question-text")).to_have_text(reworded)
    seen = group.view(group.people[1])["questions"]["by_member"][group.people[0].member_id]
    assert [q["text"] for q in seen] == [reworded]
    page.get_by_role("button", name=re.compile("^Vraag verwijderen: Hoe zeg ik vaker nee")).click()
    page.get_by_role("button", name="Ja, verwijder deze vraag").click()
    expect(mine).to_have_count(0)
    expect(page.get_by_text("Je hebt nog geen leervragen.")).to_be_visible()
    assert group.view(group.people[1])["questions"]["by_member"] == {}
