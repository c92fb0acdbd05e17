"""Clients that behave as the protocol asks when things break: reconnect with resume
and back-off, resend every unacknowledged op, resend an op answered ``unavailable``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Iterable
from typing import Any

import websockets

from tests.support.client import BoardClient

BACKOFF_S = (0.05, 0.1, 0.2, 0.4)
"""A client's pause between attempts (client behaviour, not test synchronisation)."""
RECONNECT_DEADLINE_S = 20.0
ANSWER_TIMEOUT_S = 20.0

Op = tuple[str, dict[str, Any]]


async def reconnect(client: BoardClient) -> dict[str, Any]:
    """Reconnect with resume until welcomed, then resend the unacknowledged ops."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RECONNECT_DEADLINE_S
    attempt = 0
    while True:
        try:
            welcome = await client.connect(resume=True, timeout=5)
            break
        except (OSError, ConnectionError, TimeoutError, websockets.InvalidHandshake,
                websockets.ConnectionClosed):
            if loop.time() > deadline:
                raise
            await asyncio.sleep(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
            attempt += 1
    client.reconnected_at.append(loop.time())
    client.unavailable.clear()
    with contextlib.suppress(websockets.ConnectionClosed):
        await client.resend_unacked()
    return welcome


async def keep_connected(client: BoardClient) -> None:
    """For a member that only listens: reconnect whenever the connection drops.
    Runs until cancelled."""
    while True:
        await client.until(lambda: client.close_code is not None, float("inf"))
        await reconnect(client)


async def settle(client: BoardClient, client_seq: int) -> None:
    """Wait for the op's answer, reconnecting or resending as needed."""
    attempt = 0
    while client_seq not in client.acks:
        await client.until(lambda: client_seq in client.acks or client.close_code is not None
                           or client_seq in client.unavailable, ANSWER_TIMEOUT_S)
        if client_seq in client.acks:
            return
        if client.close_code is not None:
            await reconnect(client)
        elif client_seq in client.unavailable:
            client.unavailable.discard(client_seq)
            await asyncio.sleep(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
            attempt += 1
            message = client.unacked.get(client_seq)
            if message is None:  # an earlier resend was answered meanwhile
                continue
            with contextlib.suppress(websockets.ConnectionClosed):
                await client.send_raw(json.dumps(message))


async def drive(client: BoardClient, ops: Iterable[Op],
                progress: Callable[[], None] | None = None) -> None:
    """Send ops one at a time (each answered before the next), surviving failures;
    ``progress`` is called after each answer."""
    for kind, fields in ops:
        await settle(client, await client.op(kind, **fields))
        if progress is not None:
            progress()


async def converge(clients: list[BoardClient], seq: int) -> None:
    """Wait until every client stands at ``seq`` with the same board."""
    for client in clients:
        if client.close_code is not None:
            await reconnect(client)
    for client in clients:
        await client.until(lambda client=client: client.seq >= seq, ANSWER_TIMEOUT_S)
    hashes = {client.state_hash() for client in clients}
    assert len(hashes) == 1, f"boards differ at seq {seq}"


def adds(tag: str, count: int, section: str = "questions") -> list[Op]:
    return [("add_item", {"item_id": f"{tag}-{n}", "section": section,
                          "text": f"{tag} vraag {n}?"}) for n in range(count)]


def answered_once(client: BoardClient) -> list[str]:
    """Problems: a client_seq without an answer, or answered differently twice."""
    problems = []
    for client_seq in range(1, client.client_seq + 1):
        answers = client.answers.get(client_seq, [])
        if not answers:
            problems.append(f"{client.name}: no answer for {client_seq}")
        elif any((a["type"], a.get("seq")) != (answers[0]["type"], answers[0].get("seq"))
                 for a in answers):
            problems.append(f"{client.name}: {client_seq} answered differently: {answers}")
    return problems
