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


class Record(msgspec.Struct, kw_only=True):
    """An op to sequence. ``client_seq`` is 0 for internal ops (never deduplicated).

    ``client_id`` holds the sender's key, never its client id: ``client_key`` for
    ordinary ops, or, for an op sent in anonymity mode, an ``anonymous_key`` together
    with the ``role`` the sender had when its hub admitted the op (so the log holds
    nothing that links the op to a participant).
    """

    client_id: str
    client_seq: int
    ts_ms: int
    op: Op | Join
    role: Role | None = None


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
