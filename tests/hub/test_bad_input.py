"""Bad input: each case gets its documented error or close code, changes nothing,
and a control client in the same session keeps receiving."""

from __future__ import annotations

import json
from typing import Any

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.support.client import ASK, BoardClient, run
from tests.support.server import ServerProcess

HELLO = {"type": "hello", "protocol": 1, "name": "Mallory", "client_id": "mallory-000001"}
ADD = {"type": "add_item", "client_seq": 1, "item_id": "bad-1", "section": "questions",
       "text": "Mag dit?"}

# name, send a valid hello first?, frames to send, expected error code, expected close code
CASES: list[tuple[str, bool, list[Any], str | None, int | None]] = [
    ("not_json", True, ["{not json"], "invalid_json", None),
    ("unknown_type", True, [{"type": "explode", "client_seq": 1}], "unknown_type", None),
    ("missing_field", True, [{k: v for k, v in ADD.items() if k != "text"}],
     "invalid_message", None),
    ("extra_field", True, [{**ADD, "evil": True}], "invalid_message", None),
    ("wrong_type", True, [{**ADD, "client_seq": "one"}], "invalid_message", None),
    ("text_too_long", True, [{**ADD, "text": "x" * 2001}], "invalid_message", None),
    ("binary_frame", True, [b"\x00\x01\x02"], "binary_frame", None),
    ("op_before_hello", False, [ADD], "hello_required", None),
    ("second_hello", True, ["HELLO"], "already_welcomed", None),
    ("wrong_protocol", False, [{**HELLO, "protocol": 99, "token": "TOKEN"}],
     "protocol_mismatch", 4002),
    ("wrong_token", False, [{**HELLO, "token": "guessed-token"}], "access_denied", 4003),
    ("frame_over_64k", True, [{**ADD, "text": "x" * 70_000}], None, 1009),
    ("classify_before_hello", False, [{"type": "classify", "request": 1, "text": "Is het?"}],
     "hello_required", None),
    ("classify_empty", True, [{"type": "classify", "request": 1, "text": ""}],
     "invalid_message", None),
    ("classify_extra_field", True,
     [{"type": "classify", "request": 1, "text": "Is het?", "store": True}],
     "invalid_message", None),
    ("round_seconds_too_short", True,
     [{"type": "start_round", "client_seq": 1, "seconds": 1}], "invalid_message", None),
    ("round_bad_action", True,
     [{"type": "round_turn", "client_seq": 1, "action": "skip", "turn": 0}],
     "invalid_message", None),
    ("spotlight_bad_item_id", True,
     [{"type": "set_spotlight", "client_seq": 1, "item_id": "no spaces"}],
     "invalid_message", None),
]


async def _setup(server: ServerProcess) -> tuple[Any, BoardClient, BoardClient]:
    session = server.create_session()
    facilitator = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fee")
    control = BoardClient(server.ws_base, session.id, session.invite_token, "Controle")
    await facilitator.connect()
    await control.connect()
    await facilitator.call("set_step", step=ASK)
    # Mallory joins once, so later hellos with the same client id sequence nothing
    mallory = BoardClient(server.ws_base, session.id, session.invite_token, "Mallory",
                          client_id=HELLO["client_id"])
    await mallory.connect()
    await mallory.close()
    await control.until(lambda: control.seq == facilitator.seq)
    return session, facilitator, control


async def _still_fine(facilitator: BoardClient, control: BoardClient, before: tuple[int, str]
                      ) -> None:
    seq, digest = before
    assert control.seq == seq, "bad input was sequenced"
    assert control.state_hash() == digest, "bad input changed the board"
    reply = await facilitator.add("questions", "Controlevraag?")
    assert reply["type"] == "applied"
    await control.until(lambda: control.seq == seq + 1)
    assert [i["text"] for i in control.items.values()] == ["Controlevraag?"]


@pytest.mark.parametrize(("name", "hello_first", "frames", "code", "close"), CASES,
                         ids=[c[0] for c in CASES])
def test_bad_input(server: ServerProcess, name: str, hello_first: bool, frames: list[Any],
                   code: str | None, close: int | None) -> None:
    async def scenario() -> None:
        session, facilitator, control = await _setup(server)
        before = (control.seq, control.state_hash())
        hello = {**HELLO, "token": session.invite_token}
        async with websockets.connect(f"{server.ws_base}/ws/{session.id}",
                                      origin=server.base) as ws:
            if hello_first:
                await ws.send(json.dumps(hello))
                assert json.loads(await ws.recv())["type"] == "welcome"
            for frame in frames:
                if frame == "HELLO":
                    frame = hello
                elif isinstance(frame, dict) and frame.get("token") == "TOKEN":
                    frame = {**frame, "token": session.invite_token}
                await ws.send(frame if isinstance(frame, str | bytes) else json.dumps(frame))
            replies: list[dict[str, Any]] = []
            try:
                while True:
                    message = json.loads(await ws.recv())
                    if message["type"] == "presence":
                        continue
                    replies.append(message)
                    if code is not None and close is None:
                        break
            except websockets.ConnectionClosed:
                pass
            if code is not None:
                assert replies and replies[0]["type"] == "error", replies
                assert replies[0]["code"] == code, replies
            if close is not None:
                assert ws.protocol.close_rcvd is not None
                assert ws.protocol.close_rcvd.code == close
            else:
                assert ws.protocol.close_rcvd is None, "the connection should stay open"
        await _still_fine(facilitator, control, before)

    run(scenario)


def test_unknown_session_answers_like_a_wrong_token(server: ServerProcess) -> None:
    async def scenario() -> None:
        answers = []
        for session_id in ("0" * 32, "nope"):
            async with websockets.connect(f"{server.ws_base}/ws/{session_id}",
                                          origin=server.base) as ws:
                await ws.send(json.dumps({**HELLO, "token": "x"}))
                answers.append(json.loads(await ws.recv()))
                with pytest.raises(websockets.ConnectionClosed):
                    await ws.recv()
                assert ws.protocol.close_rcvd is not None
                answers.append(ws.protocol.close_rcvd.code)
        assert answers[0] == answers[2] and answers[1] == answers[3] == 4003
        assert answers[0]["code"] == "access_denied"

    run(scenario)


@pytest.mark.parametrize("origin", ["http://evil.example", None])
def test_foreign_or_missing_origin_is_refused_at_the_handshake(
    server: ServerProcess, origin: str | None
) -> None:
    async def scenario() -> None:
        session = server.create_session()
        with pytest.raises(InvalidStatus) as refused:
            await websockets.connect(f"{server.ws_base}/ws/{session.id}",
                                     origin=origin)  # type: ignore[arg-type]
        assert refused.value.response.status_code == 403
        assert refused.value.response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in refused.value.response.headers[
            "Content-Security-Policy"]

    run(scenario)


@pytest.mark.parametrize("path", ["/ws/", "/ws/a/b", "/elders", "/"])
def test_upgrade_on_another_path_is_refused_with_404(server: ServerProcess, path: str) -> None:
    async def scenario() -> None:
        with pytest.raises(InvalidStatus) as refused:
            await websockets.connect(f"{server.ws_base}{path}", origin=server.base)
        assert refused.value.response.status_code == 404
        assert refused.value.response.headers["Referrer-Policy"] == "no-referrer"

    run(scenario)


def test_forbidden_op_is_rejected_with_a_typed_code(server: ServerProcess) -> None:
    async def scenario() -> None:
        _, facilitator, control = await _setup(server)
        before = (control.seq, control.state_hash())
        for kind, fields in [("set_step", {"step": 2}),
                             ("lock_section", {"section": "questions", "locked": True}),
                             ("add_item", {"item_id": "c1", "section": "case", "text": "Nee"})]:
            reply = await control.call(kind, **fields)
            assert reply["type"] == "rejected" and reply["code"] == "forbidden", reply
        await _still_fine(facilitator, control, before)

    run(scenario)


def test_control_characters_and_bad_secrets_are_refused_and_change_nothing(
    server: ServerProcess,
) -> None:
    """An item text with a control character is rejected with ``invalid_value`` before
    it is sequenced (also as an edit); a malformed item secret is not a message."""
    async def scenario() -> None:
        _, facilitator, control = await _setup(server)
        before = (control.seq, control.state_hash())
        for text in ("nul\x00byte", "escape\x1b[2J", "wagen\rterug", "del\x7f"):
            reply = await control.call("add_item", item_id="cc1", section="questions",
                                       text=text)
            assert reply["type"] == "rejected" and reply["code"] == "invalid_value", reply
            assert "seq" not in reply or reply["seq"] is None, "it was sequenced"
        await control.op("add_item", item_id="cc2", section="questions", text="Goed",
                         secret="te kort")
        await control.until(lambda: bool(control.errors))
        assert control.errors[-1]["code"] == "invalid_message"
        await _still_fine(facilitator, control, before)
        reply = await facilitator.call("edit_item", item_id=next(iter(control.items)),
                                       text="tab\tmag, NUL\x00 niet")
        assert reply["type"] == "rejected" and reply["code"] == "invalid_value", reply

    run(scenario)
