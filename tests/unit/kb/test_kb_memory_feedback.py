from __future__ import annotations

from core.ports import FeedbackCounts, FeedbackStore
from kb.memory_feedback import MemoryFeedbackStore


def test_offers_and_answers_are_counted_per_article() -> None:
    store: FeedbackStore = MemoryFeedbackStore()
    store.record_offer(["a", "b"])
    store.record_offer(["a"])
    store.record_feedback(["a"], helped=True)
    store.record_feedback(["b", "c"], helped=False)
    assert store.counts() == {
        "a": FeedbackCounts(offers=2, helped=1, not_helped=0),
        "b": FeedbackCounts(offers=1, helped=0, not_helped=1),
        "c": FeedbackCounts(offers=0, helped=0, not_helped=1),
    }


def test_counts_are_a_copy() -> None:
    store = MemoryFeedbackStore({"a": FeedbackCounts(offers=1)})
    store.counts().clear()
    assert store.counts() == {"a": FeedbackCounts(offers=1)}
