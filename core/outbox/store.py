"""The outbox in the database: enqueue inside the caller's transaction, and the
claim / mark cycle the dispatcher drives.

One holder per row rests on the lease: a claim moves a row to "sending" with
claimed_by and claimed_until in one transaction (FOR UPDATE SKIP LOCKED on
PostgreSQL, so dispatchers of several instances never take the same row; SQLite
has one writer at a time). Only the claimer can mark the row afterwards. A
dispatcher that dies leaves its lease behind; once it has run out the row is
claimable again. Per-chat order: only a chat's earliest unsent row is ever
claimable, so a chat has at most one message in flight.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, func, not_, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from core.conversation.messages import Reply
from core.errors import InvalidInputError
from core.outbox.codec import decode_reply, encode_reply
from core.outbox.model import UNSENT, OutboxMessage, OutboxStatus, OutboxStore, Progress
from core.storage.db import Database
from core.storage.outbox_tables import OutboxMessageRow
from core.validation import MAX_SHORT_CHARS, clean_text

T = OutboxMessageRow
MAX_ERROR_CHARS = 1000


def _aware(moment: datetime, field: str) -> datetime:
    if moment.tzinfo is None:
        raise InvalidInputError(f"{field}: needs a timezone-aware datetime")
    return moment


def enqueue(
    session: Session,
    *,
    channel: str,
    chat_id: str,
    language: str,
    reply: Reply,
    dedupe_key: str,
    now: datetime,
    group_key: str | None = None,
    expires_at: datetime | None = None,
    bulk: bool = False,
) -> bool:
    """Add one message to the outbox; False when `dedupe_key` is already there.

    Runs in the caller's transaction, so a state change and the message that
    announces it commit (or roll back) together. The first enqueue of a key wins:
    a second one with other content changes nothing. `bulk` messages (broadcasts)
    are claimed after every other due message.
    """
    values = {
        "dedupe_key": clean_text(dedupe_key, "dedupe_key", max_chars=MAX_SHORT_CHARS),
        "group_key": (
            None
            if group_key is None
            else clean_text(group_key, "group_key", max_chars=MAX_SHORT_CHARS)
        ),
        "bulk": bulk,
        "channel": clean_text(channel, "channel", max_chars=32),
        "chat_id": clean_text(chat_id, "chat_id", max_chars=MAX_SHORT_CHARS),
        "language": clean_text(language, "language", max_chars=8),
        "body": encode_reply(reply),
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": _aware(now, "now"),
        "created_at": now,
        "expires_at": expires_at and _aware(expires_at, "expires_at"),
    }
    if expires_at is not None and expires_at <= now:
        raise InvalidInputError("expires_at: must be later than now")
    table = T.__table__  # type: ignore[attr-defined]
    insert_for = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # RETURNING tells reliably whether the row is new; rowcount does not on every driver.
    stmt = (
        insert_for(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(table.c.id)
    )
    return session.connection().execute(stmt).first() is not None


def enqueue_replies(
    session: Session,
    *,
    channel: str,
    chat_id: str,
    language: str,
    replies: Sequence[Reply],
    key: str,
    now: datetime,
    expires_at: datetime | None = None,
) -> int:
    """Enqueue the replies of one turn, in order, keyed `<key>:<n>`; how many
    were new. With the turn's delivery id in `key`, a redelivered update adds
    nothing.
    """
    return sum(
        enqueue(
            session,
            channel=channel,
            chat_id=chat_id,
            language=language,
            reply=reply,
            dedupe_key=f"{key}:{n}",
            now=now,
            expires_at=expires_at,
        )
        for n, reply in enumerate(replies)
    )


def _message(row: OutboxMessageRow) -> OutboxMessage:
    assert row.id is not None
    return OutboxMessage(
        id=row.id,
        channel=row.channel,
        chat_id=row.chat_id,
        language=row.language,
        reply=decode_reply(row.body),
        dedupe_key=row.dedupe_key,
        group_key=row.group_key,
        attempts=row.attempts,
        expires_at=row.expires_at,
    )


def _no_earlier_unsent() -> ColumnElement[bool]:
    earlier = aliased(OutboxMessageRow)
    return not_(
        exists().where(
            col(earlier.channel) == col(T.channel),
            col(earlier.chat_id) == col(T.chat_id),
            col(earlier.id) < col(T.id),
            col(earlier.status).in_(UNSENT),
        )
    )


def _lease_over(now: datetime) -> ColumnElement[bool]:
    return and_(col(T.status) == OutboxStatus.SENDING, col(T.claimed_until) <= now)


def _mine(message_id: int, worker_id: str) -> ColumnElement[bool]:
    return and_(
        col(T.id) == message_id,
        col(T.claimed_by) == worker_id,
        col(T.status) == OutboxStatus.SENDING,
    )


class SqlOutbox:
    """The outbox store over SQLModel (SQLite or PostgreSQL)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def expire(self, now: datetime, channel: str | None = None) -> int:
        """Mark unsent rows past their expires_at as expired; how many."""
        waiting = or_(col(T.status) == OutboxStatus.PENDING, _lease_over(now))
        query = select(T.id).where(waiting, col(T.expires_at) <= now)
        if channel is not None:
            query = query.where(col(T.channel) == channel)
        with self.db.session() as s:
            # Locked rows belong to a claim in progress: skipped, not waited for.
            ids = list(s.exec(query.with_for_update(skip_locked=True)).all())
            if not ids:
                return 0
            s.execute(
                update(T)
                .where(col(T.id).in_(ids))
                .values(
                    status=OutboxStatus.EXPIRED,
                    claimed_until=None,
                    last_error="expired before it could be sent",
                )
            )
            return len(ids)

    def claim_due(
        self,
        now: datetime,
        limit: int,
        worker_id: str,
        *,
        channel: str,
        lease: timedelta,
    ) -> list[OutboxMessage]:
        """Lease up to `limit` due rows of `channel`, each the earliest unsent row
        of its chat, oldest first, bulk rows after the others. Rows whose lease
        ran out (their dispatcher died) are due again.
        """
        if limit < 1 or lease <= timedelta(0):
            raise ValueError("claim_due needs limit >= 1 and a positive lease")
        worker_id = clean_text(worker_id, "worker_id", max_chars=MAX_SHORT_CHARS)
        self.expire(now, channel)
        query = (
            select(T)
            .where(
                col(T.channel) == channel,
                or_(col(T.status) == OutboxStatus.PENDING, _lease_over(now)),
                col(T.next_attempt_at) <= now,
                _no_earlier_unsent(),
            )
            .order_by(col(T.bulk), col(T.id))
            .limit(limit)
            .with_for_update(skip_locked=True, of=T)
        )
        with self.db.session() as s:
            rows = list(s.exec(query).all())
            for row in rows:
                row.status = OutboxStatus.SENDING
                row.claimed_by = worker_id
                row.claimed_until = now + lease
                row.attempts += 1
                s.add(row)
            s.flush()
            return [_message(row) for row in rows]

    def _set(self, message_id: int, worker_id: str, **values: object) -> bool:
        with self.db.session() as s:
            result = s.execute(update(T).where(_mine(message_id, worker_id)).values(**values))
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def mark_sent(self, message_id: int, worker_id: str, now: datetime) -> bool:
        """False when this worker no longer holds the row (its lease ran out and
        another dispatcher took it): nothing is changed then.
        """
        return self._set(
            message_id,
            worker_id,
            status=OutboxStatus.SENT,
            sent_at=now,
            claimed_until=None,
            last_error=None,
        )

    def retry_later(
        self, message_id: int, worker_id: str, now: datetime, after: timedelta, error: str
    ) -> bool:
        """Back to pending, due again `after` from now; its chat waits for it."""
        return self._set(
            message_id,
            worker_id,
            status=OutboxStatus.PENDING,
            next_attempt_at=now + max(after, timedelta(0)),
            claimed_by=None,
            claimed_until=None,
            last_error=error[:MAX_ERROR_CHARS],
        )

    def fail(self, message_id: int, worker_id: str, now: datetime, error: str) -> bool:
        """Never to be sent (say, the user blocked the bot); the chat's later rows go on."""
        return self._set(
            message_id,
            worker_id,
            status=OutboxStatus.FAILED,
            claimed_until=None,
            last_error=error[:MAX_ERROR_CHARS],
        )

    def release(self, message_ids: Sequence[int], worker_id: str, at: datetime) -> int:
        """Give back rows claimed but not tried (a flood pause, a stop): due again
        at `at`, and the claim is not counted as an attempt.
        """
        if not message_ids:
            return 0
        with self.db.session() as s:
            result = s.execute(
                update(T)
                .where(
                    col(T.id).in_(list(message_ids)),
                    col(T.claimed_by) == worker_id,
                    col(T.status) == OutboxStatus.SENDING,
                )
                .values(
                    status=OutboxStatus.PENDING,
                    next_attempt_at=at,
                    claimed_by=None,
                    claimed_until=None,
                    attempts=col(T.attempts) - 1,
                )
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def next_due(self, channel: str) -> datetime | None:
        """The earliest moment something of `channel` may become claimable or
        expire: a chat head's next attempt or expiry, or a lease running out.
        """
        heads = select(T).where(
            col(T.channel) == channel,
            col(T.status) == OutboxStatus.PENDING,
            _no_earlier_unsent(),
        )
        moments: list[datetime | None] = []
        with self.db.session(read_only=True) as s:
            sub = heads.subquery()
            moments.append(s.exec(select(func.min(sub.c.next_attempt_at))).one())
            moments.append(s.exec(select(func.min(sub.c.expires_at))).one())
            moments.append(
                s.exec(
                    select(func.min(T.claimed_until)).where(
                        col(T.channel) == channel, col(T.status) == OutboxStatus.SENDING
                    )
                ).one()
            )
        known = [m for m in moments if m is not None]
        return min(known) if known else None

    def progress(self, group_key: str) -> Progress:
        with self.db.session(read_only=True) as s:
            counts = dict(
                s.exec(
                    select(T.status, func.count())
                    .where(col(T.group_key) == group_key)
                    .group_by(col(T.status))
                ).all()
            )
        total = sum(counts.values())
        failed = counts.get(OutboxStatus.FAILED, 0) + counts.get(OutboxStatus.EXPIRED, 0)
        return Progress(sent=counts.get(OutboxStatus.SENT, 0), total=total, failed=failed)

    def prune(self, before: datetime) -> int:
        """Delete sent, failed and expired rows created before `before`; how many.
        Their dedupe keys are free again afterwards, so keep rows longer than
        any redelivery or retried broadcast could come.
        """
        done = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.EXPIRED)
        with self.db.session() as s:
            result = s.execute(delete(T).where(col(T.status).in_(done), col(T.created_at) < before))
            return int(result.rowcount)  # type: ignore[attr-defined]

    def get(self, message_id: int) -> OutboxMessageRow | None:
        """The stored row, for inspection (operations, tests)."""
        with self.db.session(read_only=True) as s:
            return s.get(T, message_id)


def _conforms(db: Database) -> OutboxStore:
    # Never called: mypy checks here that SqlOutbox is the store the dispatcher needs.
    return SqlOutbox(db)
