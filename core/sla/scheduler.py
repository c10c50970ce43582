"""Firing due timers: warnings, breaches and pages, exactly once.

The database is the truth. Each round locks the due rows it takes (FOR UPDATE
SKIP LOCKED on PostgreSQL, so several instances share the work without
overlap; SQLite serialises writers), marks them fired in the same transaction
that records the audit event and any escalation, and only then tells the
agents. A timer whose delivery was interrupted is delivered again later; its
firing is never repeated. The in-process timer only decides when to look.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from core.incidents.store import lead_ticket_ref
from core.ports import AgentNotifier, Clock
from core.sla.planner import next_due
from core.storage.audit_store import append_event
from core.storage.db import Database
from core.storage.incident_tables import IncidentRow
from core.storage.tables import SlaTimerRow, TicketRow
from core.taxonomy import Priority
from core.tickets import TicketService

log = logging.getLogger(__name__)

REDELIVER_AFTER = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Fired:
    timer_id: int
    ref: str
    kind: str  # "warning", "breach", "page"
    clock: str  # "first_response", "resolution" or "page"
    due_at: datetime
    fired_at: datetime
    fraction: float | None
    level: int | None
    round: int | None
    targets: tuple[str, ...]
    priority: str
    tier: str
    assignee: str | None
    # Set for an incident's timer; `ref` is then its lead ticket (the first report
    # still in it), where its pages point until the incident has a card of its own.
    incident_ref: str | None = None
    # When the timer's clock is due (its breach moment): a warning's own `due_at`
    # is the moment it fires, which agents misread as the deadline.
    clock_due_at: datetime | None = None


def _clock_due(s: Session, row: SlaTimerRow) -> datetime | None:
    """The breach moment of the clock a timer belongs to, from its live breach timer."""
    if row.kind == "breach":
        return row.due_at
    if row.kind != "warning":
        return None
    return s.exec(
        select(SlaTimerRow.due_at)
        .where(
            SlaTimerRow.ticket_ref == row.ticket_ref,
            SlaTimerRow.clock == row.clock,
            SlaTimerRow.kind == "breach",
            col(SlaTimerRow.cancelled_at).is_(None),
        )
        .order_by(col(SlaTimerRow.id).desc())
    ).first()


def _fired_timer(
    s: Session,
    row: SlaTimerRow,
    *,
    ref: str,
    priority: str,
    tier: str,
    assignee: str | None,
    incident_ref: str | None = None,
) -> Fired:
    """A fired timer as the agents' side sees it, on a ticket's or an incident's clock."""
    assert row.id is not None and row.fired_at is not None
    return Fired(
        timer_id=row.id,
        ref=ref,
        kind=row.kind,
        clock=row.clock,
        due_at=row.due_at,
        fired_at=row.fired_at,
        fraction=row.fraction,
        level=row.level,
        round=row.round,
        targets=tuple(row.targets),
        priority=priority,
        tier=tier,
        assignee=assignee,
        incident_ref=incident_ref,
        clock_due_at=_clock_due(s, row),
    )


def _fired(s: Session, row: SlaTimerRow, ticket: TicketRow) -> Fired:
    return _fired_timer(
        s,
        row,
        ref=row.ticket_ref,
        priority=ticket.priority,
        tier=ticket.tier,
        assignee=ticket.assignee,
    )


class WakeUp:
    """ "Look again now", rung from any thread when a commit added timers.

    Its own object, built before the ticket service: the planner inside that
    service is given `ring` when it is built, and the scheduler, which needs
    the ticket service, waits on the same WakeUp.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None

    def ring(self) -> None:
        if self._loop is not None and self._event is not None:
            self._loop.call_soon_threadsafe(self._event.set)

    def listen(self) -> asyncio.Event:
        """The event that `ring` sets, on the running loop."""
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        return self._event


class SlaScheduler:
    def __init__(
        self,
        db: Database,
        tickets: TicketService,
        clock: Clock,
        *,
        instance: str,
        agents: AgentNotifier | None = None,
        poll: timedelta = timedelta(seconds=30),
        batch: int = 200,
        wake_up: WakeUp | None = None,
    ) -> None:
        self.db = db
        self.tickets = tickets
        self.clock = clock
        self.instance = instance
        self.agents = agents
        self.poll = poll
        self.batch = batch
        self.wake_up = wake_up or WakeUp()
        self._wake: asyncio.Event | None = None

    # -- firing (blocking; runs in a worker thread) ----------------------------------------

    def fire_due(self, now: datetime) -> list[Fired]:
        with self.db.session() as s:
            query = (
                select(SlaTimerRow)
                .where(
                    col(SlaTimerRow.fired_at).is_(None),
                    col(SlaTimerRow.cancelled_at).is_(None),
                    col(SlaTimerRow.due_at) <= now,
                )
                .order_by(col(SlaTimerRow.due_at), col(SlaTimerRow.id))
                .limit(self.batch)
                .with_for_update(skip_locked=True)
            )
            rows = s.exec(query).all()
            refs = {row.ticket_ref for row in rows}
            tickets = {
                t.ref: t
                for t in s.exec(select(TicketRow).where(col(TicketRow.ref).in_(refs))).all()
            }
            incidents = {
                i.ref: i
                for i in s.exec(select(IncidentRow).where(col(IncidentRow.ref).in_(refs))).all()
            }
            fired = [
                self._fire_incident(s, row, incidents[row.ticket_ref], now)
                if row.ticket_ref in incidents
                else self._fire(s, row, tickets[row.ticket_ref], now)
                for row in rows
            ]
        return fired

    def _fire_incident(
        self, s: Session, row: SlaTimerRow, incident: IncidentRow, now: datetime
    ) -> Fired:
        """An incident's timer: no tier to raise (the incident is already urgent);
        recorded on the incident and told through its lead ticket.
        """
        row.fired_at, row.fired_by = now, self.instance
        s.add(row)
        fired = self._incident_fired(s, row, incident)
        self._record(s, row, now, fired.tier, lead_ticket=fired.ref)
        return fired

    def _record(self, s: Session, row: SlaTimerRow, now: datetime, tier: str, **extra: str) -> None:
        """The audit event of a fired timer (an incident's names its lead ticket)."""
        append_event(
            s,
            at=now,
            actor="sla",
            action=f"sla.{row.kind}",
            ticket_ref=row.ticket_ref,
            payload={
                "clock": row.clock,
                "due_at": row.due_at.isoformat(),
                "fraction": row.fraction,
                "level": row.level,
                "round": row.round,
                "targets": list(row.targets),
                "tier": tier,
                "instance": self.instance,
                **extra,
            },
        )

    def _incident_fired(self, s: Session, row: SlaTimerRow, incident: IncidentRow) -> Fired:
        assert incident.id is not None
        severity = Priority(incident.severity)
        return _fired_timer(
            s,
            row,
            ref=lead_ticket_ref(s, incident.id) or row.ticket_ref,
            priority=incident.severity,
            tier=self.tickets.settings.routing.tiers.get(severity, "lead"),
            assignee=incident.owner,
            incident_ref=incident.ref,
        )

    def _fire(self, s: Session, row: SlaTimerRow, ticket: TicketRow, now: datetime) -> Fired:
        row.fired_at, row.fired_by = now, self.instance
        s.add(row)
        if row.kind == "breach":
            what = "first response" if row.clock == "first_response" else "resolution"
            ticket = self.tickets.escalate(
                row.ticket_ref, "sla", f"{what} target missed", now, session=s
            )
        self._record(s, row, now, ticket.tier)
        return _fired(s, row, ticket)

    def undelivered(self, now: datetime) -> list[Fired]:
        """Fired but never delivered, long enough ago that the instance that fired
        them must have died: delivered again (their firing is not repeated).
        """
        with self.db.session() as s:
            rows = s.exec(
                select(SlaTimerRow)
                .where(
                    col(SlaTimerRow.fired_at).is_not(None),
                    col(SlaTimerRow.delivered_at).is_(None),
                    col(SlaTimerRow.fired_at) <= now - REDELIVER_AFTER,
                )
                .limit(self.batch)
                .with_for_update(skip_locked=True)
            ).all()
            out = []
            for row in rows:
                ticket = s.exec(select(TicketRow).where(TicketRow.ref == row.ticket_ref)).first()
                if ticket is not None:
                    out.append(_fired(s, row, ticket))
                    continue
                incident = s.exec(
                    select(IncidentRow).where(IncidentRow.ref == row.ticket_ref)
                ).one()
                out.append(self._incident_fired(s, row, incident))
            return out

    def mark_delivered(self, timer_ids: list[int], now: datetime) -> None:
        if not timer_ids:
            return
        with self.db.session() as s:
            s.execute(
                update(SlaTimerRow)
                .where(col(SlaTimerRow.id).in_(timer_ids))
                .values(delivered_at=now)
            )

    def next_due(self) -> datetime | None:
        with self.db.session(read_only=True) as s:
            return next_due(s)

    # -- the loop ---------------------------------------------------------------------------

    def wake(self) -> None:
        """Look again now (new timers were added); safe from any thread."""
        self.wake_up.ring()

    async def deliver(self, fired: list[Fired]) -> None:
        delivered = []
        for item in fired:
            try:
                if self.agents is not None:
                    await self.agents.sla_fired(item)
            except Exception:
                log.exception(
                    "SLA notification failed; it will be retried", extra={"ticket": item.ref}
                )
                continue
            delivered.append(item.timer_id)
        await asyncio.to_thread(self.mark_delivered, delivered, self.clock.now())

    async def run_once(self) -> int:
        now = self.clock.now()
        fired = await asyncio.to_thread(self.fire_due, now)
        await self.deliver(fired)
        return len(fired)

    async def run(self) -> None:
        self._wake = self.wake_up.listen()
        await self.deliver(await asyncio.to_thread(self.undelivered, self.clock.now()))
        while True:
            try:
                if await self.run_once() >= self.batch:
                    continue  # more are due: no sleep
                await self._sleep()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("SLA scheduler round failed; trying again shortly")
                await self._sleep()

    async def _sleep(self) -> None:
        assert self._wake is not None
        # Cleared before looking, so a wake-up during the look is not lost.
        self._wake.clear()
        upcoming = await asyncio.to_thread(self.next_due)
        delay = self.poll.total_seconds()
        if upcoming is not None:
            delay = min(delay, max(0.0, (upcoming - self.clock.now()).total_seconds()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=delay)
