"""`livedesk run`: the serving process. Builds the runtime through the
bootstrap, starts it, serves HTTP until SIGTERM or Ctrl-C, then stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator

import uvicorn

from bot.bootstrap import build_runtime
from core.config import Settings
from core.errors import ConfigError, LiveDeskError

log = logging.getLogger(__name__)


class StartupError(LiveDeskError):
    """Start-up found a problem; the message names it."""


class _Server(uvicorn.Server):
    """SIGTERM and Ctrl-C end the server gracefully, and then LiveDesk stops its
    adapters and closes the database. (uvicorn itself re-raises the signal once
    it has stopped, which would kill the process before that cleanup.)
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._on_signal)
        try:
            yield
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    def _on_signal(self) -> None:
        if self.should_exit:
            self.force_exit = True  # a second signal: stop waiting for requests
        self.should_exit = True


async def run_service(settings: Settings) -> None:
    missing = settings.missing_secrets()
    if missing:
        names = ", ".join(f"{key} ({why})" for key, why in missing)
        raise ConfigError(f"cannot start: missing {names}")
    runtime = build_runtime(settings)
    try:
        from slack_sdk.errors import SlackApiError
        from telegram.error import InvalidToken, TelegramError

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
        await _Server(config).serve()
        log.info("livedesk stopping: adapters, scheduler, database")
    finally:
        await runtime.stop()
