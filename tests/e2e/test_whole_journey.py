"""The real `livedesk run` process against the fake Telegram and the fake Slack."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from bot.sandbox.slack.server import FakeSlack
from bot.sandbox.telegram.server import FakeTelegram
from tests.e2e.processes import ESCALATION, TRIAGE, desk_sections, process_env
from tests.wire.desk_fixtures import wait_until
from tests.wire.telegram_intake_fixtures import User, free_port

pytestmark = pytest.mark.e2e

SIGNING_CANARY_NOTE = "the signing secret must never appear in the logs"


def write_config(tmp: Path, tg: FakeTelegram, slack: FakeSlack, port: int) -> Path:
    config = tmp / "livedesk.toml"
    config.write_text(
        f"""
[storage]
data_dir = "{tmp / "data"}"

[telegram]
enabled = true
base_url = "{tg.base_url}"
base_file_url = "{tg.base_file_url}"
{desk_sections(slack, port)}
[[escalation.chain]]
targets = ["U0AGENT2"]
timeout = "5m"
""",
        encoding="utf-8",
    )
    return config


async def livedesk(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_the_whole_journey_in_the_real_process(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    async with FakeTelegram() as tg, FakeSlack() as slack:
        port = free_port()
        config = write_config(tmp_path, tg, slack, port)
        env = process_env(tg, slack)
        upgrade = await livedesk("-c", str(config), "db", "upgrade", env=env)
        assert await upgrade.wait() == 0
        process = await livedesk("-c", str(config), "run", "--log-json", env=env)
        slack.app_url = f"http://127.0.0.1:{port}/slack/events"
        try:
            async with aiohttp.ClientSession(trust_env=False) as http:

                async def healthy() -> bool:
                    try:
                        async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                            return r.status == 200
                    except aiohttp.ClientError:
                        return False

                for _ in range(300):
                    if await healthy():
                        break
                    await asyncio.sleep(0.1)
                assert await healthy(), "livedesk run never became healthy"

            # A finance report whose order id and amount are canaries for the logs.
            payer = User(tg, 5002)
            await payer.command("/human", expect="描述")
            await payer.says("充值 648 元没到账，订单号 ORDCANARY77813，用的支付宝", expect="\n")
            await payer.skip_to("提交", ("跳过", "没有了"))
            await payer.presses("提交", expect="工单号")

            # The user reports a widespread stream failure in Chinese.
            user = User(tg, 5001)
            # A P0: the ticket at once, no articles and no confirmation first.
            done = await user.says("全平台的直播间都黑屏了，大家都看不了直播", expect="工单号")
            assert "15 分钟" in done  # P0 promise
            ref = "LD-" + done.split("LD-")[1][:4]
            card = await slack.wait_for_message(
                TRIAGE, lambda m: ref in m.text and "ticket.claim" in str(m.blocks), timeout=10
            )
            page = await slack.wait_for_message(
                ESCALATION, lambda m: "page.ack" in str(m.blocks), timeout=10
            )

            # An agent claims: the page stops.
            await slack.send_block_action(
                "U0AGENT1", "ticket.claim", message_ts=card.ts, channel=TRIAGE
            )
            await wait_until(
                lambda: any("acknowledged" in m.text for m in slack.messages(ESCALATION)), 10
            )
            assert page.ts

            # Thread replies reach the user; the user's screenshot reaches the thread.
            await slack.send_message(TRIAGE, "U0AGENT1", "正在排查 CDN，请稍等", thread_ts=card.ts)
            await user.expect("正在排查 CDN")
            tg.user_sends_photo(5001, b"\x89PNG screenshot-bytes")
            await user.expect("已补充到工单")
            await wait_until(lambda: bool(slack.uploaded_files), 10)

            # Resolved with a root fix; the user confirms and rates 5.
            await slack.send_block_action(
                "U0AGENT1", "ticket.resolve", message_ts=card.ts, channel=TRIAGE
            )
            await wait_until(lambda: bool(slack.views_opened), 10)
            view = slack.views_opened[-1]
            values = {
                "outcome": {
                    "outcome": {"type": "radio_buttons", "selected_option": {"value": "root_fix"}}
                },
                "cause_class": {
                    "cause_class": {
                        "type": "static_select",
                        "selected_option": {"value": "server_or_cdn"},
                    }
                },
                "root_cause": {"root_cause": "CDN 节点故障，已切换"},
                "message": {"message": "已修复，请重新进入直播间"},
            }
            await slack.send_view_submission(
                "U0AGENT1", view.id, values=values, private_metadata=view.view["private_metadata"]
            )
            await user.expect("问题解决了吗")
            await user.presses("解决了", expect="打分")
            await user.presses("⭐⭐⭐⭐⭐", expect="谢谢")
        finally:
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(process.communicate(), timeout=15)
            stopped_in = time.monotonic() - started
        assert process.returncode == 0, err.decode()[-2000:]
        assert stopped_in < 10
        logs = out.decode() + err.decode()
        for secret in (tg.token, slack.config.bot_token, slack.config.signing_secret):
            assert secret not in logs, SIGNING_CANARY_NOTE
        assert "ORDCANARY77813" not in logs and "648" not in logs  # finance fields
        assert f'"ticket": "{ref}"' in logs  # structured logs carry the reference

        verify = await livedesk("-c", str(config), "audit", "verify", env=env)
        verified, _ = await verify.communicate()
        assert verify.returncode == 0, verified.decode()
        show = await livedesk("-c", str(config), "tickets", "list", "--json", env=env)
        listed, _ = await show.communicate()
        assert '"status": "closed"' in listed.decode()
        assert "ORDCANARY77813" not in listed.decode()  # masked for non-finance viewers
        assert '"priority": "P0"' in listed.decode()
