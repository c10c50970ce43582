"""`livedesk db upgrade`: create or upgrade the schema."""

from __future__ import annotations

import argparse
from typing import Any

from bot.bootstrap import settings_for
from core.storage.db import Database


def register(sub: Any) -> None:
    parser = sub.add_parser("db", help="database schema")
    inner = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    inner.add_parser("upgrade", help="create or upgrade the schema to this version").set_defaults(
        handler=upgrade
    )
    inner.add_parser("status", help="show the schema version").set_defaults(handler=status)


def upgrade(args: argparse.Namespace) -> int:
    db = Database(settings_for(args).database_url())
    try:
        db.upgrade()
        print(f"schema is at {db.current_revision()} (head)")
    finally:
        db.dispose()
    return 0


def status(args: argparse.Namespace) -> int:
    db = Database(settings_for(args).database_url())
    try:
        current, head = db.current_revision(), db.head_revision()
        state = "up to date" if current == head else "out of date: run `livedesk db upgrade`"
        print(f"schema {current or 'absent'}, code expects {head}: {state}")
        return 0 if current == head else 1
    finally:
        db.dispose()
