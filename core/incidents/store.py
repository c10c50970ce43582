"""Reading and writing incident rows inside a caller's transaction.

The one subtle write is opening an incident: two reports completing the same
surge at the same moment must open ONE incident. The open incident of a related
group and filters owns a unique `open_key` (NULL once resolved); the second
insert fails on it, inside a savepoint, and the caller joins the winner. A row
lock would not do: SELECT ... FOR UPDATE cannot lock a row that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.errors import NotFoundError
from core.incidents.model import IncidentFilters, IncidentStatus, incident_ref
from core.incidents.related import RELATED
from core.incidents.surge import ReportFact, filters_of
from core.storage.incident_tables import IncidentRow, IncidentTicketRow
from core.storage.tables import TicketRow


def open_key(group: str, filters: IncidentFilters) -> str:
    return f"{group}|{filters.key()}"


def load_incident(s: Session, ref: str, *, lock: bool) -> IncidentRow:
    query = select(IncidentRow).where(IncidentRow.ref == ref.strip().upper())
    if lock:
        # Refreshed: an unlocked read earlier in the transaction may be stale by now.
        query = query.with_for_update().execution_options(populate_existing=True)
    row = s.exec(query).first()
    if row is None:
        raise NotFoundError(f"no incident {ref}")
    return row


def load_ticket(s: Session, ref: str, *, lock: bool) -> TicketRow:
    query = select(TicketRow).where(TicketRow.ref == ref.strip().upper())
    if lock:
        # Refreshed: an unlocked read earlier in the transaction may be stale by now.
        query = query.with_for_update().execution_options(populate_existing=True)
    row = s.exec(query).first()
    if row is None:
        raise NotFoundError(f"no ticket {ref}")
    return row


def lock_tickets(s: Session, refs: Iterable[str]) -> list[TicketRow]:
    """Lock several tickets, always in id order, so two writers never deadlock."""
    wanted = sorted(set(refs))
    if not wanted:
        return []
    return list(
        s.exec(
            select(TicketRow)
            .where(col(TicketRow.ref).in_(wanted))
            .order_by(col(TicketRow.id))
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
    )


def link_of(s: Session, ticket_ref: str) -> IncidentTicketRow | None:
    return s.exec(
        select(IncidentTicketRow).where(IncidentTicketRow.ticket_ref == ticket_ref)
    ).first()


def incident_of_ticket(s: Session, ticket_ref: str) -> IncidentRow | None:
    return s.exec(
        select(IncidentRow)
        .join(IncidentTicketRow, col(IncidentTicketRow.incident_id) == col(IncidentRow.id))
        .where(IncidentTicketRow.ticket_ref == ticket_ref)
    ).first()


def linked_tickets(s: Session, incident_id: int) -> list[TicketRow]:
    """The incident's tickets, in the order they were reported."""
    return list(
        s.exec(
            select(TicketRow)
            .join(IncidentTicketRow, col(IncidentTicketRow.ticket_id) == col(TicketRow.id))
            .where(IncidentTicketRow.incident_id == incident_id)
            .order_by(col(TicketRow.created_at), col(TicketRow.id))
        ).all()
    )


def lead_ticket_ref(s: Session, incident_id: int) -> str | None:
    """The first report still in the incident: where its pages point today."""
    return s.exec(
        select(IncidentTicketRow.ticket_ref)
        .where(IncidentTicketRow.incident_id == incident_id)
        .order_by(col(IncidentTicketRow.linked_at), col(IncidentTicketRow.id))
        .limit(1)
    ).first()


def open_incidents(s: Session, group: str | None = None) -> list[IncidentRow]:
    query = select(IncidentRow).where(IncidentRow.status != IncidentStatus.RESOLVED.value)
    if group is not None:
        query = query.where(IncidentRow.related_group == group)
    return list(s.exec(query.order_by(col(IncidentRow.declared_at), col(IncidentRow.id))).all())


def recent_unlinked_reports(s: Session, group: str, since: datetime) -> list[ReportFact]:
    """Reports of the group since `since` that are in no incident yet."""
    linked = select(IncidentTicketRow.ticket_id)
    rows = s.exec(
        select(TicketRow).where(
            col(TicketRow.subtype).in_(sorted(RELATED[group])),
            col(TicketRow.created_at) >= since,
            col(TicketRow.id).not_in(linked),
        )
    ).all()
    return [
        ReportFact(
            ref=t.ref,
            reporter=f"{t.channel}:{t.external_user_id}",
            subtype=t.subtype,
            at=t.created_at,
            filters=filters_of(t.diagnostics or {}),
        )
        for t in rows
    ]


def insert_open_incident(s: Session, row: IncidentRow) -> IncidentRow | None:
    """Insert an open incident; None when another already holds its open key.

    On PostgreSQL the losing insert waits for the winner's commit and then
    fails; the savepoint keeps the caller's transaction usable. SQLite
    serialises writers, so there the caller would have seen the winner.
    """
    try:
        with s.begin_nested():
            s.add(row)
            s.flush()
    except IntegrityError:
        return None
    assert row.id is not None
    row.ref = incident_ref(row.id)
    s.add(row)
    return row


def holder_of_key(s: Session, key: str) -> IncidentRow | None:
    return s.exec(select(IncidentRow).where(IncidentRow.open_key == key)).first()
