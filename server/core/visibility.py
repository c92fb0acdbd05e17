"""What a viewer may see: hidden-until-reveal items, and the filtered board.

Invariant: an item in ``state.hidden`` is sent only to its author until the
facilitator reveals its section; anonymous items have no author at all.
"""

from __future__ import annotations

import msgspec

from server.core.permissions import is_locked, override, section_rights, step_section
from server.core.state import BoardState, step_key
from shared_schema.board import Board, Item, SectionState


def item_visible(state: BoardState, item: Item, viewer: str | None) -> bool:
    if item.id not in state.hidden:
        return True
    return viewer is not None and state.hidden[item.id] == viewer


def section_hidden(state: BoardState, section: str) -> bool:
    """Whether new items in ``section`` are hidden now."""
    config = step_section(state, section)
    if config is None or not config.hidden:
        return False
    return not state.revealed.get(step_key(state.step, section), False)


def section_sealed(state: BoardState, section: str) -> bool:
    """Whether ratings and votes in ``section`` stay private now."""
    config = step_section(state, section)
    if config is None or not config.hide_ratings:
        return False
    return not state.revealed.get(step_key(state.step, section), False)


def section_state(state: BoardState, section: str) -> SectionState:
    hidden_count = sum(1 for item_id in state.hidden if state.items[item_id].section == section)
    return SectionState(
        id=section,
        locked=is_locked(state, section),
        override=override(state, section),
        hidden=section_hidden(state, section),
        sealed=section_sealed(state, section),
        revealed=state.revealed.get(step_key(state.step, section), False),
        hidden_count=hidden_count,
        rights=section_rights(state, section),
    )


def board_view(state: BoardState, viewer: str | None) -> Board:
    """The whole board as ``viewer`` may see it (a snapshot for the welcome)."""
    return Board(
        session_id=state.session_id,
        title=state.title,
        method=state.method.id,
        language=state.language,
        step=state.step,
        anonymous=state.anonymous,
        closed=state.closed,
        sections=[section_state(state, s.id) for s in state.method.sections],
        items=[
            _as_seen(state, item, viewer)
            for item in state.items.values()
            if item_visible(state, item, viewer)
        ],
        participants=list(state.participants.values()),
        timer=state.timer,
        ready_count=len(state.ready),
        you_ready=viewer in state.ready,
        my_votes={
            item_id: by_pid[viewer]
            for item_id, by_pid in state.votes.items()
            if viewer is not None and by_pid.get(viewer)
        },
        presenter=state.presenter,
        facilitator=state.facilitator,
        participant_export=state.participant_export,
        spotlight=state.spotlight,
        not_following=list(state.not_following),
        round=state.round,
    )


def _as_seen(state: BoardState, item: Item, viewer: str | None) -> Item:
    """The item with the viewer's own private rating, if any."""
    private = state.private_ratings.get(item.id)
    if private is None or private.rater != viewer:
        return item
    return msgspec.structs.replace(item, rating=private.rating)
