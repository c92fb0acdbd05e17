"""Calendar files (iCalendar, RFC 5545) of a group's meetings, with ``icalendar``.

Invariant: a calendar file carries no secret: its events point to the group page
(``/g/<id>``), never to a link with a token, and name no member.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from server.groups.model import TIMEZONE, GroupDoc, Meeting
from server.groups.rules import parse_local

TITLES = {"nl": "Intervisie", "en": "Intervision"}


def calendar_file(
    group: GroupDoc, meetings: Sequence[Meeting], page_url: str, method_names: dict[str, str],
    stamp: dt.datetime,
) -> bytes:
    """One VEVENT per meeting at its local time in ``TIMEZONE`` (with the VTIMEZONE)."""
    zone = ZoneInfo(TIMEZONE)
    cal = Calendar()
    cal.add("prodid", "-//Intervisiebord//groups//NL")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{TITLES[group.language]}: {group.name}")
    for meeting in meetings:
        start = parse_local(meeting.starts).replace(tzinfo=zone)
        event = Event()
        event.add("uid", f"{meeting.id}.{group.id}@intervisiebord")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(minutes=meeting.minutes))
        method = method_names.get(meeting.method, meeting.method)
        event.add("summary", f"{TITLES[group.language]}: {group.name} ({method})")
        event.add("url", page_url)
        event.add("description", page_url)
        cal.add_component(event)
    cal.add_missing_timezones()
    ical: bytes = cal.to_ical()
    return ical
