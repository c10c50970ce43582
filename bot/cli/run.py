"""`livedesk run`: the service."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from typing import Any

from bot.bootstrap import settings_for
from bot.logging_setup import configure_logging


def register(sub: Any) -> None:
    parser = sub.add_parser("run", help="run the service (Telegram, Slack, HTTP server)")
    parser.add_argument("--log-json", action="store_true", help="JSON log lines")
    parser.add_argument("--debug", action="store_true", help="debug logging")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # python-telegram-bot 22 reports retry_after as a timedelta only when asked to.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    settings = settings_for(args)
    configure_logging(
        settings, level=logging.DEBUG if args.debug else logging.INFO, json_lines=args.log_json
    )
    from bot.service import run_service  # the adapters' libraries load only for `run`

    asyncio.run(run_service(settings))
    return 0
