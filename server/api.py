"""HTTP endpoints: health, sessions, methods, invite rotation.

Errors are JSON ``{code, reason}`` (``server.http_errors``); the endpoints of one
session that take a bearer token answer an unknown session, a wrong and a missing token
alike: 404 with code ``not_found``.

``POST /api/sessions`` may start a follow-up session from a JSON export
(``from_export``), carrying the items of the sections listed in ``carry``; title,
method and language then default to the export's.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Literal

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from server.attendance.catalog import AGREEMENT
from server.attendance.record import SessionFacts
from server.audit import AuditAction, record
from server.core.facilitation import public_method
from server.core.state import encode_state, new_state
from server.exports.followup import CarryError, carry_items
from server.http_access import facilitator_session
from server.http_errors import http_error, not_found
from server.methods import http as methods_http
from server.store.base import SessionMeta
from server.tokens import (
    RETIRED_KEPT,
    new_id,
    new_token,
    token_hash,
)
from shared_schema.board import SectionId
from shared_schema.codes import HttpErrorCode
from shared_schema.export_doc import ExportDocument
from shared_schema.method import Method

MAX_BODY = 8 * 1024 * 1024
"""Large enough for a follow-up request that carries a whole JSON export."""

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
AgreementText = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class CreateSession(msgspec.Struct, forbid_unknown_fields=True):
    title: Title | None = None
    method: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    saved_method: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    language: Literal["nl", "en"] | None = None
    from_export: ExportDocument | None = None
    carry: Annotated[list[SectionId], msgspec.Meta(max_length=50)] = []
    agreement: bool | AgreementText = False
    """The confidentiality agreement members accept at the door: true for the default
    text in the session's language, a text of one's own, or false for none."""


class SessionCreated(msgspec.Struct):
    session_id: str
    facilitator_link: str
    invite_link: str


_create_decoder = msgspec.json.Decoder(CreateSession)
_encoder = msgspec.json.Encoder()


def _json(payload: object, status: int = 200) -> Response:
    return Response(_encoder.encode(payload), status_code=status, media_type="application/json")




async def healthz(request: Request) -> Response:
    hub = request.app.state.hub
    connections = sum(len(room.members()) for room in hub.rooms.values())
    return _json({"status": "ok", "rooms": len(hub.rooms), "connections": connections,
                  "ops_applied": hub.counters.ops_applied,
                  "rooms_loaded": hub.counters.rooms_loaded,
                  "backplane": hub.backplane.counters(),
                  # the module of the running loop: "uvloop" or "asyncio"
                  "event_loop": type(asyncio.get_running_loop()).__module__.split(".")[0]})


def base_url(request: Request) -> str:
    configured: str = request.app.state.settings.public_url
    return configured.rstrip("/") if configured else str(request.base_url).rstrip("/")


def new_meta(
    session_id: str, title: str, method: str, language: str, facilitator_token: str,
    invite_token: str, member_roles: dict[str, str] | None = None,
) -> SessionMeta:
    """A new session's metadata; the tokens are kept only as hashes."""
    return SessionMeta(
        id=session_id,
        title=title,
        method=method,
        language=language,
        created_ms=int(time.time() * 1000),
        epoch=new_id()[:16],
        facilitator_hash=token_hash(facilitator_token),
        invite_hash=token_hash(invite_token),
        member_roles=member_roles or {},
    )


async def open_session(
    request: Request, title: str, method: Method, language: Literal["nl", "en"],
    member_roles: dict[str, str],
) -> str:
    """Create a session whose members enter with their group keys (a group meeting):
    its facilitator and invite tokens are random and handed to nobody."""
    session_id = new_id()
    meta = new_meta(session_id, title, method.id, language, new_token(), new_token(),
                    member_roles)
    state = new_state(session_id, title, language, method)
    await request.app.state.store.create_session(meta, encode_state(state))
    return session_id


async def create_session(request: Request) -> Response:
    body = await request.body()
    if len(body) > MAX_BODY:
        return http_error(413, HttpErrorCode.TOO_LARGE, "request body too large")
    try:
        spec = _create_decoder.decode(body)
    except msgspec.DecodeError as exc:
        return http_error(400, HttpErrorCode.INVALID_REQUEST, str(exc))
    source = spec.from_export
    if source is None and spec.carry:
        return http_error(400, HttpErrorCode.INVALID_REQUEST, "carry needs from_export")
    title = spec.title or (source.session.title[:120] if source else None)
    method_id = spec.method or (source.session.method if source else None)
    language = spec.language or (source.session.language if source else "nl")
    if title is None or (method_id is None and spec.saved_method is None):
        return http_error(400, HttpErrorCode.INVALID_REQUEST, "title and method are required")
    method: Method | None
    if spec.saved_method is not None:
        # the session keeps this version in its board: later edits never reach it
        method = await methods_http.saved_for_session(request, spec.saved_method)
    else:
        methods: dict[str, Method] = request.app.state.methods
        method = methods.get(method_id or "")
    if method is None:
        return http_error(
            400, HttpErrorCode.UNKNOWN_METHOD, f"no method {method_id!r}; see /api/methods"
        )
    session_id, facilitator_token, invite_token = new_id(), new_token(), new_token()
    meta = new_meta(session_id, title, method.id, language, facilitator_token, invite_token)
    state = new_state(session_id, title, language, method)
    if source is not None:
        try:
            carry_items(state, source, spec.carry)
        except CarryError as exc:
            return http_error(400, HttpErrorCode.INVALID_CARRY, str(exc))
    await request.app.state.store.create_session(meta, encode_state(state))
    agreement = spec.agreement if isinstance(spec.agreement, str) else (
        AGREEMENT[language] if spec.agreement else None)
    await request.app.state.attendance.create_session(SessionFacts(
        session_id=session_id, method=method.id,
        method_name=method.name.nl if language == "nl" else method.name.en,
        language=language, created_ms=meta.created_ms, agreement=agreement))
    base = f"{base_url(request)}/s/{session_id}"
    created = SessionCreated(
        session_id=session_id,
        facilitator_link=f"{base}#k={facilitator_token}",
        invite_link=f"{base}#k={invite_token}",
    )
    return _json(created, status=201)


async def list_methods(request: Request) -> Response:
    methods: dict[str, Method] = request.app.state.methods
    return _json(
        [
            {
                "id": m.id,
                "name": m.name,
                "summary": m.summary,
                "steps": len(m.steps),
                "minutes": sum(step.minutes for step in m.steps),
            }
            for m in methods.values()
        ]
    )


async def get_method(request: Request) -> Response:
    method = request.app.state.methods.get(request.path_params["method_id"])
    if method is None:
        return http_error(404, HttpErrorCode.UNKNOWN_METHOD, "no such method")
    return _json(public_method(method))


class InviteRotated(msgspec.Struct):
    invite_link: str


async def rotate_invite(request: Request) -> Response:
    """A new invite link; the old one admits no new members (known members may
    still come back with it)."""
    meta = await facilitator_session(request)
    if meta is None:
        return not_found()
    token = new_token()
    meta.retired_invite_hashes = [*meta.retired_invite_hashes, meta.invite_hash][-RETIRED_KEPT:]
    meta.invite_hash = token_hash(token)
    await request.app.state.store.update_session(meta)
    record(AuditAction.ROTATE_INVITE, meta.id, "facilitator_link")
    link = f"{base_url(request)}/s/{meta.id}#k={token}"
    return _json(InviteRotated(invite_link=link))
