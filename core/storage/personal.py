"""Personal data the audit trail points to: sealed per subject, erasable by key.

Each subject (a ticket, or a user without a ticket) has its own key. A value is
stored encrypted with its subject's key, and the audit event hashes a digest of
the ciphertext: editing the stored value breaks the chain, while erasure only
destroys the key ("crypto-shredding"), so the ciphertext and its digest stay
and the chain still verifies. The keys live in the same database: this is for
erasure, not secrecy from whoever can read the database.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select, update

from core.storage.correction_tables import TriageCorrectionRow
from core.storage.personal_tables import PersonalKeyRow
from core.storage.tables import PersonalDataRow, TicketRow


def ticket_subject(ticket_ref: str) -> str:
    return f"ticket:{ticket_ref}"


def user_subject(channel_user: str) -> str:
    """A user without a ticket, by a digest: the subject's name is not personal data."""
    return "user:" + hashlib.sha256(channel_user.encode("utf-8")).hexdigest()[:40]


def digest_of(stored: str | None) -> str:
    return hashlib.sha256((stored or "").encode("utf-8")).hexdigest()


def _insert_key(session: Session, subject: str, key: str, now: datetime | None) -> None:
    """Insert the subject's key unless a concurrent transaction already did."""
    values: dict[str, Any] = {"subject": subject, "key": key, "created_at": now}
    if session.get_bind().dialect.name == "postgresql":
        stmt: Any = postgresql.insert(PersonalKeyRow).values(**values)
    else:
        stmt = sqlite.insert(PersonalKeyRow).values(**values)
    session.execute(stmt.on_conflict_do_nothing(index_elements=["subject"]))


def subject_key(session: Session, subject: str, now: datetime | None = None) -> Fernet:
    row = session.get(PersonalKeyRow, subject)
    if row is None:
        _insert_key(session, subject, Fernet.generate_key().decode("ascii"), now)
        row = session.exec(select(PersonalKeyRow).where(PersonalKeyRow.subject == subject)).one()
    return Fernet(row.key.encode("ascii"))


def seal(session: Session, subject: str, value: str, now: datetime | None = None) -> str:
    return subject_key(session, subject, now).encrypt(value.encode("utf-8")).decode("ascii")


def reveal(session: Session, row: PersonalDataRow) -> str | None:
    """The plain value, or None once erased. Rows written before sealing hold plain text."""
    if row.erased_at is not None or row.value is None:
        return None
    if row.subject is None:
        return row.value
    key = session.get(PersonalKeyRow, row.subject)
    if key is None:
        return None
    try:
        return Fernet(key.key.encode("ascii")).decrypt(row.value.encode("ascii")).decode("utf-8")
    except InvalidToken:
        return None


def erase_subjects(session: Session, subjects: list[str], now: datetime) -> int:
    """Destroy the subjects' keys; their values become unreadable. Returns rows erased."""
    if not subjects:
        return 0
    for subject in subjects:
        key = session.get(PersonalKeyRow, subject)
        if key is not None:
            session.delete(key)
    result = session.execute(
        update(PersonalDataRow)
        .where(col(PersonalDataRow.subject).in_(subjects), col(PersonalDataRow.erased_at).is_(None))
        .values(erased_at=now)
    )
    # Plain-text rows from before sealing have no key to destroy: their value goes.
    session.execute(
        update(PersonalDataRow)
        .where(
            col(PersonalDataRow.ticket_ref).in_(
                [s.removeprefix("ticket:") for s in subjects if s.startswith("ticket:")]
            ),
            col(PersonalDataRow.subject).is_(None),
        )
        .values(value=None, erased_at=now)
    )
    # Agents' corrections keep the user's words for training: they go too.
    refs = [s.removeprefix("ticket:") for s in subjects if s.startswith("ticket:")]
    session.execute(
        delete(TriageCorrectionRow).where(col(TriageCorrectionRow.ticket_ref).in_(refs))
    )
    return int(getattr(result, "rowcount", 0) or 0)


def subjects_of_user(session: Session, channel: str, user_id: str) -> list[str]:
    """Every subject that holds a user's personal data: their tickets, and themselves."""
    refs = session.exec(
        select(TicketRow.ref).where(
            TicketRow.channel == channel, TicketRow.external_user_id == user_id
        )
    ).all()
    return [*(ticket_subject(r) for r in refs if r), user_subject(f"{channel}:{user_id}")]
