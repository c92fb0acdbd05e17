"""The group page's "Jaaroverzicht <jaar>" button (Chromium): after a group meeting
played with real websocket clients, a member downloads their own yearly overview
from the archive and it names their meeting."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, expect

from tests.e2e.people import Person
from tests.support.attendance import pdf_text
from tests.support.client import run
from tests.support.groups import create_group, plan_series, play_meeting
from tests.support.server import ServerProcess


def test_year_overview_button(browser: Browser, web: ServerProcess, people: list[Person],
                              screenshots: Path) -> None:
    group = create_group(web, name="Intervisie team Zuid")
    for name in ("Anouk", "Bram", "Dewi", "Sem"):
        group.join(name)
    anouk = group.people[1]
    meeting = plan_series(group, anouk, count=2)["meetings"][0]

    async def scenario() -> None:
        clients = await play_meeting(group, meeting, "Herdefinitie", ["Actie"])
        for client in clients.values():
            await client.close()

    with ThreadPoolExecutor(1) as pool:  # the sync browser API holds this thread's loop
        pool.submit(run, scenario).result()
    year = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).year
    person = Person(browser, web.base, "Anouk")
    people.append(person)
    person.page.goto(f"{web.base}/g/{group.id}#m={anouk.key}")
    button = person.page.get_by_role("button", name=f"Jaaroverzicht {year}")
    expect(button).to_be_visible()
    with person.page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename == f"jaaroverzicht-{year}.pdf"
    text = " ".join(pdf_text(Path(download.value.path()).read_bytes()).split())
    assert f"Jaaroverzicht intervisie {year}" in text and "Anouk" in text
    assert "Totaal 1 bijeenkomst" in text and "Herdefinitie" not in text
    person.page.locator("#archive-title").scroll_into_view_if_needed()
    person.screenshot(screenshots, "group-year-overview")
    # in English the button says so
    person.page.evaluate("localStorage.setItem('iv.lang', 'en')")
    person.page.reload()
    expect(person.page.get_by_role("button", name=f"Year overview {year}")).to_be_visible()
