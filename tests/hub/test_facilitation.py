"""Leading the meeting over real websockets: facilitator notes reach only the
facilitator (checked in every frame the other roles received), the classify request
is answered to its sender only and sequences nothing, and the spotlight and the
round come with the welcome of a member who joins late."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path
from typing import Any

from server.methods.loader import load_methods
from tests.support.client import BoardClient, run
from tests.support.server import ServerProcess

METHOD = load_methods()["tienstappen"]
NOTE_TEXTS = [text for step in METHOD.steps if step.facilitator_notes
              for text in (step.facilitator_notes.nl, step.facilitator_notes.en)]


def _pid(client: BoardClient) -> str:
    assert client.welcome is not None
    return str(client.welcome["participant_id"])


def _frames(client: BoardClient) -> str:
    """Everything the client received, as one text."""
    return "\n".join(json.dumps(m, ensure_ascii=False) for m in client.messages)


async def _ok(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer["type"] == "applied", answer
    return answer


def test_facilitator_notes_reach_only_the_facilitator(server: ServerProcess) -> None:
    assert len(NOTE_TEXTS) >= 10
    session = server.create_session()

    async def scenario() -> None:
        fac = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fee")
        pres = BoardClient(server.ws_base, session.id, session.invite_token, "Pien")
        part = BoardClient(server.ws_base, session.id, session.invite_token, "Anna")
        obs = BoardClient(server.ws_base, session.id, session.invite_token, "Olga")
        for client in (fac, pres, part, obs):
            await client.connect()
        await _ok(await fac.call("assign_role", participant_id=_pid(pres), role="presenter"))
        await _ok(await fac.call("assign_role", participant_id=_pid(obs), role="observer"))
        for step in range(len(METHOD.steps)):
            await _ok(await fac.call("set_step", step=step))
        # hand the lead to Anna and take it back: the notes follow the role
        await _ok(await fac.call("assign_role", participant_id=_pid(part), role="facilitator"))
        await part.until(lambda: any(c.get("type") == "notes_set" for m in part.messages
                                     if m["type"] == "event" for c in m["changes"]))
        await _ok(await part.call("assign_role", participant_id=_pid(fac), role="facilitator"))
        late = BoardClient(server.ws_base, session.id, session.invite_token, "Laat")
        await late.connect()
        for client in (pres, obs, late):
            await client.until(lambda client=client: client.seq == fac.seq)

        assert fac.welcome is not None and fac.welcome["notes"] is not None
        assert any(n and n["nl"] in NOTE_TEXTS for n in fac.welcome["notes"])
        for client in (pres, obs, late):
            text = _frames(client)
            assert [note for note in NOTE_TEXTS if note in text] == [], client.name
            assert '"notes_set"' not in text, client.name
            assert client.welcome is not None and client.welcome.get("notes") is None
            assert [s["facilitator_notes"] for s in client.welcome["method"]["steps"]
                    if s.get("facilitator_notes")] == []
        # Anna saw them only while she led: none in her welcome, a notes_set later
        assert part.welcome is not None and part.welcome.get("notes") is None
        assert not any(s.get("facilitator_notes") for s in part.welcome["method"]["steps"])

    run(scenario)
    # the method over HTTP carries none either
    with urllib.request.urlopen(server.base + "/api/methods/tienstappen") as response:
        body = response.read().decode()
    assert [note for note in NOTE_TEXTS if note in body] == []


def test_classify_answers_the_sender_only_and_sequences_nothing(server: ServerProcess) -> None:
    session = server.create_session()

    async def scenario() -> None:
        fac = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fee")
        anna = BoardClient(server.ws_base, session.id, session.invite_token, "Anna")
        await fac.connect()
        await anna.connect()
        await fac.until(lambda: fac.seq == anna.seq)
        seq = anna.seq
        secret = "Heb je dat ooit aan je moeder verteld, Geheimpje?"
        for request, text in enumerate([secret, "Wat deed je toen?", "Do you agree?"], 1):
            await anna.send_raw(json.dumps({"type": "classify", "request": request,
                                            "text": text}))
        await anna.until(lambda: sum(m["type"] == "classified" for m in anna.messages) == 3)
        answers = {m["request"]: m for m in anna.messages if m["type"] == "classified"}
        assert answers[1]["verdict"] == "closed" and answers[1]["cue"] == "heb je"
        assert answers[2]["verdict"] == "open"
        assert answers[3]["verdict"] == "closed" and answers[3]["cue"] == "do you"
        # a bad request gets a typed error and changes nothing
        await anna.send_raw(json.dumps({"type": "classify", "request": 4, "text": ""}))
        await anna.until(lambda: any(e["code"] == "invalid_message" for e in anna.errors))
        await _ok(await fac.call("set_ready", ready=True))  # a marker after the requests
        await anna.until(lambda: anna.seq == seq + 1)
        assert fac.seq == seq + 1  # nothing was sequenced for the requests
        assert "Geheimpje" not in _frames(fac) and "classified" not in _frames(fac)

    run(scenario)


def test_late_joiner_gets_spotlight_and_round(server: ServerProcess) -> None:
    session = server.create_session()

    async def scenario() -> None:
        fac = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fee")
        anna = BoardClient(server.ws_base, session.id, session.invite_token, "Anna")
        await fac.connect()
        await anna.connect()
        await _ok(await fac.call("add_item", item_id="ci-1", section="checkin", text="Moe"))
        await _ok(await fac.call("set_spotlight", item_id="ci-1"))
        await _ok(await fac.call("start_round", seconds=600))
        await _ok(await anna.call("set_follow", following=False))
        late = BoardClient(server.ws_base, session.id, session.invite_token, "Laat")
        welcome = await late.connect()
        board = welcome["board"]
        assert board["spotlight"] == {"section": "checkin", "item": "ci-1"}
        assert board["round"]["speakers"] == [_pid(fac), _pid(anna)]
        assert board["round"]["deadline_ms"] > 0 and board["round"]["active"]
        assert board["not_following"] == [_pid(anna)]
        # a member who is not the speaker cannot move the round on: typed, no change
        answer = await late.call("round_turn", action="next", turn=0)
        assert (answer["type"], answer["code"]) == ("rejected", "forbidden")

    run(scenario)


def test_round_survives_sigkill_and_its_deadline_still_fires(tmp_path: Path) -> None:
    """The round is board state: a restarted server has it (acknowledged ops are
    durable), and the restarted room still moves the turn on at its deadline."""
    server = ServerProcess(tmp_path / "data").start()

    async def scenario() -> None:
        session = server.create_session()
        fac = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fee")
        anna = BoardClient(server.ws_base, session.id, session.invite_token, "Anna")
        await fac.connect()
        await anna.connect()
        await _ok(await fac.call("start_round", seconds=3))
        await _ok(await fac.call("round_turn", action="next", turn=0))
        await _ok(await fac.call("set_spotlight", section="checkin"))
        server.kill()
        await asyncio.gather(fac.drop(), anna.drop())
        server.start()
        welcome = await BoardClient(server.ws_base, session.id, session.invite_token,
                                    "Anna", client_id=anna.client_id).connect()
        current = welcome["board"]["round"]
        assert (current["turn"], current["outcomes"], current["active"]) == (1, ["spoke"], True)
        assert welcome["board"]["spotlight"] == {"section": "checkin", "item": None}
        again = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fee",
                            client_id=fac.client_id)
        await again.connect()
        await again.until(lambda: any(
            c["type"] == "round_set" and not c["round"]["active"]
            for m in again.messages if m["type"] == "event" for c in m["changes"]), 10)

    try:
        run(scenario)
    finally:
        server.stop()
