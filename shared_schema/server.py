"""Messages the server sends, and the changes an event carries.

Sequenced ops reach every member as one ``event`` each, with the room's ``seq``;
an event's ``changes`` are already filtered for the recipient (possibly empty), so
``seq`` is gap-free at every client. The sender of an op also gets ``applied`` or
``rejected`` for its ``client_seq``.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from shared_schema.board import (
    Board,
    Item,
    Participant,
    Role,
    Round,
    SectionState,
    Spotlight,
    Timer,
)
from shared_schema.method import Localized, Method


class _Msg(msgspec.Struct, tag_field="type", kw_only=True, gc=False):
    pass


class ItemPut(_Msg, tag="item_put"):
    item: Item


class ItemRemoved(_Msg, tag="item_removed"):
    item_id: str


class SectionPut(_Msg, tag="section_put"):
    section: SectionState


class VotePut(_Msg, tag="vote_put"):
    """The recipient's own votes on an item (sent only to the voter)."""

    item_id: str
    mine: int


class StepSet(_Msg, tag="step_set"):
    step: int


class ParticipantPut(_Msg, tag="participant_put"):
    participant: Participant


class TimerSet(_Msg, tag="timer_set"):
    timer: Timer


class ReadySet(_Msg, tag="ready_set"):
    count: int


class SessionPut(_Msg, tag="session_put"):
    anonymous: bool
    closed: bool
    presenter: str | None
    facilitator: str | None
    participant_export: bool = True


class SpotlightSet(_Msg, tag="spotlight_set"):
    spotlight: Spotlight | None


class FollowSet(_Msg, tag="follow_set"):
    """Members whose view does not follow the spotlight."""

    not_following: list[str]


class RoundSet(_Msg, tag="round_set"):
    round: Round | None


class NotesSet(_Msg, tag="notes_set"):
    """The facilitator notes per step (index = step), sent only to the facilitator."""

    notes: list[Localized | None]


Change = (
    ItemPut
    | ItemRemoved
    | VotePut
    | SectionPut
    | StepSet
    | ParticipantPut
    | TimerSet
    | ReadySet
    | SessionPut
    | SpotlightSet
    | FollowSet
    | RoundSet
    | NotesSet
)


class Welcome(_Msg, tag="welcome"):
    """Answer to hello. With ``recovered`` the missed events follow as ``event``
    frames; otherwise ``board`` is a full snapshot at ``seq``."""

    protocol: int
    session_id: str
    participant_id: str
    role: Role
    epoch: str
    seq: int
    recovered: bool
    board: Board | None
    method: Method
    notes: list[Localized | None] | None = None
    """The facilitator notes per step, for the facilitator only (else null); the
    ``method`` never carries them."""
    link_exports: bool = False
    """Whether the link this client entered with exports the closed board even while
    participant export is off (the facilitator link); otherwise the board's
    ``participant_export`` decides."""


class Event(_Msg, tag="event"):
    seq: int
    changes: list[Change]


class Applied(_Msg, tag="applied"):
    client_seq: int
    seq: int


class Rejected(_Msg, tag="rejected"):
    client_seq: int
    code: str
    reason: str
    seq: int | None = None


class Error(_Msg, tag="error"):
    """A message that was not an acceptable op; nothing changed."""

    code: str
    reason: str
    client_seq: int | None = None


class Presence(_Msg, tag="presence"):
    """Who is connected now (participant ids). Ephemeral: never persisted."""

    online: list[str]


class Classified(_Msg, tag="classified"):
    """The answer to ``classify``: how the question reads, and the words that
    decided (``cue``), e.g. "heb je"."""

    request: int
    verdict: Literal["open", "closed", "ambiguous"]
    cue: str | None = None


ServerMessage = Welcome | Event | Applied | Rejected | Error | Presence | Classified
