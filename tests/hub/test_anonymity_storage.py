"""Anonymity against someone who reads every stored byte (docs/anonymity.md).

A Roddelmethode session: a facilitator and five participants add items while the
facilitator switches anonymity on and off several times, with resends, a restart
of the server, a role change, and the author editing and deleting anonymous items.
Then the test plays the adversary of the threat model: it holds every byte the
server stored (the SQLite files, or every Redis key under the prefix and Redis's
append-only file, plus the audit log and the server's output) and the server's code,
and computes for each anonymous item the set of members consistent with what is
stored. That set must be every member who held the item's role at that time (after
the close, when the log is gone, at least that set). The run is repeated on both
stores.

``adversary`` knows nothing the test knows: it gets only ``Stored``. The test
checks its answer against the truth it kept while playing.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import pytest

from server.core.records import Join, Record, decode_sequenced
from server.core.reducer import Actor, Applied, apply
from server.core.state import BoardState, client_key, decode_state, new_state, participant_id
from server.methods.loader import load_methods
from server.redis_keys import RoomKeys
from server.store.base import SessionMeta
from shared_schema.client import AddItem, DeleteItem, EditItem, MoveItem, SetReady, SetStep
from tests.support.client import BoardClient, run
from tests.support.redis import RedisServer
from tests.support.server import ServerProcess

GOSSIP_STEP = 4
"""Roddelmethode's "gossip" step (after the frame's check-in and case choice)."""
PREFIX = "ibanon"
PARTICIPANTS = ["Anna", "Bert", "Cor", "Dirk", "Eva"]

KINDS = ["sqlite", pytest.param("redis", marks=pytest.mark.redis)]


# -- what is stored, and the adversary ----------------------------------------------------


@dataclass
class Stored:
    """Every stored byte, and what the server's own decoders make of it."""

    raw: bytes
    metas: list[SessionMeta]
    records: dict[int, Record]
    snapshots: list[BoardState]
    audit: list[str]


@dataclass
class Finding:
    """The adversary's answer for one anonymous item."""

    role: str | None
    """The role its add record names (None once the log is gone)."""
    candidates: set[str]
    """Participant ids consistent with everything stored."""
    exact: bool
    """Whether the item's own records were still stored (else only the snapshot)."""


def _strings(value: object) -> set[str]:
    """Every string inside a decoded structure (keys and values, nested)."""
    found: set[str] = set()
    stack = [msgspec.to_builtins(value)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _item_id(record: Record) -> str | None:
    op = record.op
    if isinstance(op, AddItem | EditItem | MoveItem | DeleteItem):
        return op.item_id
    return None


def adversary(stored: Stored) -> dict[str, Finding]:
    """For every item without author, the members consistent with ``stored``.

    The adversary has the server's code: it replays the log through the reducer
    from the session's initial state to learn the roles at every seq, then rules
    members out by every link it can find:
    - identity: a member's client key or participant id anywhere in a record that
      touches the item, in its idempotency mark, its proof, or next to its id in
      the snapshot (author, hidden owner) or the audit trail;
    - counters: per-member client_seq sequences: an anonymous op's counter must fit
      a gap in the member's own counters, in seq order (the leak of the issue);
    - op keys: a record touching the item whose op key reappears under a member's
      client key (a resend recorded openly);
    - proofs: the item's proof in a record that names a member;
    - time: a one-off record that carries a time.
    """
    (meta,) = stored.metas
    method = stored.snapshots[0].method
    keys: dict[str, str] = {}  # participant id -> client key, from the join records
    for record in stored.records.values():
        if record.client_id:
            keys[participant_id(meta.id, record.client_id)] = record.client_id
    pids = set(keys) | {pid for snap in stored.snapshots for pid in snap.participants}

    def names(member: str) -> set[str]:
        return {member, keys[member]} if member in keys else {member}

    # replay: the role of every anonymous add, and who held it then
    state = new_state(meta.id, meta.title, meta.language, method)  # type: ignore[arg-type]
    role_then: dict[str, tuple[str, set[str]]] = {}
    complete = bool(stored.records) and min(stored.records) == 1
    if complete:
        for seq in sorted(stored.records):
            record = stored.records[seq]
            holders = {pid for pid, p in state.participants.items()
                       if p.role == record.role and not p.removed}
            actor = Actor(record.client_id, record.op_key, seq, record.ts_ms, record.role,
                          record.proof)
            result = apply(state, record.op, actor)
            if (isinstance(record.op, AddItem) and record.role is not None
                    and isinstance(result, Applied)):
                role_then[record.op.item_id] = (record.role, holders)
        last = max(stored.snapshots, key=lambda snap: snap.seq)
        if last.seq <= state.seq:
            # the replay reaches the stored snapshot: it saw everything the log held
            assert set(state.participants) >= set(last.participants)

    # items without author: in any snapshot, or added by a one-off record
    anonymous = {item_id for snap in stored.snapshots for item_id, item in snap.items.items()
                 if item.author is None} | set(role_then)

    # per-member counters (stored client_seqs) and identified op keys
    counters: dict[str, list[tuple[int, int]]] = {}
    open_keys: dict[str, str] = {}
    for seq, record in stored.records.items():
        if record.client_id and record.op_key:
            member = participant_id(meta.id, record.client_id)
            open_keys[record.op_key] = member
            client_seq = getattr(record.op, "client_seq", None)
            if client_seq is not None:
                counters.setdefault(member, []).append((seq, client_seq))
    all_counters = {getattr(r.op, "client_seq", None) for r in stored.records.values()} - {None}
    counters_carry_nothing = len(all_counters) <= 1

    findings: dict[str, Finding] = {}
    for item_id in sorted(anonymous):
        touching = [(seq, r) for seq, r in stored.records.items() if _item_id(r) == item_id]
        if item_id in role_then:
            role, candidates = role_then[item_id][0], set(role_then[item_id][1])
        else:
            role, candidates = None, set(pids)
        linked: set[str] = set()
        proofs = {snap.proofs.get(item_id) for snap in stored.snapshots} - {None}
        proofs |= {r.proof for _, r in touching if r.proof}
        for _, record in touching:
            if record.client_id and isinstance(record.op, AddItem | EditItem | DeleteItem):
                # an authoring op recorded under a member's key names the author
                linked.add(participant_id(meta.id, record.client_id))
            if not record.client_id and record.ts_ms:
                linked.add("time")  # a time on a one-off record: treated as a link
            if record.op_key in open_keys:
                linked.add(open_keys[record.op_key])
            strings = _strings(record)
            linked |= {m for m in pids if names(m) & strings} - (
                {participant_id(meta.id, record.client_id)} if record.client_id else set())
            for snap in stored.snapshots:
                mark = snap.marks.get(record.op_key)
                if mark is not None:
                    linked |= {m for m in pids if names(m) & _strings(mark)}
        for snap in stored.snapshots:
            item = snap.items.get(item_id)
            if item is not None and item.author is not None:
                linked.add(item.author)
            owner = snap.hidden.get(item_id)
            if owner:
                linked.add(owner)
            for key in snap.marks:
                if key in {m for member in pids for m in names(member)}:
                    linked.add(next(m for m in pids if key in names(m)))
        for proof in proofs:
            for record in stored.records.values():
                if record.client_id and proof in _strings(record):
                    linked.add(participant_id(meta.id, record.client_id))
        for line in stored.audit:
            # an audit line names its actor; its detail is a step, section, role,
            # flag or participant id, and for a close the close's seq
            fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
            detail = line.split("detail=", 1)[1].split() if "detail=" in line else []
            seqs = {str(seq) for seq, _ in touching}
            if item_id in detail or (fields.get("action") == "close" and set(detail) & seqs):
                linked |= {m for m in pids if any(n in line for n in names(m))}
        if not counters_carry_nothing:
            for seq, record in touching:
                client_seq = getattr(record.op, "client_seq", None)
                if record.client_id or client_seq is None:
                    continue
                for member in list(candidates):
                    own = counters.get(member, [])
                    before = [c for s, c in own if s < seq]
                    after = [c for s, c in own if s > seq]
                    fits = (client_seq not in {c for _, c in own}
                            and all(c < client_seq for c in before)
                            and all(c > client_seq for c in after))
                    if not fits:
                        candidates.discard(member)
        if linked:
            candidates &= linked
        findings[item_id] = Finding(role, candidates, bool(touching))
    return findings


def test_the_adversary_finds_the_leak_of_the_issue() -> None:
    """Sanity of the adversary on the log of the issue's report (before the fix): A's
    client_seq 1 and 3 under A's key, client_seq 2 on the one-off record between
    them. The adversary names A, and only A."""
    method = load_methods()["roddelmethode"]
    meta = SessionMeta(id="s-issue", title="t", method=method.id, language="nl",
                       created_ms=0, epoch="e", facilitator_hash="f", invite_hash="i")
    key_f, key_a, key_b = (client_key("s-issue", f"client-{n}-0001") for n in "fab")
    records = {
        1: Record(client_id=key_f, op=Join(name="F", via="facilitator")),
        2: Record(client_id=key_a, op=Join(name="A", via="participant")),
        3: Record(client_id=key_b, op=Join(name="B", via="participant")),
        4: Record(client_id=key_f, op_key="f1", op=SetStep(client_seq=1, step=GOSSIP_STEP)),
        5: Record(client_id=key_a, op_key="a1", op=SetReady(client_seq=1, ready=True)),
        6: Record(client_id=key_b, op_key="b1", op=SetReady(client_seq=1, ready=True)),
        7: Record(client_id="", op_key="~x", role="participant",
                  op=AddItem(client_seq=2, item_id="x", section="gossip", text="CANARY")),
        8: Record(client_id=key_a, op_key="a3", op=SetReady(client_seq=3, ready=False)),
        9: Record(client_id=key_b, op_key="b2", op=SetReady(client_seq=2, ready=False)),
    }
    stored = Stored(b"", [meta], records, [new_state("s-issue", "t", "nl", method)], [])
    finding = adversary(stored)["x"]
    assert finding.role == "participant"
    assert finding.candidates == {participant_id("s-issue", key_a)}
    # the same log with the client_seqs the server now stores (all one) names nobody
    for record in records.values():
        if record.op_key:
            record.op = msgspec.structs.replace(record.op, client_seq=1)  # type: ignore[type-var]
    finding = adversary(stored)["x"]
    assert finding.candidates == {participant_id("s-issue", k) for k in (key_a, key_b)}


# -- reading what a store holds ---------------------------------------------------------------


def _read_sqlite(data_dir: Path, session_id: str) -> Stored:
    raw = b"".join(p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file())
    database = data_dir / "intervisiebord.sqlite3"
    with sqlite3.connect(database) as db:
        tables = {name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert tables == {"sessions", "ops", "snapshots"}, "a table the adversary misses"
        metas = [msgspec.msgpack.decode(blob, type=SessionMeta)
                 for (blob,) in db.execute("SELECT meta FROM sessions")]
        records = {}
        for seq, data in db.execute("SELECT seq, data FROM ops WHERE session_id = ?",
                                    (session_id,)):
            item = decode_sequenced(data)
            assert item.seq == seq
            records[seq] = item.record
        snapshots = [decode_state(data) for (data,) in db.execute(
            "SELECT data FROM snapshots WHERE session_id = ?", (session_id,))]
    return Stored(raw, metas, records, snapshots, [])


def _read_redis(redis: RedisServer, session_id: str) -> Stored:
    raw = bytearray()
    metas, records, snapshots = [], {}, []
    fields = set(RoomKeys._fields)
    with redis.client() as client:
        for key in sorted(client.scan_iter(match="*")):
            name = key.decode()
            assert name.startswith(f"{PREFIX}:"), f"a key outside the prefix: {name}"
            kind = client.type(key).decode()
            raw += key
            if kind == "string":
                value = client.get(key)
                raw += value
            elif kind == "hash":
                mapping = client.hgetall(key)
                raw += b"".join(k + v for k, v in mapping.items())
            elif kind == "stream":
                entries = client.xrange(key)
                raw += b"".join(i + b"".join(k + v for k, v in f.items()) for i, f in entries)
            elif kind == "zset":
                members = client.zrange(key, 0, -1, withscores=True)
                raw += b"".join(m + str(s).encode() for m, s in members)
            elif kind == "set":
                raw += b"".join(sorted(client.smembers(key)))
            else:
                raise AssertionError(f"a key of a kind the adversary does not read: {name}")
            if name == f"{PREFIX}:closed" or name.startswith(f"{PREFIX}:att:"):
                continue  # the attendance record (docs/attendance.md): read into raw above
            field_name = name.rsplit(":", 1)[1]
            assert field_name in fields and session_id in name, f"unknown key {name}"
            if field_name == "meta":
                metas.append(msgspec.msgpack.decode(value, type=SessionMeta))
            elif field_name == "log":
                for entry_id, entry in entries:
                    item = decode_sequenced(entry[b"d"])
                    assert int(entry_id.split(b"-")[0]) == item.seq
                    records[item.seq] = item.record
            elif field_name == "snapshot":
                snapshots.append(decode_state(mapping[b"data"]))
    for path in sorted(redis.dir.rglob("*")):  # the append-only file and its manifest
        if path.is_file():
            data = path.read_bytes()
            raw += data
            if path.suffix == ".aof":
                _replay_aof(data, records, snapshots)
    return Stored(bytes(raw), metas, records, snapshots, [])


def _aof_commands(data: bytes) -> Iterator[list[bytes]]:
    """The commands of an append-only file (RESP arrays of bulk strings)."""
    at = 0
    while at < len(data):
        assert data[at:at + 1] == b"*", f"not RESP at {at}"
        end = data.index(b"\r\n", at)
        count, at = int(data[at + 1:end]), end + 2
        command = []
        for _ in range(count):
            end = data.index(b"\r\n", at)
            size, at = int(data[at + 1:end]), end + 2
            command.append(data[at:at + size])
            at += size + 2
        yield command


def _replay_aof(data: bytes, records: dict[int, Record], snapshots: list[BoardState]) -> None:
    """Every snapshot version and every log entry Redis ever wrote, as its append-only
    file keeps them (also those overwritten or trimmed since)."""
    for command in _aof_commands(data):
        name = command[0].upper()
        if name == b"HSET" and command[1].endswith(b":snapshot"):
            pairs = dict(zip(command[2::2], command[3::2], strict=True))
            if b"data" in pairs:
                snapshots.append(decode_state(pairs[b"data"]))
        elif name == b"XADD" and command[1].endswith(b":log"):
            fields = dict(zip(command[-2::2], command[-1::2], strict=True))
            item = decode_sequenced(fields[b"d"])
            records.setdefault(item.seq, item.record)


# -- the session --------------------------------------------------------------------------


@dataclass
class Truth:
    """What only the players know."""

    author: dict[str, str] = field(default_factory=dict)
    """Anonymous item id -> its author's participant id."""
    expected: dict[str, set[str]] = field(default_factory=dict)
    """Anonymous item id -> every member who held the author's role then."""
    secrets: dict[str, str] = field(default_factory=dict)
    client_ids: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)


class Game:
    def __init__(self, server: ServerProcess, session_id: str, tokens: tuple[str, str]) -> None:
        self.server = server
        self.session_id = session_id
        self.tokens = tokens
        self.clients: dict[str, BoardClient] = {}
        self.client_ids: dict[str, str] = {}
        self.client_seqs: dict[str, int] = {}
        self.truth = Truth()
        self.roles: dict[str, str] = {}
        self.anonymous = False

    async def connect(self) -> None:
        """Everyone (re)connects with their stored client id; client_seq goes on."""
        for name in ["Fee", *PARTICIPANTS]:
            token = self.tokens[0] if name == "Fee" else self.tokens[1]
            client = BoardClient(self.server.ws_base, self.session_id, token, name,
                                 client_id=self.client_ids.get(name))
            await client.connect()
            client.client_seq = self.client_seqs.get(name, 0)
            self.clients[name] = client
            self.client_ids[name] = client.client_id
            self.roles.setdefault(name, "facilitator" if name == "Fee" else "participant")
        self.truth.client_ids = list(self.client_ids.values())

    async def close(self) -> None:
        for name, client in self.clients.items():
            self.client_seqs[name] = client.client_seq
            await client.close()

    def pid(self, name: str) -> str:
        welcome = self.clients[name].welcome
        assert welcome is not None
        return str(welcome["participant_id"])

    async def synced(self) -> None:
        """Every member has every event up to the last one any of them saw."""
        target = max(client.seq for client in self.clients.values())
        for client in self.clients.values():
            await client.until(lambda client=client: client.seq >= target)

    async def ok(self, name: str, kind: str, **fields: Any) -> dict[str, Any]:
        answer = await self.clients[name].call(kind, **fields)
        assert answer["type"] == "applied", answer
        return answer

    async def set_anonymous(self, on: bool) -> None:
        await self.ok("Fee", "set_anonymous", anonymous=on)
        self.anonymous = on

    async def add(self, name: str, *, resend: bool = False) -> str:
        """``name`` adds an item in the gossip section; with ``resend`` the same frame
        goes out twice at once (one item, the same answer twice)."""
        client = self.clients[name]
        item_id = f"it-{secrets.token_hex(4)}"
        secret = secrets.token_urlsafe(24)
        text = f"roddel {secrets.token_hex(6)}"
        client_seq = await client.op("add_item", item_id=item_id, section="gossip",
                                     text=text, secret=secret)
        if resend:  # the same frame again at once, as a browser resends after a reconnect
            await client.send_raw(json.dumps({
                "type": "add_item", "client_seq": client_seq, "item_id": item_id,
                "section": "gossip", "text": text, "secret": secret}))
            await client.until(lambda: client.ack_counts[client_seq] == 2)
            first, second = client.answers[client_seq]
            assert first == second and first["type"] == "applied"
        await client.until(lambda: client_seq in client.acks)
        assert client.acks[client_seq]["type"] == "applied", client.acks[client_seq]
        self.truth.texts[item_id] = text
        self.truth.secrets[item_id] = secret
        if self.anonymous:
            role = self.roles[name]
            self.truth.author[item_id] = self.pid(name)
            self.truth.expected[item_id] = {self.pid(n) for n, r in self.roles.items()
                                            if r == role}
        return item_id

    async def ready(self, name: str, ready: bool) -> None:
        await self.ok(name, "set_ready", ready=ready)


async def _first_half(game: Game) -> tuple[str, dict[str, Any]]:
    """Rounds with anonymity off, on, off, on; returns an anonymous item of Eva's and
    its add frame, to resend after the restart."""
    await game.connect()
    await game.ok("Fee", "set_step", step=GOSSIP_STEP)
    names = PARTICIPANTS
    for name in names:  # round 1: named
        await game.add(name)
        await game.ready(name, True)
    await game.set_anonymous(True)  # round 2: anonymous, mixed with open ops
    for n, name in enumerate(names):
        await game.add(name, resend=n % 2 == 0)
        await game.ready(name, n % 2 == 0)
    await game.add("Fee")
    await game.add("Cor")
    await game.add("Anna")
    await game.set_anonymous(False)  # round 3: named again
    for name in reversed(names):
        await game.add(name)
        await game.ready(name, True)
    await game.set_anonymous(True)  # round 4: anonymous, interleaved
    eva = game.clients["Eva"]
    kept = await game.add("Eva")
    frame = {"type": "add_item", "client_seq": eva.client_seq, "item_id": kept,
             "section": "gossip", "text": game.truth.texts[kept],
             "secret": game.truth.secrets[kept]}
    for name in ["Bert", "Dirk", "Bert", "Anna"]:
        await game.add(name)
        await game.ready(name, False)
    await game.synced()
    return kept, frame


async def _second_half(game: Game, kept: str, frame: dict[str, Any]) -> None:
    """After the restart: the resend, a role change, the author's edit and delete."""
    await game.connect()
    eva = game.clients["Eva"]
    before = eva.seq
    # acceptance 2: the very same frame (same client id and client_seq) again
    await eva.send_raw(json.dumps(frame))
    await eva.until(lambda: frame["client_seq"] in eva.acks)
    original = eva.acks[frame["client_seq"]]
    assert original["type"] == "applied"
    assert original["seq"] < before
    await game.synced()
    assert eva.seq == before, "the resend was sequenced again"
    assert sum(1 for i in eva.items.values() if i["text"] == game.truth.texts[kept]) == 1

    await game.ok("Fee", "assign_role", participant_id=game.pid("Eva"), role="presenter")
    game.roles["Eva"] = "presenter"
    assert game.anonymous  # still on after the restart
    mine = await game.add("Cor")
    theirs = await game.add("Dirk")
    await game.add("Anna")
    # acceptance 3: the author edits and deletes; another participant cannot
    bert = game.clients["Bert"]
    refused = await bert.call("edit_item", item_id=mine, text="niet van mij",
                              secret=game.truth.secrets[theirs])
    assert refused["type"] == "rejected" and refused["code"] == "not_author"
    refused = await bert.call("delete_item", item_id=mine)
    assert refused["type"] == "rejected" and refused["code"] == "not_author"
    await game.ok("Cor", "edit_item", item_id=mine, text="bijgesteld",
                  secret=game.truth.secrets[mine])
    await game.ok("Dirk", "delete_item", item_id=theirs, secret=game.truth.secrets[theirs])
    game.truth.deleted.add(theirs)
    await game.synced()
    assert bert.items[mine]["text"] == "bijgesteld" and theirs not in bert.items
    await game.set_anonymous(False)
    await game.add("Bert")
    await game.set_anonymous(True)
    await game.add("Bert")
    await game.synced()


def _check(stored: Stored, truth: Truth, *, after_close: bool) -> dict[str, int]:
    """The adversary's sets against the truth; returns figures for the report."""
    for client_id in truth.client_ids:
        assert client_id.encode() not in stored.raw, "a client id was stored"
    for secret in truth.secrets.values():
        assert secret.encode() not in stored.raw, "an item secret was stored"
    findings = adversary(stored)
    live = set(truth.author) - truth.deleted
    assert live <= set(findings), "an anonymous item the adversary cannot see"
    exact = 0
    for item_id, author in truth.author.items():
        if item_id not in findings:
            assert item_id in truth.deleted
            continue
        finding = findings[item_id]
        assert author in finding.candidates
        if finding.role is not None:
            assert finding.candidates == truth.expected[item_id], (item_id, finding)
            exact += 1
        else:
            assert finding.candidates >= truth.expected[item_id], (item_id, finding)
    if not after_close:
        assert exact == len(truth.author), "the log should still hold every anonymous op"
    sizes = [len(findings[i].candidates) for i in truth.author if i in findings]
    return {"anonymous_items": len(truth.author), "exact": exact,
            "set_sizes": dict(sorted(Counter(sizes).items())), "records": len(stored.records)}


@pytest.fixture
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Any]]:
    if request.param == "redis":
        redis = RedisServer(tmp_path / "redis").start()
        try:
            yield "redis", redis
        finally:
            redis.stop()
    else:
        yield "sqlite", None


@pytest.mark.parametrize("place", KINDS, indirect=True)
def test_no_stored_byte_narrows_an_anonymous_item_below_its_role(
    place: tuple[str, Any], tmp_path: Path
) -> None:
    kind, redis = place
    audit_path = tmp_path / "audit.log"
    args = ("--audit-log", str(audit_path))
    server = ServerProcess(tmp_path / "data", None, *args,
                           redis_url=redis.url if redis else None,
                           redis_prefix=PREFIX if redis else None).start()
    try:
        session = server.create_session(method="roddelmethode")
        game = Game(server, session.id, (session.facilitator_token, session.invite_token))

        def read() -> Stored:
            if redis is not None:
                stored = _read_redis(redis, session.id)
                stored.raw += b"".join(p.read_bytes() for p in (tmp_path / "data").rglob("*")
                                       if p.is_file())
            else:
                stored = _read_sqlite(tmp_path / "data", session.id)
            stored.audit = audit_path.read_text().splitlines() if audit_path.exists() else []
            stored.raw += "".join(stored.audit).encode() + "".join(server.output).encode()
            return stored

        kept: dict[str, Any] = {}

        async def first() -> None:
            item_id, frame = await _first_half(game)
            kept.update(item_id=item_id, frame=frame)
            await game.close()

        run(first)
        server.stop()
        figures = [("restart", _check(read(), game.truth, after_close=False))]
        server.start()

        async def second() -> None:
            await _second_half(game, kept["item_id"], kept["frame"])
            await game.close()

        run(second)
        server.stop()
        figures.append(("end", _check(read(), game.truth, after_close=False)))
        server.start()

        async def close() -> None:
            await game.connect()
            await game.ok("Fee", "close_session")
            await game.close()

        run(close)
        server.stop()
        figures.append(("closed", _check(read(), game.truth, after_close=True)))
        print(f"\n{kind}: " + "; ".join(f"{name} {values}" for name, values in figures))
    finally:
        server.stop()
