"""SIGKILL after acknowledged ops: a restarted server has every one of them."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.support.client import ASK, BoardClient, run
from tests.support.server import ServerProcess


def test_acknowledged_ops_survive_sigkill(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()

    async def scenario() -> None:
        session = server.create_session()
        facilitator = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fee")
        participant = BoardClient(server.ws_base, session.id, session.invite_token, "Piet")
        await facilitator.connect()
        await participant.connect()
        await facilitator.call("set_step", step=ASK)
        for n in range(40):
            await participant.op("add_item", item_id=f"q{n}", section="questions",
                                 text=f"Vraag {n}?")
        await participant.until(lambda: len(participant.acks) == 40)
        acknowledged = {f"q{n}" for n, ack in enumerate(
            participant.acks[s] for s in range(1, 41)) if ack["type"] == "applied"}
        assert len(acknowledged) == 40
        last_seq = participant.seq

        server.kill()
        await asyncio.gather(participant.drop(), facilitator.drop())
        server.start()

        welcome = await participant.connect(resume=True)
        assert welcome["epoch"] == participant.epoch
        assert acknowledged <= set(participant.items)
        assert participant.seq == last_seq
        fresh = BoardClient(server.ws_base, session.id, session.invite_token, "Nieuw")
        await fresh.connect()
        assert acknowledged <= set(fresh.items)
        assert fresh.board["step"] == ASK
        reply = await participant.add("questions", "Na de herstart?")
        assert reply["type"] == "applied" and reply["seq"] == last_seq + 2  # fresh's join + 1
        await asyncio.gather(participant.close(), fresh.close())

    try:
        run(scenario)
    finally:
        server.stop()
