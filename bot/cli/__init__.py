"""The `livedesk` command line.

One module per command group in this package; each has `register(subparsers)`, which
adds its parser and sets `handler=function(args) -> exit code`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from bot.cli import analytics, audit, chat, config, db, kb, run, tickets, triage
from core.errors import LiveDeskError
from core.ports import Clock

COMMAND_MODULES: list[ModuleType] = [config, db, audit, tickets, analytics, chat, run, triage, kb]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="livedesk",
        description="LiveDesk: complaint handling for live-streaming platforms.",
    )
    parser.add_argument(
        "-c",
        "--config",
        default="livedesk.toml",
        help="configuration file (default: ./livedesk.toml; built-in defaults if absent)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    _accept_config_after_command(parser)
    return parser


def _accept_config_after_command(parser: argparse.ArgumentParser) -> None:
    """`livedesk run -c FILE` as well as `livedesk -c FILE run`: every command
    takes -c too (SUPPRESS keeps the top-level value when it is not given).
    """
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in set(action.choices.values()):
                if not any("--config" in a.option_strings for a in child._actions):
                    child.add_argument(
                        "-c", "--config", default=argparse.SUPPRESS, help="configuration file"
                    )
                _accept_config_after_command(child)


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    """Runs one command; `clock` stands in for the system clock (tests)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.clock = clock
    try:
        code: int = args.handler(args)
    except LiveDeskError as err:
        print(f"livedesk: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code
