"""A FeedbackStore kept in memory, for tests and the CLI without a database."""

from __future__ import annotations

from core.ports import FeedbackCounts


class MemoryFeedbackStore:
    def __init__(self, initial: dict[str, FeedbackCounts] | None = None) -> None:
        self._counts: dict[str, FeedbackCounts] = dict(initial or {})

    def record_offer(self, article_ids: list[str]) -> None:
        for article_id in article_ids:
            c = self._counts.get(article_id, FeedbackCounts())
            self._counts[article_id] = FeedbackCounts(c.offers + 1, c.helped, c.not_helped)

    def record_feedback(self, article_ids: list[str], helped: bool) -> None:
        for article_id in article_ids:
            c = self._counts.get(article_id, FeedbackCounts())
            self._counts[article_id] = FeedbackCounts(
                c.offers, c.helped + int(helped), c.not_helped + int(not helped)
            )

    def counts(self) -> dict[str, FeedbackCounts]:
        return dict(self._counts)
