"""Build the ``ExportDocument`` of a closed session from its final snapshot.

Pure (no I/O). Invariants: an item that was never revealed (still hidden) is left
out, ratings and vote totals are the published ones (private ratings of a sealed
section that was never revealed stay out), and when the session is anonymous no
participant name appears anywhere in the document.
"""

from __future__ import annotations

import datetime as dt

from server.core.state import BoardState
from shared_schema.board import Item, Participant, Round
from shared_schema.export_doc import (
    EXPORT_FORMAT,
    EXPORT_VERSION,
    ExportDocument,
    ExportItem,
    ExportLane,
    ExportParticipant,
    ExportRound,
    ExportSection,
    ExportSession,
    ExportStep,
    ExportTurn,
)

_ROLE_ORDER = {"facilitator": 0, "presenter": 1, "participant": 2, "observer": 3}


def iso_date(epoch_ms: int) -> str:
    return dt.datetime.fromtimestamp(epoch_ms / 1000, tz=dt.UTC).date().isoformat()


def build_document(state: BoardState, created_ms: int, closed_ms: int) -> ExportDocument:
    lang = state.language
    method = state.method
    anonymous = state.anonymous
    names = {} if anonymous else {p.id: p.name for p in state.participants.values()}
    return ExportDocument(
        format=EXPORT_FORMAT,
        version=EXPORT_VERSION,
        session=ExportSession(
            id=state.session_id,
            title=state.title,
            method=method.id,
            method_name=getattr(method.name, lang),
            language=lang,
            created=iso_date(created_ms),
            closed=iso_date(closed_ms),
            anonymous=anonymous,
        ),
        steps=[
            ExportStep(index=i, id=s.id, title=getattr(s.title, lang), frame=s.frame)
            for i, s in enumerate(method.steps)
        ],
        sections=[
            ExportSection(
                id=s.id,
                kind=s.kind,
                title=getattr(s.title, lang),
                lanes=[ExportLane(id=lane.id, title=getattr(lane.title, lang)) for lane in s.lanes],
                sheets=s.sheets,
            )
            for s in method.sections
        ],
        participants=[] if anonymous else _participants(state),
        items=[
            _item(item, names)
            for item in sorted(state.items.values(), key=lambda i: (i.step, i.seq))
            if item.id not in state.hidden
        ],
        rounds=[_round(r, names) for r in _all_rounds(state)],
    )


def _all_rounds(state: BoardState) -> list[Round]:
    """Finished rounds, and the one still running at the close."""
    running = [state.round] if state.round is not None and state.round.active else []
    return [*state.rounds, *running]


def _round(current: Round, names: dict[str, str]) -> ExportRound:
    """Who had a turn and how it ended; never what was said."""
    turns = [
        ExportTurn(
            name=names.get(pid),
            outcome=current.outcomes[n] if n < len(current.outcomes) else "not_reached",
        )
        for n, pid in enumerate(current.speakers)
    ]
    return ExportRound(number=current.number, step=current.step, turns=turns)


def _participants(state: BoardState) -> list[ExportParticipant]:
    present: list[Participant] = [p for p in state.participants.values() if not p.removed]
    present.sort(key=lambda p: _ROLE_ORDER[p.role])  # stable: join order within a role
    return [ExportParticipant(name=p.name, role=p.role) for p in present]


def _item(item: Item, names: dict[str, str]) -> ExportItem:
    return ExportItem(
        id=item.id,
        step=item.step,
        section=item.section,
        text=item.text,
        lane=item.lane,
        sheet=item.sheet,
        parent=item.parent,
        rating=item.rating,
        circled=item.circled,
        chosen=item.chosen,
        votes=item.votes,
        author=names.get(item.author) if item.author else None,
    )
