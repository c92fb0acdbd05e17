"""Hypothesis sends 10,000 generated frames at a live server: no unhandled exception
in its log, no state change, and a control client gets all 20 real ops sent meanwhile.

The fuzzing member is an observer, so no op of it may change the board; its frames
are binary junk, text junk, wrong tags, unknown and missing fields, wrong types,
huge numbers, NaN and infinities, deep nesting, oversized frames, hellos with other
sessions' tokens and well-formed ops naming another session's items and members.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections import Counter
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import websockets
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from websockets.asyncio.client import ClientConnection

from tests.support import client as client_module
from tests.support.client import ASK, BoardClient
from tests.support.server import ServerProcess

FRAMES = 10_000
BATCH = 100
REAL_OPS = 20
FUZZ_ID = "fuzzer-client-01"
MAX_MESSAGE = 64 * 1024
OVERSIZED_EVERY = 5
"""Every so many batches one frame is over the size limit (and costs a connection);
Hypothesis would pick it far more often than a weight says, as it favours bounds."""
SYNC_SEQ = 9_000_000_000_000
"""client_seq of the marker op closing each batch (an observer's set_ready: rejected)."""
TAGS = ["hello", "add_item", "edit_item", "move_item", "delete_item", "rate_item",
        "circle_item", "choose_item", "vote", "set_step", "lock_section", "reveal_section",
        "set_timer", "set_ready", "assign_role", "remove_participant", "set_anonymous",
        "close_session"]
FIELDS = ["client_seq", "item_id", "section", "text", "x", "y", "color", "lane", "sheet",
          "parent", "rating", "circled", "chosen", "delta", "step", "locked", "action",
          "seconds", "ready", "participant_id", "role", "anonymous", "protocol", "token",
          "name", "client_id", "resume"]
T = TypeVar("T")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    # no rate limit here: this test is about content; test_flood covers the rate
    proc = ServerProcess(tmp_path / "data", None, "--rate-per-s", "1000000",
                         "--rate-burst", "1000000").start()
    try:
        yield proc
    finally:
        proc.stop()


class Portal:
    """An event loop in a thread, so Hypothesis (sync) can drive async clients."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        async def cancel_rest() -> None:
            rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)

        self.call(cancel_rest())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


# -- strategies ---------------------------------------------------------------------------

_scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=2**53)
            | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12))
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=5)
"""Any JSON value (and NaN, infinities, big integers), kept small: generation time
is most of this test's time."""


def _ops(other: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Well-formed ops aimed at the other session's items, sections and members."""
    seq = st.integers(min_value=1, max_value=2**53)
    item = st.sampled_from(other["items"])
    member = st.sampled_from(other["participants"])
    section = st.sampled_from(["questions", "case", "redefinitions", "nope"])
    return st.one_of(
        st.fixed_dictionaries({"type": st.just("add_item"), "client_seq": seq,
                               "item_id": st.from_regex(r"\A[a-z0-9]{1,12}\Z"),
                               "section": section, "text": st.text(min_size=1, max_size=40)}),
        st.fixed_dictionaries({"type": st.just("edit_item"), "client_seq": seq,
                               "item_id": item, "text": st.text(min_size=1, max_size=40)}),
        st.fixed_dictionaries({"type": st.just("delete_item"), "client_seq": seq,
                               "item_id": item}),
        st.fixed_dictionaries({"type": st.just("vote"), "client_seq": seq, "item_id": item,
                               "delta": st.sampled_from([1, -1])}),
        st.fixed_dictionaries({"type": st.just("assign_role"), "client_seq": seq,
                               "participant_id": member,
                               "role": st.sampled_from(["facilitator", "presenter"])}),
        st.fixed_dictionaries({"type": st.just("remove_participant"), "client_seq": seq,
                               "participant_id": member}),
        st.fixed_dictionaries({"type": st.sampled_from(["close_session", "set_ready"]),
                               "client_seq": seq}),
        st.fixed_dictionaries({"type": st.just("set_step"), "client_seq": seq,
                               "step": st.integers(0, 12)}),
        st.fixed_dictionaries({"type": st.just("lock_section"), "client_seq": seq,
                               "section": section, "locked": st.sampled_from([True, False, None])}),
        st.fixed_dictionaries({"type": st.just("hello"), "protocol": st.sampled_from([1, 2]),
                               "token": st.sampled_from(other["tokens"]),
                               "name": st.just("Mallory"), "client_id": st.just(FUZZ_ID)}),
    )


def _mangled(op: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """An op with a field dropped, added, or given a value of the wrong kind."""

    def mangle(data: tuple[dict[str, Any], int, str, Any]) -> dict[str, Any]:
        message, how, name, value = data
        message = dict(message)
        keys = sorted(message)
        if how == 0:
            message.pop(keys[len(name) % len(keys)])
        elif how == 1:
            message[name] = value
        else:
            message[keys[len(name) % len(keys)]] = value
        return message

    return st.tuples(op, st.integers(0, 2), st.sampled_from([*FIELDS, "evil", "__proto__"]),
                     _json).map(mangle)


def _text(frame: object) -> str:
    return json.dumps(frame, allow_nan=True)


@dataclass(frozen=True)
class Big:
    """A large frame, built only when sent (Hypothesis keeps a repr of each batch)."""

    open: str
    n: int
    close: str = ""
    middle: str = ""

    def render(self) -> str:
        return self.open * self.n + self.middle + self.close * self.n


Frame = str | bytes | Big


def frames(other: dict[str, Any]) -> st.SearchStrategy[Frame]:
    ops = _ops(other)
    depth = st.integers(50, 3000)
    return st.one_of(
        st.binary(max_size=300),                                           # binary junk
        st.text(max_size=200),                                             # text junk
        _json.map(_text),                                                  # any JSON
        st.tuples(st.sampled_from([*TAGS, "", "ADD_ITEM", "explode"]),   # wrong fields
                  st.dictionaries(st.sampled_from(FIELDS), _json, max_size=3))
        .map(lambda tagged: _text({**tagged[1], "type": tagged[0]})),
        ops.map(_text),                                                    # other session
        _mangled(ops).map(_text),                                          # wrong fields
        depth.map(lambda n: Big("[", n, "]")),                              # deep nesting
        depth.map(lambda n: Big('{"type":', n, "}", "1")),
        st.sampled_from(['{"type": "add_item", "client_seq": 1e400}',      # huge numbers
                         '{"type": "set_step", "client_seq": 1, "step": 1' + "0" * 400 + "}",
                         '{"type": "move_item", "client_seq": 1, "item_id": "a", '
                         '"x": NaN, "y": -Infinity}',
                         '{"type": "set_ready", "client_seq": -9223372036854775809, '
                         '"ready": true}',
                         '{"type": "vote", "type": "set_ready", "client_seq": 2, "ready": 1}',
                         '{"type": "add_item"', "\ufeff{}", "null", "[]", '"hello"']),
    )


# -- the fuzzing connection -------------------------------------------------------------

class Fuzzer:
    """One connection at a time; a new one (same member) when the server closed it."""

    def __init__(self, server: ServerProcess, session_id: str, token: str) -> None:
        self.url = f"{server.ws_base}/ws/{session_id}"
        self.origin = server.base
        self.token = token
        self.ws: ClientConnection | None = None
        self.connections = 0
        self.sent = 0
        self.answers: Counter[str] = Counter()
        self.closes: Counter[int] = Counter()
        self._synced = asyncio.Event()
        self._closed = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self.ws = await websockets.connect(self.url, origin=self.origin, max_size=2**22)
        self.connections += 1
        self._synced, self._closed = asyncio.Event(), asyncio.Event()
        await self.ws.send(json.dumps({"type": "hello", "protocol": 1, "token": self.token,
                                       "name": "Mallory", "client_id": FUZZ_ID}))
        welcome = json.loads(await self.ws.recv())
        assert welcome["type"] == "welcome", welcome
        self._reader = asyncio.create_task(self._read(self.ws, self._synced, self._closed))

    async def _read(self, ws: ClientConnection, synced: asyncio.Event,
                    closed: asyncio.Event) -> None:
        try:
            async for raw in ws:
                message = json.loads(raw)
                self.answers[message.get("code", message["type"])] += 1
                if message.get("client_seq") == SYNC_SEQ:
                    synced.set()
        except websockets.ConnectionClosed:
            pass
        rcvd = ws.protocol.close_rcvd
        self.closes[rcvd.code if rcvd else 1006] += 1
        closed.set()

    async def _open(self) -> ClientConnection:
        if self.ws is None or self._closed.is_set():
            await self.close()
            await self.connect()
        assert self.ws is not None
        return self.ws

    async def send_batch(self, batch: list[Frame]) -> None:
        """Send the frames, then a marker op, and wait for the marker's answer, so
        every frame was processed; an oversized frame waits for its close."""
        for item in batch:
            frame = item.render() if isinstance(item, Big) else item
            ws = await self._open()
            await ws.send(frame)
            self.sent += 1
            if len(frame) > MAX_MESSAGE:
                await asyncio.wait_for(self._closed.wait(), 10)
        ws = await self._open()
        with contextlib.suppress(websockets.ConnectionClosed):
            await ws.send(json.dumps({"type": "set_ready", "client_seq": SYNC_SEQ,
                                      "ready": True}))
        marker, closed = (asyncio.ensure_future(e.wait()) for e in (self._synced, self._closed))
        await asyncio.wait({marker, closed}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
        marker.cancel()
        closed.cancel()
        assert self._synced.is_set(), f"connection lost in this batch: closes {self.closes}"
        self._synced.clear()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            await self._reader
        self.ws = None


# the websocket clients' keepalive (another thread) draws from `random` while
# Hypothesis generates a batch; the strategies themselves do not use it
@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
def test_fuzzed_frames_change_nothing(server: ServerProcess) -> None:
    portal = Portal()
    try:
        _fuzz(server, portal)
    finally:
        portal.call(close_all())
        portal.stop()


async def close_all() -> None:
    """Close every board client the test left open (pass or fail)."""
    await asyncio.gather(*(c.close() for c in list(client_module._open)),
                         return_exceptions=True)
    client_module._open.clear()


def _fuzz(server: ServerProcess, portal: Portal) -> None:
    session, other = server.create_session(), server.create_session()
    facilitator = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fee")
    control = BoardClient(server.ws_base, session.id, session.invite_token, "Controle")
    stranger = BoardClient(server.ws_base, other.id, other.facilitator_token, "Elders")
    fuzzer = Fuzzer(server, session.id, session.invite_token)

    async def setup() -> dict[str, Any]:
        for client in (facilitator, control, stranger):
            await client.connect()
        await facilitator.call("set_step", step=ASK)
        await stranger.call("set_step", step=ASK)
        items = [(await stranger.add("questions", "Elders?"))["seq"] for _ in range(3)]
        assert items
        await fuzzer.connect()
        await control.until(lambda: len(control.participants) == 3)
        pid = next(p for p, v in control.participants.items() if v["name"] == "Mallory")
        assert (await facilitator.call("assign_role", participant_id=pid,
                                       role="observer"))["type"] == "applied"
        await control.until(lambda: control.seq == facilitator.seq)
        return {"items": sorted(stranger.items), "participants": sorted(stranger.participants),
                "tokens": [other.invite_token, other.facilitator_token, "x" * 128]}

    targets = portal.call(setup())
    before_seq, before_hash = control.seq, control.state_hash()
    real: list[tuple[str, dict[str, Any]]] = []

    async def real_op() -> None:
        item_id = f"real-{len(real)}"
        real.append((item_id, await facilitator.call(
            "add_item", item_id=item_id, section="questions", text=f"Echte vraag {len(real)}")))

    batches = 0
    started = time.monotonic()

    @settings(max_examples=FRAMES // BATCH, deadline=None, database=None, derandomize=True,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(st.lists(frames(targets), min_size=BATCH, max_size=BATCH))
    def fuzz_batch(batch: list[Frame]) -> None:
        nonlocal batches
        if batches % OVERSIZED_EVERY == 0:
            batch[len(batch) // 2] = Big("x", MAX_MESSAGE + 1 + batches)
        portal.call(fuzzer.send_batch(batch))
        batches += 1
        if batches % (FRAMES // BATCH // REAL_OPS) == 0 and len(real) < REAL_OPS:
            portal.call(real_op())

    fuzz_batch()
    while len(real) < REAL_OPS:
        portal.call(real_op())
    elapsed = time.monotonic() - started
    portal.call(fuzzer.close())

    async def check() -> None:
        await control.until(lambda: control.seq == before_seq + REAL_OPS)

    portal.call(check())
    output = "".join(server.output)
    print(f"\nfuzz: {fuzzer.sent} frames in {batches} batches over {fuzzer.connections} "
          f"connections in {elapsed:.1f} s; answers {dict(fuzzer.answers.most_common())}; "
          f"closes {dict(fuzzer.closes)}")
    assert fuzzer.sent >= FRAMES
    assert set(fuzzer.closes) <= {1000, 1009}, fuzzer.closes  # 1000: the test's own close
    assert "Traceback" not in output and "Exception" not in output, output[-3000:]
    assert "ERROR" not in output, output[-3000:]
    # every real op was applied and reached the control client, in order, without gaps
    assert [reply["type"] for _, reply in real] == ["applied"] * REAL_OPS
    assert not control.gaps
    assert [control.items[item_id]["seq"] for item_id, _ in real] == \
        [reply["seq"] for _, reply in real]
    # and nothing else changed: without the real items the board is as before
    for item_id, _ in real:
        del control.items[item_id]
    assert control.state_hash() == before_hash
