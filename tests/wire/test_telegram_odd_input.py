"""Authenticated but odd Telegram input: names and texts no database takes, updates
python-telegram-bot cannot parse. Each is cleaned or skipped, never fatal."""

from __future__ import annotations

import pytest

from tests.wire.telegram_intake_fixtures import Service, User

pytestmark = pytest.mark.wire

STUTTER = "直播间 8848 一直卡成PPT，iPhone 13，用的WiFi"


async def test_a_lone_surrogate_in_a_name_does_not_stop_that_users_messages(service: Service):
    user = User(service.fake, 1201)
    # JSON carries it as "\ud800", which Python decodes to a lone surrogate.
    service.fake.user_sends(1201, STUTTER, first_name="Eve\ud800")
    await user.expect("还是不行")
    service.fake.user_sends(1201, "/help", first_name="Eve\ud800")
    await user.expect("/new")


async def test_a_lone_surrogate_in_the_text_is_dropped(service: Service):
    user = User(service.fake, 1202)
    service.fake.user_sends(1202, STUTTER + "\ud83d")
    await user.expect("还是不行")
