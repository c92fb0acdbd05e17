"""Members and roles: joining, assigning a role, removing a member; check beside change.

There is at most one facilitator and one presenter: giving the role to someone makes
the one before a participant. Handing on the facilitator role makes the sender a
participant. A removed member stays removed (their rejoin is refused). The
facilitator link makes its first holder the facilitator. It never takes the role away
silently: while someone else holds it, a join with that link is refused with
``facilitator_taken`` until the client says whether to take over (the previous
facilitator becomes a participant and sees it happen) or to enter without the role.
"""

from __future__ import annotations

from server.core.records import Join
from server.core.results import Applied, Rejected, Scoped, facilitator_only, session_put
from server.core.state import BoardState
from shared_schema.board import Participant, Role
from shared_schema.client import AssignRole, RemoveParticipant
from shared_schema.codes import RejectCode
from shared_schema.server import ParticipantPut, ReadySet

RoleOp = AssignRole | RemoveParticipant

_SELF = {
    AssignRole: "hand the facilitator role to someone else",
    RemoveParticipant: "the facilitator cannot remove themselves",
}


def check(state: BoardState, op: RoleOp, pid: str, role: Role) -> Rejected | None:
    if problem := facilitator_only(role):
        return problem
    member = state.participants.get(op.participant_id)
    if member is None or member.removed:
        return Rejected(RejectCode.NOT_FOUND, "no such participant")
    if op.participant_id == pid:
        return Rejected(RejectCode.INVALID_VALUE, _SELF[type(op)])
    return None


def change(state: BoardState, op: RoleOp, pid: str) -> list[Scoped]:
    match op:
        case AssignRole():
            if op.role == "facilitator":
                changes = set_role(state, op.participant_id, "facilitator")
                state.participants[pid].role = "participant"
                return [*changes, Scoped(ParticipantPut(participant=state.participants[pid]))]
            return set_role(state, op.participant_id, op.role)
        case RemoveParticipant():
            return _remove(state, op.participant_id)


def join(state: BoardState, op: Join, pid: str) -> Applied | Rejected:
    """A client entered: a new member, a known member (perhaps with a new name), or a
    removed one (refused). New members cannot enter a closed session."""
    if (early := join_answer(state, op, pid)) is not None:
        return early
    member = state.participants.get(pid)
    takes = _takes_role(state, op, pid)
    changes: list[Scoped] = []
    if member is None:
        member = Participant(id=pid, name=op.name, role="participant")
        state.participants[pid] = member
        if op.via == "presenter":  # a group member the meeting's plan names
            changes.extend(set_role(state, pid, "presenter"))
        elif not takes:
            changes.append(Scoped(ParticipantPut(participant=member)))
    elif member.name != op.name:
        member.name = op.name
        if not takes:
            changes.append(Scoped(ParticipantPut(participant=member)))
    if op.member is not None:
        state.member_of[pid] = op.member
    if takes:
        changes.extend(set_role(state, pid, "facilitator"))
    return Applied(changes)


def expel(state: BoardState, member: str) -> list[Scoped]:
    """Remove every participant who entered with the group member key ``member``
    names (the group removed that member); their rejoin is refused like any removal."""
    changes: list[Scoped] = []
    for pid, tag in state.member_of.items():
        participant = state.participants.get(pid)
        if tag == member and participant is not None and not participant.removed:
            changes += _remove(state, pid)
    return changes


def _remove(state: BoardState, pid: str) -> list[Scoped]:
    """The member steps down from any role, leaves the ready count and stays removed."""
    member = state.participants[pid]
    changes = set_role(state, pid, "participant")
    member.removed = True
    if pid in state.ready:
        state.ready.remove(pid)
    return [*changes, Scoped(ParticipantPut(participant=member)),
            Scoped(ReadySet(count=len(state.ready)))]


def join_answer(state: BoardState, op: Join, pid: str) -> Applied | Rejected | None:
    """The answer to a join that needs no sequencing (a plain rejoin, a refusal), or
    None: the join changes the board and is sequenced."""
    member = state.participants.get(pid)
    if member is not None and member.removed:
        return Rejected(RejectCode.REMOVED, "you were removed from this session")
    unchanged = member is not None and member.name == op.name
    if state.closed:
        if unchanged:
            return Applied([])
        return Rejected(RejectCode.SESSION_CLOSED, "the session is closed")
    if _claims_role(state, op, pid) and op.take_over is None:
        return Rejected(RejectCode.FACILITATOR_TAKEN,
                        "someone else leads this session; take over or join without the role")
    if unchanged and not _takes_role(state, op, pid) and (
        op.member is None or state.member_of.get(pid) == op.member
    ):
        return Applied([])
    return None


def _claims_role(state: BoardState, op: Join, pid: str) -> bool:
    """The facilitator link, while another member holds the role."""
    return op.via == "facilitator" and state.facilitator not in (None, pid)


def _takes_role(state: BoardState, op: Join, pid: str) -> bool:
    if op.via != "facilitator" or state.facilitator == pid:
        return False
    return state.facilitator is None or op.take_over is True


def set_role(state: BoardState, pid: str, role: Role) -> list[Scoped]:
    """Give ``pid`` a role; the single facilitator/presenter before them steps down."""
    changes: list[Scoped] = []
    previous = {"facilitator": state.facilitator, "presenter": state.presenter}.get(role)
    if previous is not None and previous != pid:
        state.participants[previous].role = "participant"
        changes.append(Scoped(ParticipantPut(participant=state.participants[previous])))
    if state.facilitator == pid and role != "facilitator":
        state.facilitator = None
    if state.presenter == pid and role != "presenter":
        state.presenter = None
    if role == "facilitator":
        state.facilitator = pid
    elif role == "presenter":
        state.presenter = pid
    state.participants[pid].role = role
    changes.append(Scoped(ParticipantPut(participant=state.participants[pid])))
    changes.append(Scoped(session_put(state)))
    if role == "observer" and pid in state.ready:
        state.ready.remove(pid)  # observers do not take part, so are never "ready"
        changes.append(Scoped(ReadySet(count=len(state.ready))))
    return changes
