"""`livedesk run`: every enabled adapter and the HTTP server in one event loop."""

from __future__ import annotations

import logging

import uvicorn
from slack_sdk.errors import SlackApiError
from telegram.error import InvalidToken, TelegramError

from bot.runtime import Runtime
from core.config import Settings
from core.errors import ConfigError, LiveDeskError

log = logging.getLogger(__name__)


class StartupError(LiveDeskError):
    """Start-up found a problem; the message names it."""


async def run_service(settings: Settings) -> None:
    missing = settings.missing_secrets()
    if missing:
        names = ", ".join(f"{key} ({why})" for key, why in missing)
        raise ConfigError(f"cannot start: missing {names}")
    runtime = Runtime(settings)
    try:
        try:
            await runtime.start()
        except InvalidToken:
            raise StartupError("Telegram refused the bot token (getMe failed)") from None
        except TelegramError as err:
            what = "webhook not accepted" if settings.telegram.mode == "webhook" else "start-up"
            raise StartupError(f"Telegram {what}: {err}") from None
        except SlackApiError as err:
            raise StartupError(f"Slack start-up failed: {err.response.get('error')}") from None
        config = uvicorn.Config(
            runtime.http_app(),
            host=settings.server.host,
            port=settings.server.port,
            log_config=None,
            access_log=False,
            lifespan="off",
            # SIGTERM: stop accepting, let requests in flight finish, then the
            # runtime stops the adapters and closes the database.
            timeout_graceful_shutdown=5,
        )
        log.info("livedesk serving on %s:%s", settings.server.host, settings.server.port)
        await uvicorn.Server(config).serve()
    finally:
        await runtime.stop()
