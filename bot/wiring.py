"""The composition root: builds everything from the configuration.

Nothing is built at import time; each entry point calls these functions.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from core.config import Settings, load_settings
from core.storage.db import Database
from core.tickets import TicketService


@dataclass
class Services:
    settings: Settings
    db: Database
    tickets: TicketService

    def close(self) -> None:
        self.db.dispose()


def settings_for(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


def build_services(settings: Settings, *, check_schema: bool = True) -> Services:
    db = Database(settings.database_url())
    if check_schema:
        try:
            db.check_schema()
        except Exception:
            db.dispose()
            raise
    return Services(settings=settings, db=db, tickets=TicketService(db, settings))
