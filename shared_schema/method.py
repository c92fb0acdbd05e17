"""The method format: an intervision method as data.

A method file (TOML) decodes into :class:`Method`; msgspec's errors name the field
that is wrong. Cross-references (a step naming an unknown section, ...) are checked
by ``server.methods.loader``.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from shared_schema.board import Role

SectionKind = Literal[
    "notes",
    "questions",
    "redefinitions",
    "success_factors",
    "ideas",
    "hourglass",
    "tips",
    "evaluation",
    "cases",
    "list",
]
Right = Literal["add", "rate", "circle", "choose", "vote"]
RoundOrder = Literal["seat", "shuffled"]
Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]{1,40}$")]
Minutes = Annotated[int, msgspec.Meta(ge=0, le=240)]


class Localized(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A text in Dutch and English."""

    nl: Annotated[str, msgspec.Meta(min_length=1)]
    en: Annotated[str, msgspec.Meta(min_length=1)]


class Lane(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A column or level inside a section (e.g. own actions / environment)."""

    id: Slug
    title: Localized


class SectionDef(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, gc=False):
    """A board section. ``add`` lists who may add when the facilitator unlocks the
    section in a step that does not open it itself."""

    id: Slug
    kind: SectionKind
    title: Localized
    prefix: Localized | None = None
    lanes: list[Lane] = []
    sheets: Annotated[int, msgspec.Meta(ge=1, le=4)] = 1
    add: list[Role] = msgspec.field(
        default_factory=lambda: ["facilitator", "presenter", "participant"]
    )


class StepSection(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, gc=False):
    """A section as shown in one step, with who may do what there.

    A section with no rights in a step is shown read-only. ``hidden`` makes new
    items invisible to others until the facilitator reveals the section;
    ``hide_ratings`` keeps ratings and votes from everyone but the rater until
    revealed. ``filter`` shows only items with these ratings (carry-forward).
    """

    section: Slug
    add: list[Role] = []
    rate: list[Role] = []
    circle: list[Role] = []
    choose: list[Role] = []
    vote: list[Role] = []
    hidden: bool = False
    hide_ratings: bool = False
    filter: list[Literal["cold", "warm", "neutral", "chosen", "circled"]] = []
    open_questions: bool = False
    """The step asks for open questions here: the composer flags a question that
    reads as closed (the server's classifier decides), never blocking it."""


class RoundDef(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, gc=False):
    """A go-round a step declares: everyone in ``roles`` gets a turn of ``seconds``,
    in seat order or shuffled. The facilitator starts it (and may change both)."""

    seconds: Annotated[int, msgspec.Meta(ge=2, le=1800)] = 60
    order: RoundOrder = "seat"
    roles: list[Role] = msgspec.field(
        default_factory=lambda: ["facilitator", "presenter", "participant"]
    )


class Step(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, gc=False):
    """One step of a method, in order. ``frame`` marks the steps of the session frame
    (check-in, choosing the case, check-out) that the loader puts around a method."""

    id: Slug
    title: Localized
    instruction: Localized
    minutes: Minutes = 10
    sections: list[StepSection] = []
    frame: bool = False
    round: RoundDef | None = None
    facilitator_notes: Localized | None = None
    """What the one who leads watches for in this step. Sent only to the
    facilitator: never part of the method other roles receive."""


class Method(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, gc=False):
    """An intervision method: ordered steps over a set of sections."""

    id: Slug
    name: Localized
    summary: Localized
    sections: list[SectionDef]
    steps: Annotated[list[Step], msgspec.Meta(min_length=1)]
    vote_budget: Annotated[int, msgspec.Meta(ge=0, le=20)] = 3
    with_frame: bool = True


class Frame(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, gc=False):
    """The session frame put around every method with ``with_frame``: its sections,
    and the steps before and after the method's own."""

    sections: list[SectionDef]
    before: list[Step]
    after: list[Step]
