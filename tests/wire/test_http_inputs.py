"""The HTTP server's edge: sizes checked before bodies are read, unsigned Slack
posts refused before reading, and impossible Telegram updates dropped with a
200 (a 4xx or 5xx would make the platform send them again and again)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.http.limits import DEFAULT_LIMIT, ROUTE_LIMITS
from bot.http.server import build_http_app
from bot.http.updates import update_problem
from core.storage.db import Database
from tests.wire.telegram_intake_fixtures import WEBHOOK_SECRET, Service, User

SECRET = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}


def message(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "message_id": 7,
        "date": 1_764_900_000,
        "chat": {"id": 1100, "type": "private"},
        "from": {"id": 1100, "is_bot": False, "first_name": "Ana"},
        "text": "hello",
    }
    base.update(overrides)
    return base


ODD_UPDATES = [
    {"update_id": 1, "message": "not an object"},
    {"update_id": 2, "message": {k: v for k, v in message().items() if k != "date"}},
    {"update_id": 3, "message": {k: v for k, v in message().items() if k != "message_id"}},
    {"update_id": 4, "message": message(date=10**30)},
    {"update_id": 5, "message": message(date="yesterday")},
    {"update_id": 6, "message": message(chat=[])},
    {"update_id": 7, "message": message(**{"from": {"id": "x"}})},
    {"update_id": 8, "callback_query": {"id": 5}},
    {"update_id": 9, "edited_message": message(message_id=True)},
]


@pytest.mark.parametrize("update", ODD_UPDATES, ids=lambda u: str(u["update_id"]))
def test_impossible_updates_are_named(update):
    assert update_problem(update) is not None


def test_a_real_update_shape_passes():
    assert update_problem({"update_id": 10, "message": message()}) is None


async def test_odd_updates_are_answered_200_and_change_nothing(webhook_service: Service):
    user = User(webhook_service.fake, 1100)
    await user.command("/start", expect="你好")
    url = webhook_service.settings.telegram.webhook_url
    async with aiohttp.ClientSession(trust_env=False) as http:
        for update in ODD_UPDATES:
            async with http.post(url, json=update, headers=SECRET) as response:
                assert response.status == 200, update
                assert "ignored" in await response.json()
        nested = "[" * 100_000 + "]" * 100_000
        async with http.post(url, data=nested, headers=SECRET) as response:
            assert response.status == 400
        for update_id in (-1, "1", 10**30, None):
            body = {"update_id": update_id, "message": message()}
            async with http.post(url, json=body, headers=SECRET) as response:
                assert response.status == 400
    await user.command("/help", expect="/new")


@pytest.fixture
async def app_client(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, list[Request]]]:
    calls: list[Request] = []

    async def slack(request: Request) -> Response:
        calls.append(request)
        await request.body()  # as slack-bolt does, to check the signature
        return JSONResponse({"ok": True})

    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    app = build_http_app(db, slack=slack)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client, calls
    db.dispose()


SIGNED = {"X-Slack-Signature": "v0=abc", "X-Slack-Request-Timestamp": "1764900000"}


async def test_a_body_over_the_routes_limit_is_refused_from_its_length(app_client):
    client, calls = app_client
    big = b"x" * (ROUTE_LIMITS["/slack/events"] + 1)
    response = await client.post("/slack/events", content=big, headers=SIGNED)
    assert response.status_code == 413
    assert calls == []


async def test_a_body_without_a_length_is_stopped_at_the_limit(app_client):
    client, _ = app_client

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b"y" * 16 * 1024

    response = await client.post("/slack/events", content=chunks(), headers=SIGNED)
    assert response.status_code == 413
    small = await client.post("/slack/events", content=b"token=x", headers=SIGNED)
    assert small.status_code == 200


async def test_other_routes_take_small_bodies_only(app_client):
    client, _ = app_client
    response = await client.post("/healthz", content=b"z" * (DEFAULT_LIMIT + 1))
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"X-Slack-Signature": "v0=abc"}, 401),
        ({"X-Slack-Request-Timestamp": "1764900000"}, 401),
        ({"X-Slack-Signature": "v0=abc", "X-Slack-Request-Timestamp": "soon"}, 400),
        ({"X-Slack-Signature": "v0=abc", "X-Slack-Request-Timestamp": "9" * 5000}, 400),
    ],
)
async def test_unsigned_or_oddly_stamped_slack_posts_are_refused_unread(
    app_client, headers, status
):
    client, calls = app_client
    response = await client.post("/slack/events", content=b"payload=%7B%7D", headers=headers)
    assert response.status_code == status
    assert calls == []


async def test_a_bad_content_length_is_a_clear_error(app_client):
    client, _ = app_client
    response = await client.post(
        "/slack/events", content=b"a", headers={**SIGNED, "Content-Length": "1e9"}
    )
    assert response.status_code == 400


FORM = {**SIGNED, "Content-Type": "application/x-www-form-urlencoded"}
JSON_BODY = {**SIGNED, "Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"\x00\xff\xfe garbage", FORM),
        (b"[]", JSON_BODY),
        (b"5", JSON_BODY),
        (b"payload=not-json", FORM),
        (b'payload={"type": 5}', FORM),
        (b'payload={"type": "block_actions", "user": {"id": "U0X"}, "actions": []}', FORM),
        (b'payload={"type": "block_actions", "user": {}, "actions": [{"action_id": "a"}]}', FORM),
        (b'payload={"type": "view_submission", "user": {"id": "U0X"}, "view": 5}', FORM),
        (b'payload={"type": "shortcut", "user": {"id": "U0X"}, "callback_id": null}', FORM),
        (b'payload={"type": "view_submission", "user": {"id": "U0X"}, "view": {"state": 5}}', FORM),
        (
            b'payload={"type": "view_submission", "user": {"id": "U0X"}, '
            b'"view": {"state": {"values": 5}}}',
            FORM,
        ),
        (
            b'payload={"type": "block_actions", "user": {"id": "U0X"}, '
            b'"actions": [{"action_id": "a", "value": "\\ud800"}]}',
            FORM,
        ),
    ],
)
async def test_signed_requests_that_cannot_be_slacks_are_a_400_not_a_500(app_client, body, headers):
    client, calls = app_client
    response = await client.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 400
    assert calls == []


async def test_a_well_formed_slack_request_reaches_slack_bolt(app_client):
    client, calls = app_client
    payload = (
        b'payload={"type": "block_actions", "user": {"id": "U0X"}, '
        b'"actions": [{"action_id": "ticket.claim"}]}'
    )
    for body, headers in ((payload, FORM), (b'{"type": "url_verification"}', JSON_BODY)):
        response = await client.post("/slack/events", content=body, headers=headers)
        assert response.status_code == 200
    assert len(calls) == 2
