"""A member's yearly overview: every closed meeting they attended in one calendar
year (Europe/Amsterdam), with their own hours and roles, and the total.

Pure. Built from presence lists only, so it holds no word of any content: no item,
no case, no question, no title."""

from __future__ import annotations

from typing import Literal

import msgspec

from server.attendance.catalog import local_year
from server.attendance.record import Line, PresenceList


class Entry(msgspec.Struct, frozen=True):
    """One meeting: its list, the member's line on it, and the code of the member's
    certificate of it (which ``/api/attendance/verify`` checks)."""

    plist: PresenceList
    line: Line
    code: str = ""


class YearOverview(msgspec.Struct, kw_only=True, frozen=True):
    year: int
    language: Literal["nl", "en"]
    name: str
    entries: tuple[Entry, ...]
    total_ms: int


def attended_in(plist: PresenceList, participant_id: str, year: int) -> Line | None:
    """The member's line if the meeting has closed, started in ``year`` and they were
    present at all; None otherwise."""
    if plist.ended_ms is None or plist.started_ms is None:
        return None
    if local_year(plist.started_ms) != year:
        return None
    line = next((ln for ln in plist.lines if ln.participant_id == participant_id), None)
    return None if line is None or line.from_ms is None else line


def year_overview(year: int, language: Literal["nl", "en"], name: str,
                  entries: list[Entry]) -> YearOverview:
    """The entries in order of the meetings' start; the total is the sum of the
    member's own time present."""
    ordered = sorted(entries, key=lambda e: (e.plist.started_ms or 0, e.plist.session_id))
    return YearOverview(year=year, language=language, name=name, entries=tuple(ordered),
                        total_ms=sum(e.line.duration_ms for e in ordered))
