"""Appending to and reading the audit trail inside a transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from core.audit import GENESIS, ChainLink, canonical_json, event_hash
from core.storage.tables import AuditEventRow, AuditHeadRow, PersonalDataRow

_HEAD = "livedesk_audit_head"


def append_event(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    ticket_ref: str | None,
    payload: dict[str, Any],
) -> AuditEventRow:
    """Append one event after the current head.

    The head row is locked (FOR UPDATE on PostgreSQL; SQLite transactions are
    already serialised by BEGIN IMMEDIATE), so concurrent writers queue up
    instead of both linking to the same predecessor. The unique prev_hash is
    the last line of defence against a fork.
    """
    head = session.info.get(_HEAD)
    if head is None:
        # Locked once per transaction; later appends in it reuse the locked row.
        head = session.exec(
            select(AuditHeadRow).where(AuditHeadRow.id == 1).with_for_update()
        ).one()
        session.info[_HEAD] = head
    body = canonical_json(payload)
    seq = head.seq + 1
    digest = event_hash(head.hash, seq, at, actor, action, ticket_ref, body)
    row = AuditEventRow(
        seq=seq,
        ticket_ref=ticket_ref,
        actor=actor,
        action=action,
        at=at,
        payload=body,
        prev_hash=head.hash,
        hash=digest,
    )
    session.add(row)
    head.seq, head.hash = seq, digest
    session.add(head)
    return row


def personal_ref(
    session: Session, ticket_ref: str | None, field: str, value: object
) -> dict[str, int]:
    """Store a personal value outside the chain and return the pointer to hash."""
    row = PersonalDataRow(ticket_ref=ticket_ref, field=field, value=str(value))
    session.add(row)
    session.flush()
    assert row.id is not None
    return {"pii": row.id}


def iter_links(session: Session, batch: int = 1000) -> Iterator[ChainLink]:
    last = 0
    while True:
        rows = session.exec(
            select(AuditEventRow)
            .where(AuditEventRow.seq > last)
            .order_by(col(AuditEventRow.seq))
            .limit(batch)
        ).all()
        if not rows:
            return
        for r in rows:
            yield ChainLink(
                r.seq, r.at, r.actor, r.action, r.ticket_ref, r.payload, r.prev_hash, r.hash
            )
        last = rows[-1].seq


def latest_hash(session: Session) -> tuple[int, str]:
    row = session.exec(
        select(AuditEventRow).order_by(col(AuditEventRow.seq).desc()).limit(1)
    ).first()
    if row is None:
        return 0, GENESIS
    return row.seq, row.hash
