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
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.http.health import healthz, readiness
from bot.http.limits import BodyLimit
from bot.http.slack_shape import slack_body_problem
from bot.http.updates import UpdateNotStoredError, is_update_id, log_once, update_problem
from core.storage.db import Database

if TYPE_CHECKING:
    from bot.telegram.adapter import TelegramAdapter

log = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]
TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SLACK_SIGNATURE_HEADER = "X-Slack-Signature"
SLACK_TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"


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
        try:
            update = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            return JSONResponse({"ok": False, "error": "body is not JSON"}, 400)
        if not isinstance(update, dict) or not is_update_id(update.get("update_id")):
            return JSONResponse({"ok": False, "error": "not a Telegram update"}, 400)
        problem = update_problem(update)
        if problem is not None:
            # Authenticated but impossible: a 4xx or 5xx would make Telegram send
            # it again and again. Answered 200 and dropped, and said once.
            log_once(problem)
            return JSONResponse({"ok": True, "ignored": problem})
        # Answered only once handled: the update is durable before Telegram hears 200.
        try:
            await telegram.process_webhook(update)
        except UpdateNotStoredError:
            # Not stored (the database is away): any non-2xx makes Telegram send it again.
            return JSONResponse(
                {"ok": False, "error": "not stored yet, send it again"},
                503,
                headers={"Retry-After": "5"},
            )
        return JSONResponse({"ok": True})

    async def slack_events(request: Request) -> Response:
        if slack is None:
            return JSONResponse({"ok": False, "error": "slack http mode is not enabled"}, 404)
        # Refused before the body is read: nothing unsigned is worth reading.
        stamp = request.headers.get(SLACK_TIMESTAMP_HEADER, "")
        if not request.headers.get(SLACK_SIGNATURE_HEADER) or not stamp:
            return JSONResponse({"ok": False, "error": "unsigned request"}, 401)
        if not stamp.isdigit() or len(stamp) > 12:
            return JSONResponse({"ok": False, "error": "bad request timestamp"}, 400)
        # Read here (within the body limit) and kept by Starlette for slack-bolt.
        problem = slack_body_problem(await request.body(), request.headers.get("content-type", ""))
        if problem is not None:
            log_once(f"slack: {problem}")
            return JSONResponse({"ok": False, "error": problem}, 400)
        response = await slack(request)
        if response.status_code == 401:
            log_once("slack: a request with an invalid signature (is the signing secret current?)")
        return response

    async def metrics_page(_: Request) -> Response:
        if metrics is None:
            return PlainTextResponse("", status_code=404)
        body = await asyncio.to_thread(metrics)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        middleware=[Middleware(BodyLimit)],
        routes=[
            Route("/metrics", metrics_page, methods=["GET"]),
            Route("/telegram", telegram_webhook, methods=["POST"]),
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readiness(db), methods=["GET"]),
        ],
    )
