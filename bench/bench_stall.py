"""Event-loop stall of LiveDesk alone: the fake Bot API and the simulated users
run in another process, so only LiveDesk's own work is on the measured loop.

Run: .venv/bin/python bench/bench_stall.py [--users 100]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("PTB_TIMEDELTA", "1")

import bench_service  # noqa: E402
import bench_telegram as crowd  # noqa: E402

from bot.bootstrap import worker_engine  # noqa: E402
from bot.sandbox.telegram.server import FakeTelegram  # noqa: E402
from bot.telegram.adapter import TelegramAdapter  # noqa: E402
from bot.worker import WorkerProcess  # noqa: E402
from core.clock import SystemClock  # noqa: E402
from core.storage.db import Database  # noqa: E402


async def users_side(users: int, flow: str) -> None:
    """The other process: the fake and the users. Prints the fake's URLs, waits
    for a line on stdin, plays the crowd, prints the latencies.
    """
    async with FakeTelegram() as fake:
        print(
            json.dumps(
                {
                    "base_url": fake.base_url,
                    "base_file_url": fake.base_file_url,
                    "token": fake.token,
                }
            ),
            flush=True,
        )
        await asyncio.to_thread(sys.stdin.readline)
        play = crowd.echo_user if flow == "echo" else crowd.livedesk_typing_user
        latencies, wall = await crowd._crowd(users, play, fake)
        print(json.dumps({"turns": len(latencies), "wall": wall}), flush=True)
        await asyncio.to_thread(sys.stdin.readline)  # stay up until LiveDesk has stopped


async def _spawn(users: int, flow: str) -> tuple[asyncio.subprocess.Process, dict[str, str]]:
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--users-side",
        "--users",
        str(users),
        "--flow",
        flow,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None
    return child, json.loads(await child.stdout.readline())


async def echo_side(users: int) -> None:
    """The same measurement for a bare python-telegram-bot echo bot."""
    child, urls = await _spawn(users, "echo")
    assert child.stdin is not None and child.stdout is not None

    app = crowd.echo_app(urls["token"], urls["base_url"], urls["base_file_url"])
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=timedelta(seconds=1))
        with bench_service.StallMonitor() as stall:
            child.stdin.write(b"go\n")
            await child.stdin.drain()
            result = json.loads(await child.stdout.readline())
        await app.updater.stop()
        await app.stop()
    child.stdin.write(b"done\n")
    await child.stdin.drain()
    await child.wait()
    print(
        f"{users} users, bare echo bot: {result['turns'] / result['wall']:.1f} turns/s, "
        f"{stall.cpu / result['turns'] * 1000:.2f} ms CPU per turn, "
        f"longest event-loop stall {stall.longest * 1000:.0f} ms"
    )


def warm_engine(settings: Any, on_new_timer: Any = None) -> Any:
    """The worker's engine, with what is built on first use (the classifier's
    model, the matcher's caches) built, so the figure is the steady state.
    """
    engine = worker_engine(settings, on_new_timer)
    engine.deps.classify(crowd.REPORT, datetime.now(UTC))
    engine.deps.kb.suggest(crowd.REPORT, "av.stutter")
    return engine


async def livedesk_side(users: int, process: bool) -> None:
    child, urls = await _spawn(users, "livedesk")
    assert child.stdin is not None and child.stdout is not None
    with tempfile.TemporaryDirectory() as tmp:
        fake = type("Remote", (), urls)
        settings = bench_service.settings_for(fake, tmp)  # type: ignore[arg-type]
        Database(settings.database_url()).upgrade()
        engine = warm_engine(settings)
        runner = WorkerProcess(settings, warm_engine) if process else None
        if runner is not None:
            await runner.start()
        pauses: dict[int, float] = {}
        started: list[float] = [0.0]

        def _gc(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                started[0] = time.perf_counter()
            else:
                g = info["generation"]
                pauses[g] = max(pauses.get(g, 0.0), time.perf_counter() - started[0])

        gc.callbacks.append(_gc)
        gc.collect()  # as Runtime.start does
        gc.freeze()
        adapter = TelegramAdapter(
            settings, engine, urls["token"], clock=SystemClock(), runner=runner
        )
        await adapter.start(poll_timeout=1)
        try:
            with bench_service.StallMonitor(runner.worker_pid if runner else None) as stall:
                child.stdin.write(b"go\n")
                await child.stdin.drain()
                result = json.loads(await child.stdout.readline())
        finally:
            await adapter.stop()
            if runner is not None:
                await runner.aclose()
            engine.db.dispose()
            child.stdin.write(b"done\n")
            await child.stdin.drain()
    await child.wait()
    print("gc pauses (max per generation, ms):", {g: round(v * 1000, 1) for g, v in pauses.items()})
    print(
        f"{users} users (fake and users in another process), LiveDesk engine in "
        f"{'a worker process' if process else 'threads'}: "
        f"{result['turns'] / result['wall']:.1f} turns/s, "
        f"{stall.cpu / result['turns'] * 1000:.2f} ms CPU per turn, "
        f"longest LiveDesk event-loop stall {stall.longest * 1000:.0f} ms (target < 50 ms)"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--users-side", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--flow", default="livedesk", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.users_side:
        asyncio.run(users_side(args.users, args.flow))
    else:
        asyncio.run(echo_side(args.users))
        asyncio.run(livedesk_side(args.users, process=True))
        asyncio.run(livedesk_side(args.users, process=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
