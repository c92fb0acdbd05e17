"""The board model: session, sections, items, participants, timer.

These structs are both the core's state and what a client sees, after the core
has filtered them for that viewer (hidden items, anonymity).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

Role = Literal["facilitator", "presenter", "participant", "observer"]
ROLES: tuple[Role, ...] = ("facilitator", "presenter", "participant", "observer")

Rating = Literal["cold", "warm", "neutral"]
SectionRight = Literal[
    "add", "rate", "circle", "choose", "vote",
    "edit_own", "edit_any", "move", "delete_own", "delete_any", "add_when_unlocked",
]
"""What a role may do in a section now (``SectionState.rights``): the method's five
rights, and what follows for items: ``edit_own``/``delete_own`` (the author's own
items), ``edit_any``/``delete_any`` (anyone's), ``move`` (any note), and
``add_when_unlocked`` (who could add but for the facilitator's lock)."""
Color = Literal["yellow", "pink", "blue", "green", "orange", "purple"]
Language = Literal["nl", "en"]

MAX_TEXT = 2000
MAX_NAME = 60
ItemId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
SectionId = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]{1,40}$")]
ParticipantId = Annotated[str, msgspec.Meta(pattern=r"^[a-f0-9]{1,32}$")]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TEXT)]
Coordinate = Annotated[float, msgspec.Meta(ge=-100_000, le=100_000)]


class Item(msgspec.Struct, kw_only=True, omit_defaults=True, gc=False):
    """One thing on the board: a note, question, re-definition, factor, idea or tip.

    ``author`` is None in anonymity mode: the server never stores it then.
    ``parent`` links an item to another (an alternative to a circled idea).
    ``lane`` is the column or level inside a section (e.g. own actions/environment).
    """

    id: str
    section: str
    text: str
    step: int
    seq: int
    author: str | None = None
    x: float = 0.0
    y: float = 0.0
    color: Color = "yellow"
    lane: str | None = None
    sheet: int = 1
    parent: str | None = None
    rating: Rating | None = None
    circled: bool = False
    chosen: bool = False
    votes: int = 0


class Participant(msgspec.Struct, kw_only=True, gc=False):
    """A member of the session; ``id`` is a pseudonym derived from the client id."""

    id: str
    name: str
    role: Role
    removed: bool = False


class Timer(msgspec.Struct, kw_only=True, gc=False):
    """Step timer. While running, ``deadline_ms`` is the server-side end time (epoch
    ms); while paused, ``remaining_ms`` holds what is left."""

    running: bool = False
    deadline_ms: int | None = None
    remaining_ms: int = 0


class SectionState(msgspec.Struct, kw_only=True, gc=False):
    """Live state of a section in the current step.

    ``locked`` is the effective lock: the facilitator's override for this step if
    any, otherwise the method's default (a section nobody may write is locked).
    ``hidden`` means items are hidden until revealed; ``hidden_count`` tells the
    viewer how many hidden items exist without sending them. ``sealed`` means new
    ratings and votes stay private to whoever gave them until revealed.
    ``rights`` lists, per right, the roles that hold it now (computed by the server's
    core, the one source of every rule; empty once the session is closed): a client
    shows the controls of its own role's rights and derives none itself.
    """

    id: str
    locked: bool
    override: bool | None = None
    hidden: bool = False
    sealed: bool = False
    revealed: bool = False
    hidden_count: int = 0
    rights: dict[SectionRight, list[Role]] = {}


class Spotlight(msgspec.Struct, kw_only=True, gc=False):
    """Where the facilitator points the group: a section, or one item in it."""

    section: str
    item: str | None = None


RoundOutcome = Literal["spoke", "passed", "timeout"]


class Round(msgspec.Struct, kw_only=True, gc=False):
    """A go-round: ``speakers`` in order, ``turn`` indexes the current one.

    While ``active``, ``deadline_ms`` is the server-side end of the current turn
    (epoch ms). ``outcomes[i]`` says how speaker ``i``'s turn ended; a round ended
    early has fewer outcomes than speakers. ``number`` counts the session's rounds.
    """

    number: int
    step: int
    order: Literal["seat", "shuffled"]
    seconds: int
    speakers: list[str]
    turn: int = 0
    active: bool = True
    deadline_ms: int | None = None
    outcomes: list[RoundOutcome] = []


class Board(msgspec.Struct, kw_only=True):
    """A board as one viewer may see it."""

    session_id: str
    title: str
    method: str
    language: Language
    step: int
    anonymous: bool
    closed: bool
    sections: list[SectionState]
    items: list[Item]
    participants: list[Participant]
    timer: Timer
    ready_count: int = 0
    you_ready: bool = False
    my_votes: dict[str, int] = {}
    presenter: str | None = None
    facilitator: str | None = None
    participant_export: bool = True
    spotlight: Spotlight | None = None
    not_following: list[str] = []
    round: Round | None = None
