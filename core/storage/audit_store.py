"""Appending to and reading the audit trail inside a transaction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from core.audit import (
    GENESIS,
    ChainLink,
    VerifyResult,
    canonical_json,
    event_hash,
    pii_pointers,
    verify_chain,
)
from core.storage.personal import digest_of, seal, ticket_subject, user_subject
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
    session: Session,
    ticket_ref: str | None,
    field: str,
    value: object,
    subject: str | None = None,
) -> dict[str, int | str]:
    """Store a personal value outside the chain, sealed with its subject's key,
    and return the pointer to hash: its id and the digest of what is stored, so
    an edited value breaks the chain while erasing the key does not.

    The subject defaults to the ticket, or to the value itself for a reporter
    without a ticket.
    """
    if subject is None:
        subject = ticket_subject(ticket_ref) if ticket_ref else user_subject(str(value))
    stored = seal(session, subject, str(value))
    row = PersonalDataRow(ticket_ref=ticket_ref, field=field, subject=subject, value=stored)
    session.add(row)
    session.flush()
    assert row.id is not None
    return {"pii": row.id, "digest": digest_of(stored)}


def personal_digests(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """The digest of what is stored now for each personal data row that exists."""
    wanted = sorted(set(ids))
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.exec(
            select(PersonalDataRow.id, PersonalDataRow.value).where(
                col(PersonalDataRow.id).in_(chunk)
            )
        ).all()
        found.update({int(i): digest_of(v) for i, v in rows if i is not None})
    return found


def verify_trail(session: Session, anchor: str | None = None, batch: int = 1000) -> VerifyResult:
    """The chain, its anchor, and the personal data its events point to."""
    digests: dict[int, str] = {}

    def links() -> Iterator[ChainLink]:
        pending: list[ChainLink] = []
        for link in iter_links(session, batch):
            pending.append(link)
            if len(pending) >= batch:
                yield from _with_digests(session, pending, digests)
                pending = []
        yield from _with_digests(session, pending, digests)

    return verify_chain(links(), anchor=anchor, personal_digest=digests.get)


def _with_digests(
    session: Session, links: list[ChainLink], digests: dict[int, str]
) -> Iterator[ChainLink]:
    digests.clear()
    ids = [pid for link in links for pid, _ in pii_pointers(link.payload)]
    digests.update(personal_digests(session, ids))
    yield from links


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
