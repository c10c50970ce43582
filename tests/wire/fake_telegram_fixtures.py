"""Fixtures for wire tests against the fake Telegram server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import telegram

from bot.sandbox.telegram.server import FakeTelegram


@pytest.fixture
async def fake_telegram(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeTelegram]:
    # PTB 22 warns on every RetryAfter unless it may already use timedeltas.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    async with FakeTelegram() as fake:
        yield fake


def bot_for(fake: FakeTelegram, token: str | None = None) -> telegram.Bot:
    return telegram.Bot(
        token or fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url
    )


@pytest.fixture
async def telegram_bot(fake_telegram: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    async with bot_for(fake_telegram) as bot:
        yield bot
