"""The one HTTP server of `livedesk run`: its routes, the Telegram webhook, Slack events."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.http.health import healthz, readiness
from core.storage.db import Database

if TYPE_CHECKING:
    from bot.telegram.adapter import TelegramAdapter

log = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]
TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_WEBHOOK_BYTES = 1024 * 1024


def build_http_app(
    db: Database,
    telegram: TelegramAdapter | None = None,
    telegram_secret: str | None = None,
    slack: Endpoint | None = None,
    metrics: Callable[[], bytes] | None = None,
) -> Starlette:
    async def telegram_webhook(request: Request) -> Response:
        if telegram is None or not telegram.webhook:
            return JSONResponse({"ok": False, "error": "telegram webhook is not enabled"}, 404)
        given = request.headers.get(TELEGRAM_SECRET_HEADER, "")
        if not telegram_secret or not hmac.compare_digest(given, telegram_secret):
            log.warning("telegram webhook call with a wrong secret token refused")
            return JSONResponse({"ok": False, "error": "forbidden"}, 401)
        body = await request.body()
        if len(body) > MAX_WEBHOOK_BYTES:
            return JSONResponse({"ok": False, "error": "too large"}, 413)
        try:
            update = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return JSONResponse({"ok": False, "error": "body is not JSON"}, 400)
        if not isinstance(update, dict) or "update_id" not in update:
            return JSONResponse({"ok": False, "error": "not a Telegram update"}, 400)
        # Answered only once handled: the update is durable before Telegram hears 200.
        await telegram.process_webhook(update)
        return JSONResponse({"ok": True})

    async def slack_events(request: Request) -> Response:
        if slack is None:
            return JSONResponse({"ok": False, "error": "slack http mode is not enabled"}, 404)
        return await slack(request)

    async def metrics_page(_: Request) -> Response:
        if metrics is None:
            return PlainTextResponse("", status_code=404)
        body = await asyncio.to_thread(metrics)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        routes=[
            Route("/metrics", metrics_page, methods=["GET"]),
            Route("/telegram", telegram_webhook, methods=["POST"]),
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readiness(db), methods=["GET"]),
        ]
    )
