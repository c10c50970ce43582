"""Fixtures for the wire tests; each fake keeps its fixtures in a module of its own."""

from tests.wire.fake_telegram_fixtures import fake_telegram, telegram_bot

__all__ = ["fake_telegram", "telegram_bot"]
