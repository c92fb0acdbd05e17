"""The attendance and agreement endpoints: who may do what, and bad input that
changes nothing (typed errors)."""

from __future__ import annotations

import pytest

from tests.support import http
from tests.support.attendance import accept, as_member, verify, view
from tests.support.client import BoardClient, run
from tests.support.server import ServerProcess, Session


def with_agreement(server: ServerProcess, agreement: object) -> Session:
    status, body = server.post("/api/sessions", {"title": "T", "method": "tienstappen",
                                                 "language": "en", "agreement": agreement})
    assert status == 201, body
    return Session(body["session_id"], body["facilitator_link"].split("#k=")[1],
                   body["invite_link"].split("#k=")[1])


def agreement(server: ServerProcess, session: Session, token: str | None = None) -> object:
    answer = http.request(server, "GET", f"/api/sessions/{session.id}/agreement",
                          token or session.invite_token)
    return answer.json() if answer.status == 200 else answer.status


def test_agreement_defaults_edits_and_door(server: ServerProcess) -> None:
    none = server.create_session()
    assert agreement(server, none) == {"text": None}
    default = with_agreement(server, True)
    text = agreement(server, default)
    assert isinstance(text, dict) and text["text"].startswith("What is said here stays here")
    assert http.request(server, "GET", "/api/agreement/nl").json()["text"].startswith(
        "Wat hier gezegd wordt")
    own = with_agreement(server, "Alles blijft binnen de groep.")
    assert agreement(server, own) == {"text": "Alles blijft binnen de groep."}
    assert agreement(server, own, "wrong-token") == 404
    path = f"/api/sessions/{own.id}/agreement"
    # only the facilitator edits; bad bodies change nothing
    assert http.request(server, "PUT", path, own.invite_token, {"text": "x"}).status == 404
    for body in ({"text": ""}, {"text": "x" * 2001}, {"tekst": "x"}, ["x"]):
        answer = http.request(server, "PUT", path, own.facilitator_token, body)
        assert answer.status == 400 and answer.json()["code"] == "invalid_request"
    assert agreement(server, own) == {"text": "Alles blijft binnen de groep."}
    assert http.request(server, "PUT", path, own.facilitator_token,
                        {"text": "Nieuwe afspraak."}).json() == {"text": "Nieuwe afspraak."}
    # accepting: well-formed client ids only; a session without an agreement says so
    accept_path = f"{path}/accept"
    assert http.request(server, "POST", accept_path, own.invite_token,
                        {"client_id": "bad id"}).status == 400
    assert accept(server, none.id, none.invite_token, "client-0001") == 409
    fac = BoardClient(server.ws_base, own.id, own.facilitator_token, "Fenna")
    late = BoardClient(server.ws_base, own.id, own.invite_token, "Laat")

    async def scenario() -> None:
        with pytest.raises(ConnectionError):
            await fac.connect()
        assert fac.close_code == 4010 and fac.errors[0]["code"] == "agreement_required"
        assert accept(server, own.id, own.facilitator_token, fac.client_id) == 204
        await fac.connect()
        assert (await fac.call("set_step", step=1))["type"] == "applied"
        # a returning member needs no second acceptance
        await fac.close()
        await fac.connect()
        with pytest.raises(ConnectionError):
            await late.connect()
        await fac.close()

    run(scenario)
    # after the first step the text is fixed
    answer = http.request(server, "PUT", path, own.facilitator_token, {"text": "Te laat."})
    assert answer.status == 409 and answer.json()["code"] == "started"
    record = view(server, own.id, fac.client_id)
    assert record["me"]["agreement_ms"] is not None
    assert record["session"]["started_ms"] is not None


def test_attendance_rights_and_errors(server: ServerProcess) -> None:
    session = server.create_session()
    fac = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fenna")
    anouk = BoardClient(server.ws_base, session.id, session.invite_token, "Anouk")

    async def scenario() -> None:
        await fac.connect()
        await anouk.connect()
        check_before_close(server, session, fac, anouk)
        assert (await fac.call("close_session"))["type"] == "applied"

    run(scenario)
    check_after_close(server, session, fac, anouk)


def check_before_close(server: ServerProcess, session: Session, fac: BoardClient,
                       anouk: BoardClient) -> None:
    sid = session.id
    # strangers, malformed headers and unknown sessions: the same 404
    for client_id, path in (("stranger-0001", f"/api/attendance/{sid}"),
                            (anouk.client_id, "/api/attendance/" + "0" * 32),
                            ("bad id", f"/api/attendance/{sid}")):
        answer = as_member(server, "GET", path, client_id)
        assert answer.status == 404 and answer.json()["code"] == "not_found"
    assert http.request(server, "GET", f"/api/attendance/{sid}", session.facilitator_token
                        ).status == 404  # a link token is not a member's proof
    mine = view(server, sid, anouk.client_id)
    assert mine["facilitator"] is False and mine["lines"] == []
    assert view(server, sid, fac.client_id)["facilitator"] is True
    # before the close: no exports; the list only for whoever led
    for fmt in ("list.pdf", "list.csv", "certificate.pdf"):
        answer = as_member(server, "GET", f"/api/attendance/{sid}/{fmt}", fac.client_id)
        assert answer.status == 409 and answer.json()["code"] == "not_closed"
    answer = as_member(server, "GET", f"/api/attendance/{sid}/report.docx", fac.client_id)
    assert answer.status == 404 and answer.json()["code"] == "unknown_format"
    assert as_member(server, "POST", f"/api/attendance/{sid}/approve",
                     anouk.client_id).status == 403
    assert view(server, sid, fac.client_id)["session"]["approved_ms"] is None
    confirmed = as_member(server, "POST", f"/api/attendance/{sid}/confirm", anouk.client_id)
    assert confirmed.status == 200, confirmed.body
    assert confirmed.json()["me"]["confirmed_ms"] is not None



def check_after_close(server: ServerProcess, session: Session, fac: BoardClient,
                      anouk: BoardClient) -> None:
    sid = session.id
    assert as_member(server, "GET", f"/api/attendance/{sid}/list.csv",
                     anouk.client_id).status == 403
    assert as_member(server, "GET", f"/api/attendance/{sid}/list.csv",
                     fac.client_id).status == 200
    for junk in ("", "x", "A" * 24, "AAAA-AAAA-AAAA-AAAA-AAAA-AAA1", "../../etc"):
        answer = http.request(server, "GET", f"/api/attendance/verify/{junk}")
        assert answer.status in (200, 404)
        if answer.status == 200:
            assert answer.json() == {"valid": False}
    assert verify(server, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA") == {"valid": False}
