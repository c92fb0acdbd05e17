"""What the reducer returns, and the small builders every op family shares.

``Scoped`` pairs a change with its audience; ``Applied``/``Rejected``/``Duplicate``
are the outcomes. Pure data and pure functions of the state: no family module
imports another, they all import this one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec

from server.core.permissions import may, override
from server.core.state import BoardState
from server.core.visibility import item_visible
from shared_schema.board import Item, Role
from shared_schema.codes import RejectCode
from shared_schema.method import Right
from shared_schema.server import Change, ItemPut, SessionPut

Audience = frozenset[str] | None
"""None: every member; otherwise only these participant ids."""

ANONYMOUS = ""
"""The participant id an op sent under a one-off key is judged as: nobody's."""


class Scoped(msgspec.Struct, frozen=True, gc=False):
    """A change and who may see it (None: everyone). Plain data, never in a cycle:
    kept out of the cyclic collector, as rooms keep thousands for resuming clients."""

    change: Change
    audience: Audience = None


@dataclass(frozen=True, slots=True)
class Applied:
    changes: list[Scoped] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Rejected:
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A resend of an op already decided: ``seq`` it got, ``code`` if rejected."""

    seq: int
    code: str | None


Result = Applied | Rejected | Duplicate


def right(state: BoardState, role: Role, right: Right, section: str) -> Rejected | None:
    """None if ``role`` holds ``right`` on ``section`` now, else why not."""
    if may(state, role, right, section):
        return None
    if override(state, section) is True:
        return Rejected(RejectCode.SECTION_LOCKED, f"section {section!r} is locked")
    return Rejected(RejectCode.FORBIDDEN, f"a {role} may not {right} in {section!r} in this step")


def visible_item(state: BoardState, item_id: str, pid: str) -> Item | Rejected:
    """The item if ``pid`` may see it (hidden items count as missing)."""
    item = state.items.get(item_id)
    if item is None or not item_visible(state, item, pid):
        return Rejected(RejectCode.NOT_FOUND, f"no item {item_id!r}")
    return item


def facilitator_only(role: Role) -> Rejected | None:
    if role == "facilitator":
        return None
    return Rejected(RejectCode.FORBIDDEN, "only the facilitator may do this")


def item_put(state: BoardState, item: Item) -> Scoped:
    """The item to everyone, or only to its owner while hidden (nobody if it has no
    author)."""
    if item.id not in state.hidden:
        return Scoped(ItemPut(item=item))
    owner = state.hidden[item.id]
    return Scoped(ItemPut(item=item), frozenset({owner}) if owner else frozenset())


def session_put(state: BoardState) -> SessionPut:
    return SessionPut(
        anonymous=state.anonymous,
        closed=state.closed,
        presenter=state.presenter,
        facilitator=state.facilitator,
        participant_export=state.participant_export,
    )
