"""`livedesk chat`: talk to LiveDesk in the terminal, no tokens, no network."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.bootstrap import build_intake, clock_for, settings_for
from bot.console.adapter import ConsoleChat
from bot.console.outbox import ConsoleOutbox
from core.outbox import SqlOutbox
from core.storage.db import Database


def register(sub: Any) -> None:
    parser = sub.add_parser("chat", help="report a problem in the terminal (console adapter)")
    parser.add_argument("--user", default="console-user", help="who you are (default console-user)")
    parser.add_argument("--lang", choices=["zh", "en"], help="reply language")
    parser.set_defaults(handler=chat)


def chat(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    Database(settings.database_url()).upgrade()  # the embedded database needs no setup step
    intake = build_intake(settings)
    interactive = sys.stdin.isatty()
    clock = clock_for(args)
    console = ConsoleChat(
        intake.engine,
        sys.stdout,
        user=args.user,
        language=args.lang,
        clock=clock,
        # No dispatcher serves the console: the chat prints its own queued messages.
        outbox=ConsoleOutbox(SqlOutbox(intake.services.db), clock),
    )

    def prompt() -> None:
        sys.stdout.write("you> ")
        sys.stdout.flush()

    try:
        if interactive:
            print("LiveDesk console. Type your problem; /help for commands; Ctrl-D to quit.")
            console.turn("/start")
        console.run(sys.stdin, prompt if interactive else None)
    finally:
        intake.services.close()
    return 0
