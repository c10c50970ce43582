"""Users see an agent's configured display name, else the profile's first name."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import tests.wire.desk_fixtures as fixtures
from bot.sandbox.slack.config import FakeUser
from tests.wire.desk_fixtures import Desk, report, running_desk

pytestmark = pytest.mark.wire

STUTTER = "直播间 8848 一直卡成PPT，iPhone 13，用的WiFi"


@pytest.fixture
async def named_desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Desk]:
    plain_config, plain_settings = fixtures.slack_config, fixtures.desk_settings

    def config() -> Any:
        users = tuple(
            FakeUser(id=u.id, name=u.name, real_name="Alice Wong", display_name="alice.w")
            if u.id == "U0AGENT1"
            else u
            for u in plain_config().users
        )
        return dataclasses.replace(plain_config(), users=users)

    def settings(*args: Any, **kw: Any) -> Any:
        found = plain_settings(*args, **kw)
        slack = found.slack.model_copy(update={"agent_display_names": {"U0AGENT2": "Mia"}})
        return found.model_copy(update={"slack": slack})

    monkeypatch.setattr(fixtures, "slack_config", config)
    monkeypatch.setattr(fixtures, "desk_settings", settings)
    async with running_desk(tmp_path, monkeypatch) as desk:
        yield desk


async def test_replies_reach_users_under_first_or_configured_names(named_desk: Desk):
    desk = named_desk
    user, ref = await report(desk, 3201, STUTTER)
    card = await desk.slack.wait_for_message("support-triage", lambda m: ref in m.text)
    await desk.slack.send_message("support-triage", "U0AGENT1", "请切换到 4G", thread_ts=card.ts)
    await user.expect("客服 Alice：请切换到 4G")
    await desk.slack.send_message("support-triage", "U0AGENT2", "好些了吗？", thread_ts=card.ts)
    await user.expect("客服 Mia：好些了吗？")
    texts = " ".join(m.get("text", "") for m in desk.tg.sent(3201))
    assert "Wong" not in texts and "alice.w" not in texts and "Bob" not in texts
