"""Facilitator controls over the websocket protocol: locks, reveal, sealed votes, the
timer, the ready count, roles, removal, step changes, anonymity and user methods.

Every test also makes the forbidden attempt and checks its typed rejection code. The
hidden-until-reveal checks look at the raw decoded frames each client received, not
at the client's board copy.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from server.methods.loader import MethodError, parse_method
from tests.support.client import ASK, BoardClient, run
from tests.support.server import ServerProcess

RATE_QUESTIONS = ASK + 1
"""Tienstappen "rate_questions": questions are shown with only the presenter's rating."""
ANSWER = ASK + 2
"""Tienstappen "answer": questions are shown read-only."""
CHOOSE_CASE = 1
"""Frame step "choose_case": cases may be added and voted on, votes sealed."""
SHOES = 4
"""Dialoog "shoes" (after the frame's two steps): perspectives are hidden."""


# -- helpers ------------------------------------------------------------------------------


async def _members(server: ServerProcess, names: list[str], *, method: str = "tienstappen",
                   step: int | None = ASK) -> tuple[BoardClient, list[BoardClient]]:
    """A facilitator and participants (invite link) in a new session, all at ``step``."""
    session = server.create_session(method=method)
    facilitator = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fee")
    await facilitator.connect()
    others = []
    for name in names:
        client = BoardClient(server.ws_base, session.id, session.invite_token, name)
        await client.connect()
        others.append(client)
    if step is not None:
        assert (await facilitator.call("set_step", step=step))["type"] == "applied"
    await _synced(facilitator, *others)
    return facilitator, others


async def _synced(leader: BoardClient, *clients: BoardClient) -> None:
    for client in clients:
        await client.until(_at(client, leader))


def _at(client: BoardClient, leader: BoardClient) -> Callable[[], bool]:
    return lambda: client.seq == leader.seq


async def _joiner(server: ServerProcess, invited: BoardClient, name: str) -> BoardClient:
    """A fresh member joining with the same invite link as ``invited``."""
    session_id = invited.url.rsplit("/", 1)[1]
    client = BoardClient(server.ws_base, session_id, invited.token, name)
    await client.connect()
    return client


def _pid(client: BoardClient) -> str:
    assert client.welcome is not None
    return str(client.welcome["participant_id"])


def _raw(client: BoardClient) -> str:
    """Everything the client received, as one JSON text."""
    return json.dumps(client.messages)


def _dicts(obj: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object nested anywhere in ``obj``."""
    if isinstance(obj, dict):
        yield obj
        for value in obj.values():
            yield from _dicts(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _dicts(value)


def _changes(client: BoardClient, kind: str) -> list[dict[str, Any]]:
    return [change for msg in client.messages if msg["type"] == "event"
            for change in msg["changes"] if change["type"] == kind]


def _code(answer: dict[str, Any]) -> str:
    assert answer["type"] == "rejected", answer
    return str(answer["code"])


def _ok(answer: dict[str, Any]) -> None:
    assert answer["type"] == "applied", answer


def _shows(client: BoardClient, texts: list[str]) -> Callable[[], bool]:
    return lambda: sorted(i["text"] for i in client.items.values()) == texts


def _votes(client: BoardClient, totals: dict[str, int]) -> Callable[[], bool]:
    return lambda: all(client.items[i].get("votes", 0) == n for i, n in totals.items())


def _text(tag: str) -> str:
    return f"{tag}-{secrets.token_hex(6)}"


# -- 1. locks -----------------------------------------------------------------------------


def test_lock_and_unlock_sections(server: ServerProcess) -> None:
    async def scenario() -> None:
        session = server.create_session()
        facilitator = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fee")
        await facilitator.connect()
        piet = BoardClient(server.ws_base, session.id, session.invite_token, "Piet")
        pam = BoardClient(server.ws_base, session.id, session.invite_token, "Pam")
        await piet.connect()
        await pam.connect()
        everyone = (facilitator, piet, pam)
        _ok(await facilitator.call("set_step", step=ASK))
        _ok(await facilitator.call("assign_role", participant_id=_pid(pam), role="presenter"))
        _ok(await piet.add("questions", "Open vraag?"))

        # locked: nobody may add, and everybody sees the override
        _ok(await facilitator.call("lock_section", section="questions", locked=True))
        await _synced(facilitator, piet, pam)
        for client in everyone:
            assert client.sections["questions"]["locked"] is True
            assert client.sections["questions"]["override"] is True
        assert _code(await piet.add("questions", "Nog een vraag?")) == "section_locked"
        own = next(iter(piet.items))
        assert _code(await piet.call("edit_item", item_id=own, text="Anders?")
                     ) == "section_locked"
        assert _code(await piet.call("lock_section", section="questions", locked=False)
                     ) == "forbidden"
        assert _code(await piet.call("lock_section", section="questions", locked=None)
                     ) == "forbidden"
        assert piet.sections["questions"]["locked"] is True

        # "case" is read-only in the ask step; unlocking it opens it to the section's
        # own add roles (presenter, facilitator), not to plain participants
        assert facilitator.sections["case"]["locked"] is True
        assert _code(await pam.add("case", "Mijn casus")) == "forbidden"
        _ok(await facilitator.call("lock_section", section="case", locked=False))
        await _synced(facilitator, piet, pam)
        for client in everyone:
            assert client.sections["case"]["locked"] is False
            assert client.sections["case"]["override"] is False
        _ok(await pam.add("case", "Mijn casus"))
        assert _code(await piet.add("case", "Niet mijn casus")) == "forbidden"

        # null removes the override: back to the step's default
        _ok(await facilitator.call("lock_section", section="case", locked=None))
        await _synced(facilitator, piet, pam)
        for client in everyone:
            assert client.sections["case"]["locked"] is True
            assert client.sections["case"]["override"] is None
        assert _code(await pam.add("case", "Nog een casus")) == "forbidden"

        # "questions" is read-only in the answer step: unlock lets participants add
        _ok(await facilitator.call("set_step", step=ANSWER))
        await _synced(facilitator, piet, pam)
        assert piet.sections["questions"]["locked"] is True  # the ask step's lock is gone,
        assert piet.sections["questions"]["override"] is None  # the step's default applies
        assert _code(await piet.add("questions", "Te laat?")) == "forbidden"
        _ok(await facilitator.call("lock_section", section="questions", locked=False))
        await _synced(facilitator, piet, pam)
        assert all(c.sections["questions"]["locked"] is False for c in everyone)
        _ok(await piet.add("questions", "Toch nog een vraag?"))
        _ok(await facilitator.call("lock_section", section="questions", locked=None))
        await _synced(facilitator, piet, pam)
        assert all(c.sections["questions"]["locked"] is True for c in everyone)
        assert all(c.sections["questions"]["override"] is None for c in everyone)
        assert _code(await piet.add("questions", "En nu?")) == "forbidden"
        texts = sorted(i["text"] for i in pam.items.values())
        assert texts == ["Mijn casus", "Open vraag?", "Toch nog een vraag?"]

    run(scenario)


# -- 2. reveal of a hidden section ----------------------------------------------------------


def test_hidden_items_reach_nobody_but_the_author_until_reveal(server: ServerProcess) -> None:
    async def scenario() -> None:
        session = server.create_session(method="dialoog")
        facilitator = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fee")
        await facilitator.connect()
        anna = BoardClient(server.ws_base, session.id, session.invite_token, "Anna")
        bert = BoardClient(server.ws_base, session.id, session.invite_token, "Bert")
        await anna.connect()
        await bert.connect()
        assert facilitator.welcome is not None
        method_steps = facilitator.welcome["method"]["steps"]
        shoes = method_steps[SHOES]
        assert shoes["id"] == "shoes"
        assert any(s["section"] == "perspectives" and s["hidden"] for s in shoes["sections"])
        _ok(await facilitator.call("set_step", step=SHOES))
        await _synced(facilitator, anna, bert)
        assert all(c.sections["perspectives"]["hidden"] is True
                   for c in (facilitator, anna, bert))

        text_a, text_b = _text("anna-geheim"), _text("bert-geheim")
        _ok(await anna.add("perspectives", text_a))
        _ok(await bert.add("perspectives", text_b))
        everyone = (facilitator, anna, bert)
        await _synced(facilitator, anna, bert)
        for client in everyone:
            assert client.sections["perspectives"]["hidden_count"] == 2
        counts = [c["section"]["hidden_count"] for c in _changes(facilitator, "section_put")
                  if c["section"]["id"] == "perspectives" and c["section"]["hidden_count"]]
        assert counts == [1, 2]

        # raw frames: only the author ever received the text
        assert text_a in _raw(anna) and text_b not in _raw(anna)
        assert text_b in _raw(bert) and text_a not in _raw(bert)
        assert text_a not in _raw(facilitator) and text_b not in _raw(facilitator)
        assert [i["text"] for i in anna.items.values()] == [text_a]

        # the author keeps seeing it in a fresh snapshot; a member joining now does not
        await anna.drop()
        anna.epoch = "no-such-epoch"
        assert (await anna.connect(resume=True))["recovered"] is False
        assert [i["text"] for i in anna.items.values()] == [text_a]
        late = await _joiner(server, bert, "Laat")
        assert text_a not in _raw(late) and text_b not in _raw(late)
        assert late.sections["perspectives"]["hidden_count"] == 2

        # a resume replays the missed events filtered for the viewer
        await bert.drop()
        text_c = _text("anna-tweede")
        _ok(await anna.add("perspectives", text_c))
        assert (await bert.connect(resume=True))["recovered"] is True
        await _synced(anna, bert)
        assert bert.gaps == [] and bert.sections["perspectives"]["hidden_count"] == 3
        assert text_a not in _raw(bert) and text_c not in _raw(bert)

        assert _code(await anna.call("reveal_section", section="perspectives")) == "forbidden"
        assert _code(await bert.call("lock_section", section="perspectives", locked=True)
                     ) == "forbidden"
        await _synced(facilitator, *everyone, late)
        for client in (*everyone, late):
            assert client.sections["perspectives"]["hidden_count"] == 3
            assert client.sections["perspectives"]["revealed"] is False
        assert text_a not in _raw(bert) and text_b not in _raw(facilitator)

        _ok(await facilitator.call("reveal_section", section="perspectives"))
        texts = sorted([text_a, text_b, text_c])
        for client in (*everyone, late):
            await client.until(_shows(client, texts))
            section = client.sections["perspectives"]
            assert section["revealed"] is True
            assert section["hidden_count"] == 0 and section["hidden"] is False

    run(scenario)


# -- 3. sealed votes --------------------------------------------------------------------------


def test_votes_stay_private_until_reveal(server: ServerProcess) -> None:
    async def scenario() -> None:
        facilitator, (anna, bert) = await _members(server, ["Anna", "Bert"], step=CHOOSE_CASE)
        assert facilitator.sections["cases"]["sealed"] is True
        assert facilitator.welcome is not None
        assert facilitator.welcome["method"]["vote_budget"] == 3
        _ok(await anna.add("cases", "Casus van Anna"))
        _ok(await bert.add("cases", "Casus van Bert"))
        await _synced(facilitator, anna, bert)
        by_text = {i["text"]: i["id"] for i in facilitator.items.values()}
        x, y = by_text["Casus van Anna"], by_text["Casus van Bert"]

        _ok(await anna.call("vote", item_id=x, delta=1))
        _ok(await anna.call("vote", item_id=x, delta=1))
        _ok(await anna.call("vote", item_id=y, delta=1))
        assert _code(await anna.call("vote", item_id=y, delta=1)) == "vote_budget"
        _ok(await bert.call("vote", item_id=x, delta=1))
        await _synced(facilitator, anna, bert)

        mine_a = {(c["item_id"], c["mine"]) for c in _changes(anna, "vote_put")}
        assert mine_a == {(x, 1), (x, 2), (y, 1)}
        assert {(c["item_id"], c["mine"]) for c in _changes(bert, "vote_put")} == {(x, 1)}
        assert _changes(facilitator, "vote_put") == []
        for client in (facilitator, anna, bert):
            for obj in _dicts(client.messages):
                if obj.get("id") in (x, y):
                    assert not obj.get("votes"), f"{client.name} saw a vote total: {obj}"
        late = await _joiner(server, bert, "Laat")
        assert all(not obj.get("votes") for obj in _dicts(late.messages)
                   if obj.get("id") in (x, y))
        assert late.board["my_votes"] == {}

        assert _code(await anna.call("reveal_section", section="cases")) == "forbidden"
        _ok(await facilitator.call("reveal_section", section="cases"))
        for client in (facilitator, anna, bert, late):
            await client.until(_votes(client, {x: 3, y: 1}))

    run(scenario)


TWO_ROUNDS = """\
id = "twee_rondes"
vote_budget = 2

[name]
nl = "Twee rondes"
en = "Two rounds"

[summary]
nl = "Eerst blind stemmen, dan open."
en = "A blind vote first, then an open one."

[[sections]]
id = "ideas"
kind = "ideas"
[sections.title]
nl = "Ideeen"
en = "Ideas"

[[steps]]
id = "blind"
minutes = 5
[steps.title]
nl = "Blind"
en = "Blind"
[steps.instruction]
nl = "Stem in stilte."
en = "Vote in silence."
[[steps.sections]]
section = "ideas"
add = ["participant", "facilitator"]
vote = ["participant", "facilitator"]
hide_ratings = true

[[steps]]
id = "open"
minutes = 5
[steps.title]
nl = "Open"
en = "Open"
[steps.instruction]
nl = "Stem open."
en = "Vote openly."
[[steps.sections]]
section = "ideas"
vote = ["participant", "facilitator"]
"""


def test_sealed_votes_stay_out_of_a_later_open_vote(tmp_path: Path) -> None:
    """Votes given in a sealed step and never revealed stay out of the public total
    when a later step votes openly on the same section, also when taken back."""
    folder = tmp_path / "methods"
    folder.mkdir()
    (folder / "twee.toml").write_text(TWO_ROUNDS, encoding="utf-8")
    server = ServerProcess(tmp_path / "data", None, "--methods-dir", str(folder)).start()
    try:
        async def scenario() -> None:
            facilitator, (anna, bert, piet) = await _members(
                server, ["Anna", "Bert", "Piet"], method="twee_rondes", step=None)
            assert facilitator.welcome is not None
            ids = [s["id"] for s in facilitator.welcome["method"]["steps"]]
            blind, open_ = ids.index("blind"), ids.index("open")
            _ok(await facilitator.call("set_step", step=blind))
            await _synced(facilitator, anna, bert, piet)
            assert piet.sections["ideas"]["sealed"] is True
            _ok(await anna.add("ideas", "Vaker samen lunchen"))
            await _synced(facilitator, anna, bert, piet)
            (x,) = facilitator.items
            _ok(await anna.call("vote", item_id=x, delta=1))
            _ok(await bert.call("vote", item_id=x, delta=1))

            _ok(await facilitator.call("set_step", step=open_))
            await _synced(facilitator, anna, bert, piet)
            assert piet.sections["ideas"]["sealed"] is False
            _ok(await piet.call("vote", item_id=x, delta=1))
            await _synced(facilitator, anna, bert, piet)
            for client in (facilitator, anna, bert, piet):
                assert client.items[x]["votes"] == 1, client.name
            # Anna takes back her sealed vote: the public total must not move
            before = {c.name: len(c.messages) for c in (facilitator, bert, piet)}
            _ok(await anna.call("vote", item_id=x, delta=-1))
            await _synced(facilitator, anna, bert, piet)
            for client in (facilitator, bert, piet):
                later = client.messages[before[client.name]:]
                assert not _changes_in(later, "item_put"), (client.name, later)
            for client in (facilitator, anna, bert, piet):
                for obj in _dicts(client.messages):
                    if obj.get("id") == x:
                        assert obj.get("votes", 0) <= 1, f"{client.name} saw {obj}"
            late = await _joiner(server, bert, "Laat")
            assert late.items[x]["votes"] == 1

            _ok(await facilitator.call("set_step", step=blind))
            _ok(await facilitator.call("reveal_section", section="ideas"))
            for client in (facilitator, anna, bert, piet, late):
                await client.until(_votes(client, {x: 2}))  # Bert's sealed one and Piet's

        run(scenario)
    finally:
        server.stop()


def _changes_in(messages: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [change for msg in messages if msg["type"] == "event"
            for change in msg["changes"] if change["type"] == kind]


# -- 4. timer ---------------------------------------------------------------------------------


def _now_ms() -> int:
    return int(time.time() * 1000)


def _last_timer(client: BoardClient) -> dict[str, Any]:
    return dict(_changes(client, "timer_set")[-1]["timer"])


def test_timer_controls(server: ServerProcess) -> None:
    async def scenario() -> None:
        facilitator, (piet,) = await _members(server, ["Piet"])
        minutes = facilitator.welcome["method"]["steps"][ASK]["minutes"]  # type: ignore[index]
        full = minutes * 60_000
        assert piet.board["timer"] == {"running": False, "deadline_ms": None,
                                       "remaining_ms": full}

        async def timer(action: str, seconds: int = 0) -> dict[str, Any]:
            before = len(_changes(piet, "timer_set"))
            _ok(await facilitator.call("set_timer", action=action, seconds=seconds))
            await piet.until(lambda: len(_changes(piet, "timer_set")) > before)
            seen = _last_timer(piet)
            assert seen == _last_timer(facilitator) == piet.board["timer"]
            return seen

        started = await timer("start")
        assert started["running"] is True and started["remaining_ms"] == full
        assert abs(started["deadline_ms"] - _now_ms() - started["remaining_ms"]) < 3000

        assert _code(await piet.call("set_timer", action="pause")) == "forbidden"
        assert _code(await piet.call("set_timer", action="add", seconds=60)) == "forbidden"

        paused = await timer("pause")
        assert paused["running"] is False and paused["deadline_ms"] is None
        assert full - 3000 <= paused["remaining_ms"] <= full

        added = await timer("add", 60)
        assert added["running"] is False
        assert added["remaining_ms"] == paused["remaining_ms"] + 60_000

        running = await timer("start")
        assert running["running"] is True
        assert abs(running["remaining_ms"] - added["remaining_ms"]) < 2000
        assert abs(running["deadline_ms"] - _now_ms() - running["remaining_ms"]) < 3000
        more = await timer("add", 60)
        assert more["running"] is True
        assert abs(more["remaining_ms"] - (running["remaining_ms"] + 60_000)) <= 2000
        assert abs(more["deadline_ms"] - _now_ms() - more["remaining_ms"]) < 3000
        assert abs(more["deadline_ms"] - (running["deadline_ms"] + 60_000)) <= 2000

        reset = await timer("reset")
        assert reset == {"running": False, "deadline_ms": None, "remaining_ms": full}
        assert _code(await piet.call("set_timer", action="reset")) == "forbidden"

        await timer("start")
        _ok(await facilitator.call("set_step", step=RATE_QUESTIONS))
        await _synced(facilitator, piet)
        next_minutes = facilitator.welcome["method"]["steps"][RATE_QUESTIONS]["minutes"]  # type: ignore[index]
        for client in (facilitator, piet):
            assert client.board["timer"] == {"running": False, "deadline_ms": None,
                                             "remaining_ms": next_minutes * 60_000}

    run(scenario)


# -- 5. ready count ---------------------------------------------------------------------------


def test_ready_count_carries_no_ids(server: ServerProcess) -> None:
    async def scenario() -> None:
        facilitator, (anna, bert, olga) = await _members(server, ["Anna", "Bert", "Olga"])
        everyone = (facilitator, anna, bert, olga)
        _ok(await facilitator.call("assign_role", participant_id=_pid(olga), role="observer"))
        await _synced(facilitator, *everyone)
        start = {c.name: len(c.messages) for c in everyone}

        _ok(await facilitator.call("set_ready", ready=True))
        _ok(await anna.call("set_ready", ready=True))
        _ok(await bert.call("set_ready", ready=True))
        await _synced(facilitator, *everyone)
        assert all(c.board["ready_count"] == 3 for c in everyone)
        _ok(await bert.call("set_ready", ready=False))
        assert _code(await olga.call("set_ready", ready=True)) == "forbidden"
        await _synced(bert, *everyone)
        assert all(c.board["ready_count"] == 2 for c in everyone)

        ids = [_pid(c) for c in everyone]
        for client in everyone:
            ready_frames = [m for m in client.messages[start[client.name]:]
                            if m["type"] == "event"]
            counts = []
            for frame in ready_frames:
                for change in frame["changes"]:
                    assert change["type"] == "ready_set", change
                    assert set(change) == {"type", "count"}
                    counts.append(change["count"])
                text = json.dumps(frame)
                assert not any(pid in text for pid in ids), frame
            assert counts == [1, 2, 3, 2]

        late = await _joiner(server, anna, "Laat")
        assert late.welcome is not None
        board = late.welcome["board"]
        assert board["ready_count"] == 2 and board["you_ready"] is False
        assert not [k for k in board if "ready" in k and k not in ("ready_count", "you_ready")]
        assert all("ready" not in p for p in board["participants"])

        assert _code(await anna.call("set_step", step=RATE_QUESTIONS)) == "forbidden"
        _ok(await facilitator.call("set_step", step=RATE_QUESTIONS))
        await _synced(facilitator, *everyone, late)
        assert all(c.board["ready_count"] == 0 for c in (*everyone, late))

    run(scenario)


def test_member_made_observer_no_longer_counts_as_ready(server: ServerProcess) -> None:
    async def scenario() -> None:
        facilitator, (anna, olga) = await _members(server, ["Anna", "Olga"])
        _ok(await olga.call("set_ready", ready=True))
        _ok(await anna.call("set_ready", ready=True))
        _ok(await facilitator.call("assign_role", participant_id=_pid(olga), role="observer"))
        await _synced(facilitator, anna, olga)
        assert _code(await olga.call("set_ready", ready=False)) == "forbidden"
        assert anna.board["ready_count"] == 1, "an observer is counted as ready"

    run(scenario)


# -- 6. roles -----------------------------------------------------------------------------------


def test_role_hand_over(server: ServerProcess) -> None:
    async def scenario() -> None:
        facilitator, (anna, bert) = await _members(server, ["Anna", "Bert"])
        everyone = (facilitator, anna, bert)
        a, b, f = _pid(anna), _pid(bert), _pid(facilitator)

        assert _code(await anna.call("assign_role", participant_id=a, role="presenter")
                     ) == "forbidden"
        assert _code(await anna.call("assign_role", participant_id=a, role="facilitator")
                     ) == "forbidden"

        _ok(await facilitator.call("assign_role", participant_id=a, role="presenter"))
        await _synced(facilitator, anna, bert)
        assert all(c.participants[a]["role"] == "presenter" for c in everyone)
        assert all(c.board["presenter"] == a for c in everyone)

        _ok(await facilitator.call("assign_role", participant_id=b, role="presenter"))
        await _synced(facilitator, anna, bert)
        for client in everyone:
            assert client.participants[a]["role"] == "participant"
            assert client.participants[b]["role"] == "presenter"
            assert client.board["presenter"] == b

        _ok(await facilitator.call("assign_role", participant_id=a, role="facilitator"))
        await _synced(facilitator, anna, bert)
        for client in everyone:
            assert client.participants[a]["role"] == "facilitator"
            assert client.participants[f]["role"] == "participant"
            assert client.board["facilitator"] == a
        assert anna.role() == "facilitator" and facilitator.role() == "participant"

        _ok(await anna.call("set_step", step=RATE_QUESTIONS))
        assert _code(await facilitator.call("set_step", step=ASK)) == "forbidden"
        assert _code(await facilitator.call("assign_role", participant_id=f,
                                            role="facilitator")) == "forbidden"
        await _synced(anna, facilitator, bert)
        assert all(c.board["step"] == RATE_QUESTIONS for c in everyone)

    run(scenario)


# -- 7. removal ---------------------------------------------------------------------------------


def test_removed_member_is_disconnected_and_refused(server: ServerProcess) -> None:
    async def scenario() -> None:
        facilitator, (anna, bert) = await _members(server, ["Anna", "Bert"])
        a, b = _pid(anna), _pid(bert)

        assert _code(await bert.call("remove_participant", participant_id=a)) == "forbidden"
        assert _code(await facilitator.call("remove_participant",
                                            participant_id=_pid(facilitator))
                     ) == "invalid_value"

        _ok(await facilitator.call("assign_role", participant_id=a, role="presenter"))
        _ok(await anna.call("set_ready", ready=True))
        await _synced(anna, facilitator, bert)
        assert bert.board["presenter"] == a and bert.board["ready_count"] == 1

        _ok(await facilitator.call("remove_participant", participant_id=a))
        await anna.until(lambda: anna.close_code is not None)
        assert anna.close_code == 4004
        await _synced(facilitator, bert)
        assert bert.participants[a]["removed"] is True
        assert bert.participants[a]["role"] == "participant"
        assert bert.participants[b]["removed"] is False
        assert bert.board["presenter"] is None and bert.board["ready_count"] == 0

        again = BoardClient(server.ws_base, anna.url.rsplit("/", 1)[1],
                            anna.token, anna.name, client_id=anna.client_id)
        with pytest.raises(ConnectionError):
            await again.connect()
        assert [e["code"] for e in again.errors] == ["removed"]
        assert again.close_code == 4004
        assert again.welcome is None

        # a second removal of the same member finds nobody
        assert _code(await facilitator.call("remove_participant", participant_id=a)
                     ) == "not_found"
        _ok(await bert.add("questions", "Gaat het verder?"))

    run(scenario)


# -- 8. going back a step -----------------------------------------------------------------------


def test_step_back_keeps_items_and_restores_the_lock(server: ServerProcess) -> None:
    async def scenario() -> None:
        facilitator, (piet,) = await _members(server, ["Piet"])
        for text in ("Vraag 1?", "Vraag 2?"):
            _ok(await piet.add("questions", text))
        _ok(await facilitator.add("questions", "Vraag 3?"))
        _ok(await facilitator.call("lock_section", section="questions", locked=True))
        assert _code(await piet.add("questions", "Vraag 4?")) == "section_locked"

        _ok(await facilitator.call("set_step", step=RATE_QUESTIONS))
        await _synced(facilitator, piet)
        assert piet.sections["questions"]["override"] is None  # the lock is per step

        _ok(await facilitator.call("set_step", step=ASK))
        await _synced(facilitator, piet)
        expected = ["Vraag 1?", "Vraag 2?", "Vraag 3?"]
        for client in (facilitator, piet):
            assert client.board["step"] == ASK
            assert sorted(i["text"] for i in client.items.values()) == expected
            assert client.sections["questions"]["locked"] is True
            assert client.sections["questions"]["override"] is True
        assert _code(await piet.add("questions", "Vraag 4?")) == "section_locked"

        late = await _joiner(server, piet, "Laat")
        assert sorted(i["text"] for i in late.items.values()) == expected
        assert late.sections["questions"]["locked"] is True

    run(scenario)


# -- 9. anonymity ------------------------------------------------------------------------------


def test_anonymous_items_carry_no_author(server: ServerProcess) -> None:
    async def scenario() -> None:
        facilitator, (anna, bert) = await _members(server, ["Anna", "Bert"])
        everyone = (facilitator, anna, bert)
        a, b = _pid(anna), _pid(bert)
        _ok(await anna.add("questions", "Met naam?"))
        assert _code(await anna.call("set_anonymous", anonymous=True)) == "forbidden"
        await _synced(facilitator, anna, bert)
        assert all(c.board["anonymous"] is False for c in everyone)

        _ok(await facilitator.call("set_anonymous", anonymous=True))
        await _synced(facilitator, anna, bert)
        assert all(c.board["anonymous"] is True for c in everyone)
        anon_texts = {_text("anoniem-anna"), _text("anoniem-bert")}
        text_a, text_b = sorted(anon_texts)
        _ok(await anna.add("questions", text_a))
        _ok(await bert.add("questions", text_b))
        await _synced(facilitator, anna, bert)

        late = await _joiner(server, bert, "Laat")
        for client in (*everyone, late):
            seen = [obj for obj in _dicts(client.messages) if obj.get("text") in anon_texts]
            assert {obj["text"] for obj in seen} == anon_texts, client.name
            for obj in seen:
                assert obj.get("author") is None, (client.name, obj)
                assert a not in json.dumps(obj) and b not in json.dumps(obj)
        assert late.welcome is not None
        authors = {i["text"]: i.get("author") for i in late.welcome["board"]["items"]}
        assert authors == {"Met naam?": a, text_a: None, text_b: None}

    run(scenario)


def test_anonymous_items_leave_no_link_to_their_author_in_storage(server: ServerProcess) -> None:
    """The op log and the snapshot hold nothing that ties an anonymous item to its
    author; the author edits it with its secret, another participant cannot; a resend
    of an anonymous op is still answered once, across a restart.
    (tests/hub/test_anonymity_storage.py plays the adversary on every stored byte.)"""
    anon: dict[str, int] = {}
    names: dict[str, Any] = {}
    secret_a, secret_b = "A" * 22 + secrets.token_hex(8), "B" * 22 + secrets.token_hex(8)

    async def play() -> None:
        facilitator, (anna, bert) = await _members(server, ["Anna", "Bert"])
        _ok(await facilitator.call("set_anonymous", anonymous=True))
        text_a, text_b = _text("anoniem-anna"), _text("anoniem-bert")
        added = await anna.add("questions", text_a, secret=secret_a)
        _ok(added)
        _ok(await bert.add("questions", text_b, secret=secret_b))
        item_a = next(i for i, item in anna.items.items() if item["text"] == text_a)
        moved = await anna.call("move_item", item_id=item_a, x=40.0, y=60.0)
        _ok(moved)
        # moving someone else's anonymous item is allowed; editing or deleting it
        # needs its secret
        assert _code(await anna.call("edit_item", item_id=item_a, text="anders")
                     ) == "not_author"
        assert _code(await bert.call("edit_item", item_id=item_a, text="van bert",
                                     secret=secret_b)) == "not_author"
        assert _code(await bert.call("delete_item", item_id=item_a, secret=secret_b)
                     ) == "not_author"
        edited = await anna.call("edit_item", item_id=item_a, text="herschreven",
                                 secret=secret_a)
        _ok(edited)
        await _synced(facilitator, anna, bert)
        assert bert.items[item_a]["text"] == "herschreven"
        assert bert.items[item_a].get("author") is None
        anon.update({"add": added["seq"], "other": bert.seq, "move": moved["seq"],
                     "edit": edited["seq"]})
        names.update(anna=anna, bert=bert, facilitator=facilitator, item=item_a)
        for client in (facilitator, anna, bert):
            await client.close()

    run(play)
    server.stop()

    import sqlite3

    from server.core.records import decode_sequenced
    from server.core.state import client_key, decode_state

    anna, bert, facilitator = names["anna"], names["bert"], names["facilitator"]
    session_id = anna.url.rsplit("/", 1)[1]
    database = server.data_dir / "intervisiebord.sqlite3"
    raw = b"".join(p.read_bytes() for p in server.data_dir.iterdir() if p.is_file())
    for client in (anna, bert, facilitator):
        assert client.client_id.encode() not in raw, "a client id was stored"
    assert secret_a.encode() not in raw and secret_b.encode() not in raw, "a secret was stored"
    keys = {client_key(session_id, c.client_id) for c in (anna, bert, facilitator)}
    with sqlite3.connect(database) as db:
        records = {seq: decode_sequenced(data).record for seq, data in
                   db.execute("SELECT seq, data FROM ops WHERE session_id = ?", (session_id,))}
        (snapshot,) = db.execute("SELECT data FROM snapshots WHERE session_id = ?",
                                 (session_id,)).fetchone()
    anonymous_seqs = set(anon.values())
    for seq in anonymous_seqs:
        record = records[seq]
        assert record.client_id == "" and record.op_key not in keys
        assert record.role == "participant" and record.ts_ms == 0
    state = decode_state(snapshot)
    assert {state.items[i].author for i in state.items
            if state.items[i].seq in anonymous_seqs} == {None}
    assert {m.seq for m in state.marks.values()} >= anonymous_seqs
    assert not set(state.marks) & keys

    server.start()

    async def resend() -> None:
        again = BoardClient(server.ws_base, session_id, anna.token, anna.name,
                            client_id=anna.client_id)
        await again.connect()
        seq_before = again.seq
        again.client_seq = 0  # resend Anna's first op, the anonymous add
        answer = await again.call("add_item", item_id=names["item"], section="questions",
                                  text="dubbel?", secret=secret_a)
        assert answer == {"type": "applied", "client_seq": 1, "seq": anon["add"]}
        assert again.seq == seq_before  # answered from the marks; nothing sequenced
        again.client_seq = 10
        _ok(await again.call("delete_item", item_id=names["item"], secret=secret_a))
        assert names["item"] not in again.items
        await again.close()

    run(resend)


# -- 10. a user-written method -----------------------------------------------------------------

USER_METHOD = """\
id = "eigen_methode"
vote_budget = 2

[name]
nl = "Eigen methode"
en = "Own method"

[summary]
nl = "Twee korte stappen van het team zelf."
en = "Two short steps of the team's own."

[[sections]]
id = "ideas"
kind = "ideas"
add = ["participant", "facilitator"]
[sections.title]
nl = "Ideeen"
en = "Ideas"

[[steps]]
id = "collect"
minutes = 7
[steps.title]
nl = "Verzamelen"
en = "Collect"
[steps.instruction]
nl = "Schrijf ideeen op."
en = "Write ideas down."
[[steps.sections]]
section = "ideas"
add = ["participant", "facilitator"]

[[steps]]
id = "pick"
minutes = 3
[steps.title]
nl = "Kiezen"
en = "Pick"
[steps.instruction]
nl = "De begeleider kiest er een."
en = "The facilitator picks one."
[[steps.sections]]
section = "ideas"
choose = ["facilitator"]
"""


def test_user_written_method_is_playable(tmp_path: Path) -> None:
    folder = tmp_path / "methods"
    folder.mkdir()
    (folder / "eigen.toml").write_text(USER_METHOD, encoding="utf-8")
    server = ServerProcess(tmp_path / "data", None, "--methods-dir", str(folder)).start()
    try:
        async def scenario() -> None:
            facilitator, (piet,) = await _members(server, ["Piet"], method="eigen_methode",
                                                  step=None)
            assert facilitator.welcome is not None
            method = facilitator.welcome["method"]
            assert method["id"] == "eigen_methode" and method["vote_budget"] == 2
            ids = [s["id"] for s in method["steps"]]
            assert ids == ["checkin", "choose_case", "collect", "pick", "checkout"]
            collect, pick = ids.index("collect"), ids.index("pick")

            _ok(await facilitator.call("set_step", step=collect))
            await _synced(facilitator, piet)
            assert piet.board["timer"]["remaining_ms"] == 7 * 60_000
            assert piet.sections["ideas"]["locked"] is False
            _ok(await piet.add("ideas", "Vaker samen lunchen"))
            _ok(await piet.add("ideas", "Een wekelijkse check-in"))
            assert _code(await piet.call("set_step", step=pick)) == "forbidden"
            assert _code(await facilitator.call("set_step", step=len(ids))) == "invalid_value"

            _ok(await facilitator.call("set_step", step=pick))
            await _synced(facilitator, piet)
            assert piet.board["step"] == pick
            assert piet.board["timer"]["remaining_ms"] == 3 * 60_000
            assert _code(await piet.add("ideas", "Te laat")) == "forbidden"
            idea = next(i["id"] for i in piet.items.values()
                        if i["text"] == "Vaker samen lunchen")
            assert _code(await piet.call("choose_item", item_id=idea, chosen=True)
                         ) == "forbidden"
            _ok(await facilitator.call("choose_item", item_id=idea, chosen=True))
            await _synced(facilitator, piet)
            assert piet.items[idea]["chosen"] is True

        run(scenario)
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("minutes = 7", "minutes = 999", ["$.steps[0].minutes", "240"]),
        ('section = "ideas"\nchoose', 'section = "idees"\nchoose',
         ["unknown section 'idees'", "$.steps[1].sections[0].section"]),
        ('kind = "ideas"', 'kind = "ideeen"', ["$.sections[0].kind"]),
    ],
    ids=["minutes", "unknown_section", "kind"],
)
def test_broken_method_names_the_field(old: str, new: str, named: list[str]) -> None:
    assert USER_METHOD.count(old) == 1
    with pytest.raises(MethodError) as caught:
        parse_method(USER_METHOD.replace(old, new), "kapot.toml")
    message = str(caught.value)
    assert message.startswith("kapot.toml: ")
    for part in named:
        assert part in message, message
