"""HTTP of the attendance record (``/api/attendance/...``) and of the agreement at
the door (``/api/sessions/{id}/agreement``).

Errors are ``{"code", "reason"}`` (``server.http_errors``). A member proves who they
are with the client id their browser keeps for the session
(``Authorization: Member <client id>``): the server derives the member's pseudonym
from it, as the hub does, and stores neither. It works after the session's content
is gone, as the record outlives it. A member sees their own line; whoever held the
facilitator role sees and confirms the whole list. An unknown session, a stranger
and a missing header get the same 404 ``not_found``.

``GET /api/attendance/verify/{code}`` answers ``{"valid": true|false}`` and nothing
else, for any input.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Annotated

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server import audit
from server.api import base_url
from server.attendance.catalog import AGREEMENT, text
from server.attendance.record import (
    EVERYONE,
    Line,
    PresenceList,
    certificate_message,
    code_matches,
    code_of,
    confirmation_for,
    list_message,
    normalize_code,
    presence_list,
)
from server.attendance.render import render_certificate, render_csv, render_list_pdf
from server.attendance.store import AttendanceStore
from server.core.state import client_key, participant_id
from server.http_access import bearer_token
from server.http_errors import http_error, not_found
from server.links import LinkKind, link_kind
from server.store.base import SessionMeta
from server.tokens import is_session_id
from shared_schema.codes import HttpErrorCode

_MEMBER = re.compile(r"^Member ([A-Za-z0-9_-]{8,64})$")
_encoder = msgspec.json.Encoder()


class Member(msgspec.Struct):
    participant_id: str
    facilitator: bool
    plist: PresenceList
    line: Line


class AgreementBody(msgspec.Struct, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)] | None


class AcceptBody(msgspec.Struct, forbid_unknown_fields=True):
    client_id: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{8,64}$")]


NOT_A_MEMBER = "unknown session, or no attendance of this member"


def _not_member() -> Response:
    return http_error(404, HttpErrorCode.NOT_FOUND, NOT_A_MEMBER)


def _forbidden() -> Response:
    return http_error(403, HttpErrorCode.FORBIDDEN, "only whoever led the session")


def _no_presence() -> Response:
    return http_error(409, HttpErrorCode.NO_PRESENCE, "no presence recorded for this member")


def _invalid(reason: str) -> Response:
    return http_error(400, HttpErrorCode.INVALID_REQUEST, reason)


def _json(payload: object, status: int = 200) -> Response:
    return Response(_encoder.encode(payload), status_code=status, media_type="application/json",
                    headers={"Cache-Control": "no-store"})


def now_ms() -> int:
    return int(time.time() * 1000)


def _grace_ms(request: Request) -> int:
    return int(request.app.state.settings.attendance_grace_seconds * 1000)


def _store(request: Request) -> AttendanceStore:
    store: AttendanceStore = request.app.state.attendance
    return store


async def _member(request: Request) -> Member | None:
    session_id = request.path_params["session_id"]
    match = _MEMBER.match(request.headers.get("authorization", ""))
    if match is None or not is_session_id(session_id):
        return None
    pid = participant_id(session_id, client_key(session_id, match.group(1)))
    loaded = await _store(request).load(session_id)
    if loaded is None:
        return None
    facts, members = loaded
    hubs = await _store(request).hubs_seen()
    plist = presence_list(facts, members, now_ms(), _grace_ms(request), hubs)
    line = next((ln for ln in plist.lines if ln.participant_id == pid), None)
    if line is None:
        return None
    return Member(pid, "facilitator" in line.roles, plist, line)


def _line_json(line: Line) -> dict[str, object]:
    return {
        "participant_id": line.participant_id,
        "name": line.name,
        "roles": list(line.roles),
        "periods": [list(p) for p in line.periods],
        "from_ms": line.from_ms,
        "to_ms": line.to_ms,
        "duration_ms": line.duration_ms,
        "confirmed_ms": None if line.confirmation is None else line.confirmation.at_ms,
        "agreement_ms": line.agreement_ms,
    }


def _view(member: Member) -> dict[str, object]:
    plist = member.plist
    return {
        "session": {
            "method_name": plist.method_name,
            "language": plist.language,
            "started_ms": plist.started_ms,
            "ended_ms": plist.ended_ms,
            "approved_ms": plist.approved_ms,
        },
        "facilitator": member.facilitator,
        "me": _line_json(member.line),
        "lines": [_line_json(ln) for ln in plist.lines] if member.facilitator else [],
    }


async def view(request: Request) -> Response:
    member = await _member(request)
    return _not_member() if member is None else _json(_view(member))


async def confirm(request: Request) -> Response:
    """The member confirms the times the record holds for them now."""
    member = await _member(request)
    if member is None:
        return _not_member()
    confirmation = confirmation_for(member.line, now_ms())
    if confirmation is None:
        return _no_presence()
    await _store(request).confirm(member.plist.session_id, member.participant_id, confirmation)
    return await view(request)


async def approve(request: Request) -> Response:
    """Whoever led the session confirms the list."""
    member = await _member(request)
    if member is None:
        return _not_member()
    if not member.facilitator:
        return _forbidden()
    await _store(request).approve(member.plist.session_id, member.participant_id, now_ms())
    audit.record(audit.AuditAction.ATTENDANCE, member.plist.session_id, member.participant_id,
                 "approve")
    return await view(request)


async def forget(request: Request) -> Response:
    """A member deletes their own record of the session; the others' stay."""
    member = await _member(request)
    if member is None:
        return _not_member()
    await _store(request).delete_member(member.plist.session_id, member.participant_id)
    audit.record(audit.AuditAction.ATTENDANCE, member.plist.session_id, member.participant_id,
                 "delete_own")
    return Response(status_code=204)


def _verify_url(request: Request, code: str) -> str:
    return f"{base_url(request)}/api/attendance/verify/{code}"


def _download(body: bytes, media_type: str, name: str) -> Response:
    return Response(body, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


async def export(request: Request) -> Response:
    """``list.pdf`` and ``list.csv`` for whoever led; ``certificate.pdf`` for each
    member. Only after the close (the times are final then)."""
    member = await _member(request)
    fmt = request.path_params["fmt"]
    if member is None:
        return _not_member()
    if fmt not in ("list.pdf", "list.csv", "certificate.pdf"):
        return http_error(404, HttpErrorCode.UNKNOWN_FORMAT,
                          "list.pdf, list.csv or certificate.pdf")
    plist = member.plist
    if plist.ended_ms is None:
        return http_error(409, HttpErrorCode.NOT_CLOSED, "the session is not closed yet")
    if fmt.startswith("list") and not member.facilitator:
        return _forbidden()
    if fmt == "certificate.pdf" and member.line.from_ms is None:
        return _no_presence()
    store = _store(request)
    secret = await store.secret()
    lang = plist.language
    date = time.strftime("%Y-%m-%d", time.gmtime(plist.ended_ms / 1000))
    gate: asyncio.Semaphore = request.app.state.export_gate
    if fmt == "list.csv":
        return _download(render_csv(plist).encode(), "text/csv; charset=utf-8",
                         f"{text(lang, 'filename_list')}-{date}.csv")
    if fmt == "list.pdf":
        code = code_of(secret, list_message(plist))
        await store.register_code(code, plist.session_id, EVERYONE)
        async with gate:
            body = await asyncio.to_thread(render_list_pdf, plist, code,
                                           _verify_url(request, code))
        return _download(body, "application/pdf", f"{text(lang, 'filename_list')}-{date}.pdf")
    code = code_of(secret, certificate_message(plist, member.line))
    await store.register_code(code, plist.session_id, member.participant_id)
    async with gate:
        body = await asyncio.to_thread(render_certificate, plist, member.line, code,
                                       _verify_url(request, code))
    return _download(body, "application/pdf",
                     f"{text(lang, 'filename_certificate')}-{date}.pdf")


async def verify(request: Request) -> Response:
    """Valid only for a code the server issued whose record still says the same."""
    code = normalize_code(request.path_params["code"])
    valid = False
    store = _store(request)
    found = await store.lookup_code(code) if code is not None else None
    if code is not None and found is not None:
        session_id, pid = found
        loaded = await store.load(session_id)
        if loaded is not None:
            plist = presence_list(*loaded, now_ms(), _grace_ms(request),
                                  await store.hubs_seen())
            line = next((ln for ln in plist.lines if ln.participant_id == pid), None)
            message = (list_message(plist) if pid == EVERYONE else
                       None if line is None else certificate_message(plist, line))
            valid = message is not None and code_matches(await store.secret(), message, code)
    return _json({"valid": valid})


# -- the agreement at the door --------------------------------------------------------

async def _session(request: Request) -> tuple[SessionMeta, LinkKind] | None:
    """The session and the kind of link the bearer token is, rotated-away invite links
    included (their members may come back); the same work when the session is unknown."""
    session_id = request.path_params["session_id"]
    meta = await request.app.state.store.get_session(session_id) if is_session_id(
        session_id) else None
    kind = link_kind(meta, bearer_token(request), retired=True)
    return None if meta is None or kind is None else (meta, kind)


async def get_agreement(request: Request) -> Response:
    """What the join form shows: ``{"text": ...}``, null when there is none."""
    access = await _session(request)
    if access is None:
        return not_found()
    loaded = await _store(request).load(access[0].id)
    return _json({"text": None if loaded is None else loaded[0].agreement})


async def put_agreement(request: Request) -> Response:
    """The facilitator changes the text (or drops it: null) before the first step."""
    access = await _session(request)
    if access is None or access[1] is not LinkKind.FACILITATOR:
        return not_found()
    try:
        body = msgspec.json.decode(await request.body(), type=AgreementBody)
    except msgspec.DecodeError as exc:
        return _invalid(str(exc))
    if not await _store(request).set_agreement(access[0].id, body.text):
        return http_error(409, HttpErrorCode.STARTED, "the session has started")
    return _json({"text": body.text})


async def accept_agreement(request: Request) -> Response:
    """The member accepts the agreement (before their first hello); stored with the
    time and the text, with the attendance record."""
    access = await _session(request)
    if access is None:
        return not_found()
    try:
        body = msgspec.json.decode(await request.body(), type=AcceptBody)
    except msgspec.DecodeError as exc:
        return _invalid(str(exc))
    session_id = access[0].id
    store = _store(request)
    loaded = await store.load(session_id)
    if loaded is None or loaded[0].agreement is None:
        return http_error(409, HttpErrorCode.NO_AGREEMENT, "this session has no agreement")
    pid = participant_id(session_id, client_key(session_id, body.client_id))
    await store.accept_agreement(session_id, pid, loaded[0].agreement, now_ms())
    return Response(status_code=204)


async def default_agreement(request: Request) -> Response:
    language = request.path_params["language"]
    if language not in AGREEMENT:
        return http_error(404, HttpErrorCode.NOT_FOUND, "nl or en")
    return _json({"text": AGREEMENT[language]})


def routes() -> list[Route]:
    return [
        Route("/api/attendance/verify/{code}", verify),
        Route("/api/attendance/{session_id}", view),
        Route("/api/attendance/{session_id}/confirm", confirm, methods=["POST"]),
        Route("/api/attendance/{session_id}/approve", approve, methods=["POST"]),
        Route("/api/attendance/{session_id}/me", forget, methods=["DELETE"]),
        Route("/api/attendance/{session_id}/{fmt}", export),
        Route("/api/agreement/{language}", default_agreement),
        Route("/api/sessions/{session_id}/agreement", get_agreement),
        Route("/api/sessions/{session_id}/agreement", put_agreement, methods=["PUT"]),
        Route("/api/sessions/{session_id}/agreement/accept", accept_agreement, methods=["POST"]),
    ]
