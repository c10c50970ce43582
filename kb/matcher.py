"""Fuzzy matching of user messages to knowledge-base articles.

How a score is made (details and calibration in docs/kb-matching.md):
1. Index time: every title, symptom, keyword and taxonomy name of an article becomes a
   phrase of units (Chinese bigrams / English stems, see kb.features). Each unit gets a
   specificity from the share of articles that contain it.
2. Query time: the message's units, plus English words corrected by rapidfuzz against the
   vocabulary, pick a few candidate articles through an inverted index.
3. Each candidate phrase scores how much of it the message covers (specificity-weighted,
   rapidfuzz partial_ratio rescues near-miss Chinese phrases) times how telling the
   phrase is on its own (a one-character keyword says little). An article's text score
   adds its best three phrases with falling weights.
4. The classifier's subtype and the helped / not-helped feedback adjust the ranking;
   the cutoff on the text score makes "nothing relevant" an answer.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from core.ports import ArticleSuggestion, FeedbackCounts, FeedbackStore
from core.taxonomy import SUBTYPES, Category, Subtype
from core.text import normalize
from kb.features import query_units
from kb.index import Index
from kb.loader import info_only
from kb.model import Article
from kb.negation import working_subtypes

CUTOFF = 33.0
# Articles of the classifier's own subtype need less text evidence: the classifier vouches.
SAME_SUBTYPE_CUTOFF_SHARE = 0.5
OTHER_CATEGORY_FACTOR = 0.6
SAME_SUBTYPE_BOOST = 1.25
CONSENSUS = 0.25
INFO_MARGIN = 0.75
CANDIDATES = 24
_FEEDBACK_PRIOR = 2.0  # pseudo-votes each way, so one answer cannot swing the ranking


class Matcher:
    """core.ports.KnowledgeBase over a list of articles, with feedback-aware ranking."""

    def __init__(
        self, articles: Sequence[Article], feedback: FeedbackStore, cutoff: float = CUTOFF
    ) -> None:
        self._feedback = feedback
        self._cutoff = cutoff
        # A later article with the same id wins, as database drafts override files.
        self._articles: list[Article] = list({a.id: a for a in articles}.values())
        self._by_id = {a.id: i for i, a in enumerate(self._articles)}
        self._index = Index(self._articles)
        self._categories = [
            frozenset(SUBTYPES[s].category for s in a.subtypes if s in SUBTYPES)
            for a in self._articles
        ]
        self._of_subtype: dict[str, frozenset[int]] = {
            s: frozenset(i for i, a in enumerate(self._articles) if s in a.subtypes)
            for s in SUBTYPES
        }
        self._of_category: dict[Category, frozenset[int]] = {
            c: frozenset(i for i, cats in enumerate(self._categories) if c in cats)
            for c in Category
        }
        # Per subtype, each article's weight in candidate selection: its own
        # subtype first, other categories last. One list lookup per candidate.
        self._candidate_weight: dict[str, list[float]] = {
            s: [
                1.5 if i in self._of_subtype[s] else 1.0 if st.category in cats else 0.5
                for i, cats in enumerate(self._categories)
            ]
            for s, st in SUBTYPES.items()
        }

    # -- the KnowledgeBase port -------------------------------------------------------

    def suggest(
        self, text: str, subtype: str | None = None, limit: int = 3
    ) -> list[ArticleSuggestion]:
        return [self._articles[i].suggestion(score) for i, score in self.rank(text, subtype, limit)]

    def get(self, article_id: str) -> ArticleSuggestion | None:
        i = self._by_id.get(article_id)
        return None if i is None else self._articles[i].suggestion(0.0)

    @property
    def articles(self) -> list[Article]:
        return list(self._articles)

    # -- scoring ----------------------------------------------------------------------

    def rank(
        self, text: str, subtype: str | None = None, limit: int = 3
    ) -> list[tuple[int, float]]:
        """(article index, score 0-100) best first, above the cutoff."""
        if limit <= 0:
            return []
        q = normalize(text)
        q_compact, cjk_units, stems = query_units(q)
        matched = self._index.match_units(cjk_units, stems)
        if not matched:
            return []
        st = SUBTYPES.get(subtype) if subtype else None
        relevance = self._relevance(matched, q_compact, st)
        # "只有声音没有画面": no article only about the part that works.
        working = working_subtypes(text)
        if working:
            relevance = {
                i: score
                for i, score in relevance.items()
                if not set(self._articles[i].subtypes) <= working
            }
        support = self._subtype_support(relevance)
        counts = self._feedback.counts() if relevance else {}
        scored: list[tuple[float, int]] = []
        for i, score in relevance.items():
            article = self._articles[i]
            same = st is not None and st.id in article.subtypes
            if score < self._cutoff * (SAME_SUBTYPE_CUTOFF_SHARE if same else 1.0):
                continue
            # Sibling articles of the same subtype matching too make that subtype likelier.
            rank_score = score + CONSENSUS * support[i]
            if same:
                rank_score *= SAME_SUBTYPE_BOOST
            rank_score *= _feedback_factor(counts.get(article.id))
            scored.append((rank_score, i))
        scored.sort(key=lambda t: (-t[0], self._articles[t[1]].id))
        if st is None and self._about_support_or_wish(scored):
            scored = [t for t in scored if not self._articles[t[1]].offers_fix]
        return [(i, min(100.0, s)) for s, i in scored[:limit]]

    def _relevance(
        self, matched: dict[int, float], q_compact: str, st: Subtype | None
    ) -> dict[int, float]:
        """Candidate -> text score, after the classifier's subtype has had its say:
        other categories demoted, fix steps dropped for service and suggestion.
        """
        relevance: dict[int, float] = {}
        for i in self._candidates(matched, st):
            score = self._index.text_score(i, matched, q_compact)
            if st is not None:
                if info_only(st.id) and self._articles[i].offers_fix:
                    continue
                # Money moves one way per finance subtype: a top-up's steps do
                # not help a withdrawal, however many words they share.
                if st.category is Category.FINANCE and i not in self._of_subtype[st.id]:
                    continue
                if i not in self._of_category[st.category] and i not in self._of_subtype[st.id]:
                    score *= OTHER_CATEGORY_FACTOR
            relevance[i] = score
        return relevance

    def _candidates(self, matched: dict[int, float], st: Subtype | None) -> list[int]:
        acc, touched = self._index.candidate_scores(matched)
        if st is None:
            return heapq.nlargest(CANDIDATES, touched, key=acc.__getitem__)
        weight = self._candidate_weight[st.id]
        scaled = [acc[i] * weight[i] for i in touched]
        best = heapq.nlargest(CANDIDATES, range(len(touched)), key=scaled.__getitem__)
        return [touched[j] for j in best]

    def _subtype_support(self, relevance: dict[int, float]) -> dict[int, float]:
        """Article -> best relevance among the *other* articles sharing one of its subtypes."""
        top_two: dict[str, list[tuple[float, int]]] = {}
        for i, score in relevance.items():
            for s in self._articles[i].subtypes:
                top = top_two.setdefault(s, [])
                top.append((score, i))
                top.sort(reverse=True)
                del top[2:]
        return {
            i: max(
                next((score for score, j in top_two[s] if j != i), 0.0)
                for s in self._articles[i].subtypes
            )
            for i in relevance
        }

    def _about_support_or_wish(self, scored: list[tuple[float, int]]) -> bool:
        """Without a classifier verdict: does a service / suggestion article match about
        as well as the best fault article? Then the message is a complaint about support
        or a wish, and fix steps would miss the point.
        """
        best_info = best_fault = 0.0
        for score, i in scored:
            if all(info_only(s) for s in self._articles[i].subtypes):
                best_info = max(best_info, score)
            else:
                best_fault = max(best_fault, score)
        return best_info > 0.0 and best_info >= INFO_MARGIN * best_fault


def _feedback_factor(counts: FeedbackCounts | None) -> float:
    """0.8-1.2: the helped share, pulled towards one half by the prior."""
    if counts is None:
        return 1.0
    votes = counts.helped + counts.not_helped
    share = (counts.helped + _FEEDBACK_PRIOR) / (votes + 2 * _FEEDBACK_PRIOR)
    return 0.8 + 0.4 * share


__all__ = ["CUTOFF", "Matcher"]
