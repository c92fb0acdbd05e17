"""Determinism and invariants of the reducer ``server.core.reducer.apply``."""

from __future__ import annotations

from typing import Any, get_args

import msgspec
import pytest

from server.core import errors
from server.core.items import control_characters
from server.core.records import Join, decode_record
from server.core.reducer import (
    LOGGED_CLIENT_SEQ,
    MARKS_KEPT,
    Actor,
    Applied,
    Duplicate,
    Rejected,
    Result,
    Scoped,
    admit,
    apply,
    needs_time,
)
from server.core.state import (
    BoardState,
    Mark,
    decode_state,
    encode_state,
    item_proof,
    new_state,
    op_key,
    participant_id,
)
from server.core.visibility import board_view
from server.methods.loader import load_methods, parse_method
from shared_schema.board import Item, Timer
from shared_schema.client import (
    AddItem,
    AssignRole,
    ChooseItem,
    CircleItem,
    CloseSession,
    DeleteItem,
    EditItem,
    EndRound,
    LockSection,
    MoveItem,
    Op,
    RateItem,
    RemoveParticipant,
    RevealSection,
    RoundTurn,
    SetAnonymous,
    SetExport,
    SetFollow,
    SetReady,
    SetSpotlight,
    SetStep,
    SetTimer,
    StartRound,
    Vote,
)
from shared_schema.method import Method
from shared_schema.server import ItemPut, ParticipantPut, SectionPut, SessionPut, TimerSet

TIENSTAPPEN: Method = load_methods(framed=False)["tienstappen"]

HIDDEN_METHOD_TOML = """
id = "stille_ronde"
vote_budget = 2
name = { nl = "Stille ronde", en = "Silent round" }
summary = { nl = "Iedereen schrijft eerst voor zich.", en = "Everyone writes alone first." }

[[sections]]
id = "notes"
kind = "notes"
title = { nl = "Notities", en = "Notes" }

[[sections]]
id = "open_notes"
kind = "notes"
title = { nl = "Open notities", en = "Open notes" }

[[steps]]
id = "write"
minutes = 5
title = { nl = "Schrijven", en = "Write" }
instruction = { nl = "Schrijf in stilte.", en = "Write in silence." }
[[steps.sections]]
section = "notes"
add = ["facilitator", "presenter", "participant"]
vote = ["facilitator", "presenter", "participant"]
hidden = true
[[steps.sections]]
section = "open_notes"
add = ["facilitator", "presenter", "participant"]

[[steps]]
id = "discuss"
minutes = 10
title = { nl = "Bespreken", en = "Discuss" }
instruction = { nl = "Bespreek wat er staat.", en = "Discuss what is there." }
[[steps.sections]]
section = "notes"
"""
HIDDEN_METHOD: Method = parse_method(HIDDEN_METHOD_TOML, "stille_ronde.toml")


class Room:
    """A board state plus what a backplane would add: seq, ts and client_seq."""

    def __init__(self, method: Method = TIENSTAPPEN, session_id: str = "sess-reducer") -> None:
        self.state: BoardState = new_state(session_id, "Casus", "nl", method)
        self.seq = 0
        self.ts_ms = 1_700_000_000_000
        self.client_seqs: dict[str, int] = {}

    def pid(self, client_id: str) -> str:
        return participant_id(self.state.session_id, client_id)

    def join(self, client_id: str, name: str | None = None, via: str = "participant") -> Result:
        self.seq += 1
        join = Join(name=name or client_id, via=via)
        return apply(self.state, join, Actor(client_id, "", self.seq, self.ts_ms))

    def send(
        self, client_id: str, op_type: type[Op], /, *, ts_ms: int | None = None, **fields: Any
    ) -> Result:
        client_seq = self.client_seqs.get(client_id, 0) + 1
        self.client_seqs[client_id] = client_seq
        self.seq += 1
        self.ts_ms = ts_ms if ts_ms is not None else self.ts_ms + 1_000
        op = op_type(client_seq=client_seq, **fields)
        return self.submit(client_id, op)

    def submit(self, client_id: str, op: Op) -> Result:
        """Record ``op`` as a hub does (``admit``), then apply it at the next seq."""
        admitted = admit(self.state, op)
        role = self.state.participants[self.pid(client_id)].role if admitted.one_off else None
        actor = Actor("" if admitted.one_off else client_id,
                      op_key(self.state.session_id, client_id, op.client_seq),
                      self.seq, self.ts_ms if needs_time(op) else 0, role, admitted.proof)
        return apply(self.state, admitted.op, actor)


def ok(result: Result) -> Applied:
    assert isinstance(result, Applied), result
    return result


def rejected(result: Result, code: str) -> Rejected:
    assert isinstance(result, Rejected), result
    assert result.code == code, result
    return result


FAC, PRES, ANNA, BEN = "client-fac-01", "client-pres-01", "client-anna-01", "client-ben-01"


def make_room(method: Method = TIENSTAPPEN) -> Room:
    room = Room(method)
    ok(room.join(FAC, "Fenna", "facilitator"))
    ok(room.join(PRES, "Pieter"))
    ok(room.join(ANNA, "Anna"))
    ok(room.join(BEN, "Ben"))
    ok(room.send(FAC, AssignRole, participant_id=room.pid(PRES), role="presenter"))
    return room


def board_bytes(state: BoardState) -> bytes:
    """The board without the idempotency marks and the last seq seen."""
    return encode_state(msgspec.structs.replace(state, marks={}, seq=0))


# -- determinism --------------------------------------------------------------------------


def play_session(room: Room) -> list[Result]:
    """A whole little session, including some rejected ops."""
    r = room
    return [
        r.send(PRES, AddItem, item_id="c1", section="case", text="Mijn team luistert niet."),
        r.send(ANNA, AddItem, item_id="x1", section="case", text="mag niet"),
        r.send(FAC, SetTimer, action="start"),
        r.send(FAC, SetStep, step=1),
        r.send(ANNA, AddItem, item_id="q1", section="questions", text="Wat wil je bereiken?"),
        r.send(BEN, AddItem, item_id="q2", section="questions", text="Wie beslist?"),
        r.send(BEN, AddItem, item_id="q2", section="questions", text="dubbel id"),
        r.send(ANNA, SetReady, ready=True),
        r.send(BEN, SetReady, ready=True),
        r.send(FAC, SetStep, step=2),
        r.send(PRES, RateItem, item_id="q1", rating="warm"),
        r.send(PRES, RateItem, item_id="q2", rating="cold"),
        r.send(ANNA, RateItem, item_id="q2", rating="warm"),
        r.send(FAC, SetStep, step=5),
        r.send(ANNA, AddItem, item_id="r1", section="redefinitions", text="Mijn probleem is A"),
        r.send(BEN, AddItem, item_id="r2", section="redefinitions", text="Mijn probleem is B"),
        r.send(FAC, LockSection, section="redefinitions", locked=True),
        r.send(BEN, EditItem, item_id="r2", text="te laat"),
        r.send(FAC, SetStep, step=6),
        r.send(PRES, ChooseItem, item_id="r1", chosen=True),
        r.send(PRES, ChooseItem, item_id="r2", chosen=True),
        r.send(FAC, SetTimer, action="add", seconds=120),
        r.send(FAC, RemoveParticipant, participant_id=r.pid(BEN)),
        r.send(BEN, SetReady, ready=True),
        r.send(FAC, CloseSession),
    ]


def test_same_ops_give_equal_states_and_results() -> None:
    first, second = make_room(), make_room()
    results_first, results_second = play_session(first), play_session(second)
    assert results_first == results_second
    assert encode_state(first.state) == encode_state(second.state)
    assert first.state == second.state
    outcomes = {type(result).__name__ for result in results_first}
    assert outcomes == {"Applied", "Rejected"}


def test_replaying_the_records_gives_the_same_state() -> None:
    """A hub that loads a snapshot and replays the rest agrees with one that saw it all."""
    live = make_room()
    snapshot = encode_state(live.state)
    start_seq, start_ts, start_client_seqs = live.seq, live.ts_ms, dict(live.client_seqs)
    results = play_session(live)

    late = Room()
    late.state = decode_state(snapshot)
    late.seq, late.ts_ms, late.client_seqs = start_seq, start_ts, start_client_seqs
    assert play_session(late) == results
    assert encode_state(late.state) == encode_state(live.state)


# -- a rejected op changes nothing ------------------------------------------------------


REJECTED_OPS: list[tuple[str, str, type[Op], dict[str, Any], str]] = [
    # (name, client, op type, fields, expected code); played in step 2 ("ask")
    ("not_member", "client-nobody-01", SetReady, {"ready": True}, errors.NOT_MEMBER),
    (
        "add_forbidden",
        PRES,
        AddItem,
        {"item_id": "n", "section": "questions", "text": "t"},
        errors.FORBIDDEN,
    ),
    (
        "add_unknown_section",
        ANNA,
        AddItem,
        {"item_id": "n", "section": "nope", "text": "t"},
        errors.NOT_FOUND,
    ),
    (
        "add_duplicate_id",
        ANNA,
        AddItem,
        {"item_id": "q1", "section": "questions", "text": "t"},
        errors.DUPLICATE_ID,
    ),
    (
        "add_bad_lane",
        ANNA,
        AddItem,
        {"item_id": "n", "section": "questions", "text": "t", "lane": "own"},
        errors.INVALID_VALUE,
    ),
    (
        "add_bad_sheet",
        ANNA,
        AddItem,
        {"item_id": "n", "section": "questions", "text": "t", "sheet": 2},
        errors.INVALID_VALUE,
    ),
    (
        "add_missing_parent",
        ANNA,
        AddItem,
        {"item_id": "n", "section": "questions", "text": "t", "parent": "zz"},
        errors.NOT_FOUND,
    ),
    ("edit_not_author", BEN, EditItem, {"item_id": "q1", "text": "mine now"}, errors.NOT_AUTHOR),
    ("edit_missing", ANNA, EditItem, {"item_id": "zz", "text": "t"}, errors.NOT_FOUND),
    ("move_read_only", PRES, MoveItem, {"item_id": "c1", "x": 5.0, "y": 5.0}, errors.FORBIDDEN),
    ("delete_not_author", BEN, DeleteItem, {"item_id": "q1"}, errors.NOT_AUTHOR),
    ("rate_forbidden", PRES, RateItem, {"item_id": "q1", "rating": "warm"}, errors.FORBIDDEN),
    ("circle_forbidden", ANNA, CircleItem, {"item_id": "q1", "circled": True}, errors.FORBIDDEN),
    ("choose_forbidden", ANNA, ChooseItem, {"item_id": "q1", "chosen": True}, errors.FORBIDDEN),
    ("vote_forbidden", ANNA, Vote, {"item_id": "q1", "delta": 1}, errors.FORBIDDEN),
    ("step_forbidden", ANNA, SetStep, {"step": 3}, errors.FORBIDDEN),
    ("step_out_of_range", FAC, SetStep, {"step": 10}, errors.INVALID_VALUE),
    (
        "lock_forbidden",
        ANNA,
        LockSection,
        {"section": "questions", "locked": True},
        errors.FORBIDDEN,
    ),
    ("lock_unknown", FAC, LockSection, {"section": "nope", "locked": True}, errors.NOT_FOUND),
    ("reveal_forbidden", PRES, RevealSection, {"section": "questions"}, errors.FORBIDDEN),
    ("timer_forbidden", ANNA, SetTimer, {"action": "start"}, errors.FORBIDDEN),
    (
        "assign_forbidden",
        PRES,
        AssignRole,
        {"participant_id": "abc", "role": "presenter"},
        errors.FORBIDDEN,
    ),
    (
        "assign_unknown",
        FAC,
        AssignRole,
        {"participant_id": "abc", "role": "presenter"},
        errors.NOT_FOUND,
    ),
    ("remove_unknown", FAC, RemoveParticipant, {"participant_id": "abc"}, errors.NOT_FOUND),
    ("anonymous_forbidden", BEN, SetAnonymous, {"anonymous": True}, errors.FORBIDDEN),
    ("close_forbidden", PRES, CloseSession, {}, errors.FORBIDDEN),
]


def room_in_ask_step() -> Room:
    room = make_room()
    ok(room.send(PRES, AddItem, item_id="c1", section="case", text="Casus"))
    ok(room.send(FAC, SetTimer, action="start"))
    ok(room.send(FAC, SetStep, step=1))
    ok(room.send(ANNA, AddItem, item_id="q1", section="questions", text="Wat wil je?"))
    ok(room.send(ANNA, SetReady, ready=True))
    return room


@pytest.mark.parametrize(
    ("client", "op_type", "fields", "code"),
    [pytest.param(*case[1:], id=case[0]) for case in REJECTED_OPS],
)
def test_rejected_op_leaves_the_board_unchanged(
    client: str, op_type: type[Op], fields: dict[str, Any], code: str
) -> None:
    room = room_in_ask_step()
    viewers = [None, *room.state.participants]
    before = board_bytes(room.state)
    views_before = [msgspec.json.encode(board_view(room.state, v)) for v in viewers]
    rejected(room.send(client, op_type, **fields), code)
    assert board_bytes(room.state) == before
    assert [msgspec.json.encode(board_view(room.state, v)) for v in viewers] == views_before


def test_rejected_ops_in_a_locked_hidden_and_closed_board_change_nothing() -> None:
    room = make_room(HIDDEN_METHOD)
    ok(room.send(ANNA, AddItem, item_id="n1", section="notes", text="stil"))
    ok(room.send(BEN, AddItem, item_id="o1", section="open_notes", text="open"))
    ok(room.send(FAC, LockSection, section="open_notes", locked=True))
    checks = [
        (BEN, EditItem, {"item_id": "n1", "text": "zie ik niet"}, errors.NOT_FOUND),
        (BEN, Vote, {"item_id": "n1", "delta": 1}, errors.NOT_FOUND),
        (BEN, EditItem, {"item_id": "o1", "text": "op slot"}, errors.SECTION_LOCKED),
        (ANNA, Vote, {"item_id": "n1", "delta": -1}, errors.INVALID_VALUE),
    ]
    for client, op_type, fields, code in checks:
        before = board_bytes(room.state)
        rejected(room.send(client, op_type, **fields), code)
        assert board_bytes(room.state) == before, op_type.__name__
    ok(room.send(FAC, CloseSession))
    before = board_bytes(room.state)
    rejected(room.send(ANNA, SetReady, ready=True), errors.SESSION_CLOSED)
    assert board_bytes(room.state) == before


def test_vote_budget_rejection_changes_nothing() -> None:
    room = make_room(HIDDEN_METHOD)
    ok(room.send(FAC, RevealSection, section="notes"))
    ok(room.send(BEN, AddItem, item_id="n1", section="notes", text="een"))
    ok(room.send(BEN, AddItem, item_id="n2", section="notes", text="twee"))
    ok(room.send(ANNA, Vote, item_id="n1", delta=1))
    ok(room.send(ANNA, Vote, item_id="n2", delta=1))
    before = board_bytes(room.state)
    rejected(room.send(ANNA, Vote, item_id="n1", delta=1), errors.VOTE_BUDGET)
    assert board_bytes(room.state) == before
    ok(room.send(ANNA, Vote, item_id="n2", delta=-1))  # taking one back frees a vote
    ok(room.send(ANNA, Vote, item_id="n1", delta=1))
    assert (room.state.items["n1"].votes, room.state.items["n2"].votes) == (2, 0)


# -- idempotency --------------------------------------------------------------------------


def test_resent_applied_op_is_a_duplicate_with_the_first_seq() -> None:
    room = make_room()
    op = AddItem(client_seq=7, item_id="c1", section="case", text="Mijn casus")
    first = apply(room.state, op, Actor(PRES, f"{PRES}/7", 50, 1_000))
    ok(first)
    after_first = encode_state(room.state)
    again = apply(room.state, op, Actor(PRES, f"{PRES}/7", 51, 2_000))
    assert again == Duplicate(seq=50, code=None)
    assert [i for i in room.state.items if i == "c1"] == ["c1"]
    assert room.state.items["c1"].seq == 50
    assert board_bytes(decode_state(after_first)) == board_bytes(room.state)


def test_resent_rejected_op_is_a_duplicate_with_the_code() -> None:
    room = make_room()
    op = AddItem(client_seq=3, item_id="c1", section="case", text="niet van mij")
    rejected(apply(room.state, op, Actor(ANNA, f"{ANNA}/3", 40, 1_000)), errors.FORBIDDEN)
    again = apply(room.state, op, Actor(ANNA, f"{ANNA}/3", 41, 2_000))
    assert again == Duplicate(seq=40, code=errors.FORBIDDEN)
    assert "c1" not in room.state.items


def test_duplicate_is_answered_even_when_the_state_changed_since() -> None:
    """A resend is judged by its first result, not again: the lock came later."""
    room = make_room()
    op = AddItem(client_seq=1, item_id="c1", section="case", text="Mijn casus")
    ok(apply(room.state, op, Actor(PRES, f"{PRES}/1", 30, 1)))
    ok(room.send(FAC, LockSection, section="case", locked=True))
    assert apply(room.state, op, Actor(PRES, f"{PRES}/1", 32, 2)) == Duplicate(seq=30, code=None)


def test_an_op_never_decided_is_new_even_below_the_highest_client_seq() -> None:
    """An op rejected before sequencing leaves no mark; its resend after a later op
    went through must be judged, not answered "applied" without running."""
    room = make_room()
    ok(apply(room.state, SetReady(client_seq=5, ready=True), Actor(ANNA, f"{ANNA}/5", 30, 1)))
    late = AddItem(client_seq=4, item_id="q4", section="case", text="later ingediend")
    rejected(apply(room.state, late, Actor(ANNA, f"{ANNA}/4", 31, 2)), errors.FORBIDDEN)
    again = apply(room.state, late, Actor(ANNA, f"{ANNA}/4", 32, 3))
    assert again == Duplicate(31, errors.FORBIDDEN)


def test_marks_are_per_op_key() -> None:
    """Two clients' ops with the same client_seq have different op keys."""
    room = make_room()
    ok(apply(room.state, SetReady(client_seq=1, ready=True), Actor(ANNA, f"{ANNA}/1", 20, 1)))
    ok(apply(room.state, SetReady(client_seq=1, ready=True), Actor(BEN, f"{BEN}/1", 21, 1)))
    assert len(room.state.ready) == 2


def test_marks_are_bounded_oldest_first() -> None:
    room = make_room()
    total = MARKS_KEPT + 10
    for n in range(total):
        op = SetReady(client_seq=n + 1, ready=n % 2 == 0)
        ok(apply(room.state, op, Actor(ANNA, f"k{n}", 100 + n, 1)))
    assert len(room.state.marks) == MARKS_KEPT
    assert "k0" not in room.state.marks
    assert room.state.marks[f"k{total - 1}"] == Mark(100 + total - 1, None)


def test_marks_hold_no_client_key_and_no_client_seq() -> None:
    """The stored marks are one flat map of op keys: nothing in them counts or orders
    one member's ops (op keys of one client look unrelated)."""
    room = make_room()
    ok(room.send(PRES, AddItem, item_id="c1", section="case", text="Casus"))
    ok(room.send(ANNA, SetReady, ready=True))
    keys = list(room.state.marks)
    assert all(isinstance(mark, Mark) for mark in room.state.marks.values())
    assert len(set(keys)) == len(keys)
    for client in (FAC, PRES, ANNA, BEN):
        assert client not in "".join(keys)
        assert participant_id(room.state.session_id, client) not in "".join(keys)
    assert op_key("s", ANNA, 1) != op_key("s", ANNA, 2) != op_key("s", BEN, 2)
    assert op_key("s", ANNA, 1) == op_key("s", ANNA, 1)


# -- hidden until reveal ----------------------------------------------------------------


def visible_to(room: Room, item_id: str) -> set[str | None]:
    viewers: list[str | None] = [None, *room.state.participants]
    return {v for v in viewers if any(i.id == item_id for i in board_view(room.state, v).items)}


def test_hidden_item_is_visible_only_to_its_author_until_reveal() -> None:
    room = make_room(HIDDEN_METHOD)
    anna = room.pid(ANNA)
    result = ok(room.send(ANNA, AddItem, item_id="n1", section="notes", text="stil idee"))

    puts = [s for s in result.changes if isinstance(s.change, ItemPut)]
    assert [s.audience for s in puts] == [frozenset({anna})]
    sections = [s for s in result.changes if isinstance(s.change, SectionPut)]
    assert len(sections) == 1 and sections[0].audience is None  # others see a count only
    assert isinstance(sections[0].change, SectionPut)
    assert sections[0].change.section.hidden_count == 1
    assert visible_to(room, "n1") == {anna}
    for viewer in (None, *room.state.participants):
        view = board_view(room.state, viewer)
        notes = next(s for s in view.sections if s.id == "notes")
        assert notes.hidden and notes.hidden_count == 1 and not notes.revealed

    # to the others the item does not exist
    rejected(room.send(BEN, Vote, item_id="n1", delta=1), errors.NOT_FOUND)
    rejected(room.send(FAC, EditItem, item_id="n1", text="?"), errors.NOT_FOUND)
    rejected(
        room.send(BEN, AddItem, item_id="n1", section="notes", text="zelfde id"),
        errors.DUPLICATE_ID,
    )
    # the author may still change it; the change goes to the author only
    edit = ok(room.send(ANNA, EditItem, item_id="n1", text="stil idee, beter"))
    assert [s.audience for s in edit.changes] == [frozenset({anna})]

    reveal = ok(room.send(FAC, RevealSection, section="notes"))
    assert [(type(s.change).__name__, s.audience) for s in reveal.changes] == [
        ("ItemPut", None),
        ("SectionPut", None),
    ]
    assert visible_to(room, "n1") == {None, *room.state.participants}
    notes = next(s for s in board_view(room.state, None).sections if s.id == "notes")
    assert (notes.hidden, notes.revealed, notes.hidden_count) == (False, True, 0)

    # after the reveal new items are open at once
    late = ok(room.send(BEN, AddItem, item_id="n2", section="notes", text="na onthullen"))
    assert [s.audience for s in late.changes] == [None]
    assert visible_to(room, "n2") == {None, *room.state.participants}


def test_items_in_an_open_section_are_visible_to_all() -> None:
    room = make_room(HIDDEN_METHOD)
    result = ok(room.send(ANNA, AddItem, item_id="o1", section="open_notes", text="open"))
    assert [s.audience for s in result.changes] == [None]
    assert visible_to(room, "o1") == {None, *room.state.participants}


def test_deleting_a_hidden_item_tells_only_its_author() -> None:
    room = make_room(HIDDEN_METHOD)
    anna = room.pid(ANNA)
    ok(room.send(ANNA, AddItem, item_id="n1", section="notes", text="weg ermee"))
    result = ok(room.send(ANNA, DeleteItem, item_id="n1"))
    assert [(type(s.change).__name__, s.audience) for s in result.changes] == [
        ("ItemRemoved", frozenset({anna})),
        ("SectionPut", None),
    ]
    assert "n1" not in room.state.hidden


def audiences_match_views(room: Room, result: Applied, item_id: str) -> tuple[Any, Any]:
    """Who got the item's ItemPut vs. whose snapshot (board_view) contains the item."""
    members = set(room.state.participants)
    puts = [s for s in result.changes if isinstance(s.change, ItemPut)]
    assert len(puts) == 1
    audience = members if puts[0].audience is None else set(puts[0].audience)
    return audience, visible_to(room, item_id) - {None}


def test_hidden_item_event_audience_equals_snapshot_visibility() -> None:
    room = make_room(HIDDEN_METHOD)
    result = ok(room.send(ANNA, AddItem, item_id="n1", section="notes", text="stil"))
    audience, seen = audiences_match_views(room, result, "n1")
    assert audience == seen == {room.pid(ANNA)}


def test_anonymous_hidden_item_event_audience_equals_snapshot_visibility() -> None:
    room = make_room(HIDDEN_METHOD)
    ok(room.send(FAC, SetAnonymous, anonymous=True))
    result = ok(room.send(ANNA, AddItem, item_id="n1", section="notes", text="stil"))
    audience, seen = audiences_match_views(room, result, "n1")
    # no author is stored, so nobody (not even the author) is sent the item before the
    # reveal; the author's client keeps the copy it sent
    assert audience == set()
    assert seen == audience, "a reconnecting author's snapshot must match the live events"
    assert room.state.hidden["n1"] is None


# -- anonymity ----------------------------------------------------------------------------


def test_anonymous_mode_strips_the_author_of_new_items() -> None:
    room = make_room(HIDDEN_METHOD)
    ok(room.send(ANNA, AddItem, item_id="o1", section="open_notes", text="met naam"))
    result = ok(room.send(FAC, SetAnonymous, anonymous=True))
    assert [s.change for s in result.changes] == [
        SessionPut(
            anonymous=True, closed=False, presenter=room.pid(PRES), facilitator=room.pid(FAC)
        )
    ]
    assert room.state.anonymous
    put = ok(room.send(ANNA, AddItem, item_id="o2", section="open_notes", text="zonder naam"))
    assert room.state.items["o2"].author is None
    assert isinstance(put.changes[0].change, ItemPut)
    assert put.changes[0].change.item.author is None
    assert b"author" not in msgspec.json.encode(room.state.items["o2"])
    assert room.state.items["o1"].author == room.pid(ANNA)  # earlier items keep theirs

    ok(room.send(FAC, SetAnonymous, anonymous=False))
    ok(room.send(ANNA, AddItem, item_id="o3", section="open_notes", text="weer met naam"))
    assert room.state.items["o3"].author == room.pid(ANNA)


SECRET_A, SECRET_B = "a" * 22 + "-secret-of-anna", "b" * 22 + "-secret-of-ben"


def test_anonymous_item_cannot_be_edited_without_its_secret_but_by_the_facilitator() -> None:
    room = make_room(HIDDEN_METHOD)
    ok(room.send(FAC, SetAnonymous, anonymous=True))
    ok(room.send(ANNA, AddItem, item_id="o1", section="open_notes", text="anoniem"))
    rejected(room.send(ANNA, EditItem, item_id="o1", text="ook ik niet"), errors.NOT_AUTHOR)
    rejected(room.send(BEN, EditItem, item_id="o1", text="ik niet"), errors.NOT_AUTHOR)
    ok(room.send(FAC, EditItem, item_id="o1", text="gemodereerd"))


def test_the_secret_lets_the_author_edit_and_delete_an_anonymous_item() -> None:
    room = make_room(HIDDEN_METHOD)
    ok(room.send(FAC, SetAnonymous, anonymous=True))
    ok(room.send(ANNA, AddItem, item_id="o1", section="open_notes", text="anoniem",
                 secret=SECRET_A))
    ok(room.send(BEN, AddItem, item_id="o2", section="open_notes", text="van ben",
                 secret=SECRET_B))
    stored = encode_state(room.state)
    assert SECRET_A.encode() not in stored and SECRET_B.encode() not in stored
    assert room.state.proofs["o1"] == item_proof(room.state.session_id, "o1", SECRET_A)
    # another member's secret, or none, is refused with a typed code
    rejected(room.send(BEN, EditItem, item_id="o1", text="ik", secret=SECRET_B), errors.NOT_AUTHOR)
    rejected(room.send(BEN, DeleteItem, item_id="o1", secret=SECRET_B), errors.NOT_AUTHOR)
    rejected(room.send(BEN, DeleteItem, item_id="o1"), errors.NOT_AUTHOR)
    assert room.state.items["o1"].text == "anoniem"
    ok(room.send(ANNA, EditItem, item_id="o1", text="herschreven", secret=SECRET_A))
    assert room.state.items["o1"].text == "herschreven"
    assert room.state.items["o1"].author is None
    # after anonymity is switched off the secret still works, and the item stays
    # anonymous
    ok(room.send(FAC, SetAnonymous, anonymous=False))
    ok(room.send(ANNA, EditItem, item_id="o1", text="nog eens", secret=SECRET_A))
    ok(room.send(ANNA, DeleteItem, item_id="o1", secret=SECRET_A))
    assert "o1" not in room.state.items and "o1" not in room.state.proofs
    assert list(room.state.proofs) == ["o2"]


def test_the_author_sees_and_edits_their_hidden_anonymous_item_before_the_reveal() -> None:
    room = make_room(HIDDEN_METHOD)
    ok(room.send(FAC, SetAnonymous, anonymous=True))
    added = ok(room.send(ANNA, AddItem, item_id="n1", section="notes", text="stil",
                         secret=SECRET_A))
    assert added.changes[0].audience == frozenset()  # nobody: the author keeps a copy
    rejected(room.send(BEN, EditItem, item_id="n1", text="x", secret=SECRET_B), errors.NOT_FOUND)
    edited = ok(room.send(ANNA, EditItem, item_id="n1", text="stiller", secret=SECRET_A))
    assert [s.audience for s in edited.changes] == [frozenset()]
    ok(room.send(ANNA, DeleteItem, item_id="n1", secret=SECRET_A))
    assert "n1" not in room.state.hidden


@pytest.mark.parametrize(
    ("anonymous", "op", "one_off", "proof"),
    [
        (False, AddItem(client_seq=1, item_id="x", section="open_notes", text="t",
                        secret=SECRET_A), False, False),
        (True, AddItem(client_seq=1, item_id="x", section="open_notes", text="t",
                       secret=SECRET_A), True, True),
        (True, AddItem(client_seq=1, item_id="x", section="open_notes", text="t"), True, False),
        (True, SetReady(client_seq=9, ready=True), False, False),
        (True, Vote(client_seq=1, item_id="named", delta=1), False, False),
        (True, EditItem(client_seq=1, item_id="named", text="t", secret=SECRET_A), False, False),
        (False, EditItem(client_seq=1, item_id="anon", text="t", secret=SECRET_A), True, True),
        (False, MoveItem(client_seq=1, item_id="anon", x=1, y=1), True, False),
        (False, DeleteItem(client_seq=1, item_id="anon"), True, False),
        (True, MoveItem(client_seq=1, item_id="named", x=1, y=1), False, False),
    ],
)
def test_admit_decides_the_one_off_key_and_never_logs_a_secret(
    anonymous: bool, op: Op, one_off: bool, proof: bool
) -> None:
    room = make_room(HIDDEN_METHOD)
    ok(room.send(ANNA, AddItem, item_id="named", section="open_notes", text="met naam"))
    ok(room.send(FAC, SetAnonymous, anonymous=True))
    ok(room.send(ANNA, AddItem, item_id="anon", section="open_notes", text="zonder"))
    ok(room.send(FAC, SetAnonymous, anonymous=anonymous))
    admitted = admit(room.state, op)
    assert (admitted.one_off, admitted.proof is not None) == (one_off, proof)
    assert getattr(admitted.op, "secret", None) is None
    assert admitted.op.client_seq == LOGGED_CLIENT_SEQ
    assert SECRET_A.encode() not in msgspec.msgpack.encode(admitted.op)


def _anonymous(room: Room, op: Op, role: str = "participant", key: str = "~k1") -> Result:
    """Apply ``op`` as a hub records a one-off op: no client key, a role."""
    room.seq += 1
    return apply(room.state, op, Actor("", key, room.seq, 0, role))  # type: ignore[arg-type]


def test_anonymous_op_is_judged_by_its_role_alone() -> None:
    room = make_room(HIDDEN_METHOD)
    ok(room.send(FAC, SetAnonymous, anonymous=True))
    add = AddItem(client_seq=1, item_id="a1", section="open_notes", text="anoniem")
    ok(_anonymous(room, add))
    assert room.state.items["a1"].author is None
    seq = room.state.items["a1"].seq
    # a resend under the same op key is a duplicate, even with other contents
    again = _anonymous(room, msgspec.structs.replace(add, text="anders"))
    assert again == Duplicate(seq, None)
    assert room.state.items["a1"].text == "anoniem"
    # the role decides: a locked section is refused, and remembered
    ok(room.send(FAC, LockSection, section="open_notes", locked=True))
    locked = AddItem(client_seq=2, item_id="a2", section="open_notes", text="dicht")
    rejected(_anonymous(room, locked, key="~k2"), errors.SECTION_LOCKED)
    assert _anonymous(room, locked, key="~k2") == Duplicate(room.seq - 1, errors.SECTION_LOCKED)
    assert "a2" not in room.state.items
    observer = AddItem(client_seq=4, item_id="a4", section="notes", text="kijker")
    rejected(_anonymous(room, observer, role="observer", key="~k4"), errors.FORBIDDEN)
    ok(room.send(FAC, CloseSession))
    closed = AddItem(client_seq=3, item_id="a3", section="open_notes", text="te laat")
    rejected(_anonymous(room, closed, key="~k3"), errors.SESSION_CLOSED)


# -- loose input rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("gewoon", None),
        ("regel een\nregel twee\tmet tab", None),
        ("nul\x00byte", errors.INVALID_VALUE),
        ("escape\x1b[31m", errors.INVALID_VALUE),
        ("wagen\rterug", errors.INVALID_VALUE),
        ("bel\x07", errors.INVALID_VALUE),
        ("delete\x7f", errors.INVALID_VALUE),
        ("emoji \u2603 en é", None),
    ],
)
def test_item_texts_with_control_characters_are_refused(text: str, code: str | None) -> None:
    room = make_room(HIDDEN_METHOD)
    ok(room.send(ANNA, AddItem, item_id="ok", section="open_notes", text="goed"))
    before = board_bytes(room.state)
    added = room.send(ANNA, AddItem, item_id="t1", section="open_notes", text=text)
    edited = room.send(ANNA, EditItem, item_id="ok", text=text)
    if code is None:
        ok(added), ok(edited)
        assert room.state.items["t1"].text == text == room.state.items["ok"].text
    else:
        rejected(added, code), rejected(edited, code)
        assert board_bytes(room.state) == before


def test_every_control_character_but_tab_and_newline_is_refused_and_named() -> None:
    """All of U+0000-U+00FF one by one: refused are exactly the C0 codes but tab and
    newline, and DEL; the reason names the first one in the text."""
    refused = {c for c in range(0x100) if c < 0x20 and c not in (0x09, 0x0A)} | {0x7F}
    for code_point in range(0x100):
        found = control_characters(f"ab{chr(code_point)}c\x01")
        assert found is not None  # the trailing U+0001
        first = code_point if code_point in refused else 0x01
        assert found.reason.endswith(f"(U+{first:04X})")
        alone = control_characters(chr(code_point))
        assert (alone is not None) == (code_point in refused)


DOMINANTE: Method = load_methods(framed=False)["dominante_ideeen"]


def _dominante_at(step_id: str) -> Room:
    room = make_room(DOMINANTE)
    ok(room.send(FAC, SetStep, step=[s.id for s in DOMINANTE.steps].index("name_ideas")))
    ok(room.send(ANNA, AddItem, item_id="i1", section="ideas", text="Ik moet alles zelf"))
    ok(room.send(ANNA, AddItem, item_id="i2", section="ideas", text="Fouten zijn erg"))
    ok(room.send(FAC, SetStep, step=[s.id for s in DOMINANTE.steps].index("respond")))
    ok(room.send(PRES, CircleItem, item_id="i1", circled=True))
    ok(room.send(FAC, SetStep, step=[s.id for s in DOMINANTE.steps].index(step_id)))
    return room


@pytest.mark.parametrize(
    ("step_id", "parent", "code"),
    [
        ("alternatives", "i1", None),
        ("alternatives", "i2", errors.INVALID_VALUE),  # not circled
        ("alternatives", None, errors.INVALID_VALUE),  # only alternatives in this step
        ("alternatives", "alt", errors.INVALID_VALUE),  # under an alternative
        ("alternatives", "nope", errors.NOT_FOUND),
        ("name_ideas", None, None),
        ("name_ideas", "i2", errors.INVALID_VALUE),  # under an idea that is not circled
    ],
)
def test_an_alternative_hangs_under_a_circled_idea(
    step_id: str, parent: str | None, code: str | None
) -> None:
    room = _dominante_at("alternatives")
    ok(room.send(ANNA, AddItem, item_id="alt", section="ideas", text="Ik mag hulp vragen",
                 parent="i1"))
    ok(room.send(FAC, SetStep, step=[s.id for s in DOMINANTE.steps].index(step_id)))
    before = board_bytes(room.state)
    result = room.send(ANNA, AddItem, item_id="new", section="ideas", text="nieuw",
                       parent=parent)
    if code is None:
        assert ok(result) and room.state.items["new"].parent == parent
    else:
        rejected(result, code)
        assert board_bytes(room.state) == before


# -- timer --------------------------------------------------------------------------------


def timer_of(result: Result) -> tuple[bool, int | None, int]:
    change = ok(result).changes[-1].change
    assert isinstance(change, TimerSet), change
    return change.timer.running, change.timer.deadline_ms, change.timer.remaining_ms


def test_timer_deadline_arithmetic_is_exact() -> None:
    room = make_room()
    minutes = TIENSTAPPEN.steps[0].minutes
    assert minutes == 10
    assert room.state.timer == Timer(remaining_ms=600_000)

    t0 = 1_000_000
    assert timer_of(room.send(FAC, SetTimer, action="start", ts_ms=t0)) == (
        True,
        t0 + 600_000,
        600_000,
    )
    assert timer_of(room.send(FAC, SetTimer, action="pause", ts_ms=t0 + 61_000)) == (
        False,
        None,
        539_000,
    )
    assert timer_of(room.send(FAC, SetTimer, action="add", seconds=30, ts_ms=t0 + 90_000)) == (
        False,
        None,
        569_000,
    )
    assert timer_of(room.send(FAC, SetTimer, action="start", ts_ms=t0 + 100_000)) == (
        True,
        t0 + 669_000,
        569_000,
    )
    # adding while running moves the deadline by exactly the added time
    assert timer_of(room.send(FAC, SetTimer, action="add", seconds=60, ts_ms=t0 + 200_000)) == (
        True,
        t0 + 729_000,
        529_000,
    )
    # start while running keeps the deadline
    assert timer_of(room.send(FAC, SetTimer, action="start", ts_ms=t0 + 300_000)) == (
        True,
        t0 + 729_000,
        429_000,
    )
    assert timer_of(room.send(FAC, SetTimer, action="reset", ts_ms=t0 + 400_000)) == (
        False,
        None,
        600_000,
    )


def test_timer_runs_out_and_restarts_with_the_step_default() -> None:
    room = make_room()
    ok(room.send(FAC, SetTimer, action="start", ts_ms=0 + 5_000))
    # paused long after the deadline: nothing left, never negative
    assert timer_of(room.send(FAC, SetTimer, action="pause", ts_ms=5_000 + 900_000)) == (
        False,
        None,
        0,
    )
    assert timer_of(room.send(FAC, SetTimer, action="start", ts_ms=2_000_000)) == (
        True,
        2_600_000,
        600_000,
    )


def test_step_change_resets_the_timer_and_close_pauses_it() -> None:
    room = make_room()
    ok(room.send(FAC, SetTimer, action="start", ts_ms=10_000))
    ok(room.send(FAC, SetStep, step=1, ts_ms=20_000))
    assert room.state.timer.running is False
    assert room.state.timer.remaining_ms == TIENSTAPPEN.steps[1].minutes * 60_000 == 900_000
    ok(room.send(FAC, SetTimer, action="start", ts_ms=30_000))
    assert room.state.timer.deadline_ms == 930_000
    close = ok(room.send(FAC, CloseSession, ts_ms=130_000))
    assert room.state.timer.running is False
    assert room.state.timer.remaining_ms == 800_000
    assert timer_of(close) == (False, None, 800_000)


# -- removal ------------------------------------------------------------------------------


def test_removed_participant_is_rejected_with_removed() -> None:
    room = make_room()
    ok(room.send(FAC, SetStep, step=1))
    ok(room.send(BEN, SetReady, ready=True))
    ok(room.send(BEN, AddItem, item_id="q1", section="questions", text="Mag het?"))
    removal = ok(room.send(FAC, RemoveParticipant, participant_id=room.pid(BEN)))
    ben = room.state.participants[room.pid(BEN)]
    assert ben.removed
    assert room.pid(BEN) not in room.state.ready
    assert any(getattr(s.change, "count", None) == 0 for s in removal.changes)

    rejected(
        room.send(BEN, AddItem, item_id="q2", section="questions", text="Nog één"), errors.REMOVED
    )
    rejected(room.send(BEN, EditItem, item_id="q1", text="anders"), errors.REMOVED)
    rejected(room.send(BEN, SetReady, ready=True), errors.REMOVED)
    rejected(room.join(BEN, "Ben"), errors.REMOVED)
    rejected(room.join(BEN, "Ben met nieuwe naam"), errors.REMOVED)
    rejected(room.join(BEN, "Ben", via="facilitator"), errors.REMOVED)
    assert room.state.participants[room.pid(BEN)].name == "Ben"
    # their items stay on the board; a second removal finds nobody
    assert "q1" in room.state.items
    rejected(room.send(FAC, RemoveParticipant, participant_id=room.pid(BEN)), errors.NOT_FOUND)
    rejected(
        room.send(FAC, AssignRole, participant_id=room.pid(BEN), role="presenter"), errors.NOT_FOUND
    )


def test_removing_the_presenter_clears_the_presenter() -> None:
    room = make_room()
    assert room.state.presenter == room.pid(PRES)
    ok(room.send(FAC, RemoveParticipant, participant_id=room.pid(PRES)))
    assert room.state.presenter is None
    assert room.state.participants[room.pid(PRES)].role == "participant"


def test_facilitator_cannot_remove_themselves() -> None:
    room = make_room()
    rejected(room.send(FAC, RemoveParticipant, participant_id=room.pid(FAC)), errors.INVALID_VALUE)


def test_non_member_is_rejected_with_not_member() -> None:
    room = make_room()
    rejected(room.send("client-stranger", SetReady, ready=True), errors.NOT_MEMBER)


# -- roles --------------------------------------------------------------------------------


def roles(room: Room) -> dict[str, str]:
    return {pid: member.role for pid, member in room.state.participants.items()}


def test_facilitator_hand_over() -> None:
    room = make_room()
    ok(room.send(FAC, AssignRole, participant_id=room.pid(ANNA), role="facilitator"))
    assert room.state.facilitator == room.pid(ANNA)
    assert roles(room)[room.pid(ANNA)] == "facilitator"
    assert roles(room)[room.pid(FAC)] == "participant"
    assert list(roles(room).values()).count("facilitator") == 1
    rejected(room.send(FAC, SetStep, step=1), errors.FORBIDDEN)
    ok(room.send(ANNA, SetStep, step=1))


def test_handing_the_facilitator_role_to_the_presenter_clears_the_presenter() -> None:
    room = make_room()
    ok(room.send(FAC, AssignRole, participant_id=room.pid(PRES), role="facilitator"))
    assert room.state.facilitator == room.pid(PRES)
    assert room.state.presenter is None
    assert list(roles(room).values()).count("presenter") == 0


def test_facilitator_assigning_themselves_facilitator_keeps_the_role() -> None:
    room = make_room()
    result = room.send(FAC, AssignRole, participant_id=room.pid(FAC), role="facilitator")
    if isinstance(result, Applied):
        assert room.state.facilitator == room.pid(FAC)
        assert roles(room)[room.pid(FAC)] == "facilitator"
    ok(room.send(FAC, SetStep, step=1))


def test_facilitator_cannot_give_themselves_another_role() -> None:
    room = make_room()
    rejected(
        room.send(FAC, AssignRole, participant_id=room.pid(FAC), role="presenter"),
        errors.INVALID_VALUE,
    )


def test_only_one_presenter_at_a_time() -> None:
    room = make_room()
    assert room.state.presenter == room.pid(PRES)
    result = ok(room.send(FAC, AssignRole, participant_id=room.pid(ANNA), role="presenter"))
    assert room.state.presenter == room.pid(ANNA)
    assert roles(room)[room.pid(PRES)] == "participant"
    assert list(roles(room).values()).count("presenter") == 1
    changed = {
        s.change.participant.id for s in result.changes if isinstance(s.change, ParticipantPut)
    }
    assert changed == {room.pid(PRES), room.pid(ANNA)}
    # the old presenter lost the presenter's rights
    ok(room.send(FAC, SetStep, step=2))
    room.state.items["q1"] = Item(id="q1", section="questions", text="?", step=1, seq=1)
    rejected(room.send(PRES, RateItem, item_id="q1", rating="warm"), errors.FORBIDDEN)
    ok(room.send(ANNA, RateItem, item_id="q1", rating="warm"))
    # demoting the presenter to observer leaves no presenter
    ok(room.send(FAC, AssignRole, participant_id=room.pid(ANNA), role="observer"))
    assert room.state.presenter is None
    assert roles(room)[room.pid(ANNA)] == "observer"


def test_join_via_links() -> None:
    room = Room()
    ok(room.join(FAC, "Fenna", "facilitator"))
    ok(room.join(ANNA, "Anna"))
    assert room.state.facilitator == room.pid(FAC)
    assert roles(room) == {room.pid(FAC): "facilitator", room.pid(ANNA): "participant"}
    # a rejoin with the same name changes nothing; a new name is a rename
    assert ok(room.join(ANNA, "Anna")).changes == []
    ok(room.join(ANNA, "Anna B."))
    assert room.state.participants[room.pid(ANNA)].name == "Anna B."
    assert room.pid(ANNA) != ANNA  # the client id itself is never shown


# -- close --------------------------------------------------------------------------------


def every_op(room: Room) -> list[tuple[type[Op], dict[str, Any]]]:
    return [
        (AddItem, {"item_id": "n", "section": "case", "text": "t"}),
        (EditItem, {"item_id": "c1", "text": "t"}),
        (MoveItem, {"item_id": "c1", "x": 1.0, "y": 1.0}),
        (DeleteItem, {"item_id": "c1"}),
        (RateItem, {"item_id": "c1", "rating": "warm"}),
        (CircleItem, {"item_id": "c1", "circled": True}),
        (ChooseItem, {"item_id": "c1", "chosen": True}),
        (Vote, {"item_id": "c1", "delta": 1}),
        (SetStep, {"step": 1}),
        (LockSection, {"section": "case", "locked": True}),
        (RevealSection, {"section": "case"}),
        (SetTimer, {"action": "start"}),
        (SetReady, {"ready": True}),
        (AssignRole, {"participant_id": room.pid(ANNA), "role": "presenter"}),
        (RemoveParticipant, {"participant_id": room.pid(BEN)}),
        (SetAnonymous, {"anonymous": True}),
        (CloseSession, {}),
        (SetSpotlight, {"section": "case"}),
        (SetFollow, {"following": False}),
        (StartRound, {}),
        (RoundTurn, {"action": "next", "turn": 0}),
        (EndRound, {}),
    ]


def test_after_close_every_op_is_rejected() -> None:
    room = make_room()
    ok(room.send(PRES, AddItem, item_id="c1", section="case", text="Casus"))
    close = ok(room.send(FAC, CloseSession))
    assert room.state.closed
    assert isinstance(close.changes[0].change, SessionPut)
    assert close.changes[0].change.closed
    before = board_bytes(room.state)
    ops = every_op(room)
    # set_export governs the exports the close opens: the one op allowed afterwards
    assert {op_type for op_type, _ in ops} == set(get_args(Op)) - {SetExport}
    for client in (FAC, PRES, ANNA):
        for op_type, fields in ops:
            result = room.send(client, op_type, **fields)
            assert isinstance(result, Rejected), (client, op_type.__name__, result)
            assert result.code == errors.SESSION_CLOSED, (client, op_type.__name__, result)
    assert board_bytes(room.state) == before
    # an existing member may still open the closed board (a rejoin changes nothing)
    assert ok(room.join(ANNA, "Anna")).changes == []


def test_set_export_is_facilitator_only_and_allowed_after_close() -> None:
    room = make_room()
    rejected(room.send(ANNA, SetExport, participants=False), errors.FORBIDDEN)
    rejected(room.send(PRES, SetExport, participants=False), errors.FORBIDDEN)
    assert room.state.participant_export is True
    ok(room.send(FAC, CloseSession))
    result = ok(room.send(FAC, SetExport, participants=False))
    assert room.state.participant_export is False
    put = result.changes[0].change
    assert isinstance(put, SessionPut) and put.participant_export is False and put.closed
    rejected(room.send(ANNA, SetExport, participants=True), errors.FORBIDDEN)
    assert board_view(room.state, room.pid(ANNA)).participant_export is False


def test_join_after_close_does_not_change_the_closed_board() -> None:
    room = make_room()
    ok(room.send(FAC, CloseSession))
    before = board_bytes(room.state)
    result = room.join("client-late-01", "Laat", "facilitator")
    assert isinstance(result, Rejected) or result == Applied([])
    assert board_bytes(room.state) == before


# -- snapshots ----------------------------------------------------------------------------


def test_snapshot_roundtrip_of_a_fresh_state() -> None:
    state = new_state("sess-1", "Leeg", "en", TIENSTAPPEN)
    assert decode_state(encode_state(state)) == state


def test_snapshot_roundtrip_of_a_played_state() -> None:
    room = make_room(HIDDEN_METHOD)
    ok(room.send(ANNA, AddItem, item_id="n1", section="notes", text="verborgen"))
    ok(room.send(BEN, AddItem, item_id="o1", section="open_notes", text="open", x=1.5, y=-2.25))
    ok(room.send(FAC, SetAnonymous, anonymous=True))
    ok(room.send(BEN, AddItem, item_id="o2", section="open_notes", text="anoniem", color="blue"))
    ok(room.send(FAC, LockSection, section="open_notes", locked=True))
    ok(room.send(ANNA, SetReady, ready=True))
    ok(room.send(ANNA, Vote, item_id="n1", delta=1))
    ok(room.send(FAC, SetTimer, action="start"))
    rejected(room.send(BEN, EditItem, item_id="o1", text="op slot"), errors.SECTION_LOCKED)
    ok(room.send(FAC, SetStep, step=1))
    ok(room.send(FAC, RevealSection, section="notes"))
    ok(room.send(FAC, RemoveParticipant, participant_id=room.pid(BEN)))
    state = room.state
    assert state.hidden == {} and state.revealed and state.overrides and state.votes
    assert state.marks and state.proofs == {} and state.timer.remaining_ms

    data = encode_state(state)
    copy = decode_state(data)
    assert copy == state
    assert encode_state(copy) == data
    assert board_view(copy, room.pid(ANNA)) == board_view(state, room.pid(ANNA))


def test_rooms_of_one_method_share_its_definition() -> None:
    first = decode_state(encode_state(new_state("sess-1", "Een", "nl", TIENSTAPPEN)))
    second = decode_state(encode_state(new_state("sess-2", "Twee", "en", TIENSTAPPEN)))
    other = decode_state(encode_state(new_state("sess-3", "Drie", "nl", HIDDEN_METHOD)))
    assert first.method is second.method and first.method == TIENSTAPPEN
    assert other.method is not first.method and other.method == HIDDEN_METHOD
    assert (first.session_id, second.language) == ("sess-1", "en")


def test_snapshot_keeps_hidden_items_hidden() -> None:
    room = make_room(HIDDEN_METHOD)
    ok(room.send(ANNA, AddItem, item_id="n1", section="notes", text="verborgen"))
    copy = decode_state(encode_state(room.state))
    assert copy == room.state
    assert copy.hidden == {"n1": room.pid(ANNA)}
    assert [i.id for i in board_view(copy, room.pid(BEN)).items] == []


def test_scoped_default_audience_is_everyone() -> None:
    section = board_view(make_room().state, None).sections[0]
    assert Scoped(SectionPut(section=section)).audience is None


def test_redefinitions_always_start_with_the_prefix() -> None:
    """The server, not the view, puts "Mijn probleem is" in front of a re-definition
    that lacks it in either language; other sections keep their text as written."""
    room = make_room()
    ok(room.send(FAC, SetStep, step=5))
    ok(room.send(ANNA, AddItem, item_id="r1", section="redefinitions", text="te veel werk"))
    ok(room.send(BEN, AddItem, item_id="r2", section="redefinitions", text="My problem is time"))
    ok(room.send(BEN, AddItem, item_id="r3", section="redefinitions", text="mijn probleem is X"))
    texts = {i: room.state.items[i].text for i in ("r1", "r2", "r3")}
    assert texts == {"r1": "Mijn probleem is: te veel werk", "r2": "My problem is time",
                     "r3": "mijn probleem is X"}
    put = ok(room.send(ANNA, EditItem, item_id="r1", text="dat ik geen grenzen stel"))
    assert room.state.items["r1"].text == "Mijn probleem is dat ik geen grenzen stel"
    assert isinstance(put.changes[0].change, ItemPut)
    assert put.changes[0].change.item.text == "Mijn probleem is dat ik geen grenzen stel"
    # a sentence of its own follows a colon, never "Mijn probleem is ik weet niet"
    ok(room.send(BEN, AddItem, item_id="r4", section="redefinitions", text="ik weet niet hoe"))
    assert room.state.items["r4"].text == "Mijn probleem is: ik weet niet hoe"
    ok(room.send(FAC, SetStep, step=1))
    ok(room.send(ANNA, AddItem, item_id="q1", section="questions", text="Wat wil je?"))
    assert room.state.items["q1"].text == "Wat wil je?"


def test_records_and_snapshots_of_the_former_format_still_load() -> None:
    """Logs and snapshots written before op keys (client_seq, per-client marks) decode;
    their old marks are dropped, their one-off records still replay without author."""
    room = make_room(HIDDEN_METHOD)
    state = msgspec.msgpack.decode(encode_state(room.state))
    state.pop("marks")
    state["clients"] = {"k": [[1, 5, None]]}
    state["anonymous_marks"] = {"~x": [2, 6, None]}
    loaded = decode_state(msgspec.msgpack.encode(state))
    assert loaded.marks == {} and loaded.participants == room.state.participants
    op = {"type": "add_item", "client_seq": 2, "item_id": "o1", "section": "open_notes",
          "text": "oud"}
    record = decode_record(msgspec.msgpack.encode(
        {"client_id": "~abc", "client_seq": 2, "ts_ms": 5, "op": op, "role": "participant"}))
    assert record.op_key == "" and record.role == "participant"
    ok(apply(loaded, record.op, Actor(record.client_id, record.op_key, loaded.seq + 1,
                                      record.ts_ms, record.role)))
    assert loaded.items["o1"].author is None and loaded.marks == {}
