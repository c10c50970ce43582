"""Where the conversation engine runs for the chat adapters.

`ThreadRunner` calls it in worker threads of this process. `ProcessRunner`
keeps it in one worker process: the engine's CPU (classification, matching,
SQLAlchemy) then runs on another core instead of holding the GIL that the event
loop, python-telegram-bot and httpx need, which was the service's bottleneck
(docs/benchmarks.md). One worker keeps one user's messages in order and one
SQLite writer per process.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from typing import TYPE_CHECKING

from core.conversation import HandleResult, Inbound

if TYPE_CHECKING:
    from core.config import Settings
    from core.conversation import ConversationEngine

log = logging.getLogger(__name__)

# Builds the worker's engine from the settings; must be importable by name.
EngineFactory = Callable[["Settings"], "ConversationEngine"]
PARENT_CHECK_SECONDS = 1.0


class ThreadRunner:
    def __init__(self, engine: ConversationEngine) -> None:
        self.engine = engine

    async def start(self) -> None:
        return None

    async def handle(self, event: Inbound) -> HandleResult:
        return await asyncio.to_thread(self.engine.handle, event)

    def close(self) -> None:
        return None


class ProcessRunner:
    """The engine in a worker process started with `spawn`, so it shares no
    locks or connections with this one. The worker ignores SIGINT and SIGTERM
    (this process stops it after the adapters, in order) and exits when this
    process is gone, even after a SIGKILL.

    Until the worker has built its engine (at start-up, or after it died and
    was replaced), messages go to `fallback` when there is one, so neither
    start-up nor a crash makes users wait: state lives in the database.
    """

    def __init__(
        self,
        settings: Settings,
        factory: EngineFactory,
        *,
        on_new_timer: Callable[[], None] | None = None,
    ) -> None:
        self._settings = settings
        self._factory = factory
        self._on_new_timer = on_new_timer
        self.fallback: ThreadRunner | None = None
        self._pool, self._ready = self._spawn()

    def _spawn(self) -> tuple[ProcessPoolExecutor, Future[_Outcome]]:
        """A new worker, at once: it builds its engine while this process goes on."""
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=get_context("spawn"),
            initializer=_start_worker,
            initargs=(self._factory, self._settings, os.getpid()),
        )
        ready = pool.submit(_ready)
        ready.add_done_callback(_report_start)
        return pool, ready

    def _worker_up(self) -> bool:
        ready = self._ready
        return ready.done() and not ready.cancelled() and ready.exception() is None

    async def _run(self, call: Callable[..., _Outcome], *args: object) -> _Outcome:
        pool = self._pool
        try:
            return await asyncio.wrap_future(pool.submit(call, *args))
        except BrokenProcessPool:
            if pool is self._pool:  # the first call to notice replaces the worker
                log.error("the conversation worker process died; starting a new one")
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool, self._ready = self._spawn()
            raise

    @property
    def worker_pid(self) -> int | None:
        # The executor has no public way to name its processes.
        processes = self._pool._processes
        return next(iter(processes), None) if processes else None

    async def start(self) -> None:
        """Waits until the worker has built its engine; raises what building raised."""
        await asyncio.wrap_future(self._ready)

    async def handle(self, event: Inbound) -> HandleResult:
        if self.fallback is not None and not self._worker_up():
            return await self.fallback.handle(event)
        outcome = await self._run(_handle, event)
        if outcome.new_timers and self._on_new_timer is not None:
            self._on_new_timer()
        return outcome.result

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _report_start(ready: Future[_Outcome]) -> None:
    if not ready.cancelled() and ready.exception() is not None:
        log.error(
            "the conversation worker process could not start (%r); "
            "messages are handled in this process",
            ready.exception(),
        )


# -- the worker process --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Outcome:
    result: HandleResult
    new_timers: bool = False


@dataclass
class _Worker:
    engine: ConversationEngine
    new_timers: bool = False


# The worker process's own engine: ProcessPoolExecutor calls module functions.
_worker: _Worker | None = None


def _start_worker(factory: EngineFactory, settings: Settings, parent: int) -> None:
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    worker = _Worker(factory(settings))
    worker.engine.tickets.planner.on_new_timer = lambda: setattr(worker, "new_timers", True)
    _worker = worker
    gc.freeze()  # as the main process does: no full collections over the built engine


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def _ready() -> _Outcome:
    return _Outcome(HandleResult())


def _handle(event: Inbound) -> _Outcome:
    assert _worker is not None
    _worker.new_timers = False
    result = _worker.engine.handle(event)
    return _Outcome(result, new_timers=_worker.new_timers)
