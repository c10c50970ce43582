"""Benchmark: simulated users reporting at once through the fake Bot API.

Run: .venv/bin/python bench/bench_telegram.py [--users 50]

Both bots poll the same in-process fake Telegram over real HTTP: first a bare
python-telegram-bot echo bot, then LiveDesk (SQLite in a temp directory).
Each user plays the same number of turns against both. Latency is the time
from the user's message (or button press) to the first reply of that turn.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.bootstrap import build_intake, worker_engine
from bot.sandbox.telegram.server import FakeTelegram
from bot.telegram.adapter import TelegramAdapter
from bot.worker import WorkerProcess
from core.clock import SystemClock
from core.config import settings_from_mapping
from core.storage.db import Database

REPORT = "直播间 8848 一直卡成PPT，iPhone 13，用的WiFi"
# Turns of one report: a text, then the buttons a user presses...
BUTTONS = ("还是不行", "刚刚", "没有了", "提交")
# ...or the same answers typed, which LiveDesk understands as well. Typed turns
# compare like with like against the echo bot (text in, text out); a button
# press also costs an answerCallbackQuery round trip.
TYPED = ("还是不行", "刚刚", "没有了", "确认")


def _ends_turn(message: dict[str, Any]) -> bool:
    return bool(message.get("reply_markup")) or "工单号" in message.get("text", "")


async def _turn(
    fake: FakeTelegram, chat: int, act: Callable[[], Any], seen: int
) -> tuple[float, int]:
    """Latency to the first reply; returns once the turn's last reply (a prompt) arrived."""
    start = time.perf_counter()
    act()
    await fake.wait_for_sent(chat, count=seen + 1, timeout=60)
    latency = time.perf_counter() - start
    await fake.wait_for_sent(chat, _ends_turn, count=seen_prompts(fake, chat, seen) + 1, timeout=60)
    return latency, len(fake.sent(chat))


def seen_prompts(fake: FakeTelegram, chat: int, seen: int) -> int:
    return sum(_ends_turn(m) for m in fake.sent(chat)[:seen])


def _button(fake: FakeTelegram, chat: int, label: str) -> tuple[int, str]:
    for message in reversed(fake.sent(chat)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for b in row:
                if label in b["text"]:
                    return message["message_id"], b["callback_data"]
    raise LookupError(label)


async def livedesk_user(fake: FakeTelegram, chat: int) -> list[float]:
    latencies, seen = [], 0
    latency, seen = await _turn(fake, chat, lambda: fake.user_sends(chat, REPORT), seen)
    latencies.append(latency)
    for label in BUTTONS:
        message_id, data = _button(fake, chat, label)
        latency, seen = await _turn(
            fake, chat, lambda m=message_id, d=data: fake.user_presses(chat, m, d), seen
        )
        latencies.append(latency)
    return latencies


async def livedesk_typing_user(fake: FakeTelegram, chat: int) -> list[float]:
    latencies, seen = [], 0
    latency, seen = await _turn(fake, chat, lambda: fake.user_sends(chat, REPORT), seen)
    latencies.append(latency)
    for word in TYPED:
        latency, seen = await _turn(fake, chat, lambda w=word: fake.user_sends(chat, w), seen)
        latencies.append(latency)
    return latencies


async def echo_user(fake: FakeTelegram, chat: int) -> list[float]:
    latencies = []
    for i in range(1 + len(BUTTONS)):
        start = time.perf_counter()
        fake.user_sends(chat, f"{REPORT} #{i}")
        await fake.wait_for_sent(chat, count=i + 1, timeout=60)
        latencies.append(time.perf_counter() - start)
    return latencies


async def _crowd(
    users: int, play: Callable[[FakeTelegram, int], Awaitable[list[float]]], fake: FakeTelegram
) -> tuple[list[float], float]:
    start = time.perf_counter()
    results = await asyncio.gather(*(play(fake, 10_000 + i) for i in range(users)))
    wall = time.perf_counter() - start
    return [x for r in results for x in r], wall


def echo_app(
    token: str, base_url: str, base_file_url: str
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The baseline: a bare python-telegram-bot bot that echoes each text."""

    async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat and update.message
        await update.get_bot().send_message(update.effective_chat.id, update.message.text or "")

    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .concurrent_updates(64)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


async def with_echo(play: Callable[[FakeTelegram], Awaitable[Any]]) -> Any:
    """A bare python-telegram-bot echo bot on a fresh fake, while `play` runs."""
    async with FakeTelegram() as fake:
        app = echo_app(fake.token, fake.base_url, fake.base_file_url)
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=timedelta(seconds=1))
            try:
                return await play(fake)
            finally:
                await app.updater.stop()
                await app.stop()


async def run_echo(users: int) -> tuple[list[float], float]:
    return await with_echo(lambda fake: _crowd(users, echo_user, fake))  # type: ignore[no-any-return]


async def run_livedesk(users: int) -> tuple[list[float], float]:
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeTelegram() as fake:
            settings = settings_from_mapping(
                {
                    "storage": {"data_dir": tmp},
                    "telegram": {
                        "enabled": True,
                        "base_url": fake.base_url,
                        "base_file_url": fake.base_file_url,
                    },
                },
                environ={"LIVEDESK_TELEGRAM_TOKEN": fake.token},
            )
            Database(settings.database_url()).upgrade()
            intake = build_intake(settings)
            # As `livedesk run` does: the engine in its worker process.
            runner = WorkerProcess(settings, worker_engine)
            await runner.start()
            adapter = TelegramAdapter(
                settings, intake.engine, fake.token, clock=SystemClock(), runner=runner
            )
            await adapter.start(poll_timeout=1)
            try:
                return await _crowd(users, livedesk_user, fake)
            finally:
                await adapter.stop()
                await runner.aclose()
                intake.services.close()


def pct(values: list[float], q: float) -> float:
    """The q-quantile of latencies in seconds, in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    args = parser.parse_args()
    turns = 1 + len(BUTTONS)
    print(f"{args.users} users at once, {turns} turns each, through the fake Bot API")
    rows = []
    for name, runner in (("bare PTB echo bot", run_echo), ("LiveDesk", run_livedesk)):
        latencies, wall = asyncio.run(runner(args.users))
        rate = len(latencies) / wall
        rows.append((name, rate))
        print(
            f"  {name:<18} p50 {pct(latencies, 0.5):7.1f} ms  p95 {pct(latencies, 0.95):7.1f} ms"
            f"  mean {statistics.mean(latencies) * 1000:7.1f} ms  throughput {rate:6.1f} turns/s"
        )
    print(f"  LiveDesk throughput = {rows[1][1] / rows[0][1]:.0%} of the echo bot's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
