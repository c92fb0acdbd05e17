"""Ids cannot be probed: an unknown session and a wrong token get the same answer on
the websocket and over HTTP; ids and tokens carry 128 bits from ``secrets``."""

from __future__ import annotations

import binascii
import json
import secrets
from typing import Any

import pytest
import websockets

from server import tokens
from tests.support.client import run
from tests.support.http import exchange
from tests.support.server import ServerProcess


def _hello_answer(server: ServerProcess, session_id: str, token: str) -> list[Any]:
    answer: list[Any] = []

    async def scenario() -> None:
        async with websockets.connect(f"{server.ws_base}/ws/{session_id}",
                                      origin=server.base) as ws:
            await ws.send(json.dumps({"type": "hello", "protocol": 1, "token": token,
                                      "name": "Sonde", "client_id": "probe-client-1"}))
            answer.append(json.loads(await ws.recv()))
            with pytest.raises(websockets.ConnectionClosed):
                await ws.recv()
            assert ws.protocol.close_rcvd is not None
            answer.extend([ws.protocol.close_rcvd.code, ws.protocol.close_rcvd.reason])

    run(scenario)
    return answer


def test_unknown_session_and_wrong_token_answer_alike(server: ServerProcess) -> None:
    session = server.create_session()
    unknown, malformed = tokens.new_id(), "not-a-session"
    probes = [(unknown, session.invite_token), (malformed, "x"), (session.id, "wrong-token"),
              (session.id.upper(), session.invite_token)]
    answers = [_hello_answer(server, sid, token) for sid, token in probes]
    assert all(a == answers[0] for a in answers), answers
    assert answers[0][0]["code"] == "access_denied" and answers[0][1] == 4003

    http = []
    for sid, token in [(unknown, session.facilitator_token), (malformed, "x"),
                       (session.id, "wrong-token"), (session.id, session.invite_token),
                       (session.id, None), (session.id, "")]:
        status, headers, body = exchange(server, "POST", f"/api/sessions/{sid}/invite",
                                        token=token)
        http.append((status, headers.get("content-type"), body))
    assert all(h == http[0] for h in http), http
    assert http[0][0] == 404 and json.loads(http[0][2])["code"] == "not_found"
    # the page for a link is the same whether the session exists
    assert exchange(server, "GET", f"/s/{unknown}")[::2] == \
        exchange(server, "GET", f"/s/{session.id}")[::2]


def test_ids_and_tokens_carry_128_bits_from_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    # the source: every id and token is the secrets module's CSPRNG output, 16 bytes
    drawn: list[int] = []
    canned = bytes(range(16))

    def token_bytes(nbytes: int | None = None) -> bytes:
        drawn.append(nbytes or 0)
        return canned

    with monkeypatch.context() as patch:
        patch.setattr(secrets, "token_bytes", token_bytes)
        assert tokens.new_id() == canned.hex()
        assert binascii.a2b_base64(tokens.new_token().replace("-", "+").replace("_", "/")
                                   + "==") == canned
    assert drawn == [16, 16]
    # the shape and the spread: 32 hex characters, 22 url-safe ones, bits balanced
    ids = [tokens.new_id() for _ in range(2000)]
    links = [tokens.new_token() for _ in range(2000)]
    assert len(set(ids)) == len(ids) and len(set(links)) == len(links)
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert all(len(t) == 22 for t in links)
    ones = sum(bin(int(i, 16)).count("1") for i in ids) / (128 * len(ids))
    assert 0.49 < ones < 0.51
    per_bit = [sum(int(i, 16) >> b & 1 for i in ids) / len(ids) for b in range(128)]
    assert all(0.40 < share < 0.60 for share in per_bit)


def test_api_links_carry_full_length_ids_and_tokens(server: ServerProcess) -> None:
    status, _, body = exchange(server, "POST", "/api/sessions",
                              {"title": "T", "method": "tienstappen"})
    assert status == 201
    created = json.loads(body)
    assert len(created["session_id"]) == 32
    for kind in ("facilitator_link", "invite_link"):
        token = created[kind].partition("#k=")[2]
        assert len(token) == 22  # 16 bytes, url-safe base64
