"""The board state a room holds, and the ids derived from it.

Invariant: a ``BoardState`` changes only through ``server.core.reducer.apply``, so
every hub that applies the same ops in the same seq order holds the same state.
"""

from __future__ import annotations

import functools
import hashlib

import msgspec

from shared_schema.board import Item, Language, Participant, Rating, Round, Spotlight, Timer
from shared_schema.method import Method


class Mark(msgspec.Struct, array_like=True, gc=False):
    """The outcome of one op that was decided: the room seq it got, and the
    rejection code if it was rejected (None when applied)."""

    seq: int
    code: str | None = None


class PrivateRating(msgspec.Struct, array_like=True, gc=False):
    """A rating given while its section is sealed: seen only by ``rater`` until reveal."""

    rating: Rating
    rater: str


class BoardState(msgspec.Struct, kw_only=True):
    """Everything a room knows. Snapshots are this struct, encoded.

    ``overrides`` and ``revealed`` are keyed by ``step_key(step, section)`` so an
    undone advance finds the locks of the step it returns to.
    ``hidden`` maps ids of items that only their author may see until reveal to
    that author (None for anonymous items: then nobody sees them until reveal).
    Containers are lists and dicts, never sets, so encoded snapshots are
    byte-identical across processes.
    ``marks`` holds the outcomes of the last ops, oldest first, each under its
    ``op_key``: one flat map for every member, with no client key and no client_seq,
    so it neither counts nor orders any member's ops.
    ``proofs`` maps ids of items without author to the ``item_proof`` of the secret
    their author's client chose; nothing maps it to a member.
    ``private_ratings`` and the vote totals of sealed sections are not copied into
    the items until the facilitator reveals the section. ``votes`` holds every vote
    per item and member; ``sealed_votes`` the part of it given while sealed and not
    yet revealed, so ``item.votes`` (the public total) is ``votes`` minus
    ``sealed_votes`` in every step, a later open vote on the same section included.
    ``participant_export``: whether invite-link members may download the exports.
    ``spotlight``, ``not_following`` and ``round`` lead the meeting
    (``server.core.facilitation``); ``rounds`` keeps every finished round (who spoke,
    never what was said) for the export.
    """

    session_id: str
    title: str
    language: Language
    method: Method
    step: int = 0
    seq: int = 0
    anonymous: bool = False
    closed: bool = False
    participant_export: bool = True
    presenter: str | None = None
    facilitator: str | None = None
    items: dict[str, Item] = msgspec.field(default_factory=dict)
    participants: dict[str, Participant] = msgspec.field(default_factory=dict)
    overrides: dict[str, bool] = msgspec.field(default_factory=dict)
    revealed: dict[str, bool] = msgspec.field(default_factory=dict)
    hidden: dict[str, str | None] = msgspec.field(default_factory=dict)
    ready: list[str] = msgspec.field(default_factory=list)
    votes: dict[str, dict[str, int]] = msgspec.field(default_factory=dict)
    sealed_votes: dict[str, dict[str, int]] = msgspec.field(default_factory=dict)
    private_ratings: dict[str, PrivateRating] = msgspec.field(default_factory=dict)
    timer: Timer = msgspec.field(default_factory=Timer)
    marks: dict[str, Mark] = msgspec.field(default_factory=dict)
    proofs: dict[str, str] = msgspec.field(default_factory=dict)
    spotlight: Spotlight | None = None
    not_following: list[str] = msgspec.field(default_factory=list)
    round: Round | None = None
    rounds: list[Round] = msgspec.field(default_factory=list)
    member_of: dict[str, str] = msgspec.field(default_factory=dict)
    """Group meetings: participant id -> the ``member_tag`` of the key they entered
    with (never sent to a client)."""


def step_key(step: int, section: str) -> str:
    return f"{step}:{section}"


@functools.lru_cache(maxsize=16384)
def participant_id(session_id: str, client_key: str) -> str:
    """A stable pseudonym for a client in a session, shown to other members (a pure
    function of its arguments, so remembered: every op asks for it twice)."""
    digest = hashlib.blake2b(f"{session_id}/{client_key}".encode(), digest_size=8)
    return digest.hexdigest()


def member_tag(session_id: str, member_key_hash: str) -> str:
    """The session's own one-way name for a group member key (given as its stored
    hash): the log and the board never hold the hash that other sessions share."""
    digest = hashlib.blake2b(
        f"{session_id}/{member_key_hash}".encode(), digest_size=16, person=b"member-tag"
    )
    return digest.hexdigest()


def client_key(session_id: str, client_id: str) -> str:
    """The key a client's identified ops are recorded under: a one-way hash of its
    client id. The client id is a secret of the browser and is never stored, so
    nothing stored lets anyone recompute an ``op_key``."""
    digest = hashlib.blake2b(
        f"{session_id}/{client_id}".encode(), digest_size=16, person=b"client-key"
    )
    return digest.hexdigest()


def op_key(session_id: str, client_id: str, client_seq: int) -> str:
    """The idempotency key of one op: a keyed hash of its ``(client_id, client_seq)``.

    Invariant: it depends on the client id itself, which is never stored, so no two
    stored op keys can be told to come from one client, nor put in that client's
    order; a resend of the op (same client id and client_seq) gets the same key."""
    digest = hashlib.blake2b(
        f"{client_seq}".encode(), digest_size=16, key=client_id.encode()[:64],
        person=b"op-key", salt=_op_key_salt(session_id),
    )
    return digest.hexdigest()


@functools.lru_cache(maxsize=4096)
def _op_key_salt(session_id: str) -> bytes:
    return hashlib.blake2b(session_id.encode(), digest_size=16).digest()


def item_proof(session_id: str, item_id: str, secret: str) -> str:
    """What the server keeps of an item secret: a one-way hash bound to the item."""
    digest = hashlib.blake2b(
        f"{session_id}/{item_id}/{secret}".encode(), digest_size=16, person=b"item-proof"
    )
    return digest.hexdigest()


def new_state(session_id: str, title: str, language: Language, method: Method) -> BoardState:
    state = BoardState(session_id=session_id, title=title, language=language, method=method)
    state.timer = Timer(remaining_ms=method.steps[0].minutes * 60_000)
    return state


_snapshot_encoder = msgspec.msgpack.Encoder()
_snapshot_decoder = msgspec.msgpack.Decoder(BoardState)


def encode_state(state: BoardState) -> bytes:
    return _snapshot_encoder.encode(state)


SHARED_METHODS_KEPT = 64
_shared_methods: dict[bytes, Method] = {}


def decode_state(data: bytes) -> BoardState:
    """Rooms of the same method share one ``Method`` (read-only: nothing changes a
    method once loaded), so a hub with many rooms holds each method once."""
    state = _snapshot_decoder.decode(data)
    key = _snapshot_encoder.encode(state.method)
    shared = _shared_methods.get(key)
    if shared is None:
        if len(_shared_methods) >= SHARED_METHODS_KEPT:
            _shared_methods.clear()
        shared = _shared_methods[key] = state.method
    state.method = shared
    return state
