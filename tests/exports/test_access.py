"""Who may export and delete, over HTTP against a real server; anonymous exports.

Contract: the link token travels as ``Authorization: Bearer``; an unknown session and
a wrong token get the same 404 (code ``not_found``); 409 ``not_closed`` before
the close; 403 ``export_disabled`` for invite-link holders once the facilitator
switched participant export off; DELETE only with the facilitator's token.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pypdf

from tests.support import http
from tests.support.client import BoardClient, run
from tests.support.server import ServerProcess, Session

FORMATS = ("md", "pdf", "csv", "json", "html")
NOT_FOUND = {"code": "not_found", "reason": "unknown session or wrong link"}


async def seat(server: ServerProcess, session: Session,
               names: tuple[str, ...] = ("Fenna", "Anouk")) -> list[BoardClient]:
    clients = [BoardClient(server.ws_base, session.id,
                           session.facilitator_token if n == 0 else session.invite_token, name)
               for n, name in enumerate(names)]
    for client in clients:
        await client.connect()
    return clients


async def checked_in(fac: BoardClient, others: list[BoardClient], texts: list[str]) -> None:
    for client, text in zip([fac, *others], texts, strict=False):
        reply = await client.add("checkin", text)
        assert reply["type"] == "applied", reply


def test_export_and_delete_access(server: ServerProcess) -> None:
    session = server.create_session()
    other = server.create_session()

    async def scenario() -> None:
        fac, anouk = await seat(server, session)
        await checked_in(fac, [anouk], ["Goed geslapen", "Moe maar blij"])
        # the welcome says which link exports whatever the switch: the facilitator's
        assert fac.welcome is not None and fac.welcome["link_exports"] is True
        assert anouk.welcome is not None and anouk.welcome["link_exports"] is False
        # before the close: 409 for both links; bad tokens: one 404 for every case
        for token in (session.facilitator_token, session.invite_token):
            answer = http.export(server, session.id, token, "md")
            assert (answer.status, answer.json()["code"]) == (409, "not_closed")
        for session_id, token in [(session.id, None), (session.id, "wrong-token"),
                                  (session.id, other.invite_token),
                                  ("f" * 32, session.invite_token),
                                  ("not-an-id", session.invite_token)]:
            answer = http.export(server, session_id, token, "md")
            assert (answer.status, answer.json()) == (404, NOT_FOUND), (session_id, token)
        # only the facilitator switches participant export off (also after the close)
        rejected = await anouk.call("set_export", participants=False)
        assert rejected["type"] == "rejected" and rejected["code"] == "forbidden"
        assert (await fac.call("close_session"))["type"] == "applied"
        assert (await anouk.add("checkin", "Te laat"))["code"] == "session_closed"
        for fmt in FORMATS:
            assert http.export(server, session.id, session.invite_token, fmt).status == 200
        assert (await fac.call("set_export", participants=False))["type"] == "applied"
        await anouk.until(lambda: anouk.board.get("participant_export") is False)
        for fmt in FORMATS:
            answer = http.export(server, session.id, session.invite_token, fmt)
            assert (answer.status, answer.json()["code"]) == (403, "export_disabled"), fmt
            assert http.export(server, session.id, session.facilitator_token, fmt).status == 200
        answer = http.export(server, session.id, session.facilitator_token, "docx")
        assert (answer.status, answer.json()["code"]) == (404, "unknown_format")
        # a late member (the invite link) sees the switch in the welcome board
        late = BoardClient(server.ws_base, session.id, session.invite_token, "Anouk",
                           client_id=anouk.client_id)
        await anouk.close()
        await late.connect()
        assert late.board["participant_export"] is False and late.board["closed"] is True
        assert late.welcome is not None and late.welcome["link_exports"] is False
        # delete: the invite link may not; the facilitator may, once
        for token in (session.invite_token, "wrong", None):
            answer = http.delete(server, session.id, token)
            assert (answer.status, answer.json()) == (404, NOT_FOUND)
        assert http.delete(server, session.id, session.facilitator_token).status == 204
        await asyncio.gather(fac.until(lambda: fac.close_code is not None),
                             late.until(lambda: late.close_code is not None))
        assert fac.close_code == late.close_code == 4005
        answer = http.export(server, session.id, session.facilitator_token, "json")
        assert (answer.status, answer.json()) == (404, NOT_FOUND)
        assert http.delete(server, session.id, session.facilitator_token).status == 404
        gone = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fenna")
        try:
            await gone.connect()
            raise AssertionError("joined a deleted session")
        except ConnectionError:
            assert gone.close_code == 4003

    run(scenario)
    output = "".join(server.output)
    for action in ("close", "export", "export_setting", "delete"):
        assert f" action={action} session={session.id}" in output, action


NAMES = ("Quirijntje", "Zeynepje", "Xanderius", "Wubbolina")


def test_anonymous_session_exports_contain_no_names(server: ServerProcess) -> None:
    session = server.create_session(method="roddelmethode")

    async def scenario() -> None:
        fac, *others = await seat(server, session, NAMES)
        # written before anonymity was switched on: stored with an author, still no name
        await checked_in(fac, others[:1], ["Vroeg binnen vandaag", "Net terug van vakantie"])
        assert (await fac.call("set_anonymous", anonymous=True))["type"] == "applied"
        await checked_in(fac, others, ["Rustig", "Druk hoofd", "Zin in", "Benieuwd"])
        assert (await fac.call("close_session"))["type"] == "applied"

    run(scenario)
    bodies: dict[str, Any] = {}
    for fmt in FORMATS:
        answer = http.export(server, session.id, session.invite_token, fmt)
        assert answer.status == 200, fmt
        bodies[fmt] = answer.body
    pdf_text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(bodies["pdf"])).pages)
    readable = {**{f: b.decode("utf-8-sig") for f, b in bodies.items() if f != "pdf"},
                "pdf": pdf_text}
    for fmt, text in readable.items():
        assert "Druk hoofd" in text and "Vroeg binnen" in text, fmt  # the items are there
        for name in NAMES:
            assert name not in text, (fmt, name)
    doc = http.export(server, session.id, session.invite_token, "json").json()
    assert doc["session"]["anonymous"] is True and doc["participants"] == []
    assert all(item["author"] is None for item in doc["items"])
    assert "auteur" not in readable["csv"].splitlines()[0]
