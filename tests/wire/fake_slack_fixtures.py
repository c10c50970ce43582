"""Fixtures and helpers for wire tests against bot.sandbox.slack.server.

Import what you use explicitly (there is deliberately no conftest here):

    from tests.wire.fake_slack_fixtures import fake_slack, make_bolt_app, serve_bolt
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.aiohttp import SocketModeClient

from bot.sandbox.slack.server import FakeSlack

PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)
BOLT_PATH = "/slack/events"


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's or CI's proxy settings away from 127.0.0.1 traffic.

    slack_sdk reads HTTPS_PROXY/HTTP_PROXY itself (ignoring NO_PROXY) in AsyncWebClient,
    the webhook client behind bolt's respond() and the Socket Mode client, so they are
    removed rather than merely bypassed.
    """
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
async def fake_slack(loopback_only: None) -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


def make_bolt_app(fake: FakeSlack, **options: Any) -> AsyncApp:
    """A real bolt AsyncApp that calls the fake's Web API and trusts its signatures.

    process_before_response=True by default so an acknowledged delivery means the
    listener has finished: tests then need no polling for its side effects.
    """
    options.setdefault("process_before_response", True)
    return AsyncApp(client=fake.web_client(), signing_secret=fake.config.signing_secret, **options)


@contextlib.asynccontextmanager
async def serve_bolt(app: AsyncApp, fake: FakeSlack | None = None) -> AsyncIterator[str]:
    """Serve `app` with bolt's own aiohttp adapter on 127.0.0.1; yields the events URL.

    With `fake`, the fake's HTTP deliveries are pointed at the app for the duration.
    """
    # A short shutdown grace keeps a failing test (a listener stuck forever) from hanging.
    runner = web.AppRunner(app.web_app(path=BOLT_PATH, port=0), access_log=None, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}{BOLT_PATH}"
    if fake is not None:
        fake.app_url = url
    try:
        yield url
    finally:
        if fake is not None:
            fake.app_url = None
        await runner.cleanup()


@pytest.fixture
async def bolt_app(fake_slack: FakeSlack) -> AsyncIterator[AsyncApp]:
    """A bolt app already served over HTTP and registered as the fake's app URL."""
    app = make_bolt_app(fake_slack)
    async with serve_bolt(app, fake_slack):
        yield app


@pytest.fixture
async def socket_mode_client(fake_slack: FakeSlack) -> AsyncIterator[SocketModeClient]:
    """slack_sdk's aiohttp Socket Mode client bound to the fake (not yet connected)."""
    client = SocketModeClient(
        app_token=fake_slack.config.app_token,
        web_client=fake_slack.web_client(),
        auto_reconnect_enabled=False,
    )
    client.proxy = None
    try:
        yield client
    finally:
        await client.close()
        # close() cancels its background tasks without waiting; reap them here so none
        # outlives the test's event loop.
        tasks = [client.message_processor, client.current_session_monitor, client.message_receiver]
        await asyncio.gather(*(t for t in tasks if t is not None), return_exceptions=True)
