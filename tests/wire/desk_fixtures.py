"""The whole LiveDesk runtime against the fake Telegram and the fake Slack."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlmodel import select

from bot.bootstrap import build_runtime
from bot.runtime import Runtime
from bot.sandbox.slack.config import FakeChannel, FakeSlackConfig, FakeUser
from bot.sandbox.slack.server import FakeSlack
from bot.sandbox.telegram.server import FakeTelegram
from core.config import Settings, settings_from_mapping
from core.ports import Clock
from core.storage.db import Database
from core.storage.tables import TicketPostRow, TicketRow
from tests.wire.telegram_intake_fixtures import User, free_port

AGENTS = ("U0AGENT1", "U0AGENT2")
LEAD, FINANCE_AGENT, OUTSIDER = "U0LEAD", "U0FIN", "U0OUT"


def slack_config() -> FakeSlackConfig:
    return FakeSlackConfig(
        channels=(
            FakeChannel(id="C0TRIAGE", name="support-triage"),
            FakeChannel(id="C0FIN", name="support-finance"),
            FakeChannel(id="C0ESC", name="support-escalation"),
        ),
        users=(
            FakeUser(id="U0AGENT1", name="alice", real_name="Alice", display_name="Alice"),
            FakeUser(id="U0AGENT2", name="bob", real_name="Bob", display_name="Bob"),
            FakeUser(id=LEAD, name="carol", real_name="Carol", display_name="Carol"),
            FakeUser(id=FINANCE_AGENT, name="fei", real_name="Fei", display_name="Fei"),
            FakeUser(id=OUTSIDER, name="olga", real_name="Olga", display_name="Olga"),
        ),
        usergroups={"S0ONCALL": AGENTS, "S0LEADS": (LEAD,)},
    )


def desk_settings(
    tg: FakeTelegram,
    slack: FakeSlack,
    tmp: Path,
    port: int,
    mode: str = "http",
    extra: dict[str, Any] | None = None,
) -> Settings:
    return settings_from_mapping(
        {
            **(extra or {}),
            "storage": {"data_dir": str(tmp / "data")},
            "telegram": {
                "enabled": True,
                "base_url": tg.base_url,
                "base_file_url": tg.base_file_url,
            },
            "slack": {
                "enabled": True,
                "api_url": slack.api_url,
                "mode": mode,
                "agents": ["S0ONCALL", LEAD],
                "finance_agents": [FINANCE_AGENT],
            },
            "server": {"port": port},
            "routing": {"tier_members": {"lead": ["S0LEADS"], "l2": [LEAD]}},
            "escalation": {
                "on_call": ["S0ONCALL"],
                "chain": [
                    {"targets": ["U0AGENT1"], "timeout": "5m"},
                    {"targets": ["S0LEADS"], "timeout": "5m"},
                ],
            },
        },
        environ={
            "LIVEDESK_TELEGRAM_TOKEN": tg.token,
            "LIVEDESK_SLACK_BOT_TOKEN": slack.config.bot_token,
            "LIVEDESK_SLACK_SIGNING_SECRET": slack.config.signing_secret,
            "LIVEDESK_SLACK_APP_TOKEN": slack.config.app_token,
        },
    )


@dataclass
class Desk:
    tg: FakeTelegram
    slack: FakeSlack
    runtime: Runtime
    settings: Settings

    def tickets(self) -> list[TicketRow]:
        with self.runtime.intake.services.db.session() as s:
            return list(s.exec(select(TicketRow)).all())

    def has_card(self, ref: str) -> bool:
        """The card is posted and its place recorded: agents can act on it."""
        with self.runtime.intake.services.db.session() as s:
            return (
                s.exec(select(TicketPostRow).where(TicketPostRow.ticket_ref == ref)).first()
                is not None
            )

    def card(self, channel: str = "support-triage") -> Any:
        return self.slack.messages(channel)[0]

    async def act(
        self, user: str, action_id: str, channel: str = "support-triage", **kw: Any
    ) -> Any:
        card = self.card(channel)
        return await self.slack.send_block_action(
            user, action_id, message_ts=card.ts, channel=channel, **kw
        )

    async def submit(self, user: str, values: dict[str, Any]) -> Any:
        """Submit the latest modal opened for `user` with these input values."""
        view = [v for v in self.slack.views_opened if v.user == user][-1]
        wrapped: dict[str, dict[str, Any]] = {}
        for block in view.view.get("blocks", []):
            block_id = block.get("block_id")
            element = block.get("element", {})
            if block_id not in values:
                continue
            value = values[block_id]
            kind = element.get("type")
            if kind in ("static_select", "radio_buttons"):
                state = {"type": kind, "selected_option": {"value": value}}
            elif kind == "checkboxes":
                state = {"type": kind, "selected_options": [{"value": v} for v in value]}
            elif kind == "users_select":
                state = {"type": kind, "selected_user": value}
            else:
                state = {"type": "plain_text_input", "value": value}
            wrapped[block_id] = {element.get("action_id", block_id): state}
        return await self.slack.send_view_submission(
            user,
            view.id,
            values=wrapped,
            private_metadata=view.view.get("private_metadata"),
        )

    def meta(self) -> dict[str, Any]:
        return json.loads(self.slack.views_opened[-1].view["private_metadata"])


@pytest.fixture
async def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Desk]:
    async with running_desk(tmp_path, monkeypatch) as running:
        yield running


@contextlib.asynccontextmanager
async def running_desk(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mode: str = "http",
    proxy: str | None = None,
    extra: dict[str, Any] | None = None,
    clock: Clock | None = None,
) -> AsyncIterator[Desk]:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    if proxy:  # a proxy that answers nothing: local calls must not go through it
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            monkeypatch.setenv(name, proxy)
    async with FakeTelegram() as tg, FakeSlack(slack_config()) as slack:
        port = free_port()
        settings = desk_settings(tg, slack, tmp_path, port, mode, extra)
        Database(settings.database_url()).upgrade()
        runtime = build_runtime(settings, clock=clock)
        await runtime.start(poll_timeout=1)
        server = uvicorn.Server(
            uvicorn.Config(
                runtime.http_app(), host="127.0.0.1", port=port, log_config=None, lifespan="off"
            )
        )
        server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.01)
        if mode == "http":
            slack.app_url = f"http://127.0.0.1:{port}/slack/events"
        try:
            yield Desk(tg, slack, runtime, settings)
        finally:
            server.should_exit = True
            await task
            await runtime.stop()


async def report(desk: Desk, chat: int, text: str, language: str = "zh-hans") -> tuple[User, str]:
    """A user reports over Telegram straight to a person; returns the ticket ref."""
    user = User(desk.tg, chat, language)
    await user.command("/human", expect="描述" if language.startswith("zh") else "describe")
    done = await user.says(text, expect="\n")
    if "LD-" not in done:  # a P0 or a known outage is filed at once, without confirming
        skips = ("跳过", "没有了") if language.startswith("zh") else ("Skip", "No more")
        await user.skip_to("提交" if language.startswith("zh") else "Submit", skips)
        done = await user.presses("提交" if language.startswith("zh") else "Submit", expect="LD-")
    ref = next(
        word for word in done.replace("。", " ").replace(".", " ").split() if word.startswith("LD-")
    )
    ref = ref.rstrip("，,")
    await wait_until(lambda: desk.has_card(ref))
    return user, ref


async def wait_until(check: Any, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
