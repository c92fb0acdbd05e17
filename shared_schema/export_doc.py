"""The JSON export of a closed session: what the group produced, versioned.

``ExportDocument`` is what ``GET /api/sessions/{id}/export/json`` returns and what
``POST /api/sessions`` accepts as ``from_export`` to start a follow-up session. Its
JSON Schema is ``shared_schema/export.schema.json`` (written by ``python -m
shared_schema``). Texts are in the session's language; no participant names appear
when the session was anonymous.

Versioning: ``version`` rises only for changes an older reader cannot read; new
optional fields with defaults keep it.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

import msgspec

from shared_schema.board import ItemId, Language, Rating, Role, SectionId, Text
from shared_schema.method import SectionKind

EXPORT_FORMAT: Final = "intervisiebord-export"
EXPORT_VERSION: Final = 1
MAX_EXPORT_ITEMS: Final = 5000

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]{1,40}$")]
IsoDate = Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}-\d{2}$")]


class ExportLane(msgspec.Struct, kw_only=True):
    """A column or level of a section, with its localized title."""

    id: Slug
    title: Title


class ExportSection(msgspec.Struct, kw_only=True):
    id: SectionId
    kind: SectionKind
    title: Title
    lanes: list[ExportLane] = []
    sheets: Annotated[int, msgspec.Meta(ge=1, le=4)] = 1


class ExportStep(msgspec.Struct, kw_only=True):
    """A step of the method in order; ``frame`` marks check-in, case choice, check-out."""

    index: Annotated[int, msgspec.Meta(ge=0, le=100)]
    id: Slug
    title: Title
    frame: bool = False


class ExportParticipant(msgspec.Struct, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    role: Role


class ExportItem(msgspec.Struct, kw_only=True):
    """One item. ``step`` is the index of the step it was written in; ``author`` is a
    display name, absent when the session was anonymous."""

    id: ItemId
    step: Annotated[int, msgspec.Meta(ge=0, le=100)]
    section: SectionId
    text: Text
    lane: Slug | None = None
    sheet: Annotated[int, msgspec.Meta(ge=1, le=4)] = 1
    parent: ItemId | None = None
    rating: Rating | None = None
    circled: bool = False
    chosen: bool = False
    votes: Annotated[int, msgspec.Meta(ge=0)] = 0
    author: str | None = None


class ExportTurn(msgspec.Struct, kw_only=True):
    """One speaker's turn in a go-round: how it ended, never what was said. ``name``
    is absent when the session was anonymous."""

    name: str | None = None
    outcome: Literal["spoke", "passed", "timeout", "not_reached"]


class ExportRound(msgspec.Struct, kw_only=True):
    """A go-round: its number in the session, the step it ran in, the turns in order."""

    number: Annotated[int, msgspec.Meta(ge=1)]
    step: Annotated[int, msgspec.Meta(ge=0, le=100)]
    turns: list[ExportTurn]


class ExportSession(msgspec.Struct, kw_only=True):
    id: Annotated[str, msgspec.Meta(pattern=r"^[a-f0-9]{32}$")]
    title: Title
    method: Slug
    method_name: Title
    language: Language
    created: IsoDate
    closed: IsoDate
    anonymous: bool


class ExportDocument(msgspec.Struct, kw_only=True):
    """A closed session's result. Empty ``participants`` when anonymous."""

    format: Literal["intervisiebord-export"]
    version: Literal[1]
    session: ExportSession
    steps: list[ExportStep]
    sections: list[ExportSection]
    participants: list[ExportParticipant]
    items: Annotated[list[ExportItem], msgspec.Meta(max_length=MAX_EXPORT_ITEMS)]
    rounds: list[ExportRound] = []
