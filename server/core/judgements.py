"""Judgements on items: rate (K/W/N), circle, choose and vote; check beside change.

Each needs its right from the step on the item's section. While a section is sealed,
a rating and a vote total stay private to whoever gave them until the reveal. A vote
spends one of the member's ``vote_budget`` votes of that section; only a given vote
can be taken back. Choosing an item unchooses the other chosen item of its lane.
"""

from __future__ import annotations

import msgspec

from server.core.permissions import vote_revealed
from server.core.results import Rejected, Scoped, item_put, right, visible_item
from server.core.state import BoardState, PrivateRating
from server.core.visibility import section_sealed
from shared_schema.board import Item, Role
from shared_schema.client import ChooseItem, CircleItem, RateItem, Vote
from shared_schema.codes import RejectCode
from shared_schema.method import Right
from shared_schema.server import ItemPut, VotePut

JudgementOp = RateItem | CircleItem | ChooseItem | Vote

_RIGHT_OF: dict[type, Right] = {
    RateItem: "rate",
    CircleItem: "circle",
    ChooseItem: "choose",
    Vote: "vote",
}


def check(state: BoardState, op: JudgementOp, pid: str, role: Role) -> Rejected | None:
    found = visible_item(state, op.item_id, pid)
    if isinstance(found, Rejected):
        return found
    if isinstance(op, Vote) and vote_revealed(state, found.section):
        return Rejected(RejectCode.VOTING_CLOSED, "the votes were revealed; the vote is closed")
    if problem := right(state, role, _RIGHT_OF[type(op)], found.section):
        return problem
    if isinstance(op, Vote):
        return _vote_check(state, op, pid, found)
    return None


def _vote_check(state: BoardState, op: Vote, pid: str, item: Item) -> Rejected | None:
    mine = state.votes.get(item.id, {}).get(pid, 0)
    if op.delta < 0:
        return None if mine > 0 else Rejected(RejectCode.INVALID_VALUE, "no vote to take back")
    spent = sum(
        by_pid.get(pid, 0)
        for item_id, by_pid in state.votes.items()
        if item_id in state.items and state.items[item_id].section == item.section
    )
    if spent >= state.method.vote_budget:
        return Rejected(RejectCode.VOTE_BUDGET, f"all {state.method.vote_budget} votes are used")
    return None


def change(state: BoardState, op: JudgementOp, pid: str) -> list[Scoped]:
    item = state.items[op.item_id]
    match op:
        case RateItem():
            return _rate(state, op, pid, item)
        case CircleItem():
            item.circled = op.circled
            return [item_put(state, item)]
        case ChooseItem():
            return _choose(state, op, item)
        case Vote():
            return _vote(state, op, pid, item)


def _rate(state: BoardState, op: RateItem, pid: str, item: Item) -> list[Scoped]:
    if section_sealed(state, item.section):
        if op.rating is None:
            state.private_ratings.pop(item.id, None)
        else:
            state.private_ratings[item.id] = PrivateRating(op.rating, pid)
        seen = msgspec.structs.replace(item, rating=op.rating)
        return [Scoped(ItemPut(item=seen), frozenset({pid}))]
    state.private_ratings.pop(item.id, None)
    item.rating = op.rating
    return [item_put(state, item)]


def _choose(state: BoardState, op: ChooseItem, item: Item) -> list[Scoped]:
    changes: list[Scoped] = []
    if op.chosen:
        for other in state.items.values():
            if (
                other.chosen
                and other is not item
                and other.section == item.section
                and other.lane == item.lane
            ):
                other.chosen = False
                changes.append(item_put(state, other))
    item.chosen = op.chosen
    changes.append(item_put(state, item))
    return changes


def _vote(state: BoardState, op: Vote, pid: str, item: Item) -> list[Scoped]:
    """A vote given while sealed stays out of the public total until the reveal; an
    open vote moves the public total only by what was public: taking back a vote takes
    an open one first, else a sealed one without touching the total."""
    by_pid = state.votes.setdefault(op.item_id, {})
    by_pid[pid] = by_pid.get(pid, 0) + op.delta
    mine = Scoped(VotePut(item_id=item.id, mine=by_pid[pid]), frozenset({pid}))
    sealed = state.sealed_votes.get(op.item_id, {}).get(pid, 0)
    if section_sealed(state, item.section) or (op.delta < 0 and by_pid[pid] < sealed):
        _seal(state.sealed_votes, op.item_id, pid, sealed + op.delta)
        return [mine]
    item.votes += op.delta
    return [item_put(state, item), mine]


def _seal(sealed_votes: dict[str, dict[str, int]], item_id: str, pid: str, count: int) -> None:
    """Set ``pid``'s sealed votes on the item; none leaves no entry behind."""
    by_pid = sealed_votes.setdefault(item_id, {})
    if count > 0:
        by_pid[pid] = count
    else:
        by_pid.pop(pid, None)
        if not by_pid:
            del sealed_votes[item_id]


def unseal(state: BoardState, section: str, already_sent: set[str]) -> list[Scoped]:
    """Publish the private ratings and vote totals of ``section``'s items."""
    changes: list[Scoped] = []
    for item in state.items.values():
        if item.section != section or item.id in state.hidden:
            continue
        private = state.private_ratings.pop(item.id, None)
        state.sealed_votes.pop(item.id, None)
        total = sum(state.votes.get(item.id, {}).values())
        if private is None and total == item.votes:
            continue
        if private is not None:
            item.rating = private.rating
        item.votes = total
        if item.id not in already_sent:
            changes.append(Scoped(ItemPut(item=item)))
    return changes
