"""The composition root: builds everything from the configuration, in one place.

Nothing is built at import time; each entry point calls these functions. The
clock is chosen here (the system clock, or the one a test gives) and handed to
everything that needs "now"; the attachment store is built once; callbacks are
given to the objects that call them when those objects are built.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.clock import SystemClock
from core.config import Settings, load_settings
from core.incidents.service import IncidentService
from core.ports import AttachmentStore, Clock
from core.sla.planner import SlaPlanner
from core.storage.db import Database
from core.tickets import TicketService

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from bot.telegram.adapter import TelegramAdapter
    from core.conversation import ConversationEngine
    from core.outbox import OutboxDispatcher
    from kb.matcher import Matcher

OnNewTimer = Callable[[], None]


@dataclass
class Services:
    settings: Settings
    db: Database
    tickets: TicketService
    incidents: IncidentService

    def close(self) -> None:
        self.db.dispose()


@dataclass
class Intake:
    services: Services
    kb: Matcher
    attachments: AttachmentStore
    engine: ConversationEngine


def settings_for(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


def clock_for(args: argparse.Namespace) -> Clock:
    """The clock of a CLI command: the one `bot.cli.main` was given, else the system's."""
    clock: Clock | None = getattr(args, "clock", None)
    return clock or SystemClock()


def build_services(
    settings: Settings, *, check_schema: bool = True, on_new_timer: OnNewTimer | None = None
) -> Services:
    """The database and the ticket service. `on_new_timer` is called after every
    commit that added an SLA timer (the scheduler then looks again).
    """
    db = Database(settings.database_url())
    if check_schema:
        try:
            db.check_schema()
        except Exception:
            db.dispose()
            raise
    planner = SlaPlanner(settings, on_new_timer=on_new_timer)
    tickets = TicketService(db, settings, planner)
    return Services(
        settings=settings, db=db, tickets=tickets, incidents=IncidentService(db, tickets)
    )


def build_kb(settings: Settings, db: Database) -> Matcher:
    from core.storage.feedback import SqlFeedbackStore
    from kb.loader import load_articles
    from kb.matcher import Matcher

    directory = Path(settings.kb.path) if settings.kb.path else None
    return Matcher(load_articles(directory), SqlFeedbackStore(db))


def build_attachments(settings: Settings) -> AttachmentStore:
    from core.storage.files import DirectoryAttachmentStore

    return DirectoryAttachmentStore(Path(settings.storage.data_dir) / "attachments")


def build_intake(
    settings: Settings,
    services: Services | None = None,
    *,
    on_new_timer: OnNewTimer | None = None,
) -> Intake:
    """Everything a conversation needs: services, knowledge base, attachments, engine."""
    # Imported here: commands that only read tickets never load the intake.
    from core.conversation import ConversationEngine, IntakeSettings
    from core.triage import classify

    services = services or build_services(settings, on_new_timer=on_new_timer)
    kb = build_kb(settings, services.db)
    attachments = build_attachments(settings)
    limits = settings.intake
    engine = ConversationEngine(
        db=services.db,
        tickets=services.tickets,
        kb=kb,
        classify=classify,
        attachments=attachments,
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
            first_response=settings.sla.first_response,
            reopen_within=settings.followup.reopen_within,
        ),
    )
    return Intake(services=services, kb=kb, attachments=attachments, engine=engine)


def worker_engine(settings: Settings, on_new_timer: OnNewTimer | None = None) -> ConversationEngine:
    """The conversation engine of a worker process (bot.worker), built as this
    process builds its own.
    """
    return build_intake(settings, on_new_timer=on_new_timer).engine


def build_telegram_outbox(
    settings: Settings,
    services: Services,
    telegram: TelegramAdapter,
    clock: Clock,
    attachments: AttachmentStore,
) -> OutboxDispatcher:
    """The dispatcher that sends the outbox's Telegram messages at `[telegram]
    max_messages_per_second`, through the adapter's bot (usable once it started).

    Its worker id is unique per process: after a restart the rows the previous
    process held are claimable once their lease ran out, and a late answer
    from that process is refused.
    """
    from bot.telegram.sender import TelegramSender
    from core.outbox import DispatchPolicy, OutboxDispatcher, SqlOutbox, TokenBucket

    limits = settings.telegram
    dispatcher = OutboxDispatcher(
        SqlOutbox(services.db),
        TelegramSender(telegram.app.bot, telegram.metrics, attachments),
        clock,
        TokenBucket(limits.max_messages_per_second, limits.burst, clock.now()),
        channel="telegram",
        worker_id=f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}",
        policy=DispatchPolicy.from_settings(settings.outbox),
    )
    # Incident updates enqueue for every reporter; the dispatcher looks at once.
    services.incidents.on_enqueued = dispatcher.wake
    return dispatcher


def build_runtime(settings: Settings, *, clock: Clock | None = None) -> Runtime:
    """Everything `livedesk run` runs: the enabled adapters, the conversation
    worker, the SLA scheduler, the follow-up sweep and the HTTP app.

    Built in the order the parts need each other: the agents' side (Slack's
    notifier) first, then the chat adapter that tells it what users did, then
    the reporters' side that Slack's agents reply through. Each platform's
    libraries are imported only when it is enabled: they are most of the
    start-up time.
    """
    from bot.http.metrics import Metrics
    from bot.runtime import AgentDesk, ReporterChannels, Runtime
    from bot.worker import ThreadWorker, WorkerProcess
    from core.relay import RelayQueue, TicketRelay
    from core.sla.scheduler import SlaScheduler, WakeUp

    clock = clock or SystemClock()
    wake_up = WakeUp()
    worker: WorkerProcess | None = None
    if settings.telegram.enabled and settings.server.engine_process:
        # First: the worker builds its engine while this process builds the rest.
        worker = WorkerProcess(settings, worker_engine, on_new_timer=wake_up.ring)
    try:
        intake = build_intake(settings, on_new_timer=wake_up.ring)
    except BaseException:
        if worker is not None:
            worker.kill()
        raise
    if worker is not None:
        # Given now, not to the constructor: the worker was started before this
        # engine existed, so that both build at the same time.
        worker.fallback = ThreadWorker(intake.engine)
    services = intake.services
    # Telegram has an outbox dispatcher (below): agents' replies to its users are
    # queued with the reply itself.
    queue = (
        RelayQueue({"telegram"}, settings.outbox.expire_after)
        if settings.telegram.enabled
        else None
    )
    relay = TicketRelay(services.db, services.tickets.planner, queue)
    metrics = Metrics(services.db)

    slack_parts = None
    if settings.slack.enabled:
        from bot.slack.notifier import SlackNotifier
        from bot.slack.workspace import Workspace
        from core.outbox import SqlOutbox

        workspace = Workspace(
            settings=settings,
            db=services.db,
            tickets=services.tickets,
            relay=relay,
            kb=intake.kb,
            clock=clock,
            incidents=services.incidents,
            # The incident card's "update sent to N of M".
            progress=SqlOutbox(services.db).progress,
        )
        slack_parts = (workspace, SlackNotifier(workspace, intake.attachments))
    agents = AgentDesk(services.tickets, metrics, slack_parts[1] if slack_parts else None)

    telegram = None
    if settings.telegram.enabled:
        from bot.telegram.adapter import TelegramAdapter

        token = settings.secrets.telegram_token
        assert token is not None
        telegram = TelegramAdapter(
            settings,
            intake.engine,
            token.get_secret_value(),
            clock=clock,
            agents=agents,
            metrics=metrics,
            runner=worker,
        )
    reporters = ReporterChannels({"telegram": telegram} if telegram is not None else {})
    outbox = (
        build_telegram_outbox(settings, services, telegram, clock, intake.attachments)
        if telegram
        else None
    )

    slack = None
    if slack_parts is not None:
        from bot.slack.adapter import SlackAdapter

        slack = SlackAdapter(*slack_parts, users=reporters)
    scheduler = SlaScheduler(
        services.db,
        services.tickets,
        clock,
        instance=f"{socket.gethostname()}:{os.getpid()}",
        agents=agents,
        poll=settings.escalation.poll_interval,
        wake_up=wake_up,
    )
    return Runtime(
        settings=settings,
        intake=intake,
        clock=clock,
        metrics=metrics,
        agents=agents,
        scheduler=scheduler,
        telegram=telegram,
        slack=slack,
        worker=worker,
        outbox=outbox,
    )
