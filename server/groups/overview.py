"""A group member's yearly overview of attendance (PDF), from their own records.

The hub links a member's attendance record to the hash of the group member key they
entered a meeting with (``attach_member_key``); this finds those records, keeps the
group's closed meetings of the year the member attended, and renders them. Only the
member's own line of each meeting is used: no other member's times, and nothing of
the content (the record holds none). Each meeting's row carries the code of the
member's certificate of it, registered here so that it verifies.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection
from typing import Literal

from server.attendance.record import certificate_message, code_of, presence_list
from server.attendance.render import render_year_overview
from server.attendance.store import AttendanceStore
from server.attendance.yearly import Entry, attended_in, year_overview


async def year_overview_pdf(store: AttendanceStore, *, key_hash: str, name: str,
                            language: Literal["nl", "en"], sessions: Collection[str],
                            year: int, grace_ms: int, verify_url: str,
                            gate: asyncio.Semaphore) -> bytes:
    """``sessions``: the group's meetings' session ids (a record of another session
    is never listed)."""
    now = int(time.time() * 1000)
    secret = await store.secret()
    hubs = await store.hubs_seen()
    entries: list[Entry] = []
    for session_id, pid in await store.records_of_member(key_hash):
        loaded = None if session_id not in sessions else await store.load(session_id)
        if loaded is None:
            continue
        plist = presence_list(*loaded, now, grace_ms, hubs)
        line = attended_in(plist, pid, year)
        if line is None:
            continue
        code = code_of(secret, certificate_message(plist, line))
        await store.register_code(code, session_id, pid)
        entries.append(Entry(plist, line, code))
    overview = year_overview(year, language, name, entries)
    async with gate:
        return await asyncio.to_thread(render_year_overview, overview, verify_url)
