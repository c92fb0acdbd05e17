"""The yearly overview, pure: which meetings count, their order, the total, and the
rendered PDF in both languages."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from zoneinfo import ZoneInfo

import msgspec
import pytest

from server.attendance.catalog import hours, local_year
from server.attendance.record import Confirmation, Line, PresenceList
from server.attendance.render import render_year_overview
from server.attendance.yearly import Entry, attended_in, year_overview
from tests.support.attendance import pdf_text

AMS = ZoneInfo("Europe/Amsterdam")
HOUR = 3_600_000


def ms(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=AMS).timestamp() * 1000)


def line(pid: str, start: int | None, minutes: int, roles: tuple[str, ...] = ("participant",),
         confirmed: bool = False) -> Line:
    spans = () if start is None else ((start, start + minutes * 60_000),)
    return Line(participant_id=pid, name=pid.title(), roles=roles, periods=spans,
                from_ms=None if start is None else start,
                to_ms=None if start is None else start + minutes * 60_000,
                duration_ms=minutes * 60_000 if start is not None else 0,
                confirmation=Confirmation(1, 2, 3) if confirmed else None, agreement_ms=None)


def plist(session_id: str, start: int | None, end: int | None, *lines: Line) -> PresenceList:
    return PresenceList(session_id=session_id, method="tienstappen", method_name="Tienstappen",
                        language="nl", started_ms=start, ended_ms=end,
                        duration_ms=0 if start is None or end is None else end - start,
                        led_by=("Fenna",), lines=lines, approved_ms=None, agreement=None)


NEW_YEAR = ms("2027-01-01T00:30")  # still 2026 in UTC


@pytest.mark.parametrize(("case", "meeting", "year", "counts"), [
    ("closed, present", plist("s", ms("2027-03-01T19:30"), ms("2027-03-01T21:30"),
                              line("anouk", ms("2027-03-01T19:30"), 120)), 2027, True),
    ("another year", plist("s", ms("2027-03-01T19:30"), ms("2027-03-01T21:30"),
                           line("anouk", ms("2027-03-01T19:30"), 120)), 2026, False),
    ("not closed yet", plist("s", ms("2027-03-01T19:30"), None,
                             line("anouk", ms("2027-03-01T19:30"), 120)), 2027, False),
    ("never present", plist("s", ms("2027-03-01T19:30"), ms("2027-03-01T21:30"),
                            line("anouk", None, 0)), 2027, False),
    ("not on the list", plist("s", ms("2027-03-01T19:30"), ms("2027-03-01T21:30"),
                              line("bram", ms("2027-03-01T19:30"), 120)), 2027, False),
    ("local new year", plist("s", NEW_YEAR, NEW_YEAR + HOUR, line("anouk", NEW_YEAR, 60)),
     2027, True),
])
def test_which_meetings_count(case: str, meeting: PresenceList, year: int, counts: bool) -> None:
    assert (attended_in(meeting, "anouk", year) is not None) is counts, case


def test_order_total_and_local_year() -> None:
    assert local_year(NEW_YEAR) == 2027
    late = plist("b", ms("2027-06-01T19:30"), ms("2027-06-01T21:30"),
                 line("anouk", ms("2027-06-01T19:30"), 95))
    early = plist("a", ms("2027-02-01T19:30"), ms("2027-02-01T21:30"),
                  line("anouk", ms("2027-02-01T19:40"), 110))
    result = year_overview(2027, "nl", "Anouk", [Entry(late, late.lines[0]),
                                                 Entry(early, early.lines[0])])
    assert [e.plist.session_id for e in result.entries] == ["a", "b"]
    assert result.total_ms == (95 + 110) * 60_000
    assert (hours("nl", result.total_ms), hours("en", result.total_ms)) == ("3,4", "3.4")


@pytest.mark.parametrize(("lang", "words"), [
    ("nl", ["Jaaroverzicht intervisie 2027", "begeleider", "1 feb", "zelf: ja · lijst: nee",
            "Tienstappenmethode",
            "Totaal 1 bijeenkomst, 1 u 50 min (1,8 uur)", "WMWM-WWWW-MMMM-WMWM-WWWW-MWMW"]),
    ("en", ["Year overview, intervision 2027", "facilitator", "1 Feb", "Tienstappenmethode",
            "member: yes · list: no", "Total 1 meeting, 1 h 50 min (1.8 hours)",
            "WMWM-WWWW-MMMM-WMWM-WWWW-MWMW"]),
])
def test_rendered(lang: Literal["nl", "en"], words: list[str]) -> None:
    meeting = plist("a", ms("2027-02-01T19:30"), ms("2027-02-01T21:30"),
                    line("anouk", ms("2027-02-01T19:40"), 110, ("facilitator",), True))
    # a long one-word method name and a code of the widest letters stay whole (a word
    # split over lines would not match)
    meeting = msgspec.structs.replace(meeting, method_name="Tienstappenmethode")
    entry = Entry(meeting, meeting.lines[0], "WMWM-WWWW-MMMM-WMWM-WWWW-MWMW")
    body = render_year_overview(year_overview(2027, lang, "Anouk", [entry]),
                                "https://example.org/api/attendance/verify/<code>")
    flat = " ".join(pdf_text(body).split())
    for word in words:
        assert word in flat, (word, flat)
