"""What agents do with incidents: declare, link, unlink, merge, split a reporter
out; and what the incident card reads. Progress (acknowledge, updates,
resolve) is in `core.incidents.progress`.

Each operation is one transaction together with its audit events. Finance
incidents are for finance agents only: the edge says whether the agent is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select

from core.errors import IllegalTransitionError, InvalidInputError, PermissionDeniedError
from core.incidents.breakdown import Breakdown, ReportDetails, build_breakdown
from core.incidents.links import more_urgent
from core.incidents.model import (
    DeclareIncident,
    IncidentStatus,
    LinkTicket,
    MergeIncidents,
    PublicUpdate,
    SplitReporter,
    UnlinkTicket,
    check_severity,
    severity_for,
)
from core.incidents.progress import IncidentProgress
from core.incidents.related import group_of, is_finance_group
from core.incidents.store import (
    holder_of_key,
    incident_of_ticket,
    insert_open_incident,
    linked_tickets,
    load_incident,
    load_ticket,
    open_incidents,
    open_key,
)
from core.statuses import OPEN_STATUSES, Status
from core.storage.audit_store import append_event
from core.storage.incident_tables import IncidentRow, IncidentTicketRow, IncidentUpdateRow
from core.storage.tables import AuditEventRow, TicketRow
from core.taxonomy import Category, Priority, Scope, priority_for, subtype
from core.validation import clean_text


@dataclass(frozen=True, slots=True)
class OpenIncident:
    incident: IncidentRow
    tickets: int
    reporters: int


class IncidentService(IncidentProgress):
    # -- membership -----------------------------------------------------------

    def declare(
        self, cmd: DeclareIncident, now: datetime, *, finance_agent: bool = False
    ) -> IncidentRow:
        """An agent declares an incident from a ticket, which becomes its first report."""
        actor = self._actor(cmd.actor)
        title = clean_text(cmd.title, "title", max_chars=200) if cmd.title else None
        with self.db.session() as s:
            ticket = load_ticket(s, cmd.ticket_ref, lock=True)
            if ticket.category == Category.FINANCE.value and not finance_agent:
                raise PermissionDeniedError(f"{ticket.ref} is a finance ticket")
            group = group_of(ticket.subtype)
            if group is None:
                raise InvalidInputError(
                    f"{ticket.subtype} reports never form an incident (see docs/incidents.md)"
                )
            current = incident_of_ticket(s, ticket.ref or "")
            if current is not None:
                raise IllegalTransitionError(f"{ticket.ref} is already in {current.ref}")
            widespread = more_urgent(
                Priority(ticket.priority), priority_for(ticket.subtype, Scope.WIDESPREAD)
            )
            key = open_key(group, cmd.filters)
            row = insert_open_incident(
                s,
                IncidentRow(
                    title=title or subtype(ticket.subtype).name_en.capitalize(),
                    related_group=group,
                    subtypes=[ticket.subtype],
                    finance=is_finance_group(group),
                    status=IncidentStatus.INVESTIGATING.value,
                    severity=(
                        check_severity(cmd.severity) if cmd.severity else severity_for(widespread)
                    ).value,
                    filters=cmd.filters.to_json(),
                    open_key=key,
                    declared_by=actor,
                    started_at=ticket.created_at,
                    declared_at=now,
                    updated_at=now,
                ),
            )
            if row is None:
                holder = holder_of_key(s, key)
                raise IllegalTransitionError(
                    f"{holder.ref if holder else 'another incident'} is already open for these "
                    f"reports: link {ticket.ref} to it instead"
                )
            self.planner.plan_incident(s, row, now)
            append_event(
                s,
                at=now,
                actor=actor,
                action="incident.declared",
                ticket_ref=row.ref,
                payload={
                    "via": "agent",
                    "ticket": ticket.ref,
                    "group": group,
                    "title": row.title,
                    "severity": row.severity,
                    "filters": row.filters,
                },
            )
            self.linker.link(s, row, ticket, via="declare", actor=actor, now=now)
            return row

    def link(self, cmd: LinkTicket, now: datetime, *, finance_agent: bool = False) -> IncidentRow:
        """Link a ticket by hand, whatever its subtype (the agent knows the outage)."""
        actor = self._actor(cmd.actor)
        with self.db.session() as s:
            incident = load_incident(s, cmd.incident_ref, lock=True)
            self._access(incident, finance_agent)
            ticket = load_ticket(s, cmd.ticket_ref, lock=True)
            if not self.linker.link(s, incident, ticket, via="agent", actor=actor, now=now):
                raise IllegalTransitionError(f"{ticket.ref} is already in {incident.ref}")
            return incident

    def unlink(self, cmd: UnlinkTicket, now: datetime, *, finance_agent: bool = False) -> TicketRow:
        """The ticket was not part of the outage: it stands alone again."""
        actor = self._actor(cmd.actor)
        reason = clean_text(cmd.reason, "reason", max_chars=2000)
        with self.db.session() as s:
            incident = load_incident(s, cmd.incident_ref, lock=True)
            self._access(incident, finance_agent)
            ticket = load_ticket(s, cmd.ticket_ref, lock=True)
            self.linker.unlink(s, incident, ticket, actor=actor, reason=reason, now=now)
            return ticket

    def split(self, cmd: SplitReporter, now: datetime, *, finance_agent: bool = False) -> TicketRow:
        """ "Not fixed for me": the reporter's ticket leaves the incident, reopened,
        with its own first-response clock from now.
        """
        actor = self._actor(cmd.actor)
        reason = clean_text(cmd.reason, "reason", max_chars=2000)
        with self.db.session() as s:
            incident = load_incident(s, cmd.incident_ref, lock=True)
            self._access(incident, finance_agent)
            ticket = load_ticket(s, cmd.ticket_ref, lock=True)
            self.linker.split_out(s, incident, ticket, actor=actor, reason=reason, now=now)
            if Status(ticket.status) in OPEN_STATUSES:
                # Still open (the incident is not resolved): only its clock restarts.
                ticket.clock_started_at, ticket.first_response_at = now, None
                ticket.sla_pauses = [[a, b or now.isoformat()] for a, b in ticket.sla_pauses]
                s.add(ticket)
                s.flush()
                self.planner.plan(s, ticket, now)
            else:
                ticket = self.tickets.reopen(ticket.ref or "", actor, now, reason, session=s)
            return ticket

    def merge(
        self, cmd: MergeIncidents, now: datetime, *, finance_agent: bool = False
    ) -> IncidentRow:
        """Fold `from_ref` into `into_ref`: its tickets move over, it ends as merged."""
        actor = self._actor(cmd.actor)
        if cmd.into_ref.strip().upper() == cmd.from_ref.strip().upper():
            raise InvalidInputError("an incident cannot be merged into itself")
        with self.db.session() as s:
            a = load_incident(s, cmd.into_ref, lock=False)
            b = load_incident(s, cmd.from_ref, lock=False)
            # Locked in id order, as every writer does, so two merges never deadlock.
            first, second = sorted((a, b), key=lambda i: i.id or 0)
            load_incident(s, first.ref or "", lock=True)
            load_incident(s, second.ref or "", lock=True)
            into, gone = a, b
            for incident in (into, gone):
                self._access(incident, finance_agent)
                if incident.status == IncidentStatus.RESOLVED:
                    raise IllegalTransitionError(f"{incident.ref} is resolved: it cannot merge")
            if into.finance != gone.finance:
                raise InvalidInputError("a finance incident merges only with a finance incident")
            assert into.id is not None and gone.id is not None
            moved = [t.ref for t in linked_tickets(s, gone.id)]
            s.execute(
                update(IncidentTicketRow)
                .where(col(IncidentTicketRow.incident_id) == gone.id)
                .values(incident_id=into.id, listed_at=None)
            )
            into.subtypes = sorted({*into.subtypes, *gone.subtypes})
            into.started_at = min(into.started_at, gone.started_at)
            into.severity = more_urgent(Priority(into.severity), Priority(gone.severity)).value
            gone.status, gone.open_key, gone.merged_into = (
                IncidentStatus.RESOLVED.value,
                None,
                into.ref,
            )
            gone.resolved_at = now
            for incident in (into, gone):
                incident.updated_at, incident.version = now, incident.version + 1
                s.add(incident)
            s.flush()
            self.planner.plan_incident(s, into, now)
            self.planner.plan_incident(s, gone, now)
            append_event(
                s,
                at=now,
                actor=actor,
                action="incident.merged",
                ticket_ref=into.ref,
                payload={"from": gone.ref, "tickets": moved, "severity": into.severity},
            )
            append_event(
                s,
                at=now,
                actor=actor,
                action="incident.merged_into",
                ticket_ref=gone.ref,
                payload={"into": into.ref},
            )
            for ref in moved:
                append_event(
                    s,
                    at=now,
                    actor=actor,
                    action="ticket.incident_linked",
                    ticket_ref=ref,
                    payload={"incident": into.ref, "via": "merge", "from": gone.ref},
                )
            return into

    # -- reading --------------------------------------------------------------

    def get(self, ref: str, *, finance_agent: bool = False) -> IncidentRow:
        with self.db.session(read_only=True) as s:
            incident = load_incident(s, ref, lock=False)
            self._access(incident, finance_agent)
            return incident

    def incident_of(self, ticket_ref: str) -> IncidentRow | None:
        with self.db.session(read_only=True) as s:
            return incident_of_ticket(s, ticket_ref.strip().upper())

    def tickets_of(self, ref: str, *, finance_agent: bool = False) -> list[TicketRow]:
        with self.db.session(read_only=True) as s:
            incident = load_incident(s, ref, lock=False)
            self._access(incident, finance_agent)
            assert incident.id is not None
            return linked_tickets(s, incident.id)

    def updates(self, ref: str, *, finance_agent: bool = False) -> list[PublicUpdate]:
        with self.db.session(read_only=True) as s:
            incident = load_incident(s, ref, lock=False)
            self._access(incident, finance_agent)
            rows = s.exec(
                select(IncidentUpdateRow)
                .where(IncidentUpdateRow.incident_id == incident.id)
                .order_by(col(IncidentUpdateRow.at), col(IncidentUpdateRow.id))
            ).all()
            return [
                PublicUpdate(IncidentStatus(r.status), r.message, r.at, r.author, r.eta)
                for r in rows
            ]

    def list_open(self, *, finance_agent: bool = False) -> list[OpenIncident]:
        """Open incidents, oldest first, with their ticket and reporter counts;
        finance incidents only for finance agents.
        """
        out = []
        with self.db.session(read_only=True) as s:
            for incident in open_incidents(s):
                if incident.finance and not finance_agent:
                    continue
                assert incident.id is not None
                tickets = linked_tickets(s, incident.id)
                reporters = {(t.channel, t.external_user_id) for t in tickets}
                out.append(OpenIncident(incident, len(tickets), len(reporters)))
        return out

    def breakdown(self, ref: str, now: datetime, *, finance_agent: bool = False) -> Breakdown:
        tickets = self.tickets_of(ref, finance_agent=finance_agent)
        details = [
            ReportDetails(
                ref=t.ref or "",
                reporter=f"{t.channel}:{t.external_user_id}",
                subtype=t.subtype,
                created_at=t.created_at,
                diagnostics=t.diagnostics,
            )
            for t in tickets
        ]
        return build_breakdown(details, now, self.settings.incidents.rate_window)

    def history(self, ref: str, *, finance_agent: bool = False) -> list[AuditEventRow]:
        with self.db.session(read_only=True) as s:
            incident = load_incident(s, ref, lock=False)
            self._access(incident, finance_agent)
            query = select(AuditEventRow).where(AuditEventRow.ticket_ref == incident.ref)
            return list(s.exec(query.order_by(col(AuditEventRow.seq))).all())
