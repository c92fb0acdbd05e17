"""The records of an intervision group, as stored (msgpack) and served (JSON).

A group is kept as a few independent records, each with its own version for
optimistic concurrency:

- ``GroupDoc``: settings, members (secrets only as hashes) and the invite hash;
- ``Plan``: the meetings in order of their start;
- ``Outcome`` per meeting: what the meeting left (chosen re-definition, actions and
  their follow-up notes), written when its session has closed;
- ``Questions`` per member: that member's learning questions (private by default).

Times of meetings are local wall-clock times in ``TIMEZONE`` (``YYYY-MM-DDTHH:MM``):
a meeting at 19:30 stays at 19:30 across a daylight-saving change.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

import msgspec

TIMEZONE: Final = "Europe/Amsterdam"

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
LocalTime = Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")]
Minutes = Annotated[int, msgspec.Meta(ge=15, le=480)]
Weeks = Annotated[int, msgspec.Meta(ge=1, le=26)]
MethodId = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]{1,40}$")]
FollowUp = Literal["done", "partly", "not_yet"]


class Member(msgspec.Struct, kw_only=True):
    id: str
    name: str
    key_hash: str
    joined_ms: int
    manager: bool = False
    removed: bool = False


class GroupDoc(msgspec.Struct, kw_only=True):
    id: str
    name: str
    language: Literal["nl", "en"]
    method: str
    cadence_weeks: int
    minutes: int
    created_ms: int
    invite_hash: str
    members: list[Member] = msgspec.field(default_factory=list)

    def active(self) -> list[Member]:
        return [m for m in self.members if not m.removed]

    def member(self, member_id: str) -> Member | None:
        return next((m for m in self.members if m.id == member_id and not m.removed), None)


class Meeting(msgspec.Struct, kw_only=True):
    """One planned meeting. ``facilitator``/``presenter`` hold member ids; the
    ``*_fixed`` flags mark choices of the group, which the rota never changes."""

    id: str
    starts: str
    minutes: int
    method: str
    facilitator: str | None = None
    presenter: str | None = None
    facilitator_fixed: bool = False
    presenter_fixed: bool = False
    session_id: str | None = None
    closed: bool = False


class Plan(msgspec.Struct, kw_only=True):
    meetings: list[Meeting] = msgspec.field(default_factory=list)


class Action(msgspec.Struct, kw_only=True):
    """An agreed next action ("Wat ga je nu doen?") with its owner's follow-up."""

    id: str
    text: str
    owner: str | None
    status: FollowUp | None = None
    note: str = ""


class Outcome(msgspec.Struct, kw_only=True):
    """What a closed meeting left for the next one's look-back."""

    redefinition: str | None = None
    actions: list[Action] = msgspec.field(default_factory=list)


class Question(msgspec.Struct, kw_only=True):
    id: str
    text: str
    shared: bool = False
    evaluation: str = ""
    """The closing evaluation: what I developed, what I take with me."""


class Questions(msgspec.Struct, kw_only=True):
    items: list[Question] = msgspec.field(default_factory=list)


GROUP: Final = "group"
PLAN: Final = "plan"
OUTCOME: Final = "outcome"
QUESTIONS: Final = "questions"
"""Record kinds in the group store."""
