"""Authenticated but odd Telegram input: names and texts no database takes, updates
python-telegram-bot cannot parse. Each is cleaned or skipped, never fatal."""

from __future__ import annotations

import io
from typing import Any

import aiohttp
import pytest

from bot.http.limits import ROUTE_LIMITS
from tests.wire.telegram_intake_fixtures import WEBHOOK_SECRET, Service, User

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


def _message(chat_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "message_id": 77,
        "date": 1_700_000_000,
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Odd"},
        **extra,
    }


# Each passes the HTTP layer's shape checks, and python-telegram-bot raises on it.
UNREADABLE = [{"photo": [1]}, {"entities": "bold"}, {"reply_to_message": 5}]


@pytest.mark.parametrize("extra", UNREADABLE)
async def test_polling_skips_an_update_ptb_cannot_read_and_goes_on(
    service: Service, extra: dict[str, Any], caplog: pytest.LogCaptureFixture
):
    user = User(service.fake, 1203)
    service.fake.world.enqueue("message", _message(1203, text="hi", **extra))
    service.fake.world.enqueue("message", _message(1203, text="hi", **extra))
    await user.command("/help", expect="/new")
    await service.fake.wait_until_delivered()
    said = [r for r in caplog.records if "cannot read it" in r.getMessage()]
    assert len(said) <= 1  # once per kind, and not again for the second one


@pytest.mark.parametrize("extra", UNREADABLE)
async def test_the_webhook_answers_200_for_an_update_ptb_cannot_read(
    webhook_service: Service, extra: dict[str, Any]
):
    url = webhook_service.settings.telegram.webhook_url
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    update = {"update_id": 5_000, "message": _message(1204, text="hi", **extra)}
    async with (
        aiohttp.ClientSession(trust_env=False) as http,
        http.post(url, json=update, headers=headers) as response,
    ):
        assert response.status == 200, await response.text()
    user = User(webhook_service.fake, 1204)
    await user.command("/help", expect="/new")


async def test_the_webhook_refuses_a_body_over_its_limit_before_reading_it(
    webhook_service: Service,
):
    url = webhook_service.settings.telegram.webhook_url
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    big = b" " * (ROUTE_LIMITS["/telegram"] + 1)
    async with (
        aiohttp.ClientSession(trust_env=False) as http,
        http.post(url, data=io.BytesIO(big), headers=headers) as response,
    ):
        assert response.status == 413
