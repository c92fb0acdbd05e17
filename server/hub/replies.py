"""The sender's answer to an op: ``applied`` or ``rejected``, encoded."""

from __future__ import annotations

from server.core import reducer
from shared_schema.codec import encoder
from shared_schema.server import Applied, Rejected


def reply_frame(client_seq: int, seq: int | None, result: reducer.Result) -> bytes:
    """``seq`` is where the op was sequenced (None if it never was)."""
    reply: Applied | Rejected
    match result:
        case reducer.Applied():
            assert seq is not None
            reply = Applied(client_seq=client_seq, seq=seq)
        case reducer.Rejected(code=code, reason=reason):
            reply = Rejected(client_seq=client_seq, code=code, reason=reason, seq=seq)
        case reducer.Duplicate(seq=first_seq, code=None):
            reply = Applied(client_seq=client_seq, seq=first_seq)
        case reducer.Duplicate(seq=first_seq, code=code):
            reply = Rejected(
                client_seq=client_seq, code=code or "", reason="already rejected", seq=first_seq
            )
    return encoder.encode(reply)
