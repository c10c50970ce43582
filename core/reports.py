"""Counts for agents: the queue and today's figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from core.statuses import OPEN_STATUSES
from core.storage.db import Database
from core.storage.tables import SelfServiceRow, TicketRow


@dataclass(frozen=True, slots=True)
class DayStats:
    created: dict[str, int]  # by priority
    responded: int
    responded_in_time: int
    rated: int
    rating_sum: int
    self_service: int

    @property
    def sla_compliance(self) -> float | None:
        return self.responded_in_time / self.responded if self.responded else None

    @property
    def csat(self) -> float | None:
        return self.rating_sum / self.rated if self.rated else None


def open_tickets(db: Database, *, assignee: str | None = None, limit: int = 50) -> list[TicketRow]:
    """Open tickets, most urgent and soonest due first."""
    query = select(TicketRow).where(col(TicketRow.status).in_([s.value for s in OPEN_STATUSES]))
    if assignee is not None:
        query = query.where(TicketRow.assignee == assignee)
    query = query.order_by(col(TicketRow.priority), col(TicketRow.first_response_due)).limit(limit)
    with db.session(read_only=True) as s:
        return list(s.exec(query).all())


def open_counts(db: Database) -> dict[str, int]:
    with db.session(read_only=True) as s:
        rows = s.exec(
            select(TicketRow.priority, func.count())
            .where(col(TicketRow.status).in_([st.value for st in OPEN_STATUSES]))
            .group_by(col(TicketRow.priority))
        ).all()
    return {priority: int(count) for priority, count in rows}


def day_stats(db: Database, since: datetime) -> DayStats:
    with db.session(read_only=True) as s:
        tickets = s.exec(select(TicketRow).where(col(TicketRow.created_at) >= since)).all()
        self_service = s.exec(
            select(func.count())
            .select_from(SelfServiceRow)
            .where(col(SelfServiceRow.created_at) >= since)
        ).one()
    created: dict[str, int] = {}
    for t in tickets:
        created[t.priority] = created.get(t.priority, 0) + 1
    responded = [t for t in tickets if t.first_response_at is not None]
    in_time = [
        t for t in responded if t.first_response_at and t.first_response_at <= t.first_response_due
    ]
    rated = [t.satisfaction for t in tickets if t.satisfaction is not None]
    return DayStats(
        created=created,
        responded=len(responded),
        responded_in_time=len(in_time),
        rated=len(rated),
        rating_sum=sum(r for r in rated if r is not None),
        self_service=int(self_service),
    )
