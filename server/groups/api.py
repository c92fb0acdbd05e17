"""HTTP for groups: ``/api/groups/...``.

A member is identified by their member key (``Authorization: Bearer <key>``), kept
in their browser; the store holds only its hash. An unknown group, a wrong key and a
removed member all get the same 404 with code ``not_found``. Every record has a
version: a write names the version it read, and a stale write gets 409
``{"code": "stale_version", "version": <in force>, "current": <the record>}`` and changes
nothing. Private learning questions are never in another member's answer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server import audit
from server.api import base_url, open_session
from server.attendance.catalog import text as attendance_text
from server.core.state import decode_state, member_tag
from server.exports.document import build_document
from server.groups import rules
from server.groups.calendar import calendar_file
from server.groups.model import (
    GROUP,
    OUTCOME,
    PLAN,
    QUESTIONS,
    FollowUp,
    GroupDoc,
    LocalTime,
    Meeting,
    Member,
    MethodId,
    Minutes,
    Name,
    Outcome,
    Plan,
    Question,
    Questions,
    Text,
    Weeks,
)
from server.groups.overview import year_overview_pdf
from server.groups.rules import RuleError
from server.groups.store import Conflict, Gone, GroupStore
from server.http_access import bearer_token
from server.http_errors import http_error
from server.retention import delete_session
from server.tokens import is_session_id, new_id, new_token, token_hash
from shared_schema.codes import HttpErrorCode as Code
from shared_schema.method import Method

log = logging.getLogger("intervisiebord.groups")

MAX_BODY = 64 * 1024
MAX_MEMBERS = 30
MAX_QUESTIONS = 30
GroupName = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
Note = Annotated[str, msgspec.Meta(max_length=300)]
DateText = Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}-\d{2}$")]

T = TypeVar("T")
_msgpack = msgspec.msgpack.Encoder()
_json = msgspec.json.Encoder()
_DECODERS: dict[type, msgspec.msgpack.Decoder[Any]] = {
    t: msgspec.msgpack.Decoder(t) for t in (GroupDoc, Plan, Outcome, Questions)
}


# -- request bodies ------------------------------------------------------------------------


class CreateGroup(msgspec.Struct, forbid_unknown_fields=True):
    name: GroupName
    your_name: Name
    language: Literal["nl", "en"] = "nl"
    method: MethodId = "tienstappen"
    cadence_weeks: Weeks = 6
    minutes: Minutes = 120


class JoinGroup(msgspec.Struct, forbid_unknown_fields=True):
    invite: Annotated[str, msgspec.Meta(max_length=64)]
    name: Name


class MemberRef(msgspec.Struct, forbid_unknown_fields=True):
    member_id: Annotated[str, msgspec.Meta(max_length=32)]


class Settings(msgspec.Struct, forbid_unknown_fields=True):
    """A change of the group's settings, against the group's ``version``."""

    version: int
    name: GroupName | msgspec.UnsetType = msgspec.UNSET
    language: Literal["nl", "en"] | msgspec.UnsetType = msgspec.UNSET
    method: MethodId | msgspec.UnsetType = msgspec.UNSET
    cadence_weeks: Weeks | msgspec.UnsetType = msgspec.UNSET
    minutes: Minutes | msgspec.UnsetType = msgspec.UNSET


class AddSeries(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    start: LocalTime
    count: Annotated[int, msgspec.Meta(ge=1, le=rules.MAX_SERIES)] = 8
    weeks: Weeks | None = None
    skip: Annotated[list[DateText], msgspec.Meta(max_length=40)] = []


class AddMeeting(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    starts: LocalTime
    minutes: Minutes | None = None
    method: MethodId | None = None


class EditMeeting(msgspec.Struct, forbid_unknown_fields=True):
    """Fields left out stay; ``facilitator``/``presenter`` set to a member fix the
    choice (an override of the rota), set to null give it back to the rota."""

    version: int
    starts: LocalTime | msgspec.UnsetType = msgspec.UNSET
    minutes: Minutes | msgspec.UnsetType = msgspec.UNSET
    method: MethodId | msgspec.UnsetType = msgspec.UNSET
    facilitator: str | msgspec.UnsetType | None = msgspec.UNSET
    presenter: str | msgspec.UnsetType | None = msgspec.UNSET


class FollowUpNote(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    status: FollowUp
    note: Note = ""


class NewQuestion(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    text: Text
    shared: bool = False


class EditQuestion(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    text: Text | msgspec.UnsetType = msgspec.UNSET
    shared: bool | msgspec.UnsetType = msgspec.UNSET
    evaluation: Annotated[str, msgspec.Meta(max_length=2000)] | msgspec.UnsetType = (
        msgspec.UNSET
    )


# -- plumbing -------------------------------------------------------------------------------


class NotFound(Exception):
    pass


def _answer(payload: object, status: int = 200) -> Response:
    return Response(_json.encode(payload), status_code=status, media_type="application/json",
                    headers={"Cache-Control": "no-store"})


def _decode(request_body: bytes, kind: type[T]) -> T:
    if len(request_body) > MAX_BODY:
        raise RuleError(413, Code.TOO_LARGE, "request body too large")
    try:
        return msgspec.json.decode(request_body, type=kind)
    except msgspec.DecodeError as exc:
        raise RuleError(400, Code.INVALID_REQUEST, str(exc)) from exc


def _store(request: Request) -> GroupStore:
    store: GroupStore = request.app.state.groups
    return store


async def _load(store: GroupStore, gid: str, kind: str, key: str, typ: type[T]
                ) -> tuple[int, T] | None:
    found = await store.get(gid, kind, key)
    if found is None:
        return None
    decoder: msgspec.msgpack.Decoder[T] = _DECODERS[typ]
    return found[0], decoder.decode(found[1])


async def _put(store: GroupStore, gid: str, kind: str, key: str, value: object,
               version: int) -> int:
    try:
        return await store.put(gid, kind, key, _msgpack.encode(value), version)
    except Gone as exc:
        raise NotFound from exc


Handler = Callable[[Request], Awaitable[Response]]


def endpoint(fn: Handler) -> Handler:
    """Typed errors as JSON: rule errors with their status, unknown/forbidden as 404,
    stale writes as 409 with the record in force."""

    async def wrapped(request: Request) -> Response:
        try:
            return await fn(request)
        except NotFound:
            return http_error(404, Code.NOT_FOUND, "unknown group or wrong key")
        except RuleError as exc:
            return http_error(exc.status, exc.code, exc.reason)
        except StaleWrite as exc:
            return _answer({"code": Code.STALE_VERSION,
                            "reason": "changed meanwhile; reload and retry",
                            "version": exc.version, "current": exc.current}, status=409)

    return wrapped


class StaleWrite(Exception):
    def __init__(self, version: int, current: object) -> None:
        super().__init__("stale write")
        self.version = version
        self.current = current


class Access:
    """The member the bearer key names, with their group as read."""

    def __init__(self, gid: str, version: int, group: GroupDoc, member: Member) -> None:
        self.gid = gid
        self.version = version
        self.group = group
        self.member = member


async def member_access(request: Request) -> Access:
    gid = request.path_params["group_id"]
    key = bearer_token(request)
    loaded = await _load(_store(request), gid, GROUP, "", GroupDoc) if is_session_id(gid) else None
    digest = token_hash(key)
    found: Member | None = None
    for member in loaded[1].members if loaded else []:
        if hmac.compare_digest(member.key_hash, digest) and key and not member.removed:
            found = member
    if loaded is None or found is None:
        raise NotFound
    return Access(gid, loaded[0], loaded[1], found)


def _methods(request: Request) -> dict[str, Method]:
    methods: dict[str, Method] = request.app.state.methods
    return methods


def _page(request: Request, gid: str) -> str:
    return f"{base_url(request)}/g/{gid}"


def _new_member(name: str, manager: bool) -> tuple[Member, str]:
    key = new_token()
    member = Member(id=secrets.token_hex(6), name=name, key_hash=token_hash(key),
                    joined_ms=_now_ms(), manager=manager)
    return member, key


def _now_ms() -> int:
    return int(dt.datetime.now(dt.UTC).timestamp() * 1000)


# -- views --------------------------------------------------------------------------------


def _plan_view(version: int, plan: Plan) -> dict[str, Any]:
    return {"version": version, "meetings": [
        {**msgspec.structs.asdict(m),
         "status": "closed" if m.closed else "open" if m.session_id else "planned"}
        for m in plan.meetings
    ]}


def _group_view(group: GroupDoc, version: int) -> dict[str, Any]:
    return {
        "id": group.id, "version": version, "name": group.name, "language": group.language,
        "method": group.method, "cadence_weeks": group.cadence_weeks, "minutes": group.minutes,
        "members": [{"id": m.id, "name": m.name, "manager": m.manager} for m in group.active()],
    }


def _questions_view(records: dict[str, tuple[int, Questions]], viewer: str) -> dict[str, Any]:
    seen = rules.visible_questions({k: v[1] for k, v in records.items()}, viewer)
    return {
        "version": records[viewer][0] if viewer in records else 0,
        "by_member": {owner: [msgspec.structs.asdict(q) for q in items]
                      for owner, items in seen.items()},
    }


async def _plan(store: GroupStore, gid: str) -> tuple[int, Plan]:
    return await _load(store, gid, PLAN, "", Plan) or (0, Plan())


async def _questions(store: GroupStore, gid: str) -> dict[str, tuple[int, Questions]]:
    decoder = _DECODERS[Questions]
    return {key: (version, decoder.decode(data))
            for key, (version, data) in (await store.list(gid, QUESTIONS)).items()}


async def _outcomes(store: GroupStore, gid: str) -> dict[str, dict[str, Any]]:
    decoder = _DECODERS[Outcome]
    return {key: {"version": version, **msgspec.structs.asdict(decoder.decode(data))}
            for key, (version, data) in (await store.list(gid, OUTCOME)).items()}


async def _settle_closed(request: Request, gid: str, group: GroupDoc) -> None:
    """Meetings whose session has closed since: keep what they left (``Outcome``) and
    mark them closed in the plan. Idempotent; safe on several hubs at once."""
    store = _store(request)
    sessions = request.app.state.store
    for _ in range(5):
        version, plan = await _plan(store, gid)
        changed = False
        for meeting in plan.meetings:
            if meeting.closed or meeting.session_id is None:
                continue
            meta = await sessions.get_session(meeting.session_id)
            if meta is None:  # deleted (retention, or by its facilitator): it is over
                meeting.closed = True
                changed = True
                continue
            if meta.closed_ms is None:
                continue
            snapshot = await sessions.load_snapshot(meeting.session_id)
            if snapshot is not None:
                doc = build_document(decode_state(snapshot[1]), meta.created_ms, meta.closed_ms)
                owner = meeting.presenter if group.member(meeting.presenter or "") else None
                with contextlib.suppress(Conflict):  # another request kept it first
                    await _put(store, gid, OUTCOME, meeting.id, rules.outcome_of(doc, owner), 0)
            meeting.closed = True
            changed = True
        if not changed:
            return
        try:
            await _put(store, gid, PLAN, "", plan, version)
            return
        except Conflict:
            continue


async def _full_view(request: Request, access: Access) -> dict[str, Any]:
    store = _store(request)
    await _settle_closed(request, access.gid, access.group)
    version, plan = await _plan(store, access.gid)
    return {
        "group": _group_view(access.group, access.version),
        "me": {"id": access.member.id, "name": access.member.name,
               "manager": access.member.manager},
        "plan": _plan_view(version, plan),
        "outcomes": await _outcomes(store, access.gid),
        "questions": _questions_view(await _questions(store, access.gid), access.member.id),
        "page": _page(request, access.gid),
    }


# -- group and members -----------------------------------------------------------------------


@endpoint
async def create_group(request: Request) -> Response:
    spec = _decode(await request.body(), CreateGroup)
    if spec.method not in _methods(request):
        raise RuleError(400, Code.UNKNOWN_METHOD, f"no method {spec.method!r}; see /api/methods")
    gid, invite = new_id(), new_token()
    creator, key = _new_member(spec.your_name, manager=True)
    group = GroupDoc(id=gid, name=spec.name, language=spec.language, method=spec.method,
                     cadence_weeks=spec.cadence_weeks, minutes=spec.minutes,
                     created_ms=_now_ms(), invite_hash=token_hash(invite), members=[creator])
    store = _store(request)
    await _put(store, gid, GROUP, "", group, 0)
    await _put(store, gid, PLAN, "", Plan(), 0)
    log.info("group created group=%s", gid[:8])
    page = _page(request, gid)
    return _answer({"group_id": gid, "member_id": creator.id, "member_key": key,
                    "member_link": f"{page}#m={key}", "invite_link": f"{page}#i={invite}"},
                   status=201)


async def _update_group(request: Request, access: Access,
                        change: Callable[[GroupDoc], None]) -> GroupDoc:
    """Apply ``change`` to the group as read; retried on a concurrent write (these
    changes are merges of one member's intent, not edits of what the caller saw)."""
    store = _store(request)
    version, group = access.version, access.group
    for _ in range(5):
        change(group)
        try:
            await _put(store, access.gid, GROUP, "", group, version)
            return group
        except Conflict:
            loaded = await _load(store, access.gid, GROUP, "", GroupDoc)
            if loaded is None:
                raise NotFound from None
            version, group = loaded
    raise RuleError(503, Code.BUSY, "too many changes at once; retry")


@endpoint
async def join_group(request: Request) -> Response:
    gid = request.path_params["group_id"]
    spec = _decode(await request.body(), JoinGroup)
    store = _store(request)
    loaded = await _load(store, gid, GROUP, "", GroupDoc) if is_session_id(gid) else None
    if loaded is None or not hmac.compare_digest(loaded[1].invite_hash, token_hash(spec.invite)):
        raise NotFound
    member, key = _new_member(spec.name, manager=False)

    def add(group: GroupDoc) -> None:
        if len(group.active()) >= MAX_MEMBERS:
            raise RuleError(409, Code.GROUP_FULL, f"a group has at most {MAX_MEMBERS} members")
        group.members.append(member)

    await _update_group(request, Access(gid, loaded[0], loaded[1], member), add)
    await _reassign(request, gid)
    page = _page(request, gid)
    return _answer({"group_id": gid, "member_id": member.id, "member_key": key,
                    "member_link": f"{page}#m={key}"}, status=201)


@endpoint
async def get_group(request: Request) -> Response:
    access = await member_access(request)
    return _answer(await _full_view(request, access))


def _require_manager(access: Access) -> None:
    if not rules.may_manage(access.member):
        raise RuleError(403, Code.NOT_MANAGER, "only the group's manager may do this")


@endpoint
async def rotate_invite(request: Request) -> Response:
    access = await member_access(request)
    _require_manager(access)
    invite = new_token()

    def rotate(group: GroupDoc) -> None:
        group.invite_hash = token_hash(invite)

    await _update_group(request, access, rotate)
    return _answer({"invite_link": f"{_page(request, access.gid)}#i={invite}"})


@endpoint
async def remove_member(request: Request) -> Response:
    access = await member_access(request)
    _require_manager(access)
    target = request.path_params["member_id"]
    if target == access.member.id:
        raise RuleError(409, Code.HAND_ON_FIRST, "hand the management right on first")
    removed: list[str] = []

    def remove(group: GroupDoc) -> None:
        member = group.member(target)
        if member is None:
            raise RuleError(404, Code.UNKNOWN_MEMBER, "no such member")
        member.removed = True
        removed.append(member.key_hash)

    await _update_group(request, access, remove)
    # the removed member's key no longer opens any board of the group, and whoever
    # entered a board with it is removed there (their open connections close)
    _, plan = await _plan(_store(request), access.gid)
    sessions = request.app.state.store
    for meeting in plan.meetings:
        meta = await sessions.get_session(meeting.session_id) if meeting.session_id else None
        if meta is not None and removed[0] in meta.member_roles:
            del meta.member_roles[removed[0]]
            await sessions.update_session(meta)
            await request.app.state.hub.expel(meta, member_tag(meta.id, removed[0]))
    await _reassign(request, access.gid)
    return Response(status_code=204)


@endpoint
async def hand_on(request: Request) -> Response:
    access = await member_access(request)
    _require_manager(access)
    spec = _decode(await request.body(), MemberRef)

    def hand(group: GroupDoc) -> None:
        target = group.member(spec.member_id)
        if target is None:
            raise RuleError(404, Code.UNKNOWN_MEMBER, "no such member")
        for member in group.members:
            member.manager = member.id == target.id

    await _update_group(request, access, hand)
    return Response(status_code=204)


@endpoint
async def edit_settings(request: Request) -> Response:
    """Name, language, default method, cadence and meeting length (manager only);
    planned meetings keep what they have (each can be changed in the plan)."""
    access = await member_access(request)
    _require_manager(access)
    spec = _decode(await request.body(), Settings)
    if isinstance(spec.method, str) and spec.method not in _methods(request):
        raise RuleError(400, Code.UNKNOWN_METHOD, "no such method")
    if spec.version != access.version:
        raise StaleWrite(access.version, _group_view(access.group, access.version))
    group = access.group
    for field in ("name", "language", "method", "cadence_weeks", "minutes"):
        value = getattr(spec, field)
        if value is not msgspec.UNSET:
            setattr(group, field, value)
    try:
        version = await _put(_store(request), access.gid, GROUP, "", group, spec.version)
    except Conflict as exc:
        current = _DECODERS[GroupDoc].decode(exc.data)
        raise StaleWrite(exc.version, _group_view(current, exc.version)) from exc
    return _answer(_group_view(group, version))


@endpoint
async def delete_group(request: Request) -> Response:
    """Everything of the group goes: its meetings' sessions (everywhere, members
    disconnected), their attendance records, and every record of the group."""
    access = await member_access(request)
    _require_manager(access)
    _, plan = await _plan(_store(request), access.gid)
    attendance = getattr(request.app.state, "attendance", None)
    for meeting in plan.meetings:
        if meeting.session_id is not None:
            await delete_session(request.app.state.store, request.app.state.hub,
                                 meeting.session_id, "group")
            if attendance is not None:  # the meeting's attendance record goes too
                await attendance.delete_session(meeting.session_id)
    await _store(request).delete_group(access.gid)
    audit.log.info("group deleted group=%s", access.gid[:8])
    return Response(status_code=204)


# -- the plan ----------------------------------------------------------------------------------


async def _reassign(request: Request, gid: str) -> None:
    """Re-run the rota after the members changed (fixed choices stay)."""
    store = _store(request)
    for _ in range(5):
        loaded = await _load(store, gid, GROUP, "", GroupDoc)
        if loaded is None:
            return
        version, plan = await _plan(store, gid)
        before = _msgpack.encode(plan)
        rules.assign_rota(plan, loaded[1].members)
        if _msgpack.encode(plan) == before:
            return  # nothing moved: the plan's version stays
        try:
            await _put(store, gid, PLAN, "", plan, version)
            return
        except Conflict:
            continue


async def _edit_plan(request: Request, access: Access, expected: int,
                     change: Callable[[Plan], object]) -> Response:
    """An edit of the plan as the member saw it (``expected``): applied, with the rota
    re-run, or 409 with the plan in force."""
    if not rules.may_edit_plan(access.member):
        raise NotFound
    store = _store(request)
    version, plan = await _plan(store, access.gid)
    if version != expected:
        raise StaleWrite(version, _plan_view(version, plan))
    change(plan)
    rules.sort_plan(plan)
    rules.assign_rota(plan, access.group.members)
    try:
        version = await _put(store, access.gid, PLAN, "", plan, expected)
    except Conflict as exc:
        current = _DECODERS[Plan].decode(exc.data) if exc.data else Plan()
        raise StaleWrite(exc.version, _plan_view(exc.version, current)) from exc
    return _answer(_plan_view(version, plan))


def _check_member(group: GroupDoc, member_id: str | None) -> None:
    if member_id is not None and group.member(member_id) is None:
        raise RuleError(400, Code.UNKNOWN_MEMBER, "no such member in the group")


@endpoint
async def add_series(request: Request) -> Response:
    access = await member_access(request)
    spec = _decode(await request.body(), AddSeries)
    times = rules.series(spec.start, spec.count, spec.weeks or access.group.cadence_weeks,
                         spec.skip)

    def add(plan: Plan) -> None:
        if len(plan.meetings) + len(times) > 4 * rules.MAX_SERIES:
            raise RuleError(409, Code.PLAN_FULL, "the plan holds enough meetings")
        plan.meetings.extend(
            Meeting(id=secrets.token_hex(6), starts=starts, minutes=access.group.minutes,
                    method=access.group.method) for starts in times)

    return await _edit_plan(request, access, spec.version, add)


@endpoint
async def add_meeting(request: Request) -> Response:
    access = await member_access(request)
    spec = _decode(await request.body(), AddMeeting)
    rules.parse_local(spec.starts)
    method = spec.method or access.group.method
    if method not in _methods(request):
        raise RuleError(400, Code.UNKNOWN_METHOD, "no such method")

    def add(plan: Plan) -> None:
        plan.meetings.append(Meeting(id=secrets.token_hex(6), starts=spec.starts,
                                     minutes=spec.minutes or access.group.minutes,
                                     method=method))

    return await _edit_plan(request, access, spec.version, add)


@endpoint
async def edit_meeting(request: Request) -> Response:
    access = await member_access(request)
    spec = _decode(await request.body(), EditMeeting)
    if isinstance(spec.starts, str):
        rules.parse_local(spec.starts)
    if isinstance(spec.method, str) and spec.method not in _methods(request):
        raise RuleError(400, Code.UNKNOWN_METHOD, "no such method")
    for role in (spec.facilitator, spec.presenter):
        if role is not msgspec.UNSET:
            _check_member(access.group, role)

    def edit(plan: Plan) -> None:
        meeting = rules.meeting_of(plan, request.path_params["meeting_id"])
        rules.check_plannable(meeting)
        if isinstance(spec.starts, str):
            meeting.starts = spec.starts
        if isinstance(spec.minutes, int):
            meeting.minutes = spec.minutes
        if isinstance(spec.method, str):
            meeting.method = spec.method
        if spec.facilitator is not msgspec.UNSET:
            meeting.facilitator = spec.facilitator
            meeting.facilitator_fixed = spec.facilitator is not None
        if spec.presenter is not msgspec.UNSET:
            meeting.presenter = spec.presenter
            meeting.presenter_fixed = spec.presenter is not None

    return await _edit_plan(request, access, spec.version, edit)


def _version_param(request: Request) -> int:
    """The record version a delete is based on (``?version=``), required."""
    try:
        return int(request.query_params.get("version", ""))
    except ValueError as exc:
        raise RuleError(400, Code.INVALID_REQUEST, "version is required") from exc


@endpoint
async def remove_meeting(request: Request) -> Response:
    access = await member_access(request)
    expected = _version_param(request)

    def remove(plan: Plan) -> None:
        meeting = rules.meeting_of(plan, request.path_params["meeting_id"])
        if meeting.session_id is not None:
            raise RuleError(409, Code.MEETING_STARTED, "a started meeting stays in the plan")
        plan.meetings.remove(meeting)

    return await _edit_plan(request, access, expected, remove)


def board_link(session_id: str, gid: str, meeting_id: str) -> str:
    """The board of a group meeting; the page finds the member key by the group id."""
    return f"/s/{session_id}#g={gid}&meeting={meeting_id}"


@endpoint
async def start_meeting(request: Request) -> Response:
    """Open the meeting's board (once; later calls enter the same board). Members enter
    with their member key; the plan's facilitator and presenter get their roles when
    the board opens. Later calls only let in members who joined since, as
    participants: a role on an open board changes only on the board. A closed
    board is not entered again (its exports stay)."""
    access = await member_access(request)
    store, sessions = _store(request), request.app.state.store
    mid = request.path_params["meeting_id"]
    for _ in range(5):
        version, plan = await _plan(store, access.gid)
        meeting = rules.meeting_of(plan, mid)
        if not rules.may_start(access.member, meeting):
            raise RuleError(409, Code.MEETING_CLOSED, "this meeting has taken place")
        roles = {m.key_hash: rules.session_role(meeting, m.id) for m in access.group.active()}
        if meeting.session_id is not None:
            meta = await sessions.get_session(meeting.session_id)
            if meta is None:
                raise RuleError(410, Code.MEETING_DELETED, "this meeting's board was deleted")
            if meta.closed_ms is not None:  # the plan may not know it yet
                raise RuleError(409, Code.MEETING_CLOSED, "this meeting has taken place")
            joined = {key: "participant" for key in roles if key not in meta.member_roles}
            if joined:
                meta.member_roles.update(joined)
                await sessions.update_session(meta)
            return _answer({"session_id": meeting.session_id,
                            "board": board_link(meeting.session_id, access.gid, mid)})
        method = _methods(request).get(meeting.method) or _methods(request)[access.group.method]
        if rules.previous_meeting(plan, mid) is not None:
            method = rules.with_lookback(method)
        title = f"{access.group.name} {meeting.starts[:10]}"
        session_id = await open_session(request, title, method, access.group.language, roles)
        meeting.session_id = session_id
        try:
            await _put(store, access.gid, PLAN, "", plan, version)
        except Conflict:
            # someone changed the plan (or started it) meanwhile: this board goes
            await delete_session(sessions, request.app.state.hub, session_id, "group")
            continue
        return _answer({"session_id": session_id, "board": board_link(session_id, access.gid, mid)},
                       status=201)
    raise RuleError(503, Code.BUSY, "too many changes at once; retry")


@endpoint
async def lookback(request: Request) -> Response:
    """What the meeting before this one left: its chosen re-definition and actions."""
    access = await member_access(request)
    await _settle_closed(request, access.gid, access.group)
    _, plan = await _plan(_store(request), access.gid)
    rules.meeting_of(plan, request.path_params["meeting_id"])
    previous = rules.previous_meeting(plan, request.path_params["meeting_id"])
    if previous is None:
        return _answer({"previous": None})
    loaded = await _load(_store(request), access.gid, OUTCOME, previous.id, Outcome)
    outcome = (msgspec.structs.asdict(loaded[1]) | {"version": loaded[0]}) if loaded else None
    return _answer({"previous": {"meeting_id": previous.id, "starts": previous.starts,
                                 "presenter": previous.presenter, "outcome": outcome}})


@endpoint
async def follow_up(request: Request) -> Response:
    access = await member_access(request)
    spec = _decode(await request.body(), FollowUpNote)
    store, mid = _store(request), request.path_params["meeting_id"]
    loaded = await _load(store, access.gid, OUTCOME, mid, Outcome)
    if loaded is None:
        raise RuleError(404, Code.UNKNOWN_MEETING, "this meeting left no actions")
    version, outcome = loaded
    action = next((a for a in outcome.actions if a.id == request.path_params["action_id"]), None)
    if action is None:
        raise RuleError(404, Code.UNKNOWN_ACTION, "no such action")
    if not rules.may_follow_up(access.member, action):
        raise RuleError(403, Code.NOT_OWNER, "only the action's owner writes its follow-up")
    if version != spec.version:
        raise StaleWrite(version, msgspec.structs.asdict(outcome) | {"version": version})
    action.status, action.note = spec.status, spec.note
    try:
        version = await _put(store, access.gid, OUTCOME, mid, outcome, spec.version)
    except Conflict as exc:
        current = _DECODERS[Outcome].decode(exc.data)
        raise StaleWrite(exc.version,
                         msgspec.structs.asdict(current) | {"version": exc.version}) from exc
    return _answer(msgspec.structs.asdict(outcome) | {"version": version})


@endpoint
async def calendar(request: Request) -> Response:
    access = await member_access(request)
    _, plan = await _plan(_store(request), access.gid)
    meeting_id = request.path_params.get("meeting_id")
    meetings = [rules.meeting_of(plan, meeting_id)] if meeting_id else plan.meetings
    names = {m.id: getattr(m.name, access.group.language) for m in _methods(request).values()}
    body = calendar_file(access.group, meetings, _page(request, access.gid), names,
                         dt.datetime.now(dt.UTC))
    return Response(body, media_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="intervisie.ics"',
        "Cache-Control": "no-store"})


@endpoint
async def member_overview(request: Request) -> Response:
    """The member's own yearly overview of attendance (PDF). Another member's key, the
    manager's included, gets the same 404 as a wrong key."""
    access = await member_access(request)
    if request.path_params["member_id"] != access.member.id:
        raise NotFound
    year_text = request.path_params["year"]
    if not (year_text.isdigit() and 2000 <= int(year_text) <= 2100):
        raise RuleError(400, Code.INVALID_REQUEST, "year: 2000 to 2100")
    attendance = getattr(request.app.state, "attendance", None)
    if attendance is None:
        raise NotFound
    _, plan = await _plan(_store(request), access.gid)
    year, lang = int(year_text), access.group.language
    body = await year_overview_pdf(
        attendance, key_hash=access.member.key_hash, name=access.member.name, language=lang,
        sessions={m.session_id for m in plan.meetings if m.session_id},
        year=year, grace_ms=int(request.app.state.settings.attendance_grace_seconds * 1000),
        verify_url=f"{base_url(request)}/api/attendance/verify/<code>",
        gate=request.app.state.export_gate)
    name = f"{attendance_text(lang, 'filename_overview')}-{year}.pdf"
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


# -- learning questions -----------------------------------------------------------------------


async def _edit_questions(request: Request, access: Access, expected: int,
                          change: Callable[[Questions], None]) -> Response:
    """Only the member's own record is ever written (the owner is the key's member)."""
    store, owner = _store(request), access.member.id
    loaded = await _load(store, access.gid, QUESTIONS, owner, Questions)
    version, record = loaded or (0, Questions())
    if version != expected:
        raise StaleWrite(version, {"version": version,
                                   "items": [msgspec.structs.asdict(q) for q in record.items]})
    change(record)
    try:
        version = await _put(store, access.gid, QUESTIONS, owner, record, expected)
    except Conflict as exc:
        current = _DECODERS[Questions].decode(exc.data)
        raise StaleWrite(exc.version, {"version": exc.version, "items": [
            msgspec.structs.asdict(q) for q in current.items]}) from exc
    return _answer({"version": version, "items": [msgspec.structs.asdict(q)
                                                  for q in record.items]})


@endpoint
async def add_question(request: Request) -> Response:
    access = await member_access(request)
    spec = _decode(await request.body(), NewQuestion)

    def add(record: Questions) -> None:
        if len(record.items) >= MAX_QUESTIONS:
            raise RuleError(409, Code.TOO_MANY, "enough learning questions")
        record.items.append(Question(id=secrets.token_hex(6), text=spec.text,
                                     shared=spec.shared))

    return await _edit_questions(request, access, spec.version, add)


@endpoint
async def edit_question(request: Request) -> Response:
    access = await member_access(request)
    spec = _decode(await request.body(), EditQuestion)
    qid = request.path_params["question_id"]

    def edit(record: Questions) -> None:
        question = next((q for q in record.items if q.id == qid), None)
        if question is None:
            raise RuleError(404, Code.UNKNOWN_QUESTION, "no such learning question")
        if isinstance(spec.text, str):
            question.text = spec.text
        if isinstance(spec.shared, bool):
            question.shared = spec.shared
        if isinstance(spec.evaluation, str):
            question.evaluation = spec.evaluation

    return await _edit_questions(request, access, spec.version, edit)


@endpoint
async def remove_question(request: Request) -> Response:
    access = await member_access(request)
    expected = _version_param(request)
    qid = request.path_params["question_id"]

    def remove(record: Questions) -> None:
        record.items = [q for q in record.items if q.id != qid]

    return await _edit_questions(request, access, expected, remove)


G = "/api/groups/{group_id}"
ROUTES = [
    Route("/api/groups", create_group, methods=["POST"]),
    Route(G, get_group),
    Route(G, delete_group, methods=["DELETE"]),
    Route(G + "/join", join_group, methods=["POST"]),
    Route(G + "/invite", rotate_invite, methods=["POST"]),
    Route(G + "/manager", hand_on, methods=["POST"]),
    Route(G + "/settings", edit_settings, methods=["PATCH"]),
    Route(G + "/members/{member_id}", remove_member, methods=["DELETE"]),
    Route(G + "/members/{member_id}/overview/{year}", member_overview),
    Route(G + "/plan/series", add_series, methods=["POST"]),
    Route(G + "/plan/meetings", add_meeting, methods=["POST"]),
    Route(G + "/plan/meetings/{meeting_id}", edit_meeting, methods=["PATCH"]),
    Route(G + "/plan/meetings/{meeting_id}", remove_meeting, methods=["DELETE"]),
    Route(G + "/meetings/{meeting_id}/start", start_meeting, methods=["POST"]),
    Route(G + "/meetings/{meeting_id}/lookback", lookback),
    Route(G + "/meetings/{meeting_id}/actions/{action_id}", follow_up, methods=["PUT"]),
    Route(G + "/meetings/{meeting_id}/calendar.ics", calendar),
    Route(G + "/calendar.ics", calendar),
    Route(G + "/questions", add_question, methods=["POST"]),
    Route(G + "/questions/{question_id}", edit_question, methods=["PATCH"]),
    Route(G + "/questions/{question_id}", remove_question, methods=["DELETE"]),
]
