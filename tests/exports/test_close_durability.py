"""After the close: every write is rejected, and the final snapshot is durable the
moment the close is acknowledged (SIGKILL right after the ack, real subprocess)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any, get_args

from server.core.state import decode_state
from server.store.sqlite import _meta_decoder
from shared_schema.client import Op, SetExport
from tests.support import http
from tests.support.client import ASK, BoardClient, run
from tests.support.server import ServerProcess

EVERY_OP: dict[str, dict[str, Any]] = {
    "add_item": {"item_id": "late", "section": "questions", "text": "Nog een vraag?"},
    "edit_item": {"item_id": "q1", "text": "Gewijzigd"},
    "move_item": {"item_id": "q1", "x": 5.0, "y": 5.0},
    "delete_item": {"item_id": "q1"},
    "rate_item": {"item_id": "q1", "rating": "warm"},
    "circle_item": {"item_id": "q1", "circled": True},
    "choose_item": {"item_id": "q1", "chosen": True},
    "vote": {"item_id": "q1", "delta": 1},
    "set_step": {"step": 0},
    "lock_section": {"section": "questions", "locked": True},
    "reveal_section": {"section": "questions"},
    "set_timer": {"action": "start"},
    "set_ready": {"ready": True},
    "assign_role": {"participant_id": "0" * 16, "role": "presenter"},
    "remove_participant": {"participant_id": "0" * 16},
    "set_anonymous": {"anonymous": True},
    "close_session": {},
    "set_spotlight": {"section": "questions"},
    "set_follow": {"following": False},
    "start_round": {},
    "round_turn": {"action": "next", "turn": 0},
    "end_round": {},
}


def test_every_write_after_close_is_rejected_over_the_wire(server: ServerProcess) -> None:
    tags = {t.__struct_config__.tag for t in get_args(Op)} - {SetExport.__struct_config__.tag}
    assert set(EVERY_OP) == tags, "a new op must be listed here"
    session = server.create_session()

    async def scenario() -> None:
        fac = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fenna")
        anouk = BoardClient(server.ws_base, session.id, session.invite_token, "Anouk")
        await fac.connect()
        await anouk.connect()
        assert anouk.welcome is not None
        ops = {kind: dict(fields) for kind, fields in EVERY_OP.items()}
        for kind in ("assign_role", "remove_participant"):
            ops[kind]["participant_id"] = anouk.welcome["participant_id"]
        assert (await fac.call("set_step", step=ASK))["type"] == "applied"
        assert (await anouk.call("add_item", item_id="q1", section="questions",
                                 text="Wat wil je?"))["type"] == "applied"
        assert (await fac.call("close_session"))["type"] == "applied"
        closed_at = fac.seq
        for client in (fac, anouk):
            for kind, fields in ops.items():
                reply = await client.call(kind, **fields)
                assert reply["type"] == "rejected", (client.name, kind, reply)
                assert reply["code"] == "session_closed", (client.name, kind, reply)
        await fac.until(lambda: anouk.seq == fac.seq)
        assert fac.seq == closed_at, "a write after the close was sequenced"
        assert anouk.items["q1"]["text"] == "Wat wil je?"

    run(scenario)


def test_final_snapshot_survives_sigkill_right_after_the_close_ack(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    session = server.create_session()
    state: dict[str, Any] = {}

    async def scenario() -> None:
        fac = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fenna")
        anouk = BoardClient(server.ws_base, session.id, session.invite_token, "Anouk")
        await fac.connect()
        await anouk.connect()
        assert (await fac.call("set_step", step=ASK))["type"] == "applied"
        for n in range(20):
            await anouk.op("add_item", item_id=f"q{n}", section="questions", text=f"Vraag {n}?")
        await anouk.until(lambda: len(anouk.acks) == 20)
        ack = await fac.call("close_session")
        assert ack["type"] == "applied"
        server.kill()  # at once: no shutdown handler, no idle snapshot
        state["close_seq"] = ack["seq"]
        await asyncio.gather(fac.drop(), anouk.drop())

    try:
        run(scenario)
        database = tmp_path / "data" / "intervisiebord.sqlite3"
        with sqlite3.connect(database) as db:
            seq, data = db.execute("SELECT seq, data FROM snapshots WHERE session_id = ?",
                                   (session.id,)).fetchone()
            (meta_blob,) = db.execute("SELECT meta FROM sessions WHERE id = ?",
                                      (session.id,)).fetchone()
            left_in_log = db.execute("SELECT COUNT(*) FROM ops WHERE session_id = ? AND seq <= ?",
                                     (session.id, seq)).fetchone()[0]
        db.close()
        snapshot = decode_state(data)
        assert seq == state["close_seq"] and snapshot.seq == seq
        assert snapshot.closed is True
        assert {f"q{n}" for n in range(20)} <= set(snapshot.items)
        assert _meta_decoder.decode(meta_blob).closed_ms is not None
        assert left_in_log == 0, "the log below the final snapshot is dropped with the close"

        server.start()
        answer = http.export(server, session.id, session.invite_token, "md")
        assert answer.status == 200
        for n in range(20):
            assert f"Vraag {n}?" in answer.body.decode()
    finally:
        server.stop()
