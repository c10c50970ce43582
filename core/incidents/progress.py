"""An incident's progress: acknowledged, public updates, resolved.

Every public update counts as the first response of each linked ticket that
had none: the reporters are told through the incident, not one by one.
Resolving the incident resolves its open tickets with the same outcome, so
every reporter gets "is it fixed for you?".

Both reach the reporters through the outbox (`core.incidents.broadcast`): the
messages are enqueued in the transaction that records the update, and
`on_enqueued` (the runtime's dispatcher wake-up) is called after it commits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from core.config import Settings
from core.errors import InvalidInputError, PermissionDeniedError
from core.incidents.acknowledge import acknowledge_incident
from core.incidents.broadcast import Broadcaster
from core.incidents.links import Linker
from core.incidents.model import (
    AcknowledgeIncident,
    IncidentStatus,
    PostUpdate,
    ResolveIncident,
    check_incident_transition,
)
from core.incidents.store import linked_tickets, load_incident, lock_tickets
from core.statuses import OPEN_STATUSES, Status
from core.storage.audit_store import append_event
from core.storage.db import Database
from core.storage.incident_tables import IncidentRow, IncidentUpdateRow
from core.tickets import CAUSE_CLASSES, TicketService
from core.validation import MAX_SHORT_CHARS, clean_text

MAX_UPDATE_CHARS = 2000


class IncidentProgress:
    def __init__(self, db: Database, tickets: TicketService) -> None:
        self.db = db
        self.tickets = tickets
        self.settings: Settings = tickets.settings
        self.planner = tickets.planner  # shared: one wake-up hook for the scheduler
        self.linker = Linker(self.settings, self.planner)
        self.broadcaster = Broadcaster(self.settings)
        # Called after a commit that enqueued messages for reporters; the
        # composition root sets it to wake the outbox's dispatchers.
        self.on_enqueued: Callable[[], None] | None = None

    def _enqueued(self, added: int) -> None:
        if added and self.on_enqueued is not None:
            self.on_enqueued()

    @staticmethod
    def _access(incident: IncidentRow, finance_agent: bool) -> None:
        """As for tickets: finance incidents are for finance agents only."""
        if incident.finance and not finance_agent:
            raise PermissionDeniedError(f"{incident.ref} is a finance incident")

    @staticmethod
    def _actor(actor: str) -> str:
        return clean_text(actor, "actor", max_chars=MAX_SHORT_CHARS)

    def acknowledge(
        self, cmd: AcknowledgeIncident, now: datetime, *, finance_agent: bool = False
    ) -> IncidentRow:
        actor = self._actor(cmd.actor)
        with self.db.session() as s:
            incident = load_incident(s, cmd.incident_ref, lock=True)
            self._access(incident, finance_agent)
            if incident.status == IncidentStatus.RESOLVED:
                raise InvalidInputError(f"{incident.ref} is resolved")
            return acknowledge_incident(s, incident, actor, now, self.planner)

    def post_update(
        self, cmd: PostUpdate, now: datetime, *, finance_agent: bool = False
    ) -> IncidentRow:
        actor = self._actor(cmd.actor)
        target = IncidentStatus(cmd.status)
        if target is IncidentStatus.RESOLVED:
            raise InvalidInputError("resolving needs an outcome and a cause: use resolve")
        message = clean_text(cmd.message, "message", max_chars=MAX_UPDATE_CHARS)
        if cmd.eta is not None:
            if cmd.eta.tzinfo is None:
                raise InvalidInputError("the ETA must carry a time zone")
            if cmd.eta <= now:
                raise InvalidInputError("the ETA must be in the future")
        with self.db.session() as s:
            incident = load_incident(s, cmd.incident_ref, lock=True)
            self._access(incident, finance_agent)
            check_incident_transition(IncidentStatus(incident.status), target)
            update = self._record_update(s, incident, target, message, cmd.eta, actor, now)
            assert incident.id is not None
            open_tickets = [
                t for t in linked_tickets(s, incident.id) if Status(t.status) in OPEN_STATUSES
            ]
            added = self.broadcaster.announce_update(s, incident, update, open_tickets, now)
        self._enqueued(added)
        return incident

    def resolve(
        self, cmd: ResolveIncident, now: datetime, *, finance_agent: bool = False
    ) -> IncidentRow:
        actor = self._actor(cmd.actor)
        if cmd.cause_class not in CAUSE_CLASSES:
            raise InvalidInputError(
                f"cause class {cmd.cause_class!r} is not one of {', '.join(CAUSE_CLASSES)}"
            )
        message = clean_text(cmd.message, "message", max_chars=MAX_UPDATE_CHARS)
        with self.db.session() as s:
            incident = load_incident(s, cmd.incident_ref, lock=True)
            self._access(incident, finance_agent)
            check_incident_transition(IncidentStatus(incident.status), IncidentStatus.RESOLVED)
            assert incident.id is not None
            # Locked before the first audit append, as every writer orders its locks.
            lock_tickets(s, [t.ref or "" for t in linked_tickets(s, incident.id)])
            incident.outcome, incident.cause_class = cmd.outcome.value, cmd.cause_class
            incident.resolved_at, incident.open_key = now, None
            update = self._record_update(
                s, incident, IncidentStatus.RESOLVED, message, None, actor, now
            )
            resolved, told = [], []
            for ticket in linked_tickets(s, incident.id):
                if Status(ticket.status) not in OPEN_STATUSES:
                    continue  # already resolved on its own: its outcome stands
                self.tickets.resolve(
                    ticket.ref or "",
                    actor,
                    now,
                    outcome=cmd.outcome,
                    root_cause=message,
                    cause_class=cmd.cause_class,
                    reason=f"incident {incident.ref} resolved",
                    session=s,
                )
                resolved.append(ticket.ref)
                told.append(ticket)
            append_event(
                s,
                at=now,
                actor=actor,
                action="incident.resolved",
                ticket_ref=incident.ref,
                payload={
                    "outcome": cmd.outcome.value,
                    "cause_class": cmd.cause_class,
                    "tickets_resolved": resolved,
                },
            )
            added = self.broadcaster.announce_resolution(s, incident, update, told, now)
        self._enqueued(added)
        return incident

    def _record_update(
        self,
        s: Session,
        incident: IncidentRow,
        status: IncidentStatus,
        message: str,
        eta: datetime | None,
        actor: str,
        now: datetime,
    ) -> IncidentUpdateRow:
        assert incident.id is not None
        update = IncidentUpdateRow(
            incident_id=incident.id,
            status=status.value,
            message=message,
            eta=eta,
            author=actor,
            at=now,
        )
        s.add(update)
        payload: dict[str, Any] = {
            "status": {"before": incident.status, "after": status.value},
            "message": message,
            "eta": eta.isoformat() if eta else None,
        }
        incident.status = status.value
        if status is IncidentStatus.IDENTIFIED and incident.identified_at is None:
            incident.identified_at = now
        if incident.first_update_at is None:
            incident.first_update_at = now
            payload["first_update"] = True
        answered = []
        linked = linked_tickets(s, incident.id)
        for ticket in lock_tickets(s, [t.ref or "" for t in linked]):
            if ticket.first_response_at is None:
                ticket.first_response_at = now
                s.add(ticket)
                answered.append(ticket.ref)
        if answered:
            payload["first_response_for"] = answered
        incident.updated_at, incident.version = now, incident.version + 1
        s.add(incident)
        s.flush()
        self.planner.plan_incident(s, incident, now)
        append_event(
            s,
            at=now,
            actor=actor,
            action="incident.updated",
            ticket_ref=incident.ref,
            payload=payload,
        )
        return update
