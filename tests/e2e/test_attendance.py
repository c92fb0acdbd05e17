"""Attendance in the browser (issue 18) and the agreement at the door (issue 19): the
start page offers the agreement (default text, editable); the join form shows it and
does not let anyone in without ticking it; the side panel confirms attendance, the
facilitator confirms and downloads the list, a member downloads a certificate; the
new views pass axe in Dutch and English; screenshots at 1280 and 390 px."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.people import Person
from tests.e2e.test_accessibility import choose_language, violations
from tests.support.attendance import pdf_text
from tests.support.server import ServerProcess

TEXTS = {
    "nl": {"default": "Wat hier gezegd wordt, blijft hier.", "present": "Je bent aanwezig",
           "was": "Je was aanwezig",
           "confirm": "Bevestig mijn aanwezigheid", "approve": "Presentielijst bevestigen",
           "list": "Presentielijst (PDF)", "certificate": "Deelnamebewijs (PDF)",
           "pdf_list": "Presentielijst", "pdf_certificate": "Bewijs van deelname",
           "saved": "De afspraak is bewaard."},
    "en": {"default": "What is said here stays here.", "present": "You are present",
           "was": "You were present",
           "confirm": "Confirm my attendance", "approve": "Confirm the attendance list",
           "list": "Attendance list (PDF)", "certificate": "Certificate (PDF)",
           "pdf_list": "Attendance list", "pdf_certificate": "Certificate of participation",
           "saved": "The agreement is saved."},
}


def download_text(page: Page, button: str) -> str:
    with page.expect_download() as info:
        page.locator("iv-attendance").get_by_role("button", name=button).click()
    path = info.value.path()
    return pdf_text(Path(path).read_bytes())


def test_the_agreement_follows_the_session_language(browser: Browser, web: ServerProcess,
                                                    people: list[Person]) -> None:
    """The default agreement is the session's language: picked on the form, or the
    page's language when switched with the form untouched; the pick survives renders."""
    fac = Person(browser, web.base, "Fenna")
    people.append(fac)
    fac.open_start()
    area, select = fac.page.locator("#agreement"), fac.page.locator("#language")
    expect(area).to_have_value(re.compile(re.escape(TEXTS["nl"]["default"])))
    select.select_option("en")
    expect(area).to_have_value(re.compile(re.escape(TEXTS["en"]["default"])))
    fac.page.locator("#method").select_option(index=1)  # another render
    expect(select).to_have_value("en")
    expect(area).to_have_value(re.compile(re.escape(TEXTS["en"]["default"])))
    fac.page.locator("#title").fill("Team Noord")
    fac.page.locator("form[data-key=create] button[type=submit]").click()
    expect(fac.page.locator("[data-created]")).to_be_visible()
    fac.page.goto(fac.page.locator("#facilitator-link").input_value())
    expect(fac.page.locator("[data-agreement] .agreement-text")).to_have_text(
        re.compile(re.escape(TEXTS["en"]["default"])))
    # a fresh form: switching the page to English takes the session language along
    choose_language(fac, "en")
    expect(fac.page.locator("#language")).to_have_value("en")
    expect(fac.page.locator("#agreement")).to_have_value(
        re.compile(re.escape(TEXTS["en"]["default"])))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_agreement_and_attendance_panel(browser: Browser, web: ServerProcess,
                                        people: list[Person], screenshots: Path,
                                        lang: str) -> None:
    words = TEXTS[lang]
    fac = Person(browser, web.base, "Fenna")
    part = Person(browser, web.base, "Anouk")
    people.extend([fac, part])
    choose_language(fac, lang)
    choose_language(part, lang)
    found = {}

    # the start page: the agreement is on, with the default text of the session's language
    fac.open_start()
    fac.page.locator("#language").select_option(lang)
    area = fac.page.locator("#agreement")
    expect(area).to_have_value(re.compile(re.escape(words["default"])))
    expect(fac.page.locator("#agreement-on")).to_be_checked()
    own_text = words["default"] + " (Team Noord)"
    area.fill(own_text)
    found["start"] = violations(fac.page)
    fac.screenshot(screenshots, f"start-agreement-{lang}")
    fac.page.locator("#title").fill("Intervisie team Noord")
    fac.page.locator("form[data-key=create] button[type=submit]").click()
    expect(fac.page.locator("[data-created]")).to_be_visible()
    facilitator_link = fac.page.locator("#facilitator-link").input_value()
    invite_link = fac.page.locator("#invite-link").input_value()

    # the facilitator enters (accepting the text from the start page) and changes it
    # before the first step
    fac.page.goto(facilitator_link)
    expect(fac.page.locator("[data-agreement] .agreement-text")).to_have_text(own_text)
    fac.join(facilitator_link)
    fac.page.locator(".attendance-agreement summary").click()
    own_text = own_text + " +"
    fac.page.locator("#agreement-edit").fill(own_text)
    fac.page.locator("[data-attendance=agreement-save]").click()
    expect(fac.page.locator("iv-attendance .attendance-status")).to_have_text(words["saved"])
    found["agreement-edit"] = violations(fac.page)

    # the join form: the agreement must be ticked to enter
    part.page.goto(invite_link)
    expect(part.page.locator("[data-agreement] .agreement-text")).to_have_text(own_text)
    part.page.locator("#join-name").fill("Anouk")
    part.page.locator("#join-name").press("Enter")
    assert part.page.locator("#join-agree").evaluate("box => box.validity.valueMissing")
    expect(part.page.locator("form[data-action=join]")).to_be_visible()
    found["join"] = violations(part.page)
    part.screenshot(screenshots, f"join-agreement-{lang}")
    part.accept_agreement()
    part.page.locator("#join-name").press("Enter")
    expect(part.page.locator(".step-head")).to_be_visible()
    # the facilitator's panel follows who came in, with no step taken and no reload
    expect(fac.page.locator("iv-attendance .attendance-lead .hint").first).to_have_text(
        re.compile(r"^0 \w+ 2 "))

    # the panel: present, confirm
    for person in (fac, part):
        expect(person.page.locator("iv-attendance .attendance-me")).to_contain_text(
            words["present"])
    part.page.locator("iv-attendance").get_by_role("button", name=words["confirm"]).click()
    expect(part.page.locator("[data-attendance-confirmed]")).to_be_visible()
    fac.write("checkin", "KANARIE in de check-in")
    fac.page.locator(".step-controls .btn-primary").click()
    expect(fac.page.locator(".attendance-agreement")).to_have_count(0)  # fixed from now on
    found["board-participant"] = violations(part.page)
    part.screenshot(screenshots, f"attendance-participant-{lang}")

    fac.page.locator("[data-action=close-ask]").click()
    fac.page.locator("[data-action=close-confirm]").click()
    expect(fac.page.locator("iv-attendance").get_by_role("button", name=words["list"])
           ).to_be_visible()
    fac.page.locator("iv-attendance").get_by_role("button", name=words["approve"]).click()
    expect(fac.page.locator("[data-attendance-approved]")).to_be_visible()
    expect(part.page.locator("iv-attendance .attendance-me")).to_contain_text(words["was"])
    fac.page.locator(".attendance-delete summary").click()
    found["closed-facilitator"] = violations(fac.page)
    fac.screenshot(screenshots, f"attendance-facilitator-closed-{lang}")
    listed = download_text(fac.page, words["list"])
    assert words["pdf_list"] in listed and "Anouk" in listed and "Fenna" in listed
    certificate = download_text(part.page, words["certificate"])
    assert words["pdf_certificate"] in certificate and "Anouk" in certificate
    for text in (listed, certificate):
        assert "KANARIE" not in text
    assert {view: v for view, v in found.items() if v} == {}
