"""Knowledge-base feedback counts kept in the database."""

from __future__ import annotations

import time
from typing import Literal

from sqlalchemy import Insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from core.ports import FeedbackCounts
from core.storage.db import Database
from core.storage.tables import KbFeedbackRow

Vote = Literal["offers", "helped", "not_helped"]


def _upsert(dialect: str, vote: Vote) -> Insert:
    table = KbFeedbackRow.__table__  # type: ignore[attr-defined]
    insert_for = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert_for(table).on_conflict_do_update(
        index_elements=["article_id"], set_={vote: table.c[vote] + 1}
    )
    return stmt


# Built once: one statement per vote, so SQLAlchemy compiles each only once.
_UPSERTS = {
    (dialect, vote): _upsert(dialect, vote)
    for dialect in ("postgresql", "sqlite")
    for vote in ("offers", "helped", "not_helped")
}


def count_votes(session: Session, article_ids: list[str], vote: Vote) -> None:
    """Adds one `vote` to each article, inside the caller's transaction, so the
    count commits with the conversation step that caused it. Single upserts:
    concurrent instances never lose a count.
    """
    if not article_ids:
        return
    connection = session.connection()
    # Sorted, so concurrent writers lock rows in the same order.
    rows = [
        {"article_id": a, "offers": 0, "helped": 0, "not_helped": 0, vote: 1}
        for a in sorted(set(article_ids))
    ]
    connection.execute(_UPSERTS[(connection.dialect.name, vote)], rows)


class SqlFeedbackStore:
    """Implements core.ports.FeedbackStore."""

    def __init__(self, db: Database, cache_seconds: float = 5.0) -> None:
        self.db = db
        self.cache_seconds = cache_seconds
        self._cached: tuple[float, dict[str, FeedbackCounts]] | None = None

    def counts(self) -> dict[str, FeedbackCounts]:
        """Read on every suggestion, so kept for a few seconds: ranking does not
        need the very latest vote, and a query per message would cost more.
        """
        now = time.monotonic()
        if self._cached is not None and now - self._cached[0] < self.cache_seconds:
            return self._cached[1]
        with self.db.session(read_only=True) as s:
            rows = s.exec(select(KbFeedbackRow)).all()
        counts = {r.article_id: FeedbackCounts(r.offers, r.helped, r.not_helped) for r in rows}
        self._cached = (now, counts)
        return counts
