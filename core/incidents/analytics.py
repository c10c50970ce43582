"""Incidents in the retrospective: how many, how large, how fast they were
owned, told and resolved, and how many tickets went through one instead of
being handled one by one.

`build_incident_figures` is pure; `load_incident_figures` reads the rows it needs.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.storage.incident_tables import IncidentRow, IncidentTicketRow
from core.storage.tables import TicketRow


@dataclass(frozen=True, slots=True)
class IncidentFacts:
    ref: str
    severity: str
    declared_at: datetime
    acknowledged_at: datetime | None
    first_update_at: datetime | None
    resolved_at: datetime | None
    reporters: int


@dataclass(frozen=True, slots=True)
class IncidentFigures:
    incidents: int
    p0: int
    median_reporters: float | None
    most_reporters: int
    median_minutes_to_acknowledge: float | None
    median_minutes_to_first_update: float | None
    median_minutes_to_resolve: float | None
    unresolved: int
    tickets: int  # all tickets created in the period
    tickets_through_incidents: int  # of those, the ones handled inside an incident

    @property
    def through_incidents_share(self) -> float | None:
        return self.tickets_through_incidents / self.tickets if self.tickets else None


def build_incident_figures(
    incidents: Sequence[IncidentFacts], *, tickets: int, tickets_through_incidents: int
) -> IncidentFigures:
    """Figures of the incidents declared in a period (merged ones excluded by the
    caller: their reports count in the incident they were merged into).
    """
    if not 0 <= tickets_through_incidents <= tickets:
        raise ValueError("tickets through incidents must be between 0 and all tickets")

    def minutes(pick: str) -> float | None:
        spans = (
            (moment - i.declared_at) / timedelta(minutes=1)
            for i in incidents
            if (moment := getattr(i, pick)) is not None
        )
        return _median(spans)

    return IncidentFigures(
        incidents=len(incidents),
        p0=sum(i.severity == "P0" for i in incidents),
        median_reporters=_median(i.reporters for i in incidents),
        most_reporters=max((i.reporters for i in incidents), default=0),
        median_minutes_to_acknowledge=minutes("acknowledged_at"),
        median_minutes_to_first_update=minutes("first_update_at"),
        median_minutes_to_resolve=minutes("resolved_at"),
        unresolved=sum(i.resolved_at is None for i in incidents),
        tickets=tickets,
        tickets_through_incidents=tickets_through_incidents,
    )


def _median(values: Iterable[float]) -> float | None:
    found = list(values)
    return float(statistics.median(found)) if found else None


def load_incident_figures(s: Session, since: datetime, until: datetime) -> IncidentFigures:
    rows = s.exec(
        select(IncidentRow).where(
            col(IncidentRow.declared_at) >= since,
            col(IncidentRow.declared_at) < until,
            col(IncidentRow.merged_into).is_(None),
        )
    ).all()
    facts = []
    for row in rows:
        reporters = s.exec(
            select(TicketRow.channel, TicketRow.external_user_id)
            .join(IncidentTicketRow, col(IncidentTicketRow.ticket_id) == col(TicketRow.id))
            .where(IncidentTicketRow.incident_id == row.id)
            .distinct()
        ).all()
        facts.append(
            IncidentFacts(
                ref=row.ref or "",
                severity=row.severity,
                declared_at=row.declared_at,
                acknowledged_at=row.acknowledged_at,
                first_update_at=row.first_update_at,
                resolved_at=row.resolved_at,
                reporters=len(reporters),
            )
        )
    in_period = (col(TicketRow.created_at) >= since, col(TicketRow.created_at) < until)
    total = s.exec(select(func.count()).select_from(TicketRow).where(*in_period)).one()
    linked = s.exec(
        select(func.count())
        .select_from(TicketRow)
        .join(IncidentTicketRow, col(IncidentTicketRow.ticket_id) == col(TicketRow.id))
        .where(*in_period)
    ).one()
    return build_incident_figures(facts, tickets=int(total), tickets_through_incidents=int(linked))
