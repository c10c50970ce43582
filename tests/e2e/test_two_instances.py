"""Two `livedesk run` processes on PostgreSQL behind one address; one is killed."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.sandbox.slack.server import FakeSlack
from bot.sandbox.telegram.server import FakeTelegram
from tests.e2e.balancer import Balancer
from tests.e2e.processes import ESCALATION, TRIAGE, desk_sections, process_env
from tests.wire.desk_fixtures import wait_until
from tests.wire.telegram_intake_fixtures import User, free_port

pytestmark = pytest.mark.e2e

SECRET = "e2e-webhook-secret"


def config_for(tmp: Path, tg: FakeTelegram, slack: FakeSlack, port: int, public: int) -> Path:
    path = tmp / f"livedesk-{port}.toml"
    path.write_text(
        f"""
[storage]
data_dir = "{tmp / "shared-data"}"

[telegram]
enabled = true
mode = "webhook"
base_url = "{tg.base_url}"
base_file_url = "{tg.base_file_url}"
webhook_url = "http://127.0.0.1:{public}/telegram"
{desk_sections(slack, port)}""",
        encoding="utf-8",
    )
    return path


async def start(config: Path, env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "-c",
        str(config),
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def healthy(port: int) -> bool:
    async with aiohttp.ClientSession(trust_env=False) as http:
        try:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                return r.status == 200
        except aiohttp.ClientError:
            return False


async def test_two_instances_share_the_work_and_survive_a_sigkill(
    postgres_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    async with FakeTelegram() as tg, FakeSlack() as slack:
        ports = [free_port(), free_port()]
        balancer = Balancer([f"http://127.0.0.1:{p}" for p in ports])
        await balancer.start()
        env = process_env(
            tg,
            slack,
            LIVEDESK_TELEGRAM_WEBHOOK_SECRET=SECRET,
            LIVEDESK_DATABASE_URL=postgres_url,
        )
        configs = [config_for(tmp_path, tg, slack, p, balancer.port) for p in ports]
        upgrade = await start(configs[0], env, "db", "upgrade")
        assert await upgrade.wait() == 0
        processes = [await start(c, env, "run") for c in configs]
        slack.app_url = f"http://127.0.0.1:{balancer.port}/slack/events"
        try:
            # Two processes start at once (each with its worker): give a busy
            # 2-core machine time, as a supervisor would.
            for port in ports:
                for _ in range(300):
                    if await healthy(port):
                        break
                    await asyncio.sleep(0.1)
                assert await healthy(port)

            user = User(tg, 6001)
            # A P0: the ticket at once, no articles and no confirmation first.
            await user.says("全平台的直播间都黑屏了，大家都看不了直播", expect="工单号")
            card = await slack.wait_for_message(
                TRIAGE, lambda m: "ticket.claim" in str(m.blocks), timeout=10
            )
            await slack.wait_for_message(
                ESCALATION, lambda m: "page.ack" in str(m.blocks), timeout=10
            )
            await slack.send_block_action(
                "U0AGENT1", "ticket.claim", message_ts=card.ts, channel=TRIAGE
            )
            await wait_until(
                lambda: any("acknowledged" in m.text for m in slack.messages(ESCALATION)), 10
            )

            processes[0].send_signal(signal.SIGKILL)  # halfway: one instance dies
            await processes[0].wait()

            await slack.send_message(TRIAGE, "U0AGENT1", "正在排查 CDN，请稍等", thread_ts=card.ts)
            await user.expect("正在排查 CDN")
            await user.says("好的，我等", expect="已补充到工单")
            await slack.wait_for_message(
                TRIAGE, lambda m: m.thread_ts == card.ts and "我等" in m.text, timeout=10
            )
        finally:
            for process in processes:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.communicate(), timeout=15)
            await balancer.stop()

        assert all(v > 0 for v in balancer.served.values()), balancer.served  # both served
        sent = [m.get("text", "") for m in tg.sent(6001)]
        assert sum("工单号" in t for t in sent) == 1  # one ticket
        assert sum("正在排查 CDN" in t for t in sent) == 1  # no duplicate relay
        cards = [m for m in slack.messages(TRIAGE) if not m.thread_ts]
        assert len(cards) == 1  # one card
        copies_and_pages = [m for m in slack.messages(ESCALATION) if not m.thread_ts]
        # The P0 card's copy and exactly one page (now saying who acknowledged it).
        assert len(copies_and_pages) == 2, [m.text for m in copies_and_pages]
        assert sum("acknowledged" in m.text for m in copies_and_pages) == 1, [
            m.text for m in copies_and_pages
        ]
        verify = await start(configs[1], env, "audit", "verify")
        out, _ = await verify.communicate()
        assert verify.returncode == 0, out.decode()
