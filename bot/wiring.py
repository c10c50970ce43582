"""The composition root: builds everything from the configuration.

Nothing is built at import time; each entry point calls these functions.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.config import Settings, load_settings
from core.storage.db import Database
from core.tickets import TicketService

if TYPE_CHECKING:
    from core.conversation import ConversationEngine
    from kb.matcher import Matcher


@dataclass
class Services:
    settings: Settings
    db: Database
    tickets: TicketService

    def close(self) -> None:
        self.db.dispose()


@dataclass
class Intake:
    services: Services
    kb: Matcher
    engine: ConversationEngine


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


def build_kb(settings: Settings, db: Database) -> Matcher:
    from core.storage.feedback import SqlFeedbackStore
    from kb.loader import load_articles
    from kb.matcher import Matcher

    directory = Path(settings.kb.path) if settings.kb.path else None
    return Matcher(load_articles(directory), SqlFeedbackStore(db))


def build_intake(settings: Settings, services: Services | None = None) -> Intake:
    # Imported here: commands that only read tickets never load the intake.
    from core.conversation import ConversationEngine, IntakeSettings
    from core.storage.files import DirectoryAttachmentStore
    from core.triage import classify

    services = services or build_services(settings)
    kb = build_kb(settings, services.db)
    limits = settings.intake
    engine = ConversationEngine(
        db=services.db,
        tickets=services.tickets,
        kb=kb,
        classify=classify,
        attachments=DirectoryAttachmentStore(Path(settings.storage.data_dir) / "attachments"),
        settings=IntakeSettings(
            timezone=settings.i18n.zone(),
            default_language=settings.i18n.default_language,
            confidence_threshold=limits.confidence_threshold,
            kb_limit=limits.kb_limit,
            max_message_chars=limits.max_message_chars,
            max_attachment_bytes=limits.max_attachment_mb * 1024 * 1024,
            max_attachments=limits.max_attachments,
            flood_messages=limits.flood_messages,
            flood_window=limits.flood_window,
        ),
    )
    return Intake(services=services, kb=kb, engine=engine)


def worker_engine(settings: Settings) -> ConversationEngine:
    """The conversation engine of a worker process (bot.engine_runner)."""
    return build_intake(settings).engine
