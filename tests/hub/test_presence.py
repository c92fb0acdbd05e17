"""Presence: who is connected, coalesced, never sequenced."""

from __future__ import annotations

from tests.support.client import BoardClient, run
from tests.support.server import ServerProcess


def test_presence_follows_connections_without_using_seq(server: ServerProcess) -> None:
    async def scenario() -> None:
        session = server.create_session()
        facilitator = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fee")
        await facilitator.connect()
        guests = [BoardClient(server.ws_base, session.id, session.invite_token, f"Gast {n}")
                  for n in range(3)]
        for guest in guests:
            await guest.connect()
        pids = {c.welcome["participant_id"] for c in [facilitator, *guests]}  # type: ignore[index]
        await facilitator.until(lambda: set(getattr(facilitator, "online", [])) == pids)
        seq = facilitator.seq
        leaving = guests.pop()
        await leaving.close()
        pids.discard(leaving.welcome["participant_id"])  # type: ignore[index]
        await facilitator.until(lambda: set(facilitator.online) == pids)
        assert facilitator.seq == seq, "presence must not be sequenced"
        presence_frames = [m for m in facilitator.messages if m["type"] == "presence"]
        assert len(presence_frames) <= 6, "presence changes should coalesce"

    run(scenario)
