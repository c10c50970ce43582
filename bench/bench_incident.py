"""Benchmark of one outage: 1,000 viewers report the same fault within 2
minutes over Telegram, then an agent posts one incident update to all of them.

Run: .venv/bin/python bench/bench_incident.py [--reporters 1000] [--seconds 120]

The whole runtime as `livedesk run` builds it (Telegram adapter, engine in its
worker process, Slack workspace, SLA scheduler, outbox dispatcher) against the
fake Bot API and the fake Slack, in one event loop, SQLite in a temp
directory. Printed:

- Slack calls during the reports, by method (what the agents' channels saw);
- reports: how many became tickets, how many are in the one incident, and the
  time from the first report until every reporter had the bot's answer to
  their report (the ticket confirmation, or the "known problem" answer once
  the conversation gives one);
- the broadcast: time from `post_update` until every reporter has the update,
  against the floor of reporters / [telegram] max_messages_per_second.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.bootstrap import build_runtime
from bot.sandbox.slack.config import FakeChannel, FakeSlackConfig, FakeUser
from bot.sandbox.slack.server import FakeSlack
from bot.sandbox.telegram.server import FakeTelegram
from core.config import Settings, settings_from_mapping
from core.incidents.model import IncidentStatus, PostUpdate
from core.storage.db import Database

FIRST_CHAT = 500_000
REPORTS = (
    "所有直播间都没有声音了，换了好几个主播都一样",
    "全平台直播都听不到声音，画面正常",
    "every stream has no sound for me, all channels",
)
# What a reporter presses, first match wins, until the bot confirms a ticket.
PRESS = ("提交", "Submit", "还是不行", "Still broken", "跳过", "Skip", "没有了", "No more")
UPDATE = "Bench: the audio encoder release is being rolled back."


def settings_for(tmp: str, tg: FakeTelegram, slack: FakeSlack) -> Settings:
    return settings_from_mapping(
        {
            "storage": {"data_dir": tmp},
            "telegram": {
                "enabled": True,
                "base_url": tg.base_url,
                "base_file_url": tg.base_file_url,
            },
            "slack": {"enabled": True, "api_url": slack.api_url, "agents": ["S0ONCALL"]},
            "escalation": {"on_call": ["S0ONCALL"]},
        },
        environ={
            "LIVEDESK_TELEGRAM_TOKEN": tg.token,
            "LIVEDESK_SLACK_BOT_TOKEN": slack.config.bot_token,
            "LIVEDESK_SLACK_SIGNING_SECRET": slack.config.signing_secret,
        },
    )


def slack_config() -> FakeSlackConfig:
    return FakeSlackConfig(
        channels=(
            FakeChannel(id="C0TRIAGE", name="support-triage"),
            FakeChannel(id="C0FIN", name="support-finance"),
            FakeChannel(id="C0ESC", name="support-escalation"),
        ),
        users=(FakeUser(id="U0AGENT1", name="alice", real_name="Alice", display_name="Alice"),),
        usergroups={"S0ONCALL": ("U0AGENT1",)},
    )


def _buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b for row in rows for b in row]


# The conversation's "this is a known problem" answer, in both languages.
KNOWN = ("已知问题", "known problem")


def _known(message: dict[str, Any]) -> bool:
    text = message.get("text", "")
    return any(k in text for k in KNOWN)


def _answered(message: dict[str, Any]) -> bool:
    """The bot's answer to the report: a ticket reference (or, with the
    conversation's incident answer, a message naming the incident).
    """
    text = message.get("text", "")
    return "LD-" in text or "INC-" in text


KNOWN_AFTER: dict[int, float] = {}  # chat: seconds from its report to the "known" answer


async def reporter(tg: FakeTelegram, chat: int, delay: float, started: float) -> float | None:
    """One viewer: reports, presses on until answered; seconds from the bench's start."""
    await asyncio.sleep(delay)
    tg.add_chat(chat)
    tg.user_sends(chat, REPORTS[chat % len(REPORTS)])
    reported = time.perf_counter()
    seen = 0
    for _ in range(12):
        try:
            sent = await tg.wait_for_sent(
                chat, lambda m: bool(_buttons(m)) or _answered(m), count=seen + 1, timeout=120
            )
        except TimeoutError:
            return None
        seen = len(sent)
        if chat not in KNOWN_AFTER and any(_known(m) for m in sent):
            KNOWN_AFTER[chat] = time.perf_counter() - reported
        if any(_answered(m) for m in sent):
            return time.perf_counter() - started
        buttons = _buttons(sent[-1])
        choice = next((b for label in PRESS for b in buttons if label in b["text"]), None)
        if choice is None:
            return None
        tg.user_presses(chat, sent[-1]["message_id"], choice["callback_data"])
    return None


async def run(reporters: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeTelegram() as tg, FakeSlack(slack_config()) as slack:
            settings = settings_for(tmp, tg, slack)
            Database(settings.database_url()).upgrade()
            runtime = build_runtime(settings)
            await runtime.start(poll_timeout=1)
            try:
                await measure(runtime, tg, slack, settings, reporters, seconds)
            finally:
                await runtime.stop()


async def measure(
    runtime: Any,
    tg: FakeTelegram,
    slack: FakeSlack,
    settings: Settings,
    reporters: int,
    seconds: float,
) -> None:
    chats = [FIRST_CHAT + i for i in range(reporters)]
    slack_before = len(slack.calls)
    started = time.perf_counter()
    answered = await asyncio.gather(
        *(reporter(tg, c, seconds * i / reporters, started) for i, c in enumerate(chats))
    )
    done = [a for a in answered if a is not None]
    calls = slack.calls[slack_before:]
    by_method = Counter(c.method for c in calls)
    print(f"reporters: {reporters} over {seconds:.0f} s")
    print(f"slack calls during the reports: {len(calls)} ({dict(by_method.most_common())})")
    print(
        f"reporters answered: {len(done)}; every one by {max(done, default=0):.1f} s "
        f"after the first report (the last report came at {seconds:.0f} s)"
    )

    known = sorted(KNOWN_AFTER.values())
    if known:
        pct = {q: known[min(len(known) - 1, int(q * len(known)))] for q in (0.5, 0.95)}
        print(
            f"told it is a known problem with their answer: {len(known)} of {reporters}; "
            f"from their report: p50 {pct[0.5] * 1000:.0f} ms, p95 {pct[0.95] * 1000:.0f} ms, "
            f"max {known[-1] * 1000:.0f} ms"
        )
    else:
        print("told it is a known problem with their answer: none")

    services = runtime.intake.services
    open_incidents = await asyncio.to_thread(services.incidents.list_open)
    tickets = sum(i.tickets for i in open_incidents)
    print(
        f"open incidents: {len(open_incidents)}, holding {tickets} tickets "
        f"({[i.incident.ref for i in open_incidents]})"
    )
    if not open_incidents:
        print("no incident to broadcast to")
        return
    biggest = max(open_incidents, key=lambda i: i.tickets)
    linked = await asyncio.to_thread(services.incidents.tickets_of, biggest.incident.ref or "")
    targets = sorted({int(t.chat_id) for t in linked if t.chat_id.isdigit()})

    def has_update(chat: int) -> bool:
        return any(UPDATE in m.get("text", "") for m in tg.sent(chat))

    start = time.perf_counter()
    await asyncio.to_thread(
        services.incidents.post_update,
        PostUpdate(biggest.incident.ref or "", "bench", IncidentStatus.IDENTIFIED, UPDATE),
        runtime.clock.now(),
    )
    enqueued = time.perf_counter() - start
    while not all(has_update(c) for c in targets):
        await asyncio.sleep(0.05)
    took = time.perf_counter() - start
    rate = settings.telegram.max_messages_per_second
    floor = len(targets) / rate
    doubles = sum(sum(UPDATE in m.get("text", "") for m in tg.sent(c)) > 1 for c in targets)
    print(
        f"broadcast to {len(targets)} reporters: {took:.1f} s (floor {floor:.1f} s at "
        f"{rate:g}/s; post_update with its outbox rows took {enqueued * 1000:.0f} ms); "
        f"reporters who got it twice: {doubles}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reporters", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=120.0)
    args = parser.parse_args()
    asyncio.run(run(args.reporters, args.seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
