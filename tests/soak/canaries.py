"""Canary secrets: every secret the desk holds, and the personal data users write,
are recognisable values; after a mixed load with a few errors, no file the run
wrote outside the database may hold any of them.

Secrets: the Telegram bot token, the webhook secret, the Slack bot token, signing
secret and app token (set although HTTP mode does not use it: it is still read),
and on PostgreSQL a password in the database URL (a trust-auth server ignores it).
The per-subject personal-data keys are made inside the database and never
configured, so there is no value to plant. Personal data: a phone number, an
e-mail address, an order id and an amount in a finance complaint.

The run logs at debug level (`livedesk run --debug`): operators turn it on when
something is wrong, which is when logs get shared. Each canary found in a file
counts as unauthorized; the notes say which canary and which file.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import json
import os
import time
from collections.abc import Awaitable
from pathlib import Path
from urllib.parse import quote

import aiohttp

from bot.sandbox.slack.config import FakeSlackConfig
from tests.e2e.processes import TRIAGE
from tests.soak.desk import Desk, running_desk
from tests.soak.figures import Figures
from tests.soak.telegram_scenarios import FIRST_CHAT, settle
from tests.wire.telegram_intake_fixtures import User

SECRETS = {
    "telegram token": "7318245609:AAcanaryTG-soak18-Xq9vR2mLp4Tn8Wz1Yb6Kd3",
    "webhook secret": "canary-webhook-soak18-9d2e",
    "slack bot token": "xoxb-canary-soak18-bot-7f3e9a2c",
    "slack signing secret": "canarysigningsoak18f00dfeed1234",
    "slack app token": "xapp-1-canary-soak18-app-5b8c",
}
DB_PASSWORD = "canaryDbPw-soak18-4471"
PERSONAL = {
    "phone": "13987654321",
    "e-mail": "canary.soak18@example.com",
    "order id": "ORDCANARY18SOAK77",
    "amount": "7319.46",
}
PAYER, REPORTER = 8_400_000, 8_400_001
P0_REPORT = "全平台的直播间都黑屏了，大家都看不了直播"
FINANCE = f"充值 {PERSONAL['amount']} 元没到账，订单号 {PERSONAL['order id']}，用的支付宝"
CONTACT = f"我的手机 {PERSONAL['phone']}，邮箱 {PERSONAL['e-mail']}，有消息请联系我"
DATABASE_FILES = ("livedesk.db", "livedesk.db-wal", "livedesk.db-shm", "livedesk.db-journal")


def slack_config() -> FakeSlackConfig:
    return dataclasses.replace(
        FakeSlackConfig(),
        bot_token=SECRETS["slack bot token"],
        app_token=SECRETS["slack app token"],
        signing_secret=SECRETS["slack signing secret"],
    )


async def canary_secrets(tmp: Path, postgres_url: str | None, users: int = 10) -> Figures:
    figures = Figures("canary secrets in logs (debug, webhook)")
    canaries = {**SECRETS, **PERSONAL}
    if postgres_url is not None:
        canaries["database password"] = DB_PASSWORD
    async with running_desk(
        tmp,
        postgres_url,
        mode="webhook",
        slack_config=slack_config(),
        telegram_token=SECRETS["telegram token"],
        db_password=DB_PASSWORD,
        webhook_secret=SECRETS["webhook secret"],
        extra_env={"LIVEDESK_SLACK_APP_TOKEN": SECRETS["slack app token"]},
        run_args=("--debug",),
    ) as desk:
        await _mixed_load(desk, figures, users)
        verify = await desk.cli("audit", "verify", log="audit-verify")
        if await verify.wait() != 0:
            figures.notes.append("livedesk audit verify failed")
            figures.crashed += 1
        if not desk.alive():
            figures.crashed += 1
    figures.crashed += desk.crashes
    # The process has stopped: its shutdown lines are in the files too.
    leaks, lines, files = await asyncio.to_thread(_scan, tmp, canaries)
    figures.unauthorized += len(leaks)
    figures.notes += leaks
    figures.notes.append(f"{lines} log lines in {files} files scanned for {len(canaries)} canaries")
    return figures


async def _mixed_load(desk: Desk, figures: Figures, users: int) -> None:
    chats = [FIRST_CHAT + n for n in range(users)]
    for chat in [PAYER, REPORTER, *chats]:
        desk.tg.add_chat(chat)
    desk.tg.fail_next("sendMessage", status=502)  # a Telegram 5xx on the first reply
    for chat in chats:
        desk.tg.user_sends(chat, "/start")
        figures.sent += 1
    await _step(figures, "finance report", _finance_report(desk, figures))
    await _step(figures, "P0 report and contact", _p0_and_contact(desk, figures))
    await _strangers(desk, figures)
    await settle(desk, chats, 60)
    figures.lost += sum(not desk.tg.sent(c) for c in chats)


async def _step(figures: Figures, what: str, step: Awaitable[None]) -> None:
    try:
        await step
    except (AssertionError, TimeoutError) as error:
        figures.lost += 1
        figures.notes.append(f"{what}: {error}"[:200])


async def _finance_report(desk: Desk, figures: Figures) -> None:
    payer = User(desk.tg, PAYER)
    await payer.command("/human", expect="描述")
    await payer.says(FINANCE, expect="\n")
    await payer.skip_to("提交", ("跳过", "没有了"))
    await payer.presses("提交", expect="工单号")
    figures.sent += 3


async def _p0_and_contact(desk: Desk, figures: Figures) -> None:
    user = User(desk.tg, REPORTER)
    done = await user.says(P0_REPORT, expect="工单号")
    figures.sent += 1
    ref = "LD-" + done.split("LD-")[1][:4]  # the finance card shares the channel
    card = await desk.slack.wait_for_message(
        TRIAGE, lambda m: ref in m.text and "ticket.claim" in str(m.blocks), timeout=30
    )
    await desk.slack.send_message(TRIAGE, "U0AGENT1", "正在排查，请留个联系方式", thread_ts=card.ts)
    await desk.tg.wait_for_sent(REPORTER, lambda m: "正在排查" in m.get("text", ""), timeout=30)
    await user.says(CONTACT, expect="已补充到工单")
    figures.sent += 2
    await desk.slack.wait_for_message(
        TRIAGE, lambda m: m.thread_ts == card.ts and "有消息请联系我" in m.text, timeout=30
    )


async def _strangers(desk: Desk, figures: Figures) -> None:
    """A badly signed Slack request and a webhook call with the wrong secret: both are
    refused, and neither refusal may log the secret it was checked against."""
    stamp = str(int(time.time()))
    # What Slack sends after the signing secret was rotated: a real event, with a
    # user's phone number quoted by an agent.
    text = f"用户电话 {PERSONAL['phone']}"
    body = json.dumps(
        {"type": "event_callback", "event": {"type": "message", "text": text}}, ensure_ascii=False
    ).encode()
    wrong = hmac.new(b"not-the-secret", f"v0:{stamp}:".encode() + body, hashlib.sha256)
    async with aiohttp.ClientSession(trust_env=False) as http:
        for url, headers in (
            (
                f"{desk.url}/slack/events",
                {
                    "X-Slack-Request-Timestamp": stamp,
                    "X-Slack-Signature": f"v0={wrong.hexdigest()}",
                },
            ),
            (f"{desk.url}/telegram", {"X-Telegram-Bot-Api-Secret-Token": "wrong-secret"}),
        ):
            figures.sent += 1
            headers["Content-Type"] = "application/json"
            async with http.post(url, data=body, headers=headers) as response:
                await response.read()
                figures.server_errors += response.status >= 500
                if response.status < 400:
                    figures.unauthorized += 1
                    figures.notes.append(f"{url} took a request without the secret")


def _scan(tmp: Path, canaries: dict[str, str]) -> tuple[list[str], int, int]:
    """Every file of the scenario's directory but the database: (leaks, log lines, files)."""
    needles = {
        name: {value, quote(value), quote(value, safe="")} for name, value in canaries.items()
    }
    leaks: list[str] = []
    lines = files = 0
    for folder, _dirs, names in os.walk(tmp):
        for name in names:
            if name in DATABASE_FILES:
                continue
            path = Path(folder) / name
            content = path.read_bytes()
            files += 1
            if name.endswith(".log"):
                lines += content.count(b"\n")
            text = content.decode("utf-8", "replace")
            for canary, values in needles.items():
                if any(v in text for v in values):
                    leaks.append(f"{canary} found in {path.relative_to(tmp)}")
    return leaks, lines, files
