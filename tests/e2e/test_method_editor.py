"""The method editor in real Chromium against a real server.

Acceptance 1: copy the Tienstappenmethode, remove a step, add a step with a hidden list
where only participants add and the presenter rates, save, start a session with it
from the start page and play that step as facilitator, presenter and participant;
forced forbidden ops from the page's own socket are rejected by the server; the
downloaded export loads from a --methods-dir as the saved method. Acceptance 2:
invalid edits each show the loader's message at the field it names and save nothing
(the stored method is compared through the API). Acceptance 5: axe finds no serious
violation; the editor is used by keyboard alone, steps are also reordered by
dragging. Screenshots go to tests/e2e/screenshots/ (not committed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, expect

from server.methods.loader import DATA_DIR, load_methods
from server.methods.messages import TEXTS
from shared_schema.method import Method
from tests.e2e.people import SEEN_WITHIN_MS, Person
from tests.e2e.test_accessibility import violations
from tests.e2e.test_live import BOARD
from tests.support.server import ServerProcess

CHECKED_MS = 5000
"""How long the editor may take to show the loader's answer (debounce + round trip)."""
MAX_TABS = 400


class Author(Person):
    """A person in the editor: a refused save (422) is an expected answer, not a fault."""

    def _console(self, message: ConsoleMessage) -> None:
        url = message.location.get("url", "")
        if "status of 422" in message.text and "/api/" in url and "method" in url:
            return
        super()._console(message)


def field(page: Page, path: str) -> Locator:
    return page.locator(f'[data-path="{path}"]')


def problem(page: Page, path: str) -> Locator:
    return page.locator(f'.field-error[data-problem-path="{path}"]')


def next_to(page: Page, path: str, anchor: str) -> bool:
    """Whether the message for ``path`` sits right at the field ``anchor`` names."""
    return bool(page.evaluate(
        """([path, anchor]) => {
            const error = document.querySelector(`.field-error[data-problem-path="${path}"]`);
            if (!error) return false;
            const at = (el) => el?.getAttribute("data-anchor") === anchor;
            return at(error.previousElementSibling) || at(error.parentElement);
        }""", [path, anchor]))


def saved_copy(page: Page, saved_id: str) -> dict[str, Any]:
    """The stored method as the server has it, asked with this browser's key."""
    answer = page.evaluate(
        """async (id) => {
            const key = localStorage.getItem("iv.method-key");
            const r = await fetch(`/api/saved-methods/${id}`, {headers: {"x-method-key": key}});
            return [r.status, await r.json()];
        }""", saved_id)
    assert answer[0] == 200, answer
    result: dict[str, Any] = answer[1]
    return result


def tab_to(page: Page, selector: str) -> None:
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def open_copy_of_tienstappen(author: Author) -> Page:
    page = author.page
    page.goto(author.base + "/methods/edit")
    page.get_by_role("link", name="Kopie maken van Tienstappenmethode").click()
    expect(page.locator(".editor-status .ok")).to_have_text("De methode is in orde.",
                                                            timeout=CHECKED_MS)
    expect(page.locator(".preview-frame")).to_be_visible()
    return page


def step_card(page: Page, title: str) -> Locator:
    return page.locator(".step-card", has=page.locator("h3", has_text=title))


# -- acceptance 1 ----------------------------------------------------------------------


def test_copy_edit_save_and_play_the_new_step(browser: Browser, web: ServerProcess,
                                              people: list[Person], screenshots: Path,
                                              tmp_path: Path) -> None:
    fac = Author(browser, web.base, "Fenna")
    people.append(fac)
    page = open_copy_of_tienstappen(fac)
    fac.screenshot(screenshots, "editor-copy")

    # remove "Doorvragen" (step 5)
    page.get_by_role("button", name="Verwijderen: stap 5 (Doorvragen)").click()
    expect(page.locator(".step-card")).to_have_count(9)
    expect(step_card(page, "Doorvragen")).to_have_count(0)

    # a new section: a plain list
    page.get_by_role("button", name="Onderdeel toevoegen").click()
    section = page.locator(".part-card").filter(has=page.locator("[data-path='$.sections[6].id']"))
    field(page, "$.sections[6].id").fill("stille_ronde")
    field(page, "$.sections[6].title.nl").fill("Stille ronde")
    field(page, "$.sections[6].title.en").fill("Silent round")
    expect(section.locator("select[data-path='$.sections[6].kind']")).to_have_value("list")

    # a new step showing it: hidden, only participants add, the presenter rates
    page.get_by_role("button", name="Stap toevoegen").click()
    new = "$.steps[9]"
    field(page, f"{new}.id").fill("stil_schrijven")
    field(page, f"{new}.title.nl").fill("Stil schrijven")
    field(page, f"{new}.title.en").fill("Write in silence")
    field(page, f"{new}.instruction.nl").fill("Iedereen schrijft in stilte een eerste indruk.")
    field(page, f"{new}.instruction.en").fill("Everyone writes a first impression in silence.")
    field(page, f"{new}.minutes").fill("5")
    card = page.locator(".step-card").nth(9)
    card.locator("select[data-add-shown]").select_option("stille_ronde")
    card.get_by_role("button", name="Tonen").click()
    shown = f"{new}.sections[0]"
    page.locator(f'input[data-list="{shown}.add"][value=participant]').check()
    page.locator(f'input[data-list="{shown}.rate"][value=presenter]').check()
    page.locator(f'input[data-path="{shown}.hidden"]').check()
    expect(page.locator(".editor-status .ok")).to_be_visible(timeout=CHECKED_MS)

    # by keyboard: move it up to place 3, after "Vragen bedenken"
    up = page.get_by_role("button", name=re.compile(r"^Stap 10 \(Stil schrijven\) omhoog"))
    up.focus()
    page.keyboard.press("Enter")
    for place in range(9, 3, -1):
        expect(page.get_by_role("button", name=f"Stap {place} (Stil schrijven) omhoog")
               ).to_be_focused()
        page.keyboard.press("Alt+ArrowUp" if place % 2 else "Enter")
    expect(page.locator(".step-card").nth(2)).to_contain_text("Stil schrijven")
    expect(page.locator("#announcer")).to_contain_text("Stil schrijven staat nu op plaats 3")

    # the live preview shows the step as each role would see it
    page.locator("#ed-preview-step").select_option(label="3. Stil schrijven")
    frame = page.locator(".preview-frame")
    expect(frame.locator("h3").first).to_have_text("Stil schrijven", timeout=CHECKED_MS)
    expect(frame.locator("section[data-section=stille_ronde] form.add-form")).to_have_count(1)
    page.locator("label[for=ed-preview-presenter]").click()
    expect(frame).to_have_attribute("data-preview-role", "presenter")
    expect(frame.locator("section[data-section=stille_ronde] form.add-form")).to_have_count(0)
    expect(frame.locator("section[data-section=stille_ronde] .badge-hidden")).to_contain_text("1")
    page.locator("label[for=ed-preview-facilitator]").click()
    expect(frame.locator(".role-line")).to_contain_text("Jouw rol: Begeleider")
    fac.screenshot(screenshots, "editor-new-step")

    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".editor-status")).to_contain_text("Opgeslagen (versie 1)")
    saved_id = page.evaluate("new URLSearchParams(location.search).get('saved')")
    stored = saved_copy(page, saved_id)["method"]
    assert [s["id"] for s in stored["steps"]][:4] == ["introduce", "ask", "stil_schrijven",
                                                      "rate_questions"]
    assert "follow_up" not in [s["id"] for s in stored["steps"]]

    # export: the downloaded file, put in a --methods-dir, loads as the saved method
    with page.expect_download() as download:
        page.get_by_role("button", name="Exporteren als TOML").click()
    assert download.value.suggested_filename == "tienstappen_kopie.toml"
    folder = tmp_path / "methods"
    folder.mkdir()
    download.value.save_as(folder / download.value.suggested_filename)
    loaded = load_methods([folder], framed=False)["tienstappen_kopie"]
    assert loaded == msgspec.convert(stored, Method)

    # start a session with it from the start page
    page.get_by_role("link", name="Sessie starten").click()
    expect(page.locator("#method")).to_have_value(f"saved:{saved_id}")
    page.locator("#title").fill("Eigen methode")
    page.locator("form[data-key=create] button[type=submit]").click()
    expect(page.locator("[data-created]")).to_be_visible()
    facilitator_link = page.locator("#facilitator-link").input_value()
    invite_link = page.locator("#invite-link").input_value()

    pres = Person(browser, web.base, "Pien")
    part = Person(browser, web.base, "Daan")
    people.extend([pres, part])
    fac.join(facilitator_link)
    pres.join(invite_link)
    part.join(invite_link)
    fac.page.get_by_role("button", name="Maak inbrenger: Pien").click()
    expect(pres.page.locator(".role-line")).to_contain_text("Jouw rol: Inbrenger")
    # the new step is the method's own third (after the frame's check-in and case choice)
    third = re.compile(r"^Stil schrijven: ga naar Stap 3 van \d+$")
    fac.page.get_by_role("button", name=third).click()
    for person in (fac, pres, part):
        expect(person.page.locator("#step-title")).to_have_text("Stil schrijven",
                                                                 timeout=SEEN_WITHIN_MS)

    # participant adds; the presenter and the facilitator may not; it stays hidden
    expect(pres.section("stille_ronde").locator("form.add-form")).to_have_count(0)
    expect(fac.section("stille_ronde").locator("form.add-form")).to_have_count(0)
    part.write("stille_ronde", "Het lijkt op vermijding")
    part.expect_item("Het lijkt op vermijding")
    expect(fac.section("stille_ronde").locator(".badge-hidden")).to_contain_text("1")
    expect(pres.item("Het lijkt op vermijding")).to_have_count(0)

    # forced through the page's own socket: the server refuses
    pres.page.evaluate(f"""() => {BOARD}.send({{type: "add_item", item_id: "forced-pres",
        section: "stille_ronde", text: "Toch geschreven"}})""")
    notice = pres.page.locator("[data-notice=error]")
    expect(notice).to_contain_text("Niet gelukt (toevoegen)")
    expect(notice).to_contain_text("Dat mag jouw rol niet in deze stap.")
    expect(fac.item("Toch geschreven")).to_have_count(0)

    fac.click("Onthul Stille ronde")
    item = pres.expect_item("Het lijkt op vermijding")
    item.get_by_role("button", name="Warm").click()
    expect(part.item("Het lijkt op vermijding")).to_have_class(re.compile("rating-warm"),
                                                               timeout=SEEN_WITHIN_MS)
    expect(part.item("Het lijkt op vermijding").locator(".btn-rate")).to_have_count(0)
    item_id = part.item("Het lijkt op vermijding").get_attribute("data-item")
    part.page.evaluate(f"""() => {BOARD}.send({{type: "rate_item",
        item_id: {json.dumps(item_id)}, rating: "cold"}})""")
    expect(part.page.locator("[data-notice=error]")).to_contain_text(
        "Dat mag jouw rol niet in deze stap.")
    expect(fac.item("Het lijkt op vermijding")).to_have_class(re.compile("rating-warm"))
    pres.screenshot(screenshots, "editor-session-presenter")


# -- acceptance 2 ----------------------------------------------------------------------


def _unfold(page: Page, kind: str, index: int) -> Locator:
    card = page.locator(".step-card" if kind == "step" else
                        ".editor-card:has(#ed-sections-title) .part-card").nth(index)
    toggle = card.locator("[data-action=toggle]")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    return card


def _type(path: str, text: str) -> Callable[[Page], None]:
    def edit(page: Page) -> None:
        match = re.match(r"\$\.(steps|sections)\[(\d+)\]", path)
        if match:
            _unfold(page, "step" if match[1] == "steps" else "section", int(match[2]))
        field(page, path).fill(text)
    return edit


def _tick(selector: str, kind: str, index: int) -> Callable[[Page], None]:
    def edit(page: Page) -> None:
        _unfold(page, kind, index)
        page.locator(selector).check()
    return edit


def _add_lane(page: Page) -> None:
    _unfold(page, "section", 1).get_by_role("button", name="Kolom toevoegen aan Vragen").click()
    field(page, "$.sections[1].lanes[0].title.nl").fill("Open")
    field(page, "$.sections[1].lanes[0].title.en").fill("Open")


def _kind_hourglass(page: Page) -> None:
    _unfold(page, "section", 5)
    field(page, "$.sections[5].kind").select_option("hourglass")


def _import_unknown_role(page: Page) -> None:
    text = (DATA_DIR / "tienstappen.toml").read_text(encoding="utf-8")
    old = ('[[steps.sections]]\nsection = "questions"\nopen_questions = true\n'
           'add = ["participant", "facilitator"]')
    assert text.count(old) == 1
    page.get_by_role("button", name="TOML importeren").click()
    page.locator("#ed-import-text").fill(text.replace(old, old.replace('"]', '", "gast"]')))
    page.get_by_role("button", name="Importeren", exact=True).click()


INVALID: list[tuple[str, Callable[[Page], None], str, str, str]] = [
    # (name, edit, problem path, field that shows it, problem code)
    ("missing_title", _type("$.steps[1].title.nl", ""),
     "$.steps[1].title.nl", "$.steps[1].title.nl", "too_short"),
    ("unknown_role", _import_unknown_role,
     "$.steps[1].sections[1].add[2]", "$.steps[1].sections[1].add[2]", "invalid_choice"),
    ("lanes_on_questions", _add_lane, "$.sections[1].lanes", "$.sections[1].lanes",
     "lanes_not_allowed"),
    ("filter_never_shown", _tick('input[data-list="$.steps[0].sections[0].filter"][value=warm]',
                                 "step", 0),
     "$.steps[0].sections[0].filter", "$.steps[0].sections[0].filter", "filter_before_shown"),
    ("minutes", _type("$.steps[2].minutes", "999"), "$.steps[2].minutes",
     "$.steps[2].minutes", "too_large"),
    ("step_id", _type("$.steps[3].id", "Stap 4"), "$.steps[3].id", "$.steps[3].id", "bad_id"),
    ("duplicate_step_id", _type("$.steps[4].id", "answer"), "$.steps[4].id", "$.steps[4].id",
     "duplicate_id"),
    ("sheets_on_list", _type("$.sections[0].sheets", "2"), "$.sections[0].sheets",
     "$.sections[0].sheets", "sheets_not_allowed"),
    ("sealed_without_rating", _tick('input[data-path="$.steps[0].sections[0].hide_ratings"]',
                                    "step", 0),
     "$.steps[0].sections[0].hide_ratings", "$.steps[0].sections[0].hide_ratings",
     "sealed_without_rating"),
    ("hidden_without_add", _tick('input[data-path="$.steps[3].sections[0].hidden"]', "step", 3),
     "$.steps[3].sections[0].hidden", "$.steps[3].sections[0].hidden", "hidden_without_add"),
    ("hourglass_without_levels", _kind_hourglass, "$.sections[5].lanes", "$.sections[5].lanes",
     "lanes_required"),
    ("empty_english_name", _type("$.name.en", ""), "$.name.en", "$.name.en", "too_short"),
]


@pytest.fixture(scope="module")
def saved_tienstappen(browser: Browser, web: ServerProcess
                      ) -> Iterator[tuple[Author, str, dict[str, Any]]]:
    """A browser with a saved copy of the Tienstappenmethode (kept for the module)."""
    author = Author(browser, web.base, "Fenna")
    page = open_copy_of_tienstappen(author)
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".editor-status")).to_contain_text("Opgeslagen (versie 1)")
    saved_id = page.evaluate("new URLSearchParams(location.search).get('saved')")
    yield author, saved_id, saved_copy(page, saved_id)
    author.context.close()


def open_saved(author: Author, saved_id: str) -> Page:
    """The module's saved copy in the editor, checked and valid, with no fault seen yet."""
    author.problems.clear()
    page = author.page
    page.goto(f"{author.base}/methods/edit?saved={saved_id}")
    expect(page.locator(".editor-status .ok")).to_be_visible(timeout=CHECKED_MS)
    return page


@pytest.mark.parametrize(("edit", "path", "anchor", "code"), [c[1:] for c in INVALID],
                         ids=[c[0] for c in INVALID])
def test_invalid_edit_shows_the_loaders_message_and_saves_nothing(
    saved_tienstappen: tuple[Author, str, dict[str, Any]], screenshots: Path,
    edit: Callable[[Page], None], path: str, anchor: str, code: str,
) -> None:
    author, saved_id, before = saved_tienstappen
    page = open_saved(author, saved_id)

    edit(page)
    message = problem(page, path)
    expect(message).to_have_count(1, timeout=CHECKED_MS)
    expected = TEXTS["nl"][code].split("{")[0]
    expect(message).to_contain_text(expected)
    assert next_to(page, path, anchor)
    invalid = page.locator(f'[data-anchor="{anchor}"]')
    controls = invalid if invalid.evaluate("el => el.matches('input, select, textarea')") \
        else invalid.locator("input, select, textarea")
    if controls.count():
        expect(controls.first).to_have_attribute("aria-invalid", "true")
        expect(controls.first).to_have_attribute("aria-describedby", re.compile("ed-problem-"))
    else:  # a group with no control yet (no lanes): the group is described by the message
        expect(invalid).to_have_attribute("aria-describedby", re.compile("ed-problem-"))
    expect(page.locator(".problem-summary")).to_contain_text(message.inner_text())

    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".editor-status")).to_contain_text("Niet opgeslagen")
    expect(page.locator("#ed-problems-title")).to_be_focused()
    expect(problem(page, path)).to_have_count(1)
    assert saved_copy(page, saved_id) == before
    if code == "filter_before_shown":
        author.screenshot(screenshots, "editor-invalid")
    assert author.problems == []


def test_a_new_method_names_its_empty_fields_when_asked(
    browser: Browser, web: ServerProcess, people: list[Person],
) -> None:
    """A new, empty method shows no error before anything is typed; a field the author
    empties says so at once; a save names every empty field together."""
    author = Author(browser, web.base, "Fenna")
    people.append(author)
    page = author.page
    page.goto(web.base + "/methods/edit?new")
    expect(field(page, "$.name.nl")).to_be_visible()
    expect(page.locator(".editor-status")).to_contain_text("meldingen", timeout=CHECKED_MS)
    expect(page.locator(".field-error")).to_have_count(0)
    field(page, "$.name.nl").fill("Mijn methode")
    field(page, "$.name.nl").fill("")
    field(page, "$.name.nl").blur()
    expect(problem(page, "$.name.nl")).to_have_count(1, timeout=CHECKED_MS)
    expect(page.locator(".field-error")).to_have_count(1)
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".editor-status")).to_contain_text("Niet opgeslagen")
    for path in ("$.name.nl", "$.name.en", "$.summary.nl", "$.summary.en",
                 "$.steps[0].title.nl", "$.steps[0].instruction.en"):
        expect(problem(page, path)).to_have_count(1)
    assert author.problems == []


@pytest.mark.parametrize(("width", "sticky"), [(1280, True), (390, False)])
def test_the_toolbar_stays_in_sight_only_where_it_is_one_row(
    browser: Browser, web: ServerProcess, people: list[Person], width: int, sticky: bool,
) -> None:
    """On a wide screen the toolbar (save, export, status) stays at the top while the
    form scrolls; on a phone it wraps to several rows, so it scrolls away instead."""
    author = Author(browser, web.base, "Fenna")
    people.append(author)
    page = author.page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(web.base + "/methods/edit?from=tienstappen")
    expect(page.locator(".editor-status .ok")).to_be_visible(timeout=CHECKED_MS)
    page.mouse.wheel(0, 2500)
    page.wait_for_function("() => window.scrollY > 1500")
    top = page.locator(".editor-toolbar").evaluate("el => el.getBoundingClientRect().top")
    assert (abs(top) < 1) is sticky, top


def test_text_that_is_no_toml_imports_nothing_and_says_where(
    saved_tienstappen: tuple[Author, str, dict[str, Any]],
) -> None:
    author, saved_id, before = saved_tienstappen
    page = open_saved(author, saved_id)
    page.get_by_role("button", name="TOML importeren").click()
    page.locator("#ed-import-text").fill('id = "x"\nname = { nl = "A" en = "B" }\n')
    page.get_by_role("button", name="Importeren", exact=True).click()
    error = page.locator("[data-import-error]")
    expect(error).to_have_text(re.compile("^Geen geldige TOML: kijk op regel 2"))
    expect(page.locator(".editor-status")).to_contain_text("Niet geïmporteerd")
    expect(page.locator(".editor-status")).not_to_contain_text("Geïmporteerd,")
    expect(page.locator("#ed-import-text")).to_be_focused()
    expect(page.locator("#ed-import-text")).to_have_attribute("aria-describedby",
                                                              "ed-import-error")
    # the method on screen is untouched: still valid, still the saved copy
    expect(page.locator(".editor-status .ok")).to_be_visible()
    assert saved_copy(page, saved_id) == before
    assert author.problems == []


# -- acceptance 5 ----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_editor_has_no_serious_violations(browser: Browser, web: ServerProcess,
                                          people: list[Person], screenshots: Path,
                                          lang: str) -> None:
    author = Author(browser, web.base, "Fenna")
    people.append(author)
    page = author.page
    page.goto(web.base + "/methods/edit")
    if lang == "en":
        page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator(".method-choices li").first).to_be_visible()
    found = {"chooser": violations(page)}
    author.screenshot(screenshots, f"editor-chooser-{lang}")
    copy = {"nl": "Kopie maken van Tienstappenmethode",
            "en": "Make a copy of Ten-step method"}[lang]
    page.get_by_role("link", name=copy).click()
    expect(page.locator(".preview-frame")).to_be_visible(timeout=CHECKED_MS)
    for index in (0, 1):
        page.locator(".step-card").nth(index).locator("[data-action=toggle]").click()
    page.locator(".editor-card:has(#ed-sections-title) .part-card").nth(0) \
        .locator("[data-action=toggle]").click()
    field(page, "$.steps[1].minutes").fill("999")
    expect(problem(page, "$.steps[1].minutes")).to_be_visible(timeout=CHECKED_MS)
    found["editor"] = violations(page)
    author.screenshot(screenshots, f"editor-{lang}")
    assert found == {"chooser": [], "editor": []}


def test_editor_by_keyboard_alone_and_reorder_by_pointer(
    browser: Browser, web: ServerProcess, people: list[Person], screenshots: Path,
) -> None:
    author = Author(browser, web.base, "Fenna")
    people.append(author)
    page = author.page
    page.goto(web.base + "/methods/edit")
    expect(page.locator(".method-choices li").first).to_be_visible()
    keys = page.keyboard

    tab_to(page, "a[href='/methods/edit?new']")
    keys.press("Enter")
    expect(page.locator(".editor-status")).to_contain_text("melding", timeout=CHECKED_MS)
    # name and summary, by typing
    tab_to(page, "[data-path='$.id']")
    keys.press("Control+A")
    keys.type("toetsen_methode")
    for path, text in (("$.name.nl", "Toetsenmethode"), ("$.name.en", "Keyboard method"),
                       ("$.summary.nl", "Alles met het toetsenbord."),
                       ("$.summary.en", "All by keyboard.")):
        tab_to(page, f"[data-path='{path}']")
        keys.type(text)
    # a section
    tab_to(page, "button[data-action=add-section]")
    keys.press("Enter")
    tab_to(page, "[data-path='$.sections[0].title.nl']")
    keys.type("Ideeën")
    keys.press("Tab")
    keys.type("Ideas")
    tab_to(page, "[data-path='$.sections[0].kind']")
    keys.press("ArrowDown")  # list -> questions
    expect(field(page, "$.sections[0].kind")).to_have_value("questions")
    # the first step: unfold, fill in, show the section, give participants "add"
    tab_to(page, ".step-card [data-action=toggle]")
    keys.press("Enter")
    for path, text in (("$.steps[0].title.nl", "Verzamelen"), ("$.steps[0].title.en", "Collect"),
                       ("$.steps[0].instruction.nl", "Schrijf op."),
                       ("$.steps[0].instruction.en", "Write it down.")):
        tab_to(page, f"[data-path='{path}']")
        keys.type(text)
    tab_to(page, "button[data-action=add-step-section]")
    keys.press("Enter")
    tab_to(page, "input[data-list='$.steps[0].sections[0].add'][value=participant]")
    keys.press("Space")
    # a second step, moved before the first with the keyboard
    tab_to(page, "button[data-action=add-step]")
    keys.press("Enter")
    for path, text in (("$.steps[1].title.nl", "Openen"), ("$.steps[1].title.en", "Open"),
                       ("$.steps[1].instruction.nl", "Begin."),
                       ("$.steps[1].instruction.en", "Begin.")):
        tab_to(page, f"[data-path='{path}']")
        keys.type(text)
    expect(page.locator(".editor-status .ok")).to_be_visible(timeout=CHECKED_MS)
    tab_to(page, "button[aria-label^='Stap 2 (Openen) omhoog']")
    keys.press("Enter")
    expect(page.locator(".step-card").nth(0)).to_contain_text("Openen")
    expect(page.get_by_role("button", name="Stap 1 (Openen) omlaag")).to_be_focused()
    # save with the keyboard
    tab_to(page, "button[data-action=save]")
    keys.press("Enter")
    expect(page.locator(".editor-status")).to_contain_text("Opgeslagen (versie 1)")
    saved_id = page.evaluate("new URLSearchParams(location.search).get('saved')")
    stored = saved_copy(page, saved_id)["method"]
    assert [s["id"] for s in stored["steps"]] == ["stap_2", "stap_1"]
    assert stored["steps"][1]["sections"][0]["add"] == ["participant"]

    # by pointer: drag the second step's handle onto the first
    handle = page.locator(".step-card").nth(1).locator(".drag-handle")
    handle.drag_to(page.locator(".step-card").nth(0))
    expect(page.locator(".step-card").nth(0)).to_contain_text("Verzamelen")
    author.screenshot(screenshots, "editor-keyboard")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".editor-status")).to_contain_text("Opgeslagen (versie 2)")
    stored = saved_copy(page, saved_id)["method"]
    assert [s["id"] for s in stored["steps"]] == ["stap_1", "stap_2"]


def test_a_step_gets_a_go_round_notes_and_open_questions(
    browser: Browser, web: ServerProcess, people: list[Person], screenshots: Path
) -> None:
    """The facilitation fields of a step (issue: leading the meeting) are edited in the
    browser, checked by the server's loader and saved as method data."""
    fac = Author(browser, web.base, "Fenna")
    people.append(fac)
    page = open_copy_of_tienstappen(fac)
    card = _unfold(page, "step", 3)
    step = "$.steps[3]"
    had_round = field(page, f"{step}.round").is_checked()
    if had_round:  # start from none: switch it off and on again
        field(page, f"{step}.round").uncheck()
        expect(field(page, f"{step}.round.seconds")).to_have_count(0)
    field(page, f"{step}.round").check()
    field(page, f"{step}.round.seconds").fill("90")
    field(page, f"{step}.round.order").select_option("shuffled")
    card.locator(f'input[data-list="{step}.round.roles"][value=facilitator]').uncheck()
    field(page, f"{step}.facilitator_notes.nl").fill("Let op: iedereen komt aan de beurt.")
    field(page, f"{step}.facilitator_notes.en").fill("Watch that everyone gets a turn.")
    shown = f"{step}.sections[0]"
    page.locator(f'input[data-path="{shown}.open_questions"]').check()
    expect(page.locator(".editor-status .ok")).to_have_text("De methode is in orde.",
                                                            timeout=CHECKED_MS)
    fac.screenshot(screenshots, "editor-round")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".editor-status")).to_contain_text("Opgeslagen (versie 1)")
    saved_id = page.evaluate("new URLSearchParams(location.search).get('saved')")
    stored = saved_copy(page, saved_id)["method"]["steps"][3]
    assert stored["round"] == {"seconds": 90, "order": "shuffled",
                               "roles": ["presenter", "participant"]}
    assert stored["facilitator_notes"]["nl"] == "Let op: iedereen komt aan de beurt."
    assert stored["sections"][0]["open_questions"] is True
    # seconds out of range: the loader's message at the field, nothing saved
    field(page, f"{step}.round.seconds").fill("1")
    expect(problem(page, f"{step}.round.seconds")).to_be_visible(timeout=CHECKED_MS)
