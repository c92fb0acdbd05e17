"""HTTP for a session's result: ``GET /api/sessions/{id}/export/{fmt}`` and
``DELETE /api/sessions/{id}``.

Both take the link token as ``Authorization: Bearer <token>`` (never in the URL).
An unknown session and a wrong token get the same 404 (code ``not_found``).
Exports are read from the final snapshot in the store, never from a live room.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from server import audit
from server.core.state import BoardState, decode_state
from server.exports import catalog
from server.exports.document import build_document
from server.exports.html import render_page
from server.exports.markdown import render_markdown
from server.exports.pdf import render_pdf
from server.exports.report import build_report
from server.exports.table import render_csv
from server.http_access import session_link
from server.http_errors import http_error, not_found
from server.links import LinkKind, exports_when_off
from server.retention import delete_session
from server.store.base import Store
from shared_schema.codes import HttpErrorCode
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
    access = await session_link(request)
    if access is None:
        return not_found()
    if fmt is None:
        return http_error(404, HttpErrorCode.UNKNOWN_FORMAT, "no such export format")
    meta, via = access
    state = await _final_state(request.app.state.store, meta.id)
    if state is None:
        return not_found()
    if not state.closed or meta.closed_ms is None:
        return http_error(409, HttpErrorCode.NOT_CLOSED, "the session is not closed yet")
    if not exports_when_off(via) and not state.participant_export:
        return http_error(403, HttpErrorCode.EXPORT_DISABLED,
                          "the facilitator switched participant export off")
    doc = build_document(state, meta.created_ms, meta.closed_ms)
    body = await _render(request, fmt, doc)
    audit.record(audit.AuditAction.EXPORT, meta.id, via, fmt.extension)
    fallback = catalog.text(state.language, "filename")
    return Response(
        body,
        media_type=fmt.media_type,
        headers={
            "Content-Disposition": disposition(doc.session.title, fallback,
                                               doc.session.closed, fmt.extension),
            "Cache-Control": "no-store",
        },
    )


def disposition(title: str, fallback: str, closed: str, extension: str) -> str:
    """An attachment named after the session: "Intervisie team Noord 2027-01-16.pdf"
    (``filename*``, RFC 6266/5987, for browsers that read UTF-8), with a plain ASCII
    form in ``filename`` for the rest; the link kind's word when the title has no
    usable character. A title that ends with that date already (a group meeting's
    board is named after its day) does not get it twice."""
    cleaned = " ".join("".join(c if c.isalnum() or c in " -_.,()" else " " for c in title).split())
    cleaned = cleaned.strip(" .")[:80] or fallback
    cleaned = cleaned.removesuffix(closed).rstrip(" -_.,") or fallback
    ascii_name = unicodedata.normalize("NFKD", cleaned).encode("ascii", "ignore").decode()
    ascii_name = "-".join(ascii_name.replace(",", " ").split()) or fallback
    full = f"{cleaned} {closed}.{extension}"
    return (f'attachment; filename="{ascii_name}-{closed}.{extension}"; '
            f"filename*=UTF-8''{quote(full, safe='')}")


async def delete(request: Request) -> Response:
    """The content goes; the attendance record stays unless ``?attendance=delete``
    (the board asks the facilitator which)."""
    access = await session_link(request)
    if access is None or access[1] is not LinkKind.FACILITATOR:
        return not_found()
    attendance = request.query_params.get("attendance", "keep")
    if attendance not in ("keep", "delete"):
        return http_error(400, HttpErrorCode.INVALID_REQUEST, "attendance: keep or delete")
    await delete_session(request.app.state.store, request.app.state.hub, access[0].id,
                         "facilitator")
    if attendance == "delete":
        await request.app.state.attendance.delete_session(access[0].id)
        audit.record(audit.AuditAction.DELETE, access[0].id, "facilitator", "attendance")
    return Response(status_code=204)
