"""Knowledge-base feedback counts kept in the database."""

from __future__ import annotations

import time

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import select

from core.ports import FeedbackCounts
from core.storage.db import Database
from core.storage.tables import KbFeedbackRow


class SqlFeedbackStore:
    """Implements core.ports.FeedbackStore. Increments are single upserts, so
    concurrent instances never lose a count.
    """

    def __init__(self, db: Database, cache_seconds: float = 5.0) -> None:
        self.db = db
        self.cache_seconds = cache_seconds
        self._cached: tuple[float, dict[str, FeedbackCounts]] | None = None

    def _bump(self, article_ids: list[str], column: str) -> None:
        table = KbFeedbackRow.__table__  # type: ignore[attr-defined]
        insert_for = pg_insert if self.db.dialect == "postgresql" else sqlite_insert
        self._cached = None
        with self.db.session() as s:
            # Sorted, so concurrent writers lock rows in the same order.
            for article_id in sorted(set(article_ids)):
                values = {"article_id": article_id, "offers": 0, "helped": 0, "not_helped": 0}
                values[column] = 1
                stmt = insert_for(table).values(**values)
                stmt = stmt.on_conflict_do_update(
                    index_elements=["article_id"], set_={column: table.c[column] + 1}
                )
                s.execute(stmt)

    def record_offer(self, article_ids: list[str]) -> None:
        self._bump(article_ids, "offers")

    def record_feedback(self, article_ids: list[str], helped: bool) -> None:
        self._bump(article_ids, "helped" if helped else "not_helped")

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
