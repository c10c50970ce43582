"""The conversation engine in a worker process (bot.worker), for real:
spawned processes, both databases.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.bootstrap import build_intake, worker_engine
from bot.worker import ThreadWorker, WorkerDiedError, WorkerProcess
from core.config import Settings, settings_from_mapping
from core.conversation import ConversationEngine, HandleResult, Inbound, TicketCreated
from core.storage.db import Database
from core.storage.tables import KbFeedbackRow

REPORT = "直播间 8848 一直卡成PPT，iPhone 13，用的WiFi"
ROOT = Path(__file__).resolve().parents[2]


def _event(user: str, n: int, **what: str) -> Inbound:
    return Inbound(
        channel="telegram",
        user_id=user,
        chat_id=user,
        at=datetime.now(UTC),
        delivery_id=f"{user}:{n}",
        **what,  # type: ignore[arg-type]
    )


@pytest.fixture
def desk_settings(db_url: str, tmp_path: Path) -> Iterator[Settings]:
    database = Database(db_url)
    database.upgrade()
    database.dispose()
    yield settings_from_mapping({"storage": {"url": db_url, "data_dir": str(tmp_path)}}, environ={})


@pytest.fixture
async def runner(desk_settings: Settings) -> AsyncIterator[WorkerProcess]:
    timers: list[int] = []
    process = WorkerProcess(desk_settings, worker_engine, on_new_timer=lambda: timers.append(1))
    process.timers = timers  # type: ignore[attr-defined]
    await process.start()
    yield process
    await process.aclose()


async def test_the_worker_answers_and_its_work_is_in_the_database(
    runner: WorkerProcess, desk_settings: Settings
) -> None:
    result = await runner.handle(_event("501", 1, text=REPORT))
    assert "卡顿" in result.replies[0].text
    assert result.replies[0].choices  # the article, "another suggestion" and "still broken"
    db = Database(desk_settings.database_url())
    with db.session(read_only=True) as s:
        assert sum(r.offers for r in s.exec(select(KbFeedbackRow)).all()) == 1  # one shown
    db.dispose()


async def test_a_ticket_made_in_the_worker_wakes_the_sla_scheduler(
    runner: WorkerProcess,
) -> None:
    for n, text in enumerate((REPORT, "还是不行", "刚刚", "没有了")):
        await runner.handle(_event("502", n, text=text))
    assert not runner.timers  # type: ignore[attr-defined]
    result = await runner.handle(_event("502", 9, text="确认"))
    assert any(isinstance(e, TicketCreated) for e in result.events)
    assert runner.timers  # type: ignore[attr-defined]


async def test_a_redelivered_update_is_a_duplicate_in_the_worker_too(
    runner: WorkerProcess,
) -> None:
    first = await runner.handle(_event("503", 1, text=REPORT))
    again = await runner.handle(_event("503", 1, text=REPORT))
    assert first.replies and again.duplicate and not again.replies


async def test_the_worker_ignores_sigterm_so_the_main_process_stops_it_in_order(
    runner: WorkerProcess,
) -> None:
    pid = runner.worker_pid
    assert pid is not None
    os.kill(pid, signal.SIGTERM)
    await asyncio.sleep(0.2)
    result = await runner.handle(_event("504", 1, command="start"))
    assert result.replies and runner.worker_pid == pid


def slow_engine(
    settings: Settings, on_new_timer: Callable[[], None] | None = None
) -> ConversationEngine:
    """The worker's engine, taking its time over "slow" so a test can kill it mid-message."""
    engine = worker_engine(settings, on_new_timer)
    handle = engine.handle

    def slowly(event: Inbound) -> HandleResult:
        if event.text == "slow":
            time.sleep(2)
        return handle(event)

    engine.handle = slowly  # type: ignore[method-assign]
    return engine


async def test_a_dead_worker_is_replaced_and_messages_meanwhile_go_to_the_fallback(
    desk_settings: Settings,
) -> None:
    runner = WorkerProcess(desk_settings, slow_engine)
    intake = build_intake(desk_settings)
    runner.fallback = ThreadWorker(intake.engine)
    await runner.start()
    pid = runner.worker_pid
    assert pid is not None
    in_flight = asyncio.create_task(runner.handle(_event("505", 1, text="slow")))
    await asyncio.sleep(0.3)
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(WorkerDiedError):
        await in_flight
    # Answered at once by this process while the new worker starts...
    during = await runner.handle(_event("505", 2, command="start"))
    assert during.replies
    # ...and by the new worker once it is up.
    await runner.start()
    assert runner.worker_pid not in (None, pid)
    after = await runner.handle(_event("505", 3, text=REPORT))
    assert "卡顿" in after.replies[0].text
    await runner.aclose()
    intake.services.close()


@contextlib.contextmanager
def _main_process(settings: Settings, then: str) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """A main process that starts a worker, then runs `then`; yields it and the worker's pid."""
    storage = settings.storage.model_dump(mode="json")
    script = (
        "import asyncio\n"
        "from bot.worker import WorkerProcess\n"
        "from bot.bootstrap import worker_engine\n"
        "from core.config import settings_from_mapping\n"
        f"settings = settings_from_mapping({{'storage': {storage!r}}}, environ={{}})\n"
        "async def main():\n"
        "    runner = WorkerProcess(settings, worker_engine)\n"
        "    await runner.start()\n"
        "    print(runner.worker_pid, flush=True)\n"
        f"    {then}\n"
        "asyncio.run(main())\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        yield parent, int(parent.stdout.readline())
    finally:
        parent.kill()
        parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()


def _wait_gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    return not _alive(pid)


def test_the_worker_exits_when_the_main_process_is_killed(desk_settings: Settings) -> None:
    with _main_process(desk_settings, "await asyncio.sleep(60)") as (parent, worker):
        parent.kill()
        parent.wait()
        assert _wait_gone(worker)


def test_a_main_process_leaving_without_closing_the_worker_still_exits(
    desk_settings: Settings,
) -> None:
    """multiprocessing SIGTERMs its children at exit, which the worker ignores."""
    with _main_process(desk_settings, "raise SystemExit(3)") as (parent, worker):
        assert parent.wait(timeout=10) == 3
        assert _wait_gone(worker)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone in every way that matters here (it is not our child).
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
