"""The attendance record in SQLite: ``attendance.sqlite3`` beside the content's
database in the data folder, a file of its own so the two lifetimes never share a
page. One worker thread runs every call in order (as the content store does)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import msgspec

from server.attendance.record import Confirmation, Interval, MemberFacts, SessionFacts
from server.store.sqlite_file import SqliteFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    facts BLOB NOT NULL,
    expires_from INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS members (
    session_id TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    facts BLOB NOT NULL,
    PRIMARY KEY (session_id, participant_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS connections (
    session_id TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    conn_id TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER,
    hub TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (session_id, conn_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hubs (hub TEXT PRIMARY KEY, seen_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS forgotten (
    session_id TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    PRIMARY KEY (session_id, participant_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS member_keys (
    member_key TEXT NOT NULL,
    session_id TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    PRIMARY KEY (member_key, session_id, participant_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS member_keys_session ON member_keys (session_id, participant_id);
CREATE TABLE IF NOT EXISTS codes (
    code TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    participant_id TEXT NOT NULL
) WITHOUT ROWID;
"""

_DELETE_MEMBER = tuple(
    f"DELETE FROM {table} WHERE session_id = ? AND participant_id = ?"  # noqa: S608
    for table in ("members", "connections", "codes", "member_keys"))
_DELETE_SESSION = tuple(
    f"DELETE FROM {table} WHERE session_id = ?"  # noqa: S608
    for table in ("members", "connections", "forgotten", "codes", "member_keys"))

HUBS_KEPT_MS = 86_400_000
"""Heartbeats of hubs silent this long are dropped (their connections then count as
open until the close, as without heartbeats)."""

_encoder = msgspec.msgpack.Encoder()
_session_decoder = msgspec.msgpack.Decoder(SessionFacts)
_member_decoder = msgspec.msgpack.Decoder(MemberFacts)


class SqliteAttendance:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = SqliteFile(path, SCHEMA, "attendance")
        self._db = self._file.db


    # -- sessions --------------------------------------------------------------------

    def _session(self, session_id: str) -> SessionFacts | None:
        row = self._db.execute("SELECT facts FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return None if row is None else _session_decoder.decode(row[0])

    def _put_session(self, facts: SessionFacts) -> None:
        basis = facts.ended_ms if facts.ended_ms is not None else facts.created_ms
        self._db.execute("UPDATE sessions SET facts = ?, expires_from = ? WHERE id = ?",
                         (_encoder.encode(facts), basis, facts.session_id))

    def _create_session(self, facts: SessionFacts) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO sessions (id, facts, expires_from) VALUES (?, ?, ?)",
            (facts.session_id, _encoder.encode(facts), facts.created_ms),
        )

    async def create_session(self, facts: SessionFacts) -> None:
        await self._file.call(self._create_session, facts)

    def _change(self, session_id: str, change: Callable[[SessionFacts], bool]) -> bool:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            facts = self._session(session_id)
            if facts is None or not change(facts):
                return False
            self._put_session(facts)
            return True

    async def set_agreement(self, session_id: str, text: str | None) -> bool:
        def change(facts: SessionFacts) -> bool:
            if facts.started_ms is not None:
                return False
            facts.agreement = text
            return True

        return await self._file.call(self._change, session_id, change)

    async def mark_started(self, session_id: str, at_ms: int) -> None:
        def change(facts: SessionFacts) -> bool:
            if facts.started_ms is not None and facts.started_ms <= at_ms:
                return False
            facts.started_ms = at_ms
            return True

        await self._file.call(self._change, session_id, change)

    async def mark_ended(self, session_id: str, at_ms: int) -> None:
        def change(facts: SessionFacts) -> bool:
            facts.ended_ms = at_ms
            return True

        await self._file.call(self._change, session_id, change)

    async def approve(self, session_id: str, participant_id: str, at_ms: int) -> None:
        def change(facts: SessionFacts) -> bool:
            facts.approved_ms, facts.approved_by = at_ms, participant_id
            return True

        await self._file.call(self._change, session_id, change)

    # -- members ---------------------------------------------------------------------

    def _member_change(self, session_id: str, pid: str, change: Callable[[MemberFacts], None],
                       create: bool = True) -> bool:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            if self._session(session_id) is None or self._db.execute(
                "SELECT 1 FROM forgotten WHERE session_id = ? AND participant_id = ?",
                (session_id, pid),
            ).fetchone():
                return False
            row = self._db.execute(
                "SELECT facts FROM members WHERE session_id = ? AND participant_id = ?",
                (session_id, pid),
            ).fetchone()
            if row is None and not create:
                return False
            member = MemberFacts(participant_id=pid) if row is None else _member_decoder.decode(
                row[0])
            change(member)
            member.connections = []
            self._db.execute(
                "INSERT OR REPLACE INTO members (session_id, participant_id, facts) "
                "VALUES (?, ?, ?)", (session_id, pid, _encoder.encode(member)))
            return True

    async def connection_opened(self, session_id: str, participant_id: str, conn_id: str,
                                name: str, role: str, start_ms: int, hub: str = "") -> None:
        def change(member: MemberFacts) -> None:
            member.name = name
            if role not in member.roles:
                member.roles.append(role)
            self._db.execute(
                "INSERT OR IGNORE INTO connections (session_id, participant_id, conn_id, "
                "start_ms, hub) VALUES (?, ?, ?, ?, ?)",
                (session_id, participant_id, conn_id, start_ms, hub))

        await self._file.call(self._member_change, session_id, participant_id, change)

    def _connection_closed(self, session_id: str, conn_id: str, end_ms: int) -> None:
        self._db.execute(
            "UPDATE connections SET end_ms = ? WHERE session_id = ? AND conn_id = ?",
            (end_ms, session_id, conn_id),
        )

    async def connection_closed(self, session_id: str, participant_id: str, conn_id: str,
                                start_ms: int, end_ms: int, hub: str = "") -> None:
        await self._file.call(self._connection_closed, session_id, conn_id, end_ms)

    async def add_role(self, session_id: str, participant_id: str, role: str) -> None:
        def change(member: MemberFacts) -> None:
            if role not in member.roles:
                member.roles.append(role)

        await self._file.call(self._member_change, session_id, participant_id, change)

    async def accept_agreement(self, session_id: str, participant_id: str, text: str,
                               at_ms: int) -> None:
        def change(member: MemberFacts) -> None:
            member.agreement_ms, member.agreement_text = at_ms, text

        await self._file.call(self._member_change, session_id, participant_id, change)

    async def confirm(self, session_id: str, participant_id: str,
                      confirmation: Confirmation) -> None:
        def change(member: MemberFacts) -> None:
            member.confirmation = confirmation

        await self._file.call(self._member_change, session_id, participant_id, change, False)

    async def attach_member_key(self, session_id: str, participant_id: str,
                                member_key: str) -> None:
        def change(member: MemberFacts) -> None:
            member.member_key = member_key
            self._db.execute("DELETE FROM member_keys WHERE session_id = ? AND "
                             "participant_id = ?", (session_id, participant_id))
            self._db.execute("INSERT OR IGNORE INTO member_keys VALUES (?, ?, ?)",
                             (member_key, session_id, participant_id))

        await self._file.call(self._member_change, session_id, participant_id, change, False)

    def _records_of_member(self, member_key: str) -> list[tuple[str, str]]:
        rows = self._db.execute(
            "SELECT session_id, participant_id FROM member_keys WHERE member_key = ? "
            "ORDER BY session_id, participant_id", (member_key,))
        return [(str(sid), str(pid)) for sid, pid in rows]

    async def records_of_member(self, member_key: str) -> list[tuple[str, str]]:
        return await self._file.call(self._records_of_member, member_key)

    def _load(self, session_id: str) -> tuple[SessionFacts, list[MemberFacts]] | None:
        facts = self._session(session_id)
        if facts is None:
            return None
        members = {
            pid: _member_decoder.decode(data)
            for pid, data in self._db.execute(
                "SELECT participant_id, facts FROM members WHERE session_id = ?", (session_id,))
        }
        for pid, start, end, hub in self._db.execute(
            "SELECT participant_id, start_ms, end_ms, hub FROM connections "
            "WHERE session_id = ? ORDER BY start_ms, conn_id", (session_id,)
        ):
            if pid in members:
                members[pid].connections.append(Interval(start, end, hub))
        return facts, sorted(members.values(), key=lambda m: m.participant_id)

    async def load(self, session_id: str) -> tuple[SessionFacts, list[MemberFacts]] | None:
        return await self._file.call(self._load, session_id)

    def _hub_seen(self, hub: str, at_ms: int) -> None:
        self._db.execute("INSERT OR REPLACE INTO hubs VALUES (?, ?)", (hub, at_ms))
        self._db.execute("DELETE FROM hubs WHERE seen_ms < ?", (at_ms - HUBS_KEPT_MS,))

    async def hub_seen(self, hub: str, at_ms: int) -> None:
        await self._file.call(self._hub_seen, hub, at_ms)

    def _hubs_seen(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT hub, seen_ms FROM hubs").fetchall())

    async def hubs_seen(self) -> dict[str, int]:
        return await self._file.call(self._hubs_seen)

    # -- deletion --------------------------------------------------------------------

    def _scrub(self) -> None:
        """No old page keeps a deleted name: rebuild the file, empty the WAL."""
        self._file.scrub()

    def _delete_member(self, session_id: str, pid: str) -> None:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            for statement in _DELETE_MEMBER:
                self._db.execute(statement, (session_id, pid))
            if self._session(session_id) is not None:
                self._db.execute("INSERT OR IGNORE INTO forgotten VALUES (?, ?)",
                                 (session_id, pid))
        self._scrub()

    async def delete_member(self, session_id: str, participant_id: str) -> None:
        await self._file.call(self._delete_member, session_id, participant_id)

    def _delete_session(self, session_id: str) -> None:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            for statement in _DELETE_SESSION:
                self._db.execute(statement, (session_id,))
        self._scrub()

    async def delete_session(self, session_id: str) -> None:
        await self._file.call(self._delete_session, session_id)

    def _expired(self, cutoff_ms: int) -> list[str]:
        rows = self._db.execute("SELECT id FROM sessions WHERE expires_from < ?", (cutoff_ms,))
        return [row[0] for row in rows]

    async def expired(self, cutoff_ms: int) -> list[str]:
        return await self._file.call(self._expired, cutoff_ms)

    # -- codes -----------------------------------------------------------------------

    def _secret(self) -> bytes:
        self._db.execute("INSERT OR IGNORE INTO meta VALUES ('secret', ?)",
                         (secrets.token_bytes(32),))
        row = self._db.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()
        return bytes(row[0])

    async def secret(self) -> bytes:
        return await self._file.call(self._secret)

    def _register_code(self, code: str, session_id: str, pid: str) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO codes (code, session_id, participant_id) SELECT ?, ?, ? "
            "WHERE EXISTS (SELECT 1 FROM sessions WHERE id = ?)", (code, session_id, pid,
                                                                    session_id))

    async def register_code(self, code: str, session_id: str, participant_id: str) -> None:
        await self._file.call(self._register_code, code, session_id, participant_id)

    def _lookup_code(self, code: str) -> tuple[str, str] | None:
        row = self._db.execute("SELECT session_id, participant_id FROM codes WHERE code = ?",
                               (code,)).fetchone()
        return None if row is None else (row[0], row[1])

    async def lookup_code(self, code: str) -> tuple[str, str] | None:
        return await self._file.call(self._lookup_code, code)

    async def close(self) -> None:
        await self._file.close()
