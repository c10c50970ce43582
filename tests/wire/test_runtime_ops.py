"""Operations of the running service: metrics, health, start-up checks."""

from __future__ import annotations

import aiohttp
import pytest

from bot.bootstrap import build_runtime
from bot.sandbox.slack.server import FakeSlack
from bot.sandbox.telegram.server import FakeTelegram
from bot.slack.adapter import ChannelProblemError
from core.config import settings_from_mapping
from core.storage.db import Database
from tests.wire.desk_fixtures import Desk, desk_settings, report, slack_config
from tests.wire.telegram_intake_fixtures import free_port

pytestmark = pytest.mark.wire


async def test_metrics_health_and_readiness_are_served(desk: Desk):
    _, ref = await report(desk, 3001, "直播间 8848 一直卡成PPT，iPhone 13，用的WiFi")
    base = f"http://127.0.0.1:{desk.settings.server.port}"
    async with aiohttp.ClientSession(trust_env=False) as http:
        async with http.get(f"{base}/metrics") as response:
            assert response.status == 200
            text = await response.text()
        async with http.get(f"{base}/healthz") as health:
            assert health.status == 200
        async with http.get(f"{base}/readyz") as ready:
            assert (await ready.json()) == {"ready": True}
    assert 'livedesk_messages_in_total{channel="telegram"}' in text
    assert 'livedesk_messages_out_total{channel="telegram"}' in text
    assert 'livedesk_tickets{priority="P2",status="new"} 1.0' in text
    assert 'livedesk_tickets_created_total{priority="P2"} 1.0' in text
    assert "livedesk_handler_seconds_bucket" in text
    assert ref


async def test_start_up_names_a_channel_the_bot_cannot_post_to(tmp_path, monkeypatch):
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    async with FakeTelegram() as tg, FakeSlack(slack_config()) as slack:
        settings = desk_settings(tg, slack, tmp_path, free_port())
        data = settings.model_dump(exclude={"secrets"})
        data["slack"]["triage_channel"] = "C0NOSUCH"
        broken = settings_from_mapping(
            data,
            environ={
                "LIVEDESK_TELEGRAM_TOKEN": tg.token,
                "LIVEDESK_SLACK_BOT_TOKEN": slack.config.bot_token,
                "LIVEDESK_SLACK_SIGNING_SECRET": slack.config.signing_secret,
            },
        )
        Database(broken.database_url()).upgrade()
        runtime = build_runtime(broken)
        with pytest.raises(ChannelProblemError, match=r"slack\.triage_channel = 'C0NOSUCH'"):
            await runtime.start(poll_timeout=1)
        await runtime.stop()


async def test_in_socket_mode_the_http_route_for_slack_stays_closed(tmp_path, monkeypatch):
    from tests.wire.desk_fixtures import running_desk

    async with running_desk(tmp_path, monkeypatch, mode="socket") as socket_desk:
        url = f"http://127.0.0.1:{socket_desk.settings.server.port}/slack/events"
        form = {"command": "/livedesk", "text": "queue"}
        async with (
            aiohttp.ClientSession(trust_env=False) as http,
            http.post(url, data=form) as response,
        ):
            assert response.status == 404
