"""The practical limit: a bare ``websockets`` broadcast server with no application logic.

A connection's path names its room; every text message is sent unchanged to every
member of the room, the sender included. With ``--redis-url`` every message goes
through one Redis channel per room instead (published over one pipelined
connection, received by a pattern subscription), so members on several processes
see the same order. ``--drop-every N`` withholds every Nth message from one member:
a fault the harness's own test uses to show that it notices lost messages.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import resource

from websockets.asyncio.server import ServerConnection, broadcast, serve

CHANNEL_PREFIX = "bench-raw:"


class Relay:
    """Publishes through one connection, draining what waits into one pipeline."""

    def __init__(self, url: str, rooms: dict[str, set[ServerConnection]]) -> None:
        import redis.asyncio as redis

        self.redis = redis.Redis.from_url(url)
        self.rooms = rooms
        self.queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()

    async def publish_loop(self) -> None:
        while True:
            batch = [await self.queue.get()]
            while not self.queue.empty():
                batch.append(self.queue.get_nowait())
            async with self.redis.pipeline(transaction=False) as pipe:
                for room, message in batch:
                    pipe.publish(CHANNEL_PREFIX + room, message)
                await pipe.execute()

    async def subscribe_loop(self, subscribed: asyncio.Event) -> None:
        pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.psubscribe(CHANNEL_PREFIX + "*")
        subscribed.set()
        async for message in pubsub.listen():
            if message["type"] != "pmessage":
                continue
            room = message["channel"].decode()[len(CHANNEL_PREFIX):]
            members = self.rooms.get(room)
            if members:
                broadcast(members, message["data"].decode())


def send_all(members: set[ServerConnection], message: str | bytes, drop: bool) -> None:
    if drop and len(members) > 1:
        members = set(members)
        members.pop()
    broadcast(members, message)


async def main(port: int, redis_url: str, drop_every: int) -> None:
    rooms: dict[str, set[ServerConnection]] = {}
    relay = Relay(redis_url, rooms) if redis_url else None
    count = 0

    async def handler(ws: ServerConnection) -> None:
        room = ws.request.path if ws.request else "/"
        members = rooms.setdefault(room, set())
        members.add(ws)
        nonlocal count
        try:
            async for message in ws:
                count += 1
                if relay is not None:
                    relay.queue.put_nowait((room, str(message)))
                else:
                    send_all(members, message, drop_every > 0 and count % drop_every == 0)
        finally:
            members.discard(ws)
            if not members:
                rooms.pop(room, None)

    tasks: list[asyncio.Task[None]] = []
    if relay is not None:
        subscribed = asyncio.Event()
        tasks.append(asyncio.create_task(relay.subscribe_loop(subscribed)))
        tasks.append(asyncio.create_task(relay.publish_loop()))
        await subscribed.wait()
    async with serve(handler, "127.0.0.1", port, compression=None, max_queue=None) as server:
        print(f"raw_ws listening on {port}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--drop-every", type=int, default=0)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(args.port, args.redis_url, args.drop_every))
