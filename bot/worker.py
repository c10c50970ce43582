"""Where the conversation engine runs for the chat adapters.

`ThreadWorker` calls it in worker threads of this process. `WorkerProcess`
keeps it in one worker process: the engine's CPU (classification, matching,
SQLAlchemy) then runs on another core instead of holding the GIL that the event
loop, python-telegram-bot and httpx need, which was the service's bottleneck
(docs/benchmarks.md). One worker keeps one SQLite writer per process.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import multiprocessing.util
import pickle
import signal
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from core.conversation import HandleResult, Inbound

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from core.config import Settings
    from core.conversation import ConversationEngine

log = logging.getLogger(__name__)

# Builds the worker's engine from the settings, with the planner calling the
# given function after each commit that added an SLA timer (bot.bootstrap.worker_engine);
# must be importable by name.
EngineFactory = Callable[["Settings", Callable[[], None]], "ConversationEngine"]
# Requests larger than this are written from a thread: a full pipe would block
# the event loop until the worker reads.
INLINE_SEND_BYTES = 32 * 1024
STOP_SECONDS = 5.0


class WorkerDiedError(RuntimeError):
    """The worker process ended while a message was being handled."""


class ThreadWorker:
    def __init__(self, engine: ConversationEngine) -> None:
        self.engine = engine

    async def handle(self, event: Inbound) -> HandleResult:
        return await asyncio.to_thread(self.engine.handle, event)


class WorkerProcess:
    """The engine in a worker process started with `spawn`, so it shares no
    locks or connections with this one. Requests and replies travel over one
    pipe that the event loop watches: no helper threads, no waiting for the GIL.

    The worker ignores SIGINT and SIGTERM (this process stops it after the
    adapters, in order) and exits when the pipe closes, which includes this
    process being killed. Until the worker has built its engine (at start-up,
    or after it died and was replaced), messages go to `fallback` when there is
    one: state lives in the database, so either may take any message.
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
        self.fallback: ThreadWorker | None = None
        self._ids = itertools.count()
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._send_lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._spawn()

    def _spawn(self) -> None:
        """A new worker, at once: it builds its engine while this process goes on."""
        context = get_context("spawn")
        ours, theirs = context.Pipe(duplex=True)
        self._process: BaseProcess = context.Process(
            target=_serve,
            args=(theirs, self._factory, self._settings),
            name="livedesk-worker",
            daemon=True,
        )
        self._process.start()
        theirs.close()
        # At interpreter exit multiprocessing joins its children after sending
        # SIGTERM, which the worker ignores: the pipe must close first, or exit hangs.
        multiprocessing.util.Finalize(self, ours.close, exitpriority=10)
        self._conn: Connection = ours
        self._up = False
        self._failed: str | None = None
        if self._loop is not None:
            self._loop.add_reader(ours.fileno(), self._receive)

    @property
    def worker_pid(self) -> int | None:
        return self._process.pid

    def attach(self) -> None:
        """Starts reading the worker's replies on the running event loop."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            self._send_lock = asyncio.Lock()
            self._loop.add_reader(self._conn.fileno(), self._receive)

    async def start(self) -> None:
        """Waits until the worker has built its engine; raises if it could not."""
        self.attach()
        while not self._up:
            if self._failed is not None:
                raise WorkerDiedError(f"the conversation worker could not start: {self._failed}")
            await asyncio.sleep(0.01)

    async def handle(self, event: Inbound) -> HandleResult:
        self.attach()
        if self.fallback is not None and not self._up:
            return await self.fallback.handle(event)
        assert self._loop is not None and self._send_lock is not None
        request_id = next(self._ids)
        reply = self._loop.create_future()
        self._pending[request_id] = reply
        conn = self._conn
        try:
            async with self._send_lock:
                if event.attachment is not None and len(event.attachment.data) > INLINE_SEND_BYTES:
                    await asyncio.to_thread(conn.send, (request_id, event))
                else:
                    conn.send((request_id, event))
        except OSError as err:
            self._pending.pop(request_id, None)
            raise WorkerDiedError("the conversation worker is gone") from err
        outcome: _Outcome = await reply
        if outcome.new_timers and self._on_new_timer is not None:
            self._on_new_timer()
        return outcome.result

    def _receive(self) -> None:
        conn = self._conn
        try:
            while conn.poll():
                kind, request_id, value = conn.recv()
                if kind == "ready":
                    self._up = True
                elif kind == "failed":
                    self._failed = value
                    log.error(
                        "the conversation worker could not start (%s); "
                        "messages are handled in this process",
                        value,
                    )
                else:
                    reply = self._pending.pop(request_id, None)
                    if reply is not None and not reply.done():
                        if kind == "error":
                            reply.set_exception(value)
                        else:
                            reply.set_result(value)
        except (EOFError, OSError):
            self._worker_gone()

    def _worker_gone(self) -> None:
        assert self._loop is not None
        self._loop.remove_reader(self._conn.fileno())
        self._conn.close()
        pending, self._pending = self._pending, {}
        for reply in pending.values():
            if not reply.done():
                reply.set_exception(WorkerDiedError("the conversation worker process died"))
        if not self._closed and self._failed is None:
            log.error("the conversation worker process died; starting a new one")
            self._process.join(0)
            self._spawn()

    def kill(self) -> None:
        """Ends the worker at once (this process could not finish starting)."""
        self._closed = True
        self._conn.close()
        self._process.kill()
        self._process.join()

    async def aclose(self) -> None:
        """Stops the worker after the messages in hand; call once the adapters stopped."""
        self._closed = True
        if self._loop is not None and not self._conn.closed:
            self._loop.remove_reader(self._conn.fileno())
        if not self._conn.closed:
            self._conn.close()  # the worker sees the pipe close and exits
        await asyncio.to_thread(self._process.join, STOP_SECONDS)
        if self._process.is_alive():
            self._process.kill()
            await asyncio.to_thread(self._process.join)


# -- the worker process --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Outcome:
    result: HandleResult
    new_timers: bool = False


def _serve(conn: Connection, factory: EngineFactory, settings: Settings) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        new_timers: list[bool] = []
        engine = factory(settings, lambda: new_timers.append(True))
    except Exception as err:
        conn.send(("failed", None, repr(err)))
        return
    gc.collect()  # as the main process does: no full collections over the built engine
    gc.freeze()
    conn.send(("ready", None, None))
    while True:
        try:
            request_id, event = conn.recv()
        except (EOFError, OSError):
            return  # the main process closed the pipe or is gone
        new_timers.clear()
        try:
            reply: tuple[str, int, Any] = (
                "result",
                request_id,
                _Outcome(engine.handle(event), new_timers=bool(new_timers)),
            )
        except Exception as err:
            err.add_note("in the conversation worker:\n" + traceback.format_exc())
            reply = ("error", request_id, _portable(err))
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return


def _portable(err: Exception) -> Exception:
    """The error itself when it survives pickling, else a RuntimeError naming it."""
    try:
        pickle.loads(pickle.dumps(err))
    except Exception:
        return RuntimeError(
            f"{type(err).__name__}: {err}\n{''.join(getattr(err, '__notes__', []))}"
        )
    return err
