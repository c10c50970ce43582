"""Coalescing, time-based throttle for in-place updates (the incident card).

A thousand reports in a minute must not become a thousand `chat.update` calls:
each key is flushed at most once per `interval`. A change inside the interval
only marks the key dirty and schedules one trailing flush at the interval's end,
so the last state is always shown. Time is an interval on this process, not
wall-clock time: `monotonic` and `sleep` are handed in, and tests hand in a
manual timer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Flush = Callable[[str], Awaitable[None]]


class Throttle:
    def __init__(
        self,
        flush: Flush,
        interval: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if interval <= 0:
            raise ValueError("the throttle interval must be positive")
        self.flush = flush
        self.interval = interval
        self.monotonic = monotonic
        self.sleep = sleep
        self._last: dict[str, float] = {}
        self._dirty: set[str] = set()
        self._trailing: dict[str, asyncio.Task[None]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._closed = False

    def pending(self) -> frozenset[str]:
        return frozenset(self._dirty)

    async def touch(self, key: str) -> None:
        """Something about `key` changed: flush now if the interval has passed,
        otherwise once at its end (however many touches come in between).
        """
        self._dirty.add(key)
        if self._closed:
            return
        last = self._last.get(key)
        if last is None or self.monotonic() - last >= self.interval:
            await self._run(key)
            return
        if key not in self._trailing:
            self._trailing[key] = asyncio.create_task(self._later(key, last + self.interval))

    async def now(self, key: str) -> None:
        """Flush at once, whatever the interval (an agent's own action)."""
        self._dirty.add(key)
        self._cancel(key)
        await self._run(key)

    async def flush_all(self) -> None:
        """Show every pending change now (at shutdown)."""
        for key in sorted(self._dirty):
            self._cancel(key)
            await self._run(key)

    async def close(self) -> None:
        """Show what is pending, then schedule nothing more (the process is stopping)."""
        self._closed = True
        await self.flush_all()
        for key in list(self._trailing):
            self._cancel(key)

    def _cancel(self, key: str) -> None:
        task = self._trailing.pop(key, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _later(self, key: str, deadline: float) -> None:
        # The deadline is fixed when scheduled; the wait is measured when the task runs.
        try:
            await self.sleep(max(0.0, deadline - self.monotonic()))
        except asyncio.CancelledError:
            return
        self._trailing.pop(key, None)
        try:
            await self._run(key)
        except Exception:
            log.exception("throttled update of %s failed", key)

    async def _run(self, key: str) -> None:
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if key not in self._dirty:
                return  # flushed meanwhile by another caller
            self._dirty.discard(key)
            self._last[key] = self.monotonic()
            await self.flush(key)
