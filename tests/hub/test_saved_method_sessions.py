"""A session keeps the method version it was created with: editing or deleting a saved
method later changes neither a running nor a closed session (checked through the
websocket protocol and the session's JSON export, against a real server)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.methods.test_editor_http import KEY, edited
from tests.support.client import BoardClient, run
from tests.support.server import ServerProcess, Session


def call(server: ServerProcess, method: str, path: str, body: Any = None,
         token: str | None = None) -> tuple[int, Any]:
    headers = {"content-type": "application/json", "x-method-key": KEY}
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(server.base + path, data=data, method=method,
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            raw = answer.read()
            status = answer.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    return status, json.loads(raw) if raw else None


def new_session(server: ServerProcess, saved_id: str) -> Session:
    status, body = call(server, "POST", "/api/sessions",
                        {"title": "Casus", "saved_method": saved_id, "language": "nl"})
    assert status == 201, body
    return Session(body["session_id"], body["facilitator_link"].split("#k=")[1],
                   body["invite_link"].split("#k=")[1])


def step_ids(method: dict[str, Any]) -> list[str]:
    return [step["id"] for step in method["steps"]]


def test_editing_a_saved_method_leaves_running_and_closed_sessions_alone(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        status, saved = call(server, "POST", "/api/saved-methods", {"method": edited()})
        assert status == 201
        running = new_session(server, saved["saved_id"])
        closed = new_session(server, saved["saved_id"])

        async def scenario() -> None:
            fac = BoardClient(server.ws_base, running.id, running.facilitator_token, "Fee")
            welcome = await fac.connect()
            before = welcome["method"]
            silent = step_ids(before).index("silent_round")
            pres = BoardClient(server.ws_base, running.id, running.invite_token, "Pien")
            part = BoardClient(server.ws_base, running.id, running.invite_token, "Daan")
            await pres.connect()
            await part.connect()
            assert pres.welcome and part.welcome
            assert (await fac.call("assign_role", participant_id=pres.welcome["participant_id"],
                                   role="presenter"))["type"] == "applied"
            assert (await fac.call("set_step", step=silent))["type"] == "applied"

            closer = BoardClient(server.ws_base, closed.id, closed.facilitator_token, "Fee")
            await closer.connect()
            assert (await closer.call("close_session"))["type"] == "applied"
            await closer.close()

            # the owner edits the method: the silent round goes, rights change
            changed = edited()
            changed["steps"] = [s for s in changed["steps"] if s["id"] != "silent_round"]
            changed["steps"][1]["sections"][1]["add"] = ["presenter"]
            status, answer = call(server, "PUT", f"/api/saved-methods/{saved['saved_id']}",
                                  {"method": changed, "version": 1})
            assert status == 200 and answer["version"] == 2

            # the running session: same method for a newcomer and after a reconnect
            late = BoardClient(server.ws_base, running.id, running.invite_token, "Laat")
            assert (await late.connect())["method"] == before
            await fac.close()
            fac2 = BoardClient(server.ws_base, running.id, running.facilitator_token, "Fee",
                               client_id=fac.client_id)
            fac2.client_seq = fac.client_seq  # the same client goes on counting
            again = await fac2.connect()
            assert again["method"] == before and again["board"]["step"] == silent
            # ... and the old rights: participants add, the presenter may not, only rate
            fac = fac2
            added = await part.add("silent", "Stil idee")
            assert added["type"] == "applied", added
            refused = await pres.add("silent", "Mag niet")
            assert refused["type"] == "rejected" and refused["code"] == "forbidden"
            item = next(i for i in part.items.values() if i["text"] == "Stil idee")
            hidden = await pres.call("rate_item", item_id=item["id"], rating="warm")
            assert hidden["type"] == "rejected"  # not revealed yet: the presenter cannot see it
            assert (await fac.call("reveal_section", section="silent"))["type"] == "applied"
            rated = await pres.call("rate_item", item_id=item["id"], rating="warm")
            assert rated["type"] == "applied", rated
            other = await part.call("rate_item", item_id=item["id"], rating="cold")
            assert other["code"] == "forbidden"
            # a session created now plays the new version
            fresh = new_session(server, saved["saved_id"])
            newer = BoardClient(server.ws_base, fresh.id, fresh.facilitator_token, "Fee")
            assert "silent_round" not in step_ids((await newer.connect())["method"])
            # deleting the saved method does not touch the sessions either
            assert call(server, "DELETE", f"/api/saved-methods/{saved['saved_id']}")[0] == 204
            late2 = BoardClient(server.ws_base, running.id, running.invite_token, "Later")
            assert (await late2.connect())["method"] == before
            for client in (fac2, pres, part, late, newer, late2):
                await client.close()

        run(scenario)
        status, export = call(server, "GET", f"/api/sessions/{closed.id}/export/json",
                              token=closed.facilitator_token)
        assert status == 200, export
        assert "silent_round" in json.dumps(export)
    finally:
        server.stop()
