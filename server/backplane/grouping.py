"""Group commit: what waits to be written goes out in one batch per interval.

``batches`` yields everything queued since the last batch, at most once per
``interval`` seconds and only after ``wake`` was set; a batch is handled (the
consumer's ``async for`` body) before the next one is taken, so what arrives
meanwhile joins the next batch. Under load this trades at most ``interval`` of
added delay for fewer, larger writes; an idle queue adds no delay.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

T = TypeVar("T")


async def batches(wake: asyncio.Event, take: Callable[[], list[T]], interval: float
                  ) -> AsyncIterator[list[T]]:
    loop = asyncio.get_running_loop()
    last = -interval
    while True:
        await wake.wait()
        wait = last + interval - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        wake.clear()
        batch = take()
        if batch:
            last = loop.time()
            yield batch
