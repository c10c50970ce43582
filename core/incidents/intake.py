"""What a new report does to incidents, inside the transaction that creates it.

A report matching an open incident (related subtype, inside its filters) joins
it at once. Otherwise a report completing a surge opens an incident and links
the surge's reports to it. This replaced the per-ticket surge rule: the surge
still makes reports widespread, and now also makes them one incident.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session

from core.config import Settings
from core.incidents.links import Linker, more_urgent
from core.incidents.model import IncidentFilters, IncidentStatus, severity_for
from core.incidents.related import group_of, is_finance_group
from core.incidents.store import (
    holder_of_key,
    insert_open_incident,
    link_of,
    load_incident,
    lock_tickets,
    open_incidents,
    open_key,
    recent_unlinked_reports,
)
from core.incidents.surge import ReportFact, Surge, detect_surge
from core.sla.planner import SlaPlanner
from core.storage.audit_store import append_event
from core.storage.incident_tables import IncidentRow
from core.storage.tables import TicketRow
from core.taxonomy import Priority, Scope, priority_for, subtype

SURGE_ACTOR = "surge"


@dataclass(frozen=True, slots=True)
class IncidentLink:
    """What creating a report did: the incident it is in, and whether its surge
    opened that incident just now.
    """

    ref: str
    opened: bool
    via: str  # "match" (joined an open incident) or "surge"


@dataclass(frozen=True, slots=True)
class Assessment:
    """Decided before the ticket row exists, so it is created widespread. The
    rows it names are locked already: locks are taken before the transaction's
    first audit append (the audit head is locked until commit), as every other
    writer does, so a report and an agent's change never wait on each other in
    a cycle.
    """

    match: IncidentRow | None = None
    surge: Surge | None = None
    earlier: tuple[TicketRow, ...] = ()  # the surge's earlier reports


def best_match(incidents: Sequence[IncidentRow], filters: IncidentFilters) -> IncidentRow | None:
    """The most specific open incident that admits the report, the oldest on a tie."""
    fitting = [
        i
        for i in incidents
        if i.merged_into is None and IncidentFilters.from_json(i.filters).admits(filters)
    ]
    fitting.sort(key=lambda i: (-len(i.filters), i.declared_at, i.id or 0))
    return fitting[0] if fitting else None


class IncidentIntake:
    def __init__(self, settings: Settings, planner: SlaPlanner) -> None:
        self.settings = settings
        self.planner = planner
        self.linker = Linker(settings, planner)

    def assess(
        self, s: Session, report: ReportFact, now: datetime, *, outage: bool = False
    ) -> Assessment | None:
        """`outage`: the report itself says many users have a fault that is then P0.
        Its own ticket pages at once; a second such report of the same fault opens
        the incident (carrying on that page, with no filters: two reports say
        little about what the outage's reports share), so the reports after it
        join instead of each paging on-call again. A lone P0 stays a ticket.
        """
        group = group_of(report.subtype)
        if group is None:
            return None
        match = best_match(open_incidents(s, group), report.filters)
        if match is not None:
            locked = load_incident(s, match.ref or "", lock=True)
            if locked.status != IncidentStatus.RESOLVED:
                return Assessment(match=locked)
            # Resolved in the meantime: whether this report starts a new surge is
            # decided as if there had been no incident.
        rules = self.settings.incidents
        recent = recent_unlinked_reports(s, group, now - rules.surge_window)
        needed = min(2, rules.surge_reports) if outage else rules.surge_reports
        surge = detect_surge(report, recent, now, reports=needed, window=rules.surge_window)
        if surge is None:
            return None
        if surge.reporters < rules.surge_reports:
            surge = replace(surge, filters=IncidentFilters())
        # In id order, as every writer locks tickets: a concurrent surge over the
        # same reports waits here, not in a cycle.
        return Assessment(surge=surge, earlier=tuple(lock_tickets(s, surge.refs)))

    def apply(
        self, s: Session, assessment: Assessment, ticket: TicketRow, now: datetime
    ) -> IncidentLink:
        """Link the new `ticket` (flushed, with its ref) as assessed."""
        if assessment.match is not None:
            incident = assessment.match
            self.linker.link(s, incident, ticket, via="match", actor=SURGE_ACTOR, now=now)
            return IncidentLink(incident.ref or "", opened=False, via="match")
        surge = assessment.surge
        assert surge is not None
        earlier = list(assessment.earlier)
        incident, opened = self._open(s, surge, [*earlier, ticket], now)
        for other in earlier:
            if link_of(s, other.ref or "") is None:
                self.linker.link(s, incident, other, via="surge", actor=SURGE_ACTOR, now=now)
        self.linker.link(s, incident, ticket, via="surge", actor=SURGE_ACTOR, now=now)
        # Planned again with its reports linked: their pages already sent count.
        self.planner.plan_incident(s, incident, now)
        return IncidentLink(incident.ref or "", opened=opened, via="surge")

    def _open(
        self, s: Session, surge: Surge, tickets: list[TicketRow], now: datetime
    ) -> tuple[IncidentRow, bool]:
        key = open_key(surge.group, surge.filters)
        for _ in range(3):
            row = insert_open_incident(s, self._new_row(surge, key, tickets, now))
            if row is not None:
                self.planner.plan_incident(s, row, now)
                append_event(
                    s,
                    at=now,
                    actor=SURGE_ACTOR,
                    action="incident.declared",
                    ticket_ref=row.ref,
                    payload={
                        "via": "surge",
                        "group": surge.group,
                        "severity": row.severity,
                        "filters": row.filters,
                        "reporters": surge.reporters,
                        "window": str(self.settings.incidents.surge_window),
                    },
                )
                return row, True
            holder = holder_of_key(s, key)
            if holder is not None:
                # Another report's transaction opened it first: join that one.
                return load_incident(s, holder.ref or "", lock=True), False
        raise RuntimeError(f"could not open or find the open incident {key}")

    def _new_row(
        self, surge: Surge, key: str, tickets: list[TicketRow], now: datetime
    ) -> IncidentRow:
        newest = tickets[-1]
        urgent = Priority.P3
        for t in tickets:
            urgent = more_urgent(urgent, priority_for(t.subtype, Scope.WIDESPREAD))
            urgent = more_urgent(urgent, Priority(t.priority))
        # A report that paged on its own and was acknowledged: someone already has
        # the outage, so the incident does not page the chain all over again.
        acked = sorted(
            (t for t in tickets if t.page_acked_at is not None),
            key=lambda t: t.page_acked_at or now,
        )
        return IncidentRow(
            title=subtype(newest.subtype).name_en.capitalize(),
            acknowledged_at=acked[0].page_acked_at if acked else None,
            owner=acked[0].assignee if acked else None,
            related_group=surge.group,
            subtypes=sorted({t.subtype for t in tickets}),
            finance=is_finance_group(surge.group),
            status=IncidentStatus.INVESTIGATING.value,
            severity=severity_for(urgent).value,
            filters=surge.filters.to_json(),
            open_key=key,
            declared_by=SURGE_ACTOR,
            started_at=min(t.created_at for t in tickets),
            declared_at=now,
            updated_at=now,
        )
