"""Reflow and text size (WCAG 1.4.4, 1.4.10): at 320 px width, and with the browser's
own default font size at 32 px (twice the usual), no text box in the header overlaps
another, and the side panel never lies over the sections; in Dutch and English, for
the facilitator (the most controls) and a participant."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, CDPSession, Page, expect

from tests.e2e.people import DESKTOP, Person
from tests.e2e.test_live import links
from tests.support.server import ServerProcess

NARROW = {"width": 320, "height": 720}

OVERLAPS = """() => {
  const boxes = (els) => els.map((el) => [el, el.getBoundingClientRect()])
    .filter(([, r]) => r.width > 0 && r.height > 0);
  const hit = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5
    && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const name = (el) => el.className || el.tagName;
  const found = [];
  const header = document.querySelector('header.topbar');
  const texts = '.brand, .session-title, .status-chip, .lang-switch';
  const parts = boxes([...header.querySelectorAll(texts)]
    .filter((el) => getComputedStyle(el).display !== 'none'));
  for (let i = 0; i < parts.length; i += 1)
    for (let j = i + 1; j < parts.length; j += 1)
      if (hit(parts[i][1], parts[j][1])) found.push(`${name(parts[i][0])} x ${name(parts[j][0])}`);
  for (const [el, r] of parts)
    if (r.right > document.documentElement.clientWidth + 0.5)
      found.push(`${name(el)} leaves the page`);
  const side = document.querySelector('aside.sidebar')?.getBoundingClientRect();
  for (const [el, r] of boxes([...document.querySelectorAll('.sections > section')]))
    if (side && hit(side, r)) found.push(`sidebar x ${el.dataset.section}`);
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width + 1) {
    const wide = [...document.querySelectorAll('body *')].filter((el) =>
      el.getBoundingClientRect().right > width + 1 && !el.closest('.canvas-scroll')
      && ![...el.children].some((c) => c.getBoundingClientRect().right > width + 1));
    found.push(`page scrolls sideways to ${document.documentElement.scrollWidth}: `
      + wide.slice(0, 4).map(name).join(', '));
  }
  return found;
}"""


def big_default_font(page: Page) -> CDPSession:
    """The browser setting "font size" at 32 px (Chromium's default is 16); it holds
    while the returned session is kept and the viewport keeps its size."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Page.enable")
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    return cdp


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_overlap_at_320px_and_at_32px_default_font(
        browser: Browser, web: ServerProcess, people: list[Person], screenshots: Path,
        lang: str) -> None:
    facilitator_link, invite_link = links(web, "Een lange titel voor de intervisie van team Noord")
    fac = Person(browser, web.base, "Fenna")
    part = Person(browser, web.base, "Anouk")
    people.extend([fac, part])
    for person, link in ((fac, facilitator_link), (part, invite_link)):
        if lang == "en":
            person.open_start()
            person.page.get_by_role("button", name="English").click()
            expect(person.page.locator("html")).to_have_attribute("lang", "en")
        person.join(link)
    fac.next_step("Casus kiezen" if lang == "nl" else "Choose the case")
    part.write("cases", "Klant zegt telkens af")
    fac.expect_item("Klant zegt telkens af")

    found: dict[str, Any] = {}
    for who, person in (("facilitator", fac), ("participant", part)):
        page = person.page
        page.set_viewport_size(NARROW)  # type: ignore[arg-type]
        expect(page.locator(".status-chip")).to_be_visible()
        found[f"{who}-320"] = page.evaluate(OVERLAPS)
        page.screenshot(path=str(screenshots / f"reflow-{who}-320-{lang}.png"), full_page=True)
        for label, size in (("32px-1280", DESKTOP), ("32px-320", NARROW)):
            page.set_viewport_size(size)  # type: ignore[arg-type]
            session = big_default_font(page)  # after the resize, which resets it
            assert page.evaluate("() => getComputedStyle(document.documentElement).fontSize") \
                == "32px"
            found[f"{who}-{label}"] = page.evaluate(OVERLAPS)
            assert session is not None
            # not full_page: that resizes the viewport, which drops the font setting
            page.screenshot(path=str(screenshots / f"reflow-{who}-{label}-{lang}.png"))
    assert {k: v for k, v in found.items() if v} == {}
