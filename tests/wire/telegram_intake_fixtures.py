"""A LiveDesk intake wired to the fake Telegram, for wire tests."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlmodel import select

from bot.bootstrap import Intake, build_intake
from bot.http.server import build_http_app
from bot.sandbox.telegram.server import FakeTelegram
from bot.telegram.adapter import TelegramAdapter
from core.clock import SystemClock
from core.config import Settings, settings_from_mapping
from core.storage.db import Database
from core.storage.tables import TicketRow
from tests.fakes import RecordingAgents

WEBHOOK_SECRET = "wire-test-webhook-secret"


def intake_settings(
    fake: FakeTelegram, tmp_path: Path, mode: str = "polling", port: int = 0
) -> Settings:
    return settings_from_mapping(
        {
            "storage": {"data_dir": str(tmp_path / "data")},
            "telegram": {
                "enabled": True,
                "mode": mode,
                "base_url": fake.base_url,
                "base_file_url": fake.base_file_url,
                "webhook_url": f"http://127.0.0.1:{port}/telegram" if mode == "webhook" else "",
            },
            "server": {"port": port},
        },
        environ={
            "LIVEDESK_TELEGRAM_TOKEN": fake.token,
            "LIVEDESK_TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        },
    )


@dataclass
class Service:
    fake: FakeTelegram
    settings: Settings
    intake: Intake | None = None
    adapter: TelegramAdapter | None = None
    agents: RecordingAgents = field(default_factory=RecordingAgents)
    server: uvicorn.Server | None = None
    server_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.intake = build_intake(self.settings)
        token = self.settings.secrets.telegram_token
        assert token is not None
        self.adapter = TelegramAdapter(
            self.settings,
            self.intake.engine,
            token.get_secret_value(),
            clock=SystemClock(),
            agents=self.agents,
        )
        if self.settings.telegram.mode == "webhook":
            app = build_http_app(self.intake.services.db, self.adapter, WEBHOOK_SECRET)
            config = uvicorn.Config(
                app,
                host="127.0.0.1",
                port=self.settings.server.port,
                log_config=None,
                lifespan="off",
            )
            self.server = uvicorn.Server(config)
            self.server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
            self.server_task = asyncio.create_task(self.server.serve())
            while not self.server.started:
                await asyncio.sleep(0.01)
        await self.adapter.start(poll_timeout=1)

    async def stop(self) -> None:
        if self.adapter is not None:
            await self.adapter.stop()
        if self.server is not None and self.server_task is not None:
            self.server.should_exit = True
            await self.server_task
        if self.intake is not None:
            self.intake.services.close()
        self.adapter = self.intake = self.server = self.server_task = None

    @property
    def db(self) -> Database:
        assert self.intake is not None
        return self.intake.services.db

    def tickets(self) -> list[TicketRow]:
        with self.db.session() as s:
            return list(s.exec(select(TicketRow)).all())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def service(fake_telegram: FakeTelegram, tmp_path: Path) -> AsyncIterator[Service]:
    settings = intake_settings(fake_telegram, tmp_path)
    Database(settings.database_url()).upgrade()
    svc = Service(fake_telegram, settings)
    await svc.start()
    yield svc
    await svc.stop()


@pytest.fixture
async def webhook_service(fake_telegram: FakeTelegram, tmp_path: Path) -> AsyncIterator[Service]:
    settings = intake_settings(fake_telegram, tmp_path, mode="webhook", port=free_port())
    Database(settings.database_url()).upgrade()
    svc = Service(fake_telegram, settings)
    await svc.start()
    yield svc
    await svc.stop()


class User:
    """A simulated Telegram user: says things, presses buttons, reads replies."""

    def __init__(self, fake: FakeTelegram, chat_id: int, language: str = "zh-hans") -> None:
        self.fake, self.chat_id, self.language = fake, chat_id, language
        self.seen = 0

    async def _replies(self, count: int = 1) -> list[dict[str, Any]]:
        await self.fake.wait_for_sent(self.chat_id, count=self.seen + count, timeout=10)
        sent = self.fake.sent(self.chat_id)
        new, self.seen = sent[self.seen :], len(sent)
        return new

    async def says(self, text: str, expect: str | None = None) -> str:
        self.fake.user_sends(self.chat_id, text, language_code=self.language)
        return await self.expect(expect)

    async def command(self, command: str, expect: str | None = None) -> str:
        self.fake.user_sends_command(self.chat_id, command, language_code=self.language)
        return await self.expect(expect)

    async def expect(self, expect: str | None = None) -> str:
        """Waits for replies until one contains `expect` (or for one reply)."""
        texts: list[str] = []
        for _ in range(10):
            texts += [_visible(m) for m in await self._replies()]
            if expect is None or any(expect in t for t in texts):
                return "\n".join(texts)
        raise AssertionError(f"no reply containing {expect!r}: {texts}")

    def button(self, label: str) -> tuple[int, str]:
        for message in reversed(self.fake.sent(self.chat_id)):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for row in rows:
                for b in row:
                    if label in b["text"]:
                        return message["message_id"], b["callback_data"]
        raise AssertionError(f"no button {label!r}")

    def labels(self) -> list[str]:
        sent = self.fake.sent(self.chat_id)
        rows = (sent[-1].get("reply_markup") or {}).get("inline_keyboard", []) if sent else []
        return [b["text"] for row in rows for b in row]

    async def skip_to(self, label: str, skips: tuple[str, ...]) -> None:
        """Presses the first available of `skips` until a button `label` is offered."""
        for _ in range(10):
            labels = self.labels()
            if label in labels:
                return
            choice = next((s for s in skips if s in labels), None)
            assert choice is not None, f"no way forward from {labels}"
            await self.presses(choice, expect="\n")
        raise AssertionError(f"never reached {label!r}")

    async def presses(self, label: str, expect: str | None = None) -> str:
        message_id, data = self.button(label)
        self.fake.user_presses(self.chat_id, message_id, data)
        return await self.expect(expect)


def _visible(message: dict[str, Any]) -> str:
    """The message text and its button labels, as the user sees them."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    labels = [b["text"] for row in rows for b in row]
    return "\n".join([message.get("text", ""), *labels])
