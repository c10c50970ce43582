"""Keeping each ticket's timers in line with its state.

Called inside the transaction of every ticket change: the rules compute the
moments that matter (warnings, breach, pages) and the timer rows are made to
match. A timer's key names what it is and when it is due, so recomputing is
idempotent: an unchanged moment keeps its row (fired or not), a moved one gets
a new row and the stale one is cancelled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlmodel import Session, col, select

from core.config import Settings
from core.sla.calendar import BusinessCalendar
from core.sla.chain import ChainLevel, EscalationChain, page_schedule
from core.sla.rules import (
    Clock,
    Pause,
    SlaPolicy,
    due_at,
    first_response_clock,
    resolution_clock,
    warnings,
)
from core.statuses import OPEN_STATUSES, Status
from core.storage.incident_tables import IncidentRow, IncidentTicketRow
from core.storage.tables import SlaTimerRow, TicketRow
from core.taxonomy import Priority

# Statuses in which a resolution is still owed.
UNRESOLVED = frozenset({*OPEN_STATUSES, Status.WORKAROUND})


@dataclass(frozen=True, slots=True)
class TimerSpec:
    key: str
    kind: str
    clock: str
    due_at: datetime
    fraction: float | None = None
    level: int | None = None
    round: int | None = None
    targets: tuple[str, ...] = ()


def policy_from(settings: Settings) -> SlaPolicy:
    sla = settings.sla
    calendar = None
    if sla.calendar is not None:
        cal = sla.calendar
        calendar = BusinessCalendar(
            timezone=ZoneInfo(cal.timezone or settings.i18n.timezone),
            days=frozenset(cal.days),
            start=cal.start,
            end=cal.end,
            holidays=frozenset(cal.holidays),
        )
    return SlaPolicy(
        first_response=dict(sla.first_response),
        resolution=dict(sla.resolution) or None,
        warn_at=tuple(sla.warn_at),
        pause_while_waiting_user=sla.pause_while_waiting_user,
        calendar=calendar,
    )


def chain_from(settings: Settings) -> EscalationChain | None:
    levels = tuple(
        ChainLevel(targets=tuple(level.targets), timeout=level.timeout)
        for level in settings.escalation.chain
    )
    return EscalationChain(levels=levels, repeats=settings.escalation.repeats) if levels else None


def pauses_of(ticket: TicketRow) -> tuple[Pause, ...]:
    return tuple(
        Pause(datetime.fromisoformat(start), datetime.fromisoformat(end) if end else None)
        for start, end in ticket.sla_pauses
        if start
    )


class SlaPlanner:
    def __init__(
        self, settings: Settings, *, on_new_timer: Callable[[], None] | None = None
    ) -> None:
        self.policy = policy_from(settings)
        self.chain = chain_from(settings)
        self.on_call = tuple(settings.escalation.on_call)
        # Called after the commit that added a timer, so a sleeping scheduler wakes.
        self.on_new_timer = on_new_timer

    def desired(self, ticket: TicketRow) -> list[TimerSpec]:
        ref, priority = ticket.ref or "", Priority(ticket.priority)
        started = ticket.clock_started_at or ticket.created_at
        pauses = pauses_of(ticket)
        specs: list[TimerSpec] = []
        if ticket.first_response_at is None and ticket.status in OPEN_STATUSES:
            clock = first_response_clock(self.policy, priority, started, pauses)
            specs += self._clock_specs(ref, "first_response", clock)
        if ticket.status in UNRESOLVED:
            clock_or_none = resolution_clock(self.policy, priority, ticket.created_at, pauses)
            if clock_or_none is not None:
                specs += self._clock_specs(ref, "resolution", clock_or_none)
        if (
            priority is Priority.P0
            and ticket.page_acked_at is None
            and ticket.status in OPEN_STATUSES
        ):
            specs += self._page_specs(ref, started)
        return specs

    def first_response_due(self, ticket: TicketRow) -> datetime | None:
        started = ticket.clock_started_at or ticket.created_at
        clock = first_response_clock(
            self.policy, Priority(ticket.priority), started, pauses_of(ticket)
        )
        return due_at(clock)

    def _clock_specs(self, ref: str, name: str, clock: Clock) -> list[TimerSpec]:
        specs = [
            TimerSpec(
                key=f"{ref}:{name}:warning:{fraction:g}:{moment.isoformat()}",
                kind="warning",
                clock=name,
                due_at=moment,
                fraction=fraction,
            )
            for fraction, moment in warnings(clock, self.policy.warn_at)
        ]
        due = due_at(clock)
        if due is not None:
            specs.append(
                TimerSpec(
                    key=f"{ref}:{name}:breach:{due.isoformat()}",
                    kind="breach",
                    clock=name,
                    due_at=due,
                )
            )
        return specs

    def _page_specs(self, ref: str, started: datetime) -> list[TimerSpec]:
        if self.chain is None:
            # No chain: one page in the escalation channel, mentioning the on-call group.
            return [
                TimerSpec(
                    key=f"{ref}:page:0:0:{started.isoformat()}",
                    kind="page",
                    clock="page",
                    due_at=started,
                    level=0,
                    round=0,
                    targets=self.on_call,
                )
            ]
        return [
            TimerSpec(
                key=f"{ref}:page:{p.level}:{p.round}:{started.isoformat()}",
                kind="page",
                clock="page",
                due_at=p.at,
                level=p.level,
                round=p.round,
                targets=p.targets,
            )
            for p in page_schedule(self.chain, started)
        ]

    def desired_for_incident(
        self,
        incident: IncidentRow,
        paging: tuple[datetime | None, frozenset[tuple[int, int]]] = (None, frozenset()),
    ) -> list[TimerSpec]:
        """An incident's clocks, under its own ref: the first-response clock (met by
        its first public update) and, for P0, one paging chain until acknowledged.

        The first response runs from the declaration. The paging chain carries on
        the one its reports already started (`paging`: when the first of them
        paged, and the levels and rounds already paged): a P0 report pages at
        once, and the surge that follows must not page the same people again.
        """
        if incident.status == "resolved":
            return []
        ref, priority = incident.ref or "", Priority(incident.severity)
        specs: list[TimerSpec] = []
        if incident.first_update_at is None:
            clock = first_response_clock(self.policy, priority, incident.declared_at, ())
            specs += self._clock_specs(ref, "first_response", clock)
        if priority is Priority.P0 and incident.acknowledged_at is None:
            started, paged = paging
            pages = self._page_specs(ref, started or incident.declared_at)
            specs += [p for p in pages if (p.level, p.round) not in paged]
        return specs

    def plan(self, s: Session, ticket: TicketRow, now: datetime) -> bool:
        """Make the ticket's pending timers match its state; True when a new timer
        was added (the scheduler may need to wake earlier).

        A ticket inside an incident has no timers: the incident's stand for it.
        """
        linked = s.exec(
            select(IncidentTicketRow.id).where(IncidentTicketRow.ticket_ref == ticket.ref)
        ).first()
        specs = [] if linked is not None else self.desired(ticket)
        return self._sync(s, ticket.ref or "", specs, now)

    def plan_incident(self, s: Session, incident: IncidentRow, now: datetime) -> bool:
        specs = self.desired_for_incident(incident, _paging_of_reports(s, incident))
        return self._sync(s, incident.ref or "", specs, now)

    def _sync(self, s: Session, ref: str, specs: list[TimerSpec], now: datetime) -> bool:
        wanted = {spec.key: spec for spec in specs}
        rows = s.exec(select(SlaTimerRow).where(SlaTimerRow.ticket_ref == ref)).all()
        known = {row.key for row in rows}
        added = False
        for row in rows:
            if row.fired_at is not None:
                continue  # a timer fires once, whatever happens later
            if row.key not in wanted and row.cancelled_at is None:
                row.cancelled_at = now
                s.add(row)
            elif row.key in wanted and row.cancelled_at is not None:
                # Wanted again at the same moment (a reopen with the same due
                # time): the row is unique by key, so it comes back to life.
                row.cancelled_at = None
                s.add(row)
                added = True
        for key, spec in wanted.items():
            if key in known:
                continue
            s.add(
                SlaTimerRow(
                    key=key,
                    ticket_ref=ref,
                    kind=spec.kind,
                    clock=spec.clock,
                    fraction=spec.fraction,
                    level=spec.level,
                    round=spec.round,
                    targets=list(spec.targets),
                    due_at=spec.due_at,
                )
            )
            added = True
        s.flush()
        if added and self.on_new_timer is not None:
            callback = self.on_new_timer
            event.listen(s, "after_commit", lambda _session: callback(), once=True)
        return added


def _paging_of_reports(
    s: Session, incident: IncidentRow
) -> tuple[datetime | None, frozenset[tuple[int, int]]]:
    """When the incident's reports first paged, and which levels and rounds they paged."""
    refs = select(IncidentTicketRow.ticket_ref).where(IncidentTicketRow.incident_id == incident.id)
    fired = s.exec(
        select(SlaTimerRow).where(
            col(SlaTimerRow.ticket_ref).in_(refs),
            SlaTimerRow.kind == "page",
            col(SlaTimerRow.fired_at).is_not(None),
        )
    ).all()
    if not fired:
        return None, frozenset()
    # Level 0 of round 0 is due when paging starts: the earliest one is the start.
    starts = [t.due_at for t in fired if (t.level, t.round) == (0, 0)]
    started = min(starts) if starts else None
    return started, frozenset((t.level or 0, t.round or 0) for t in fired)


def next_due(s: Session) -> datetime | None:
    row = s.exec(
        select(SlaTimerRow.due_at)
        .where(col(SlaTimerRow.fired_at).is_(None), col(SlaTimerRow.cancelled_at).is_(None))
        .order_by(col(SlaTimerRow.due_at))
        .limit(1)
    ).first()
    return row
