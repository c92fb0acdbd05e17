"""Messages a client sends: ``hello`` first, then ops.

Every op carries ``client_seq``; with the client id from the hello it forms the
idempotency key ``(client_id, client_seq)``. ``client_seq`` rises by one per op.
The server stores neither: only a one-way hash of the pair (see docs/anonymity.md).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from shared_schema.board import (
    MAX_NAME,
    Color,
    Coordinate,
    ItemId,
    ParticipantId,
    Rating,
    Role,
    SectionId,
    Text,
)

ClientSeq = Annotated[int, msgspec.Meta(ge=1, le=2**53)]
ClientId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NAME)]
Token = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
StepIndex = Annotated[int, msgspec.Meta(ge=0, le=100)]
Seconds = Annotated[int, msgspec.Meta(ge=0, le=4 * 3600)]
Lane = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]{1,40}$")]
Sheet = Annotated[int, msgspec.Meta(ge=1, le=4)]
ItemSecret = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Za-z0-9_-]{22,64}$",
        description="A random secret the author's client chose for its item (at least "
        "128 bits). The server keeps only a hash of it, and only on items without "
        "author: it is how the author of an anonymous item may edit or delete it.",
    ),
]
RoundSeconds = Annotated[int, msgspec.Meta(ge=2, le=1800)]


class _Msg(msgspec.Struct, tag_field="type", forbid_unknown_fields=True, kw_only=True):
    pass


class Resume(msgspec.Struct, forbid_unknown_fields=True):
    """Where a reconnecting client left off."""

    epoch: Annotated[str, msgspec.Meta(max_length=64)]
    last_seq: Annotated[int, msgspec.Meta(ge=0, le=2**53)]


class Hello(_Msg, tag="hello"):
    protocol: int
    token: Token
    name: Name
    client_id: ClientId
    resume: Resume | None = None
    take_over: bool | None = None
    """Only for the facilitator link while someone else holds the role: absent asks
    (``error facilitator_taken``, close 4010), true takes the role over (the
    previous facilitator becomes a participant), false enters without it."""


class _Op(_Msg):
    client_seq: ClientSeq


class AddItem(_Op, tag="add_item"):
    item_id: ItemId
    section: SectionId
    text: Text
    x: Coordinate = 0.0
    y: Coordinate = 0.0
    color: Color = "yellow"
    lane: Lane | None = None
    sheet: Sheet = 1
    parent: ItemId | None = None
    secret: ItemSecret | None = None


class EditItem(_Op, tag="edit_item"):
    item_id: ItemId
    text: Text
    secret: ItemSecret | None = None


class MoveItem(_Op, tag="move_item"):
    item_id: ItemId
    x: Coordinate
    y: Coordinate
    color: Color | None = None


class DeleteItem(_Op, tag="delete_item"):
    item_id: ItemId
    secret: ItemSecret | None = None


class RateItem(_Op, tag="rate_item"):
    item_id: ItemId
    rating: Rating | None


class CircleItem(_Op, tag="circle_item"):
    item_id: ItemId
    circled: bool


class ChooseItem(_Op, tag="choose_item"):
    item_id: ItemId
    chosen: bool


class Vote(_Op, tag="vote"):
    item_id: ItemId
    delta: Literal[1, -1]


class SetStep(_Op, tag="set_step"):
    step: StepIndex


class LockSection(_Op, tag="lock_section"):
    section: SectionId
    locked: bool | None


class RevealSection(_Op, tag="reveal_section"):
    section: SectionId


class SetTimer(_Op, tag="set_timer"):
    action: Literal["start", "pause", "add", "reset"]
    seconds: Seconds = 0


class SetReady(_Op, tag="set_ready"):
    ready: bool


class AssignRole(_Op, tag="assign_role"):
    participant_id: ParticipantId
    role: Role


class RemoveParticipant(_Op, tag="remove_participant"):
    participant_id: ParticipantId


class SetAnonymous(_Op, tag="set_anonymous"):
    anonymous: bool


class CloseSession(_Op, tag="close_session"):
    """Close the session: a final snapshot is stored before this is acknowledged; the
    board is read-only afterwards and the exports open."""


class SetSpotlight(_Op, tag="set_spotlight"):
    """Point the group at a section, or at an item (its section follows from it);
    neither: no spotlight."""

    section: SectionId | None = None
    item_id: ItemId | None = None


class SetFollow(_Op, tag="set_follow"):
    """Whether the sender's view follows the facilitator's spotlight."""

    following: bool


class StartRound(_Op, tag="start_round"):
    """Start a go-round in the current step. Unset fields come from the step's
    ``round`` in the method data (else seat order, 60 s, every member but
    observers). ``speakers``: who takes part, in seat order (e.g. those online)."""

    order: Literal["seat", "shuffled"] | None = None
    seconds: RoundSeconds | None = None
    speakers: Annotated[list[ParticipantId], msgspec.Meta(max_length=100)] | None = None


class RoundTurn(_Op, tag="round_turn"):
    """End turn ``turn`` of the active round: ``next`` (the speaker or the
    facilitator) or ``pass`` (the speaker)."""

    action: Literal["next", "pass"]
    turn: Annotated[int, msgspec.Meta(ge=0, le=100)]


class EndRound(_Op, tag="end_round"):
    """Stop the active round (facilitator)."""


class SetExport(_Op, tag="set_export"):
    """Whether members who came by the invite link may download the exports (the
    facilitator always may). Allowed before and after the close."""

    participants: bool


Op = (
    AddItem
    | EditItem
    | MoveItem
    | DeleteItem
    | RateItem
    | CircleItem
    | ChooseItem
    | Vote
    | SetStep
    | LockSection
    | RevealSection
    | SetTimer
    | SetReady
    | AssignRole
    | RemoveParticipant
    | SetAnonymous
    | CloseSession
    | SetExport
    | SetSpotlight
    | SetFollow
    | StartRound
    | RoundTurn
    | EndRound
)


class Classify(_Msg, tag="classify"):
    """Ask how a question reads (open or closed). Answered with ``classified`` to
    the sender only; nothing is sequenced or stored."""

    request: Annotated[int, msgspec.Meta(ge=0, le=2**53)]
    text: Text


ClientMessage = Hello | Op | Classify
