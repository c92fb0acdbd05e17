"""The permission matrix of the Tienstappenmethode, driven by the method data.

Every step x every role x every op kind is one test. The expectation is computed from
``server/methods/data/tienstappen.toml`` (which mirrors section 2.1 of the source
document), never copied by hand:

- item ops need the step's right on the item's section: ``add`` for add/edit/move/
  delete of an own item, ``rate``, ``circle``, ``choose``, ``vote``; item ops are
  checked against every section of the method, shown in the step or not;
- facilitator-only ops are allowed exactly for the facilitator;
- ``set_ready`` is allowed for everyone except an observer.

One rule is not in the method data but in the reducer on purpose: the facilitator
may delete any item at any time (moderation). The matrix encodes it explicitly.

The explicit tests below the matrix retell the steps of the source document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from server.core import errors
from server.core.records import Join
from server.core.reducer import Actor, Applied, Duplicate, Rejected, Result, apply
from server.core.state import BoardState, new_state, participant_id
from server.methods.loader import load_methods
from shared_schema.board import ROLES, Item, Role
from shared_schema.client import (
    AddItem,
    AssignRole,
    ChooseItem,
    CircleItem,
    CloseSession,
    DeleteItem,
    EditItem,
    LockSection,
    MoveItem,
    Op,
    RateItem,
    RemoveParticipant,
    RevealSection,
    SetAnonymous,
    SetExport,
    SetReady,
    SetStep,
    SetTimer,
    Vote,
)
from shared_schema.method import Method, Right, StepSection

METHOD: Method = load_methods(framed=False)["tienstappen"]
STEPS = range(len(METHOD.steps))
SECTIONS = [section.id for section in METHOD.sections]

CLIENTS: dict[Role, str] = {
    "facilitator": "client-facilitator",
    "presenter": "client-presenter",
    "participant": "client-participant",
    "observer": "client-observer",
}

# -- a room with one member per role ----------------------------------------------------


class Room:
    """A board state plus the bookkeeping a backplane would do (seq, client_seq)."""

    def __init__(self, method: Method = METHOD, session_id: str = "sess-permissions") -> None:
        self.state: BoardState = new_state(session_id, "Casus", "nl", method)
        self.seq = 0
        self.ts_ms = 1_700_000_000_000
        self.client_seqs: dict[str, int] = {}

    def pid(self, role: Role) -> str:
        return participant_id(self.state.session_id, CLIENTS[role])

    def join(self, client_id: str, name: str, via: str) -> Result:
        self.seq += 1
        actor = Actor(client_id, "", seq=self.seq, ts_ms=self.ts_ms)
        return apply(self.state, Join(name=name, via=via), actor)

    def send(self, who: Role, op_type: type[Op], /, **fields: Any) -> Result:
        """Apply an op of ``op_type`` as the member holding the role ``who``."""
        client_id = CLIENTS[who]
        client_seq = self.client_seqs.get(client_id, 0) + 1
        self.client_seqs[client_id] = client_seq
        self.seq += 1
        self.ts_ms += 1_000
        op = op_type(client_seq=client_seq, **fields)
        actor = Actor(client_id, f"{client_id}/{client_seq}", self.seq, self.ts_ms)
        return apply(self.state, op, actor)


def ok(result: Result) -> Applied:
    assert isinstance(result, Applied), result
    return result


def rejected(result: Result, code: str) -> Rejected:
    assert isinstance(result, Rejected), result
    assert result.code == code, result
    return result


def make_room(step: int = 0) -> Room:
    """Facilitator (via the facilitator link), presenter, participant and observer."""
    room = Room()
    ok(room.join(CLIENTS["facilitator"], "Fenna", "facilitator"))
    for role, name in (("presenter", "Pieter"), ("participant", "Anna"), ("observer", "Olaf")):
        ok(room.join(CLIENTS[role], name, "participant"))
    ok(room.send("facilitator", AssignRole, participant_id=room.pid("presenter"), role="presenter"))
    ok(room.send("facilitator", AssignRole, participant_id=room.pid("observer"), role="observer"))
    roles = {member.role for member in room.state.participants.values()}
    assert roles == set(ROLES)
    if step:
        ok(room.send("facilitator", SetStep, step=step))
    assert room.state.step == step
    return room


def put_item(room: Room, item_id: str, section: str, author: str | None) -> Item:
    """Seed an item straight into the state (setup only)."""
    lanes = [lane.id for lane in _section_def(section).lanes]
    item = Item(
        id=item_id,
        section=section,
        text=f"item in {section}",
        step=room.state.step,
        seq=room.seq,
        author=author,
        lane=lanes[0] if lanes else None,
    )
    room.state.items[item_id] = item
    return item


def _section_def(section: str) -> Any:
    return next(s for s in METHOD.sections if s.id == section)


def step_entry(step: int, section: str) -> StepSection | None:
    return next((e for e in METHOD.steps[step].sections if e.section == section), None)


def roles_from_data(step: int, right: Right, section: str) -> list[Role]:
    entry = step_entry(step, section)
    return list(getattr(entry, right)) if entry is not None else []


# -- the matrix ---------------------------------------------------------------------------

ITEM_OP_RIGHT: dict[str, Right] = {
    "add_item": "add",
    "edit_item": "add",
    "move_item": "add",
    "delete_item": "add",
    "rate_item": "rate",
    "circle_item": "circle",
    "choose_item": "choose",
    "vote": "vote",
}
FACILITATOR_OPS = (
    "set_step",
    "lock_section",
    "reveal_section",
    "set_timer",
    "assign_role",
    "remove_participant",
    "set_anonymous",
    "set_export",
    "close_session",
)
OP_KINDS = (*ITEM_OP_RIGHT, *FACILITATOR_OPS[:4], "set_ready", *FACILITATOR_OPS[4:])
assert len(OP_KINDS) == 18


def play_item_op(room: Room, role: Role, kind: str, section: str) -> Result:
    """Seed what ``kind`` needs in ``section`` and apply it as ``role``."""
    own = put_item(room, "own-item", section, author=room.pid(role))
    other = put_item(room, "target-item", section, author=room.pid("participant"))
    lanes = [lane.id for lane in _section_def(section).lanes]
    match kind:
        case "add_item":
            return room.send(
                role,
                AddItem,
                item_id="new-item",
                section=section,
                text="Wat maakt dit lastig voor je?",
                lane=lanes[0] if lanes else None,
            )
        case "edit_item":
            return room.send(role, EditItem, item_id=own.id, text="beter geformuleerd")
        case "move_item":
            return room.send(role, MoveItem, item_id=own.id, x=120.0, y=-40.0, color="pink")
        case "delete_item":
            return room.send(role, DeleteItem, item_id=own.id)
        case "rate_item":
            return room.send(role, RateItem, item_id=other.id, rating="warm")
        case "circle_item":
            return room.send(role, CircleItem, item_id=other.id, circled=True)
        case "choose_item":
            return room.send(role, ChooseItem, item_id=other.id, chosen=True)
        case "vote":
            return room.send(role, Vote, item_id=other.id, delta=1)
    raise AssertionError(kind)


def play_other_op(room: Room, role: Role, kind: str) -> Result:
    step = room.state.step
    shown = METHOD.steps[step].sections[0].section
    target: Role = "observer" if role == "participant" else "participant"
    ops: dict[str, Callable[[], Result]] = {
        "set_step": lambda: room.send(role, SetStep, step=(step + 1) % len(METHOD.steps)),
        "lock_section": lambda: room.send(role, LockSection, section=shown, locked=True),
        "reveal_section": lambda: room.send(role, RevealSection, section=shown),
        "set_timer": lambda: room.send(role, SetTimer, action="start"),
        "set_ready": lambda: room.send(role, SetReady, ready=True),
        "assign_role": lambda: room.send(
            role, AssignRole, participant_id=room.pid(target), role="presenter"
        ),
        "remove_participant": lambda: room.send(
            role, RemoveParticipant, participant_id=room.pid(target)
        ),
        "set_anonymous": lambda: room.send(role, SetAnonymous, anonymous=True),
        "set_export": lambda: room.send(role, SetExport, participants=False),
        "close_session": lambda: room.send(role, CloseSession),
    }
    return ops[kind]()


def expected_item_op(step: int, role: Role, kind: str, section: str) -> bool:
    if kind == "delete_item" and role == "facilitator":
        return True  # moderation: the reducer lets the facilitator delete any item
    return role in roles_from_data(step, ITEM_OP_RIGHT[kind], section)


def expected_other_op(role: Role, kind: str) -> bool:
    if kind == "set_ready":
        return role != "observer"
    return role == "facilitator"


def _outcome(result: Result) -> str:
    if isinstance(result, Applied):
        return "applied"
    if isinstance(result, Rejected):
        return f"rejected:{result.code}"
    raise AssertionError(f"unexpected {result!r}")


MATRIX = [
    pytest.param(step, role, kind, id=f"step{step + 1}-{METHOD.steps[step].id}-{role}-{kind}")
    for step in STEPS
    for role in ROLES
    for kind in OP_KINDS
]


@pytest.mark.parametrize(("step", "role", "kind"), MATRIX)
def test_permission_matrix(step: int, role: Role, kind: str) -> None:
    if kind in ITEM_OP_RIGHT:
        mismatches = []
        for section in SECTIONS:
            room = make_room(step)
            outcome = _outcome(play_item_op(room, role, kind, section))
            allowed = expected_item_op(step, role, kind, section)
            expected = "applied" if allowed else f"rejected:{errors.FORBIDDEN}"
            if outcome != expected:
                mismatches.append(f"{section}: expected {expected}, got {outcome}")
        assert not mismatches, "; ".join(mismatches)
    else:
        room = make_room(step)
        outcome = _outcome(play_other_op(room, role, kind))
        expected = "applied" if expected_other_op(role, kind) else f"rejected:{errors.FORBIDDEN}"
        assert outcome == expected


def test_matrix_covers_every_step_role_and_op() -> None:
    assert len(METHOD.steps) == 10
    assert len(MATRIX) == 10 * 4 * 18


def test_matrix_is_not_vacuous() -> None:
    """Every item right is granted to someone somewhere, so both outcomes are exercised."""
    granted = {
        right
        for step in METHOD.steps
        for entry in step.sections
        for right in ("add", "rate", "choose")
        if getattr(entry, right)
    }
    assert granted == {"add", "rate", "choose"}


# -- the steps of the source document (section 2.1) ------------------------------------

STEP = {step.id: index for index, step in enumerate(METHOD.steps)}
ASK, RATE_QUESTIONS, ANSWER = STEP["ask"], STEP["rate_questions"], STEP["answer"]
REDEFINE, RATE_REDEFINITIONS = STEP["redefine"], STEP["rate_redefinitions"]


def test_step_indexes_match_the_document() -> None:
    """Stap 2, 3, 4, 6 and 7 of the document are the step indexes 1, 2, 3, 5 and 6."""
    assert (ASK, RATE_QUESTIONS, ANSWER, REDEFINE, RATE_REDEFINITIONS) == (1, 2, 3, 5, 6)


def test_step2_participants_add_questions_presenter_cannot() -> None:
    room = make_room(ASK)
    ok(room.send("participant", AddItem, item_id="q1", section="questions", text="Wat wil je?"))
    ok(room.send("facilitator", AddItem, item_id="q2", section="questions", text="Wanneer?"))
    rejected(
        room.send("presenter", AddItem, item_id="q3", section="questions", text="Mag ik?"),
        errors.FORBIDDEN,
    )
    rejected(
        room.send("observer", AddItem, item_id="q4", section="questions", text="Ik ook?"),
        errors.FORBIDDEN,
    )
    assert set(room.state.items) == {"q1", "q2"}
    assert room.state.items["q1"].author == room.pid("participant")
    assert room.state.items["q1"].step == ASK


def test_step3_only_presenter_rates_cold_warm_neutral() -> None:
    room = make_room(ASK)
    ok(room.send("participant", AddItem, item_id="q1", section="questions", text="Wat wil je?"))
    ok(room.send("participant", AddItem, item_id="q2", section="questions", text="Wie nog?"))
    ok(room.send("participant", AddItem, item_id="q3", section="questions", text="Waarom nu?"))
    ok(room.send("facilitator", SetStep, step=RATE_QUESTIONS))
    for item_id, rating in (("q1", "cold"), ("q2", "warm"), ("q3", "neutral")):
        ok(room.send("presenter", RateItem, item_id=item_id, rating=rating))
    assert [room.state.items[i].rating for i in ("q1", "q2", "q3")] == ["cold", "warm", "neutral"]
    for role in ("participant", "facilitator", "observer"):
        rejected(room.send(role, RateItem, item_id="q1", rating="warm"), errors.FORBIDDEN)
    assert room.state.items["q1"].rating == "cold"
    # nobody adds questions while they are being rated
    rejected(
        room.send("participant", AddItem, item_id="q4", section="questions", text="Nog één?"),
        errors.FORBIDDEN,
    )
    # the presenter may take a rating back
    ok(room.send("presenter", RateItem, item_id="q3", rating=None))
    assert room.state.items["q3"].rating is None


def test_step4_questions_are_read_only() -> None:
    room = make_room(ANSWER)
    put_item(room, "q1", "questions", room.pid("participant"))
    rejected(room.send("presenter", RateItem, item_id="q1", rating="warm"), errors.FORBIDDEN)
    rejected(room.send("participant", EditItem, item_id="q1", text="anders"), errors.FORBIDDEN)


def test_step6_participants_add_redefinitions() -> None:
    room = make_room(REDEFINE)
    ok(
        room.send(
            "participant",
            AddItem,
            item_id="r1",
            section="redefinitions",
            text="Mijn probleem is dat ik geen nee zeg.",
        )
    )
    ok(room.send("facilitator", AddItem, item_id="r2", section="redefinitions", text="Mijn..."))
    rejected(
        room.send("presenter", AddItem, item_id="r3", section="redefinitions", text="Mijn..."),
        errors.FORBIDDEN,
    )
    # the participant may still change their own re-definition in this step
    ok(room.send("participant", EditItem, item_id="r1", text="Mijn probleem is dat ik twijfel."))
    assert room.state.items["r1"].text == "Mijn probleem is dat ik twijfel."


def test_step7_presenter_rates_adds_own_and_chooses_one() -> None:
    room = make_room(REDEFINE)
    ok(room.send("participant", AddItem, item_id="r1", section="redefinitions", text="Mijn A"))
    ok(room.send("facilitator", AddItem, item_id="r2", section="redefinitions", text="Mijn B"))
    ok(room.send("facilitator", SetStep, step=RATE_REDEFINITIONS))

    ok(room.send("presenter", RateItem, item_id="r1", rating="warm"))
    ok(room.send("presenter", RateItem, item_id="r2", rating="cold"))
    ok(room.send("presenter", AddItem, item_id="r3", section="redefinitions", text="Mijn eigen"))
    assert room.state.items["r3"].author == room.pid("presenter")

    ok(room.send("presenter", ChooseItem, item_id="r1", chosen=True))
    assert room.state.items["r1"].chosen
    result = ok(room.send("presenter", ChooseItem, item_id="r3", chosen=True))
    assert room.state.items["r3"].chosen
    assert not room.state.items["r1"].chosen, "choosing one un-chooses the other"
    assert [i.id for i in room.state.items.values() if i.chosen] == ["r3"]
    put_ids = [change.change.item.id for change in result.changes]
    assert put_ids == ["r1", "r3"]

    # the others may neither add, rate nor choose here any more
    for role in ("participant", "facilitator"):
        rejected(
            room.send(role, AddItem, item_id=f"x-{role}", section="redefinitions", text="Mijn"),
            errors.FORBIDDEN,
        )
        rejected(room.send(role, RateItem, item_id="r3", rating="warm"), errors.FORBIDDEN)
        rejected(room.send(role, ChooseItem, item_id="r2", chosen=True), errors.FORBIDDEN)


def test_participant_cannot_lock_advance_or_rate() -> None:
    room = make_room(RATE_QUESTIONS)
    put_item(room, "q1", "questions", room.pid("participant"))
    rejected(
        room.send("participant", LockSection, section="questions", locked=True), errors.FORBIDDEN
    )
    rejected(room.send("participant", SetStep, step=RATE_QUESTIONS + 1), errors.FORBIDDEN)
    rejected(room.send("participant", RateItem, item_id="q1", rating="warm"), errors.FORBIDDEN)
    assert room.state.step == RATE_QUESTIONS
    assert room.state.overrides == {}
    assert room.state.items["q1"].rating is None


def test_locked_section_rejects_writes_with_section_locked() -> None:
    room = make_room(ASK)
    put_item(room, "q1", "questions", room.pid("participant"))
    ok(room.send("facilitator", LockSection, section="questions", locked=True))
    assert room.state.participants[room.pid("participant")].role == "participant"
    for role in ("participant", "facilitator"):  # both may add here by the method
        rejected(
            room.send(role, AddItem, item_id=f"q-{role}", section="questions", text="Waarom?"),
            errors.SECTION_LOCKED,
        )
    rejected(room.send("participant", EditItem, item_id="q1", text="anders"), errors.SECTION_LOCKED)
    rejected(room.send("participant", MoveItem, item_id="q1", x=1.0, y=1.0), errors.SECTION_LOCKED)
    rejected(room.send("participant", DeleteItem, item_id="q1"), errors.SECTION_LOCKED)
    assert set(room.state.items) == {"q1"}

    # the presenter's rating right is locked too
    ok(room.send("facilitator", SetStep, step=RATE_QUESTIONS))
    ok(room.send("facilitator", LockSection, section="questions", locked=True))
    rejected(room.send("presenter", RateItem, item_id="q1", rating="warm"), errors.SECTION_LOCKED)
    # clearing the override restores the method's rights
    ok(room.send("facilitator", LockSection, section="questions", locked=None))
    ok(room.send("presenter", RateItem, item_id="q1", rating="warm"))


def test_unlocking_a_read_only_section_lets_its_add_roles_add() -> None:
    room = make_room(ANSWER)  # questions are shown read-only in step 4
    assert roles_from_data(ANSWER, "add", "questions") == []
    rejected(
        room.send("participant", AddItem, item_id="q1", section="questions", text="Nog één"),
        errors.FORBIDDEN,
    )
    ok(room.send("facilitator", LockSection, section="questions", locked=False))
    section_adders = _section_def("questions").add
    assert section_adders == ["participant", "facilitator"]
    for role in ROLES:
        result = room.send(role, AddItem, item_id=f"q-{role}", section="questions", text="Nog")
        if role in section_adders:
            ok(result)
        else:
            rejected(result, errors.FORBIDDEN)
    assert set(room.state.items) == {"q-participant", "q-facilitator"}


def test_locks_are_per_step() -> None:
    room = make_room(ASK)
    ok(room.send("facilitator", LockSection, section="questions", locked=True))
    ok(room.send("facilitator", SetStep, step=RATE_QUESTIONS))
    put_item(room, "q1", "questions", room.pid("participant"))
    ok(room.send("presenter", RateItem, item_id="q1", rating="warm"))  # not locked in step 3
    ok(room.send("facilitator", SetStep, step=ASK))
    rejected(
        room.send("participant", AddItem, item_id="q2", section="questions", text="Terug?"),
        errors.SECTION_LOCKED,
    )


def test_resent_forbidden_op_stays_forbidden() -> None:
    room = make_room(ASK)
    client = CLIENTS["presenter"]
    op = AddItem(client_seq=1, item_id="q1", section="questions", text="Mag ik?")
    first = apply(room.state, op, Actor(client, f"{client}/1", 100, 1))
    again = apply(room.state, op, Actor(client, f"{client}/1", 101, 2))
    rejected(first, errors.FORBIDDEN)
    assert again == Duplicate(seq=100, code=errors.FORBIDDEN)


def test_method_data_roundtrips_unchanged() -> None:
    """The matrix reads the same data the reducer uses."""
    room = make_room()
    assert msgspec.json.encode(room.state.method) == msgspec.json.encode(METHOD)
