"""Fixtures for the wire tests; each fake keeps its fixtures in a module of its own."""

from tests.wire.desk_fixtures import desk
from tests.wire.fake_telegram_fixtures import fake_telegram, telegram_bot
from tests.wire.telegram_intake_fixtures import service, webhook_service

__all__ = ["desk", "fake_telegram", "service", "telegram_bot", "webhook_service"]
