"""Everything `livedesk run` runs, wired together: adapters, notifications, sweeps.

Tests build a Runtime against the fake servers; `livedesk run` adds the HTTP
server and signal handling around it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.applications import Starlette

from bot.bootstrap import Intake, build_intake
from bot.http.metrics import Metrics
from bot.http.server import build_http_app
from bot.worker import ThreadWorker
from core.clock import SystemClock
from core.config import Settings
from core.conversation import (
    ArticlesOffered,
    HandleResult,
    SelfServiceResolved,
    TicketCreated,
)
from core.relay import Outbound, TicketRelay
from core.sla.scheduler import Fired, SlaScheduler
from core.storage.files import DirectoryAttachmentStore

if TYPE_CHECKING:
    from bot.slack.adapter import SlackAdapter
    from bot.telegram.adapter import TelegramAdapter
    from bot.worker import WorkerProcess

log = logging.getLogger(__name__)

SWEEP_SECONDS = 60.0


class Runtime:
    def __init__(self, settings: Settings, intake: Intake | None = None) -> None:
        self.settings = settings
        self.runner: WorkerProcess | None = None
        if settings.telegram.enabled and settings.server.engine_process:
            from bot.bootstrap import worker_engine
            from bot.worker import WorkerProcess

            # First: the worker builds its engine while this process builds the rest.
            self.runner = WorkerProcess(
                settings, worker_engine, on_new_timer=lambda: self.scheduler.wake()
            )
        try:
            self.intake = intake or build_intake(settings)
        except BaseException:
            if self.runner is not None:
                self.runner.kill()
            raise
        if self.runner is not None:
            self.runner.fallback = ThreadWorker(self.intake.engine)
        services = self.intake.services
        self.relay = TicketRelay(services.db, services.tickets.planner)
        self.metrics = Metrics(services.db)
        attachments = DirectoryAttachmentStore(Path(settings.storage.data_dir) / "attachments")
        self.telegram: TelegramAdapter | None = None
        self.slack: SlackAdapter | None = None
        # Each platform's libraries are imported only when it is enabled: they
        # are most of the start-up time.
        if settings.telegram.enabled:
            from bot.telegram.adapter import TelegramAdapter

            token = settings.secrets.telegram_token
            assert token is not None
            self.telegram = TelegramAdapter(
                settings,
                self.intake.engine,
                token.get_secret_value(),
                on_result=self.on_result,
                metrics=self.metrics,
                runner=self.runner,
            )
        if settings.slack.enabled:
            from bot.slack.adapter import SlackAdapter
            from bot.slack.workspace import Core

            core = Core(
                settings=settings,
                db=services.db,
                tickets=services.tickets,
                relay=self.relay,
                engine=self.intake.engine,
                kb=self.intake.kb,
                deliver=self.deliver,
            )
            self.slack = SlackAdapter(core, attachments)
        self._sweeper: asyncio.Task[None] | None = None
        self.scheduler = SlaScheduler(
            services.db,
            services.tickets,
            SystemClock(),
            instance=f"{socket.gethostname()}:{os.getpid()}",
            notify=self._sla_fired,
            poll=settings.escalation.poll_interval,
        )
        services.tickets.planner.on_new_timer = self.scheduler.wake
        self._scheduler_task: asyncio.Task[None] | None = None

    async def _sla_fired(self, fired: Fired) -> None:
        self.metrics.sla_events.labels(fired.kind).inc()
        log.info("SLA %s fired for %s", fired.kind, fired.ref, extra={"ticket": fired.ref})
        if self.slack is not None:
            await self.slack.notifier.sla_fired(fired)

    async def deliver(self, outbound: Outbound) -> None:
        """Send replies to a ticket's reporter on the channel the report came from."""
        if outbound.channel == "telegram" and self.telegram is not None:
            await self.telegram.send(outbound.chat_id, outbound.replies)
        else:
            log.warning(
                "no adapter for channel %s; reply kept on the ticket only",
                outbound.channel,
                extra={"ticket": outbound.ref},
            )

    async def on_result(self, result: HandleResult) -> None:
        """What the conversation did: counted, and told to the agents."""
        for event in result.events:
            if isinstance(event, TicketCreated):
                ticket = await asyncio.to_thread(self.intake.services.tickets.get, event.ref)
                self.metrics.tickets_created.labels(ticket.priority).inc()
                log.info("ticket created", extra={"ticket": event.ref, "priority": ticket.priority})
            elif isinstance(event, SelfServiceResolved):
                self.metrics.self_service.inc()
            elif isinstance(event, ArticlesOffered):
                self.metrics.kb_offers.inc(len(event.article_ids))
        if self.slack is not None and result.events:
            await self.slack.notifier.handle(list(result.events))

    def http_app(self) -> Starlette:
        secret = self.settings.secrets.telegram_webhook_secret
        return build_http_app(
            self.intake.services.db,
            self.telegram,
            secret.get_secret_value() if secret else None,
            # Only HTTP mode verifies signatures; in Socket Mode the route stays closed.
            slack=(
                self.slack.http_endpoint
                if self.slack is not None and self.settings.slack.mode == "http"
                else None
            ),
            metrics=self.metrics.render,
        )

    async def start(self, *, poll_timeout: float = 30.0) -> None:
        if self.runner is not None:
            self.runner.attach()
        if self.slack is not None:
            await self.slack.start()
        if self.telegram is not None:
            await self.telegram.start(poll_timeout=poll_timeout)
        # Everything built so far (models, indexes, libraries) lives as long as
        # the process: keep it out of the collector's full passes, which
        # otherwise stall the event loop for tens of milliseconds. Collected
        # first, so that start-up's garbage is freed rather than frozen.
        gc.collect()
        gc.freeze()
        self._sweeper = asyncio.create_task(self._sweep(), name="livedesk-sweeper")
        self._scheduler_task = asyncio.create_task(self.scheduler.run(), name="livedesk-sla")

    async def stop(self) -> None:
        for task in (self._sweeper, self._scheduler_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.telegram is not None:
            await self.telegram.stop()
        if self.slack is not None:
            await self.slack.stop()
        if self.runner is not None:
            await self.runner.aclose()
        self.intake.services.close()

    async def sweep_once(self, now: datetime) -> list[str]:
        closed = await asyncio.to_thread(self.intake.services.tickets.auto_close_due, now)
        for ref in closed:
            if self.slack is not None:
                await self.slack.notifier.refresh(ref)
        return closed

    async def _sweep(self) -> None:
        while True:
            try:
                await self.sweep_once(datetime.now(UTC))
            except Exception:
                log.exception("follow-up sweep failed; retrying later")
            await asyncio.sleep(SWEEP_SECONDS)
