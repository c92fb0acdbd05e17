"""HTTP endpoints of the method editor: check, preview, export, and saved methods.

Every check is ``server.methods.loader.check_method``, the validator the server uses
for its own files; an invalid method is answered 422 ``{code: "invalid_method",
problems: [{path, code, message}]}`` with the messages in the request's language,
and nothing is stored.

A browser owns its methods through a secret key it keeps in localStorage and sends as
``X-Method-Key``; the store keeps only its SHA-256. A saved method is read, changed,
deleted or published only with its owner's key; a published one is listed and used by
everyone. Publishing needs the operator setting ``--publish-methods``. Nothing of
another browser's unpublished method reaches an answer: an unknown id and someone
else's id get the same 404.
"""

from __future__ import annotations

import contextlib
import re
import time
from typing import Annotated, Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from server.http_errors import http_error
from server.methods.loader import MethodError, check_method, frame, read_toml, wrap_in_frame
from server.methods.messages import describe
from server.methods.preview import ROLES, member_id, preview
from server.methods.toml_out import method_to_toml
from server.store.methods import MethodStore, SavedMethod
from server.tokens import new_id, token_hash
from shared_schema.board import Language
from shared_schema.codes import HttpErrorCode
from shared_schema.method import Method

MAX_BODY = 512 * 1024
KEY_HEADER = "x-method-key"
_KEY = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
_encoder = msgspec.json.Encoder()
STALE = "the method was changed elsewhere; reload it"


class MethodBody(msgspec.Struct, forbid_unknown_fields=True):
    """A method as the editor sends it: parsed data, or the text of a TOML file."""

    method: dict[str, Any] | None = None
    toml: Annotated[str, msgspec.Meta(max_length=MAX_BODY)] | None = None
    language: Language = "nl"
    version: int | None = None
    step: Annotated[int, msgspec.Meta(ge=0, le=200)] = 0


class PublishBody(msgspec.Struct, forbid_unknown_fields=True):
    published: bool


def _json(payload: object, status: int = 200) -> Response:
    return Response(_encoder.encode(payload), status_code=status, media_type="application/json")


def _invalid(error: MethodError, language: Language, body: MethodBody | None = None) -> Response:
    """422 with the problems; for an imported file that is valid TOML, also its data
    as read, so the editor can load it and show each problem at its field."""
    problems = [
        {"path": p.path, "code": p.code, "message": describe(p, language)} for p in error.problems
    ]
    answer: dict[str, object] = {"code": HttpErrorCode.INVALID_METHOD.value, "problems": problems}
    if body is not None and body.toml is not None:
        with contextlib.suppress(MethodError):
            answer["data"] = read_toml(body.toml, "import")
    return _json(answer, status=422)


async def _body(request: Request, kind: type[Any]) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise _Refused(http_error(413, HttpErrorCode.TOO_LARGE, "request body too large"))
    try:
        return msgspec.json.decode(raw, type=kind)
    except msgspec.DecodeError as exc:
        raise _Refused(http_error(400, HttpErrorCode.INVALID_REQUEST, str(exc))) from exc


class _Refused(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _method_of(body: MethodBody) -> Method:
    """The checked, unframed method of a request; raises MethodError."""
    if body.toml is not None:
        return check_method(read_toml(body.toml, "import"), "import")
    return check_method(body.method if body.method is not None else {}, "editor")


def _owner(request: Request) -> str | None:
    """The hash of the browser's key, or None without a well-formed key."""
    key = request.headers.get(KEY_HEADER, "")
    return token_hash(key) if _KEY.match(key) else None


def _store(request: Request) -> MethodStore:
    store: MethodStore = request.app.state.method_store
    return store


def _summary(method: Method, **extra: object) -> dict[str, object]:
    return {
        "id": method.id,
        "name": method.name,
        "summary": method.summary,
        "steps": len(method.steps),
        "minutes": sum(step.minutes for step in method.steps),
        **extra,
    }


def _decoded(record: SavedMethod) -> Method:
    return check_method(read_toml(record.toml, record.id), record.id)


def _toml_response(method: Method) -> Response:
    return Response(
        method_to_toml(method),
        media_type="application/toml; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{method.id}.toml"'},
    )


async def check(request: Request) -> Response:
    """Validate a method; answer it as the loader decoded it (defaults filled in)."""
    try:
        body = await _body(request, MethodBody)
        return _json({"method": _method_of(body)})
    except _Refused as refused:
        return refused.response
    except MethodError as exc:
        return _invalid(exc, body.language, body)


async def _checked(request: Request) -> tuple[MethodBody, Method] | Response:
    """The request's method, checked by the loader; or the answer that refuses it (a
    body that does not decode, or the loader's problems in the body's language)."""
    try:
        body = await _body(request, MethodBody)
        return body, _method_of(body)
    except _Refused as refused:
        return refused.response
    except MethodError as exc:
        return _invalid(exc, body.language)


async def preview_step(request: Request) -> Response:
    """The method's own step ``step`` as each role sees it in a fresh session."""
    checked = await _checked(request)
    if isinstance(checked, Response):
        return checked
    body, method = checked
    if body.step >= len(method.steps):
        return http_error(400, HttpErrorCode.INVALID_REQUEST, "no such step")
    played = wrap_in_frame(method)
    offset = len(frame().before) if method.with_frame else 0
    boards = preview(played, offset + body.step, body.language)
    return _json({
        "method": played,
        "step": offset + body.step,
        "views": {role: {"participant_id": member_id(role), "board": boards[role]}
                  for role in ROLES},
    })


async def export_edited(request: Request) -> Response:
    checked = await _checked(request)
    return checked if isinstance(checked, Response) else _toml_response(checked[1])


async def export_installed(request: Request) -> Response:
    """A bundled or ``--methods-dir`` method as a method file."""
    methods: dict[str, Method] = request.app.state.plain_methods
    method = methods.get(request.path_params["method_id"])
    if method is None:
        return http_error(404, HttpErrorCode.UNKNOWN_METHOD, "no such method")
    return _toml_response(method)


async def list_saved(request: Request) -> Response:
    owner = _owner(request)
    store = _store(request)
    mine = await store.owned_by("browser", owner) if owner else []
    shared = [m for m in await store.published() if m.owner != owner]
    return _json({
        "may_publish": request.app.state.settings.publish_methods,
        "mine": [_summary(wrap_in_frame(_decoded(m)), saved_id=m.id, version=m.version,
                          published=m.published, mine=True) for m in mine],
        "published": [_summary(wrap_in_frame(_decoded(m)), saved_id=m.id, version=m.version,
                               published=True, mine=False) for m in shared],
    })


async def _visible(request: Request, *, own: bool) -> SavedMethod | None:
    """The saved method in the path if the caller owns it (or, unless ``own``, if it
    is published)."""
    record = await _store(request).get(request.path_params["saved_id"])
    if record is None:
        return None
    if record.owner_kind == "browser" and record.owner == _owner(request):
        return record
    return record if record.published and not own else None


_NOT_FOUND = {"code": HttpErrorCode.NOT_FOUND.value, "reason": "no such method"}


async def get_saved(request: Request) -> Response:
    record = await _visible(request, own=False)
    if record is None:
        return _json(_NOT_FOUND, 404)
    return _json({
        "saved_id": record.id, "version": record.version, "published": record.published,
        "mine": record.owner == _owner(request), "method": _decoded(record),
    })


async def export_saved(request: Request) -> Response:
    record = await _visible(request, own=False)
    if record is None:
        return _json(_NOT_FOUND, 404)
    return _toml_response(_decoded(record))


async def create_saved(request: Request) -> Response:
    owner = _owner(request)
    if owner is None:
        return http_error(400, HttpErrorCode.METHOD_KEY_REQUIRED,
                          f"send a key of 32-128 characters in {KEY_HEADER}")
    checked = await _checked(request)
    if isinstance(checked, Response):
        return checked
    method = checked[1]
    now = int(time.time() * 1000)
    record = SavedMethod(id=new_id(), owner_kind="browser", owner=owner,
                         toml=method_to_toml(method), created_ms=now, updated_ms=now)
    await _store(request).create(record)
    return _json({"saved_id": record.id, "version": record.version}, 201)


async def update_saved(request: Request) -> Response:
    record = await _visible(request, own=True)
    if record is None:
        return _json(_NOT_FOUND, 404)
    checked = await _checked(request)
    if isinstance(checked, Response):
        return checked
    body, method = checked
    if body.version != record.version:
        return http_error(409, HttpErrorCode.STALE_VERSION, STALE)
    updated = msgspec.structs.replace(record, toml=method_to_toml(method),
                                      version=record.version + 1,
                                      updated_ms=int(time.time() * 1000))
    if not await _store(request).replace(updated, expected_version=record.version):
        return http_error(409, HttpErrorCode.STALE_VERSION, STALE)
    return _json({"saved_id": updated.id, "version": updated.version})


async def publish_saved(request: Request) -> Response:
    record = await _visible(request, own=True)
    if record is None:
        return _json(_NOT_FOUND, 404)
    try:
        body = await _body(request, PublishBody)
    except _Refused as refused:
        return refused.response
    if body.published and not request.app.state.settings.publish_methods:
        return http_error(403, HttpErrorCode.PUBLISHING_DISABLED,
                          "this installation does not let members publish")
    updated = msgspec.structs.replace(record, published=body.published, version=record.version + 1)
    if not await _store(request).replace(updated, expected_version=record.version):
        return http_error(409, HttpErrorCode.STALE_VERSION, STALE)
    return _json({"saved_id": updated.id, "version": updated.version,
                  "published": updated.published})


async def delete_saved(request: Request) -> Response:
    record = await _visible(request, own=True)
    if record is None:
        return _json(_NOT_FOUND, 404)
    await _store(request).delete(record.id)
    return Response(status_code=204)


async def saved_for_session(request: Request, saved_id: str) -> Method | None:
    """A saved method the caller may start a session with, framed as it is played."""
    record = await _store(request).get(saved_id)
    if record is None:
        return None
    if not record.published and record.owner != _owner(request):
        return None
    return wrap_in_frame(_decoded(record))

