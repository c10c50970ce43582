"""What `livedesk run` runs, once the bootstrap has built it: the adapters, the
SLA scheduler, the follow-up sweep and the HTTP server, started and stopped in order.

Also the two places where the chat side and the agent side meet: `ReporterChannels`
sends replies to a ticket's reporter on the channel the report came from, and
`AgentDesk` counts what happened and tells the agents.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from starlette.applications import Starlette

from bot.http.metrics import Metrics
from bot.http.server import build_http_app
from bot.telegram.queued import ReplyOutbox
from core.config import Settings
from core.conversation import ArticlesOffered, SelfServiceResolved, TicketCreated
from core.conversation.messages import DomainEvent
from core.ports import AgentNotifier, Clock, UserNotifier
from core.relay import Outbound
from core.sla.scheduler import Fired, SlaScheduler
from core.storage.anchors import AnchorFile, anchor_due, take_anchor
from core.tickets import TicketService

if TYPE_CHECKING:
    from bot.bootstrap import Intake
    from bot.slack.adapter import SlackAdapter
    from bot.telegram.adapter import TelegramAdapter
    from bot.worker import WorkerProcess
    from core.outbox import OutboxDispatcher

log = logging.getLogger(__name__)

SWEEP_SECONDS = 60.0
# How long a stop waits for the outbox's message in flight before cancelling it.
OUTBOX_STOP_SECONDS = 10.0


class ReporterChannels:
    """A UserNotifier for every channel: picks the adapter of the report's channel."""

    def __init__(self, channels: Mapping[str, UserNotifier]) -> None:
        self.channels = dict(channels)

    async def deliver(self, outbound: Outbound) -> None:
        adapter = self.channels.get(outbound.channel)
        if adapter is None:
            log.warning(
                "no adapter for channel %s; reply kept on the ticket only",
                outbound.channel,
                extra={"ticket": outbound.ref},
            )
            return
        await adapter.deliver(outbound)


class AgentDesk:
    """The AgentNotifier the core and the chat adapters talk to: counts each
    event in the metrics and passes it to the agents' workspace, when one is enabled.
    """

    def __init__(
        self, tickets: TicketService, metrics: Metrics, agents: AgentNotifier | None
    ) -> None:
        self.tickets = tickets
        self.metrics = metrics
        self.agents = agents

    async def announce(self, events: Sequence[DomainEvent]) -> None:
        for event in events:
            if isinstance(event, TicketCreated):
                ticket = await asyncio.to_thread(self.tickets.get, event.ref)
                self.metrics.tickets_created.labels(ticket.priority).inc()
                log.info("ticket created", extra={"ticket": event.ref, "priority": ticket.priority})
            elif isinstance(event, SelfServiceResolved):
                self.metrics.self_service.inc()
            elif isinstance(event, ArticlesOffered):
                self.metrics.kb_offers.inc(len(event.article_ids))
        if self.agents is not None and events:
            await self.agents.announce(events)

    async def refresh(self, ref: str) -> None:
        if self.agents is not None:
            await self.agents.refresh(ref)

    async def sla_fired(self, fired: Fired) -> None:
        self.metrics.sla_events.labels(fired.kind).inc()
        # An incident's timers are the incident's: logged (and shown) under its ref.
        ref = fired.incident_ref or fired.ref
        log.info("SLA %s fired for %s", fired.kind, ref, extra={"ticket": ref})
        if self.agents is not None:
            await self.agents.sla_fired(fired)


class Runtime:
    """Tests build one against the fake servers (bot.bootstrap.build_runtime);
    `livedesk run` adds the HTTP server and signal handling around it.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        intake: Intake,
        clock: Clock,
        metrics: Metrics,
        agents: AgentDesk,
        scheduler: SlaScheduler,
        telegram: TelegramAdapter | None = None,
        slack: SlackAdapter | None = None,
        worker: WorkerProcess | None = None,
        outbox: OutboxDispatcher | None = None,
    ) -> None:
        self.settings = settings
        self.intake = intake
        self.clock = clock
        self.metrics = metrics
        self.agents = agents
        self.scheduler = scheduler
        self.telegram = telegram
        self.slack = slack
        self.worker = worker
        self.outbox = outbox
        if telegram is not None and outbox is not None:
            # Conversation replies and agents' replies go through the outbox too:
            # stored, then sent by the dispatcher (woken at once), retried, in order.
            telegram.outbox = ReplyOutbox(
                intake.services.db,
                channel=outbox.channel,
                clock=clock,
                expire_after=settings.outbox.expire_after,
                wake=outbox.wake,
            )
        self._outbox_task: asyncio.Task[None] | None = None
        self.anchors = AnchorFile(settings.audit.anchor_path(settings.storage.data_dir))
        self._sweeper: asyncio.Task[None] | None = None
        self._scheduler_task: asyncio.Task[None] | None = None

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
        if self.worker is not None:
            self.worker.attach()
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
        if self.outbox is not None:
            # After the adapter: it sends through the adapter's started bot. Rows
            # left pending by a previous process go out now; rows it held go
            # out once their lease has run out.
            self._outbox_task = asyncio.create_task(self.outbox.run(), name="livedesk-outbox")

    async def _stop_outbox(self) -> None:
        task, self._outbox_task = self._outbox_task, None
        if self.outbox is None or task is None:
            return
        # Finishes the message in flight and gives the rest of its batch back.
        self.outbox.stop()
        try:
            await asyncio.wait_for(task, OUTBOX_STOP_SECONDS)
        except TimeoutError:
            log.warning("outbox dispatcher did not stop in time; its claims expire with the lease")
        except Exception:
            log.exception("outbox dispatcher failed while stopping")

    async def stop(self) -> None:
        for task in (self._sweeper, self._scheduler_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._stop_outbox()
        if self.telegram is not None:
            await self.telegram.stop()
        if self.slack is not None:
            await self.slack.stop()
        if self.worker is not None:
            await self.worker.aclose()
        try:
            await self.anchor()
        except Exception:
            log.exception("could not save the audit anchor at shutdown")
        self.intake.services.close()

    async def sweep_once(self) -> list[str]:
        now = self.clock.now()
        closed = await asyncio.to_thread(self.intake.services.tickets.auto_close_due, now)
        for ref in closed:
            await self.agents.refresh(ref)
        if anchor_due(self.anchors, self.settings.audit.anchor_every, now):
            await self.anchor()
        return closed

    async def anchor(self) -> None:
        """The audit chain's head, kept outside the database (on schedule and at stop)."""
        db = self.intake.services.db
        anchor = await asyncio.to_thread(take_anchor, db, self.anchors, self.clock.now())
        log.info("audit anchor saved: event %s", anchor.seq)

    async def _sweep(self) -> None:
        while True:
            try:
                await self.sweep_once()
            except Exception:
                log.exception("follow-up sweep failed; retrying later")
            await asyncio.sleep(SWEEP_SECONDS)
