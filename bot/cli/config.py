"""`livedesk config check`: validate a configuration file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from core.config import load_settings
from core.errors import ConfigError


def register(sub: Any) -> None:
    parser = sub.add_parser("config", help="inspect the configuration")
    inner = parser.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = inner.add_parser("check", help="validate a configuration file and the environment")
    check.add_argument("file", nargs="?", help="file to check (default: the -c file)")
    check.set_defaults(handler=check_config)


def check_config(args: argparse.Namespace) -> int:
    path = Path(args.file or args.config)
    if not path.exists():
        print(f"{path}: no such file (LiveDesk would run on built-in defaults)")
        return 1
    try:
        settings = load_settings(path)
    except ConfigError as err:
        print(err)
        return 1
    missing = settings.missing_secrets()
    for key, reason in missing:
        print(f"  {key}: missing ({reason})")
    if missing:
        print(f"{path}: valid, but {len(missing)} required setting(s) are missing")
        return 1
    print(f"{path}: ok")
    return 0
