"""Knowledge-base feedback counts in the database, on both databases."""

from __future__ import annotations

from core.ports import FeedbackCounts
from core.storage.db import Database
from core.storage.feedback import SqlFeedbackStore, count_votes


def test_votes_are_counted_per_article_in_the_callers_transaction(db: Database) -> None:
    with db.session() as s:
        count_votes(s, ["a", "b", "a"], "offers")
        count_votes(s, ["a"], "helped")
        count_votes(s, ["b", "c"], "not_helped")
    assert SqlFeedbackStore(db).counts() == {
        "a": FeedbackCounts(offers=1, helped=1, not_helped=0),
        "b": FeedbackCounts(offers=1, helped=0, not_helped=1),
        "c": FeedbackCounts(offers=0, helped=0, not_helped=1),
    }


def test_a_rolled_back_step_counts_no_vote(db: Database) -> None:
    try:
        with db.session() as s:
            count_votes(s, ["a"], "offers")
            raise RuntimeError("the conversation step failed")
    except RuntimeError:
        pass
    assert SqlFeedbackStore(db).counts() == {}


def test_counts_are_read_again_once_the_cache_expires(db: Database) -> None:
    cached, fresh = SqlFeedbackStore(db, cache_seconds=3600), SqlFeedbackStore(db, cache_seconds=0)
    assert cached.counts() == fresh.counts() == {}
    with db.session() as s:
        count_votes(s, ["a"], "offers")
    assert cached.counts() == {}
    assert fresh.counts() == {"a": FeedbackCounts(offers=1)}
