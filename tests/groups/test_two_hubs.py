"""Acceptance 6: one group used through two hubs with Redis: the group page on one hub,
the meeting on the other; after a restart of both hubs nothing is missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support import http
from tests.support.client import run
from tests.support.cluster import cluster
from tests.support.groups import Group, create_group, plan_series, play_meeting

pytestmark = pytest.mark.redis


def without_page(view: dict[str, Any]) -> dict[str, Any]:
    """A group view without the page URL (each hub names its own address)."""
    return {k: v for k, v in view.items() if k != "page"}


def test_group_over_two_hubs_survives_a_restart_of_both(tmp_path: Path) -> None:
    with cluster(tmp_path, with_nginx=False) as c:
        page_hub, meeting_hub = c.hubs
        group = create_group(page_hub)
        for name in ("Anouk", "Bram", "Dewi", "Sem"):
            group.join(name)
        fenna = group.people[0]
        group.call(fenna, "POST", "/questions", {"version": 0, "text": "Hoe zeg ik nee?"})
        plan = plan_series(group, group.people[1])
        first, second = plan["meetings"][0], plan["meetings"][1]
        # the meeting runs on the other hub
        on_meeting_hub = Group(meeting_hub, group.id, group.invite, group.people)

        async def scenario() -> None:
            clients = await play_meeting(on_meeting_hub, first, "Mijn probleem is tijd.",
                                         ["Elke week een uur plannen"])
            for client in clients.values():
                await client.close()

        run(scenario)
        back = group.call(fenna, "GET", f"/meetings/{second['id']}/lookback").json()
        outcome = back["previous"]["outcome"]
        assert outcome["redefinition"] == "Mijn probleem is tijd."
        owner = group.by_id(first["presenter"])
        note = on_meeting_hub.call(owner, "PUT",
                                   f"/meetings/{first['id']}/actions/{outcome['actions'][0]['id']}",
                                   {"version": outcome["version"], "status": "not_yet",
                                    "note": "Nog niet aan toe"})
        assert note.status == 200
        before: dict[str, Any] = {p.member_id: without_page(group.view(p)) for p in group.people}
        lookback = group.call(fenna, "GET", f"/meetings/{second['id']}/lookback").json()

        for hub in c.hubs:
            hub.stop()
        for hub in c.hubs:
            hub.start()

        for hub in c.hubs:
            view = Group(hub, group.id, group.invite, group.people)
            for person in group.people:
                assert without_page(view.view(person)) == before[person.member_id]
            assert view.call(fenna, "GET",
                             f"/meetings/{second['id']}/lookback").json() == lookback
        session_id = before[fenna.member_id]["plan"]["meetings"][0]["session_id"]
        report = http.export(page_hub, session_id, group.people[2].key, "md")
        assert report.status == 200 and b"Mijn probleem is tijd." in report.body
        assert len(before[fenna.member_id]["plan"]["meetings"]) == 8
