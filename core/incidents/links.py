"""Putting a ticket into an incident and taking it out again, with the audit.

A linked ticket keeps its reporter, diagnostics and conversation; it becomes
widespread with the widespread priority (as the surge rule always did), and
its own clocks stop: the incident's clocks stand for it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from core.config import Settings
from core.errors import IllegalTransitionError, InvalidInputError
from core.incidents.model import IncidentStatus
from core.incidents.store import link_of
from core.sla.planner import SlaPlanner
from core.storage.audit_store import append_event
from core.storage.incident_tables import IncidentRow, IncidentTicketRow
from core.storage.tables import TicketRow
from core.taxonomy import Category, Priority, Scope, priority_for

VIA = ("surge", "match", "declare", "agent", "merge")


def more_urgent(a: Priority, b: Priority) -> Priority:
    order = list(Priority)
    return a if order.index(a) <= order.index(b) else b


def check_same_side(incident: IncidentRow, ticket: TicketRow) -> None:
    """Finance tickets and other tickets never share an incident."""
    finance_ticket = ticket.category == Category.FINANCE.value
    if finance_ticket != incident.finance:
        side = "a finance" if finance_ticket else "a non-finance"
        raise InvalidInputError(
            f"{ticket.ref} is {side} ticket and {incident.ref} is not: they cannot be linked"
        )


class Linker:
    def __init__(self, settings: Settings, planner: SlaPlanner) -> None:
        self.settings = settings
        self.planner = planner

    def link(
        self,
        s: Session,
        incident: IncidentRow,
        ticket: TicketRow,
        *,
        via: str,
        actor: str,
        now: datetime,
    ) -> bool:
        """Link `ticket` (locked by the caller); False when it already is in this incident."""
        assert incident.id is not None and ticket.id is not None and ticket.ref
        if incident.status == IncidentStatus.RESOLVED:
            raise IllegalTransitionError(f"{incident.ref} is resolved: nothing can join it")
        current = link_of(s, ticket.ref)
        if current is not None:
            if current.incident_id == incident.id:
                return False
            raise IllegalTransitionError(f"{ticket.ref} is already in another incident")
        check_same_side(incident, ticket)
        s.add(
            IncidentTicketRow(
                incident_id=incident.id,
                ticket_id=ticket.id,
                ticket_ref=ticket.ref,
                via=via,
                linked_by=actor,
                linked_at=now,
            )
        )
        payload: dict[str, Any] = {"incident": incident.ref, "via": via}
        payload.update(self._raise(ticket))
        ticket.updated_at, ticket.version = now, ticket.version + 1
        s.add(ticket)
        s.flush()
        self.planner.plan(s, ticket, now)  # linked: its own timers are cancelled
        if ticket.category == Category.FINANCE.value:
            payload["reason"] = f"part of incident {incident.ref}"
        append_event(
            s,
            at=now,
            actor=actor,
            action="ticket.incident_linked",
            ticket_ref=ticket.ref,
            payload=payload,
        )
        self._absorb(s, incident, ticket, actor, now, via)
        return True

    def _raise(self, ticket: TicketRow) -> dict[str, Any]:
        """Widespread scope and the widespread priority; never less urgent than before."""
        changes: dict[str, Any] = {}
        if ticket.scope != Scope.WIDESPREAD.value:
            changes["scope"] = {"before": ticket.scope, "after": Scope.WIDESPREAD.value}
            ticket.scope = Scope.WIDESPREAD.value
        target = more_urgent(
            Priority(ticket.priority), priority_for(ticket.subtype, Scope.WIDESPREAD)
        )
        if target.value != ticket.priority:
            changes["priority"] = {"before": ticket.priority, "after": target.value}
            ticket.priority = target.value
            ticket.tier = self.settings.routing.tiers.get(target, ticket.tier)
        due = self.planner.first_response_due(ticket)
        if due is not None:
            ticket.first_response_due = due
        return changes

    def _absorb(
        self,
        s: Session,
        incident: IncidentRow,
        ticket: TicketRow,
        actor: str,
        now: datetime,
        via: str,
    ) -> None:
        """The incident learns the ticket's subtype, start and urgency."""
        payload: dict[str, Any] = {"ticket": ticket.ref, "via": via}
        if ticket.subtype not in incident.subtypes:
            incident.subtypes = sorted({*incident.subtypes, ticket.subtype})
        if ticket.created_at < incident.started_at:
            incident.started_at = ticket.created_at
        if ticket.priority == Priority.P0.value and incident.severity != Priority.P0.value:
            payload["severity"] = {"before": incident.severity, "after": Priority.P0.value}
            incident.severity = Priority.P0.value
        incident.updated_at, incident.version = now, incident.version + 1
        s.add(incident)
        s.flush()
        if "severity" in payload:
            self.planner.plan_incident(s, incident, now)  # a P0 incident pages
        append_event(
            s,
            at=now,
            actor=actor,
            action="incident.ticket_linked",
            ticket_ref=incident.ref,
            payload=payload,
        )

    def unlink(
        self,
        s: Session,
        incident: IncidentRow,
        ticket: TicketRow,
        *,
        actor: str,
        reason: str,
        now: datetime,
    ) -> None:
        """The ticket stands alone again. Its first-response clock, which the
        incident stood for, starts anew unless it was already answered.
        """
        current = link_of(s, ticket.ref or "")
        if current is None or current.incident_id != incident.id:
            raise IllegalTransitionError(f"{ticket.ref} is not in {incident.ref}")
        s.delete(current)
        s.flush()
        payload: dict[str, Any] = {"incident": incident.ref, "reason": reason}
        if ticket.first_response_at is None:
            ticket.clock_started_at = now
            ticket.sla_pauses = [[a, b or now.isoformat()] for a, b in ticket.sla_pauses]
            due = self.planner.first_response_due(ticket)
            if due is not None:
                ticket.first_response_due = due
            payload["first_response_due"] = ticket.first_response_due.isoformat()
        ticket.updated_at, ticket.version = now, ticket.version + 1
        s.add(ticket)
        s.flush()
        self.planner.plan(s, ticket, now)
        append_event(
            s,
            at=now,
            actor=actor,
            action="ticket.incident_unlinked",
            ticket_ref=ticket.ref,
            payload=payload,
        )
        append_event(
            s,
            at=now,
            actor=actor,
            action="incident.ticket_unlinked",
            ticket_ref=incident.ref,
            payload={"ticket": ticket.ref, "reason": reason},
        )

    def split_out(
        self,
        s: Session,
        incident: IncidentRow,
        ticket: TicketRow,
        *,
        actor: str,
        reason: str,
        now: datetime,
    ) -> None:
        """ "Not fixed for me": the reporter's problem is their own from now on."""
        self.unlink(s, incident, ticket, actor=actor, reason=reason, now=now)
        append_event(
            s,
            at=now,
            actor=actor,
            action="incident.reporter_split",
            ticket_ref=incident.ref,
            payload={"ticket": ticket.ref, "reason": reason},
        )
