"""HTTP for a session's result: ``GET /api/sessions/{id}/export/{fmt}`` and
``DELETE /api/sessions/{id}``.

Both take the link token as ``Authorization: Bearer <token>`` (never in the URL).
An unknown session and a wrong token get the same 404 ``{"error": "not_found"}``.
Exports are read from the final snapshot in the store, never from a live room.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server import audit
from server.core.state import BoardState, decode_state
from server.exports import catalog
from server.exports.document import build_document
from server.exports.html import render_page
from server.exports.markdown import render_markdown
from server.exports.pdf import render_pdf
from server.exports.report import build_report
from server.exports.table import render_csv
from server.retention import delete_session
from server.store.base import SessionMeta, Store
from server.tokens import token_hash, token_matches
from shared_schema.export_doc import ExportDocument


@dataclass(frozen=True)
class Format:
    extension: str
    media_type: str
    render: Callable[[ExportDocument], bytes]


def _json(doc: ExportDocument) -> bytes:
    return msgspec.json.format(msgspec.json.encode(doc), indent=2)


FORMATS: dict[str, Format] = {
    "md": Format("md", "text/markdown; charset=utf-8",
                 lambda doc: render_markdown(build_report(doc)).encode()),
    "html": Format("html", "text/html; charset=utf-8",
                   lambda doc: render_page(build_report(doc)).encode()),
    "pdf": Format("pdf", "application/pdf", lambda doc: render_pdf(build_report(doc))),
    "csv": Format("csv", "text/csv; charset=utf-8", lambda doc: render_csv(doc).encode()),
    "json": Format("json", "application/json", _json),
}  # fmt: skip

RENDERS_AT_ONCE = 1
"""Exports rendered at the same time (each in a worker thread)."""

_BEARER = re.compile(r"^Bearer ([A-Za-z0-9_-]{1,128})$")


def _error(status: int, code: str) -> JSONResponse:
    return JSONResponse({"error": code}, status_code=status)


async def _authorize(request: Request) -> tuple[SessionMeta, str] | None:
    """The session and the kind of link the bearer token is, or None (404)."""
    store: Store = request.app.state.store
    session_id = request.path_params["session_id"]
    match = _BEARER.match(request.headers.get("authorization", ""))
    if match is None or not re.fullmatch(r"[a-f0-9]{32}", session_id):
        return None
    meta = await store.get_session(session_id)
    if meta is None:
        return None
    token = match.group(1)
    if token_matches(token, meta.facilitator_hash):
        return meta, "facilitator"
    if token_matches(token, meta.invite_hash):
        return meta, "participant"
    role = meta.member_roles.get(token_hash(token))
    if role is not None:  # a group member of the meeting
        return meta, "facilitator" if role == "facilitator" else "participant"
    return None


async def _final_state(store: Store, session_id: str) -> BoardState | None:
    snapshot = await store.load_snapshot(session_id)
    return None if snapshot is None else decode_state(snapshot[1])


async def _render(request: Request, fmt: Format, doc: ExportDocument) -> bytes:
    """Render in a worker thread, one at a time: a long PDF takes seconds of CPU and
    must not stall the websockets on the event loop."""
    gate: asyncio.Semaphore = request.app.state.export_gate
    async with gate:
        return await asyncio.to_thread(fmt.render, doc)


async def export(request: Request) -> Response:
    fmt = FORMATS.get(request.path_params["fmt"])
    access = await _authorize(request)
    if access is None:
        return _error(404, "not_found")
    if fmt is None:
        return _error(404, "unknown_format")
    meta, via = access
    state = await _final_state(request.app.state.store, meta.id)
    if state is None:
        return _error(404, "not_found")
    if not state.closed or meta.closed_ms is None:
        return _error(409, "not_closed")
    if via == "participant" and not state.participant_export:
        return _error(403, "export_disabled")
    doc = build_document(state, meta.created_ms, meta.closed_ms)
    body = await _render(request, fmt, doc)
    audit.record(audit.AuditAction.EXPORT, meta.id, via, fmt.extension)
    name = f"{catalog.text(state.language, 'filename')}-{doc.session.closed}.{fmt.extension}"
    return Response(
        body,
        media_type=fmt.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


async def delete(request: Request) -> Response:
    access = await _authorize(request)
    if access is None or access[1] != "facilitator":
        return _error(404, "not_found")
    await delete_session(request.app.state.store, request.app.state.hub, access[0].id,
                         "facilitator")
    return Response(status_code=204)
