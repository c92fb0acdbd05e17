"""Links that do not leak: security headers on every HTTP response, no token in the
access log after a full session, and rotating the invite link."""

from __future__ import annotations

import json

from tests.support.client import ASK, BoardClient, run
from tests.support.http import exchange, rotate
from tests.support.server import ServerProcess

CONTRACT_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"),
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
}


def test_every_http_response_carries_the_security_headers(server: ServerProcess) -> None:
    session = server.create_session()
    cases = [
        ("GET", "/", None, None), ("GET", f"/s/{session.id}", None, None),
        ("GET", "/static/index.html", None, None), ("GET", "/static/nope.js", None, None),
        ("GET", "/healthz", None, None), ("GET", "/api/methods", None, None),
        ("GET", "/api/methods/nope", None, None), ("GET", "/no/such/page", None, None),
        ("POST", "/api/sessions", {"title": "T", "method": "tienstappen"}, None),
        ("POST", "/api/sessions", {"title": ""}, None), ("DELETE", "/healthz", None, None),
        ("POST", f"/api/sessions/{session.id}/invite", None, "wrong"),
        ("POST", f"/api/sessions/{session.id}/invite", None, session.facilitator_token),
    ]
    statuses = []
    for method, path, body, token in cases:
        status, headers, _ = exchange(server, method, path, body, token)
        statuses.append(status)
        for name, value in CONTRACT_HEADERS.items():
            assert headers.get(name) == value, (method, path, status, name)
        assert "unsafe-inline" not in headers["content-security-policy"]
    assert {200, 201, 400, 404, 405} <= set(statuses)


def test_no_token_reaches_the_access_log(server: ServerProcess) -> None:
    """A full session with the access log on: create, rotate, joins, ops, close."""
    tokens: dict[str, str] = {}

    async def scenario() -> None:
        status, _, body = exchange(server, "POST", "/api/sessions",
                                  {"title": "Casus", "method": "tienstappen"})
        assert status == 201
        created = json.loads(body)
        session_id = created["session_id"]
        for kind in ("facilitator_link", "invite_link"):
            link = created[kind]
            path, _, token = link.partition("#k=")
            assert path.endswith(f"/s/{session_id}") and token and token not in path
            assert "?" not in link
            tokens[kind] = token
        status, rotated = rotate(server, session_id, tokens["facilitator_link"])
        assert status == 200
        path, _, tokens["new_invite"] = rotated["invite_link"].partition("#k=")
        assert path.endswith(f"/s/{session_id}")
        exchange(server, "GET", f"/s/{session_id}")  # what a browser fetches for the link
        facilitator = BoardClient(server.ws_base, session_id, tokens["facilitator_link"], "Fee")
        member = BoardClient(server.ws_base, session_id, tokens["new_invite"], "Lid")
        await facilitator.connect()
        await member.connect()
        await facilitator.call("set_step", step=ASK)
        assert (await member.add("questions", "Wat wil je?"))["type"] == "applied"
        await facilitator.call("close_session")
        await member.close()
        await facilitator.close()
        await facilitator.connect()  # and once more, as after a reload
        await facilitator.close()

    run(scenario)
    server.stop()  # flushes the log
    log = "".join(server.output)
    assert "POST /api/sessions HTTP/1.1" in log and "/invite HTTP/1.1" in log
    assert "WebSocket /ws/" in log and "GET /s/" in log  # the access log was on
    assert len(tokens) == 3
    for token in tokens.values():
        assert token not in log


def test_rotated_invite_admits_no_new_member(server: ServerProcess) -> None:
    async def scenario() -> None:
        session = server.create_session()
        facilitator = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fee")
        early = BoardClient(server.ws_base, session.id, session.invite_token, "Vroeg")
        await facilitator.connect()
        await early.connect()
        await facilitator.call("set_step", step=ASK)

        status, body = rotate(server, session.id, session.facilitator_token)
        assert status == 200
        new_token = body["invite_link"].partition("#k=")[2]
        assert new_token and new_token != session.invite_token
        # the old link admits nobody new
        late = BoardClient(server.ws_base, session.id, session.invite_token, "Laat")
        try:
            await late.connect()
            raise AssertionError("the old invite link still admits new members")
        except ConnectionError:
            pass
        assert late.close_code == 4003
        assert [e["code"] for e in late.errors] == ["access_denied"]
        # members who joined before stay, and may come back with the link they have
        assert early.close_code is None
        assert (await early.add("questions", "Nog steeds hier?"))["type"] == "applied"
        await early.close()
        await early.connect(resume=True)
        assert early.welcome is not None and early.welcome["recovered"]
        # the new link admits new members; the invite link is not a facilitator link
        newcomer = BoardClient(server.ws_base, session.id, new_token, "Nieuw")
        await newcomer.connect()
        assert newcomer.role() == "participant"
        status, _ = rotate(server, session.id, new_token)
        assert status == 404

    run(scenario)
