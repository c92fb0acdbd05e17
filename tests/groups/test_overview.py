"""A member's yearly overview of attendance (issue 18, with groups): two group
meetings played with real websocket clients, the overview downloaded over HTTP and
read with pypdf. Dates, times, hours, roles and verifying codes are there; no word
of the content; only the member themself gets it."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from zoneinfo import ZoneInfo

from server.attendance.catalog import day, duration, roles, span
from tests.support.attendance import as_member, pdf_text, verify, view
from tests.support.client import BoardClient, run
from tests.support.groups import Group, Person, create_group, plan_series, play_meeting
from tests.support.server import ServerProcess

NAMES = ["Anouk", "Bram", "Dewi", "Sem"]


def overview(group: Group, who: Person, of: Person, year: int | str) -> Any:
    return group.call(who, "GET", f"/members/{of.member_id}/overview/{year}")


def test_a_members_year_overview(server: ServerProcess) -> None:
    canaries = [f"KANARIE-{what}-{secrets.token_hex(3)}"
                for what in ("GROEP", "HERDEFINITIE", "ACTIE", "NOG-EEN-ACTIE")]
    group = create_group(server, name=canaries[0])
    for name in NAMES:
        group.join(name)
    fenna, anouk, bram = group.people[0], group.people[1], group.people[2]
    plan = plan_series(group, fenna, count=3)
    meetings = plan["meetings"][:2]
    client_ids: dict[str, str] = {}  # session id -> Anouk's client id

    async def scenario() -> None:
        for meeting in meetings:
            clients: dict[str, BoardClient] = await play_meeting(
                group, meeting, canaries[1], canaries[2:])
            mine = clients[anouk.member_id]
            client_ids[mine.url.rsplit("/", 1)[1]] = mine.client_id
            for client in clients.values():
                await client.close()

    run(scenario)
    first_session = next(iter(client_ids))
    # Anouk confirms her attendance of the first meeting only
    assert as_member(server, "POST", f"/api/attendance/{first_session}/confirm",
                     client_ids[first_session]).status == 200
    year = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).year

    answer = overview(group, anouk, anouk, year)
    assert answer.status == 200, answer.body
    assert answer.headers["content-type"] == "application/pdf"
    assert f'filename="jaaroverzicht-{year}.pdf"' in answer.headers["content-disposition"]
    text = pdf_text(answer.body)
    flat = " ".join(text.split())
    assert f"Jaaroverzicht intervisie {year}" in text and "Anouk" in text
    total = 0
    for session_id, client_id in client_ids.items():
        record = view(server, session_id, client_id)
        me, meeting = record["me"], record["session"]
        total += me["duration_ms"]
        for expected in (day("nl", meeting["started_ms"]),
                         span(meeting["started_ms"], meeting["ended_ms"]),
                         duration("nl", me["duration_ms"]),
                         roles("nl", tuple(me["roles"]))):
            assert expected in flat, (expected, flat)
    assert "Tienstappen" in flat
    assert "zelf: ja · lijst: nee" in flat and "zelf: nee · lijst: nee" in flat
    assert f"Totaal 2 bijeenkomsten, {duration('nl', total)}" in flat
    codes = [t for t in flat.split() if t.count("-") == 5 and len(t) == 29]
    assert len(codes) == 2 and all(verify(server, c) == {"valid": True} for c in codes)
    for canary in canaries:
        assert canary not in text and canary.encode() not in answer.body, canary

    # only Anouk herself: another member's key, the manager's, or none get nothing
    for who in (bram, fenna):
        denied = overview(group, who, anouk, year)
        assert (denied.status, denied.json()["code"]) == (404, "not_found")
        assert b"%PDF" not in denied.body
    stranger = Person("Niemand", anouk.member_id, "x" * 43)
    assert overview(group, stranger, anouk, year).status == 404
    assert overview(group, anouk, anouk, "twintig").json()["code"] == "invalid_request"
    # Bram's own overview holds his own meetings (not Anouk's confirmation)
    own = pdf_text(overview(group, bram, bram, year).body)
    assert "Bram" in own and "zelf: ja" not in own
    # another year: a PDF that says there was none
    empty = pdf_text(overview(group, anouk, anouk, year - 1).body)
    assert f"Geen afgesloten bijeenkomsten in {year - 1}." in empty
