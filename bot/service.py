"""`livedesk run`: every enabled adapter and the HTTP server in one event loop."""

from __future__ import annotations

import logging

import uvicorn
from telegram.error import InvalidToken, TelegramError

from bot.http_server import build_http_app
from bot.telegram_adapter import TelegramAdapter
from bot.wiring import build_intake
from core.config import Settings
from core.errors import ConfigError, LiveDeskError

log = logging.getLogger(__name__)


class StartupError(LiveDeskError):
    """Start-up found a problem; the message names it."""


async def run_service(settings: Settings, server_config: dict[str, object] | None = None) -> None:
    missing = settings.missing_secrets()
    if missing:
        names = ", ".join(f"{key} ({why})" for key, why in missing)
        raise ConfigError(f"cannot start: missing {names}")
    intake = build_intake(settings)
    telegram: TelegramAdapter | None = None
    secret: str | None = None
    try:
        if settings.telegram.enabled:
            token = settings.secrets.telegram_token
            assert token is not None
            telegram = TelegramAdapter(settings, intake.engine, token.get_secret_value())
            if settings.secrets.telegram_webhook_secret:
                secret = settings.secrets.telegram_webhook_secret.get_secret_value()
            try:
                await telegram.start()
            except InvalidToken:
                raise StartupError("Telegram refused the bot token (getMe failed)") from None
            except TelegramError as err:
                raise StartupError(f"Telegram start-up failed: {err}") from None
        app = build_http_app(intake.services.db, telegram, secret)
        config = uvicorn.Config(
            app,
            host=settings.server.host,
            port=settings.server.port,
            log_config=None,
            access_log=False,
            lifespan="off",
            **(server_config or {}),  # type: ignore[arg-type]
        )
        log.info("livedesk serving on %s:%s", settings.server.host, settings.server.port)
        await uvicorn.Server(config).serve()
    finally:
        if telegram is not None:
            await telegram.stop()
        intake.services.close()
