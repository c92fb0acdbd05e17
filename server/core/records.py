"""What the backplane sequences: one record per op, with its actor and time.

The record carries the server time the op was accepted for sequencing, so the
reducer never reads a clock and replays give the same result.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from shared_schema.board import Role
from shared_schema.client import Op


class Join(msgspec.Struct, tag_field="type", tag="join", kw_only=True):
    """Internal op: a client entered with a link of the given kind."""

    name: str
    via: Literal["facilitator", "presenter", "participant"]
    """``presenter``: a group member the plan names as this meeting's presenter."""
    take_over: bool | None = None
    """With the facilitator link while someone else holds the role: None asks
    (refused with ``facilitator_taken``), True takes the role, False enters without it."""
    member: str | None = None
    """In a group meeting: the ``member_tag`` of the group member key the client
    entered with, so the group can remove everyone who entered with that key."""


class Expel(msgspec.Struct, tag_field="type", tag="expel", kw_only=True):
    """Internal op: the group removed the member whose key has ``member`` as its
    ``member_tag``; every participant who entered with that key is removed."""

    member: str


class RoundTimeout(msgspec.Struct, tag_field="type", tag="round_timeout", kw_only=True):
    """Internal op: a hub saw turn ``turn`` of round ``number`` pass its deadline.
    Several hubs may send it for one turn: only the first that finds the turn still
    current (and the record's time past the deadline) moves the round on."""

    number: int
    turn: int


class Record(msgspec.Struct, kw_only=True):
    """An op to sequence, as it is stored in the log.

    Invariants (what a reader of the log may learn, see docs/anonymity.md):
    - ``client_id`` is the sender's ``client_key`` (never the client id itself), or
      "" for an op sent under a one-off key: then ``role`` holds the role the sender
      had when its hub admitted the op, and nothing else in the record names them;
    - ``op_key`` is the op's idempotency key, a one-way hash of the client id and
      the client_seq that only the sender's client can reproduce ("" for internal
      ops such as a join). No client_seq or other per-member counter is stored;
    - ``ts_ms`` is the hub's clock only for ops whose effect reads it (timer,
      close); 0 for every other op, so no per-member time is stored;
    - ``proof`` is the hash of the item secret the op carried (``item_proof``);
      the secret itself is never stored (the op's ``secret`` field is cleared).
    """

    client_id: str
    op: Op | Join | RoundTimeout | Expel
    op_key: str = ""
    ts_ms: int = 0
    role: Role | None = None
    proof: str | None = None


class Sequenced(msgspec.Struct, array_like=True):
    """A record with the room seq the backplane gave it."""

    seq: int
    record: Record


_encoder = msgspec.msgpack.Encoder()
_record_decoder = msgspec.msgpack.Decoder(Record)
_sequenced_decoder = msgspec.msgpack.Decoder(Sequenced)


def encode_record(record: Record) -> bytes:
    return _encoder.encode(record)


def decode_record(data: bytes) -> Record:
    return _record_decoder.decode(data)


def encode_sequenced(item: Sequenced) -> bytes:
    return _encoder.encode(item)


def decode_sequenced(data: bytes) -> Sequenced:
    return _sequenced_decoder.decode(data)
