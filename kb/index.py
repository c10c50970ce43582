"""The search structure behind the matcher: phrases of units per article, an inverted
index from unit to articles, and unit specificity.

Scoring every phrase of 10,000 articles per message is too slow, so a message first
picks candidates through the inverted index (sum of the specificity of shared units)
and only those few are scored phrase by phrase.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain

from rapidfuzz import fuzz, process

from core.taxonomy import SUBTYPES
from core.text import normalize
from kb.features import compact, phrase_units, split_names
from kb.model import Article

# Small knowledge bases are treated as this large, so a unit in 1 of 6 fixture articles
# does not look as common as a unit in 1 of 6 real ones.
_MIN_CORPUS = 50
_FIELD_WEIGHT = {"title": 0.9, "symptom": 1.0, "keyword": 0.95, "taxonomy": 0.85}
_RANK_WEIGHTS = (1.0, 0.5, 0.25)
_FUZZY_WORD_CUTOFF = 80.0
_FUZZY_MEMORY = 4096  # unknown words remembered; cleared when full
_PARTIAL_CUTOFF = 70.0

# units, unit weights, total weight, weight of a full match, compact Chinese text
Phrase = tuple[tuple[int, ...], tuple[float, ...], float, float, str]


def strength(kind: str, text: str, n_units: int) -> float:
    """How telling a full match of the phrase is on its own: one Chinese character or
    a two-letter word says little.
    """
    if kind == "cjk":
        n = len(text)
        return 0.3 if n <= 1 else 0.7 if n == 2 else 0.85 if n == 3 else 1.0
    if n_units >= 2:
        return 1.0
    n = len(text)
    return 0.4 if n <= 2 else 0.7 if n == 3 else 0.8 if n <= 5 else 0.9


# A unit this unspecific (in roughly a fifth of the articles or more) with this
# many postings does not pick candidates.
_COMMON_UNIT_SPEC = 0.4
_LONG_POSTINGS = 500


def specificity(df: int, n_articles: int) -> float:
    """1 for units in at most 3% of articles, falling (log scale) to 0.15 at half of them."""
    share = df / max(n_articles, _MIN_CORPUS)
    if share <= 0.03:
        return 1.0
    drop = math.log(share / 0.03) / math.log(0.5 / 0.03)
    return max(0.15, 1.0 - 0.85 * drop)


def _normalize(raw: str) -> str:
    """core.text.normalize, with a shortcut for plain ASCII, where NFKC and opencc change
    nothing: building a large index spends most of its time here.
    """
    if raw.isascii():
        return " ".join(raw.lower().split())
    return normalize(raw)


@lru_cache(maxsize=64)
def _taxonomy_pieces(subtype_id: str) -> tuple[str, ...]:
    st = SUBTYPES.get(subtype_id)
    return () if st is None else (*split_names(st.name_zh), *split_names(st.name_en))


def _article_strings(article: Article) -> Iterable[tuple[str, str]]:
    yield "title", article.title_zh
    yield "title", article.title_en
    for s in (*article.symptoms_zh, *article.symptoms_en):
        yield "symptom", s
    for s in (*article.keywords_zh, *article.keywords_en):
        yield "keyword", s
    for st_id in article.subtypes:
        for piece in _taxonomy_pieces(st_id):
            yield "taxonomy", piece


# units, weight of a full match before specificity, compact Chinese text
_Draft = tuple[tuple[int, ...], float, str]


class Index:
    def __init__(self, articles: Sequence[Article]) -> None:
        self._vocab: dict[str, int] = {}
        self._latin_by_len: dict[int, list[str]] = {}
        self._fuzzy_seen: dict[str, list[tuple[str, float]]] = {}
        postings: list[list[int]] = []
        drafts: list[_Draft] = []
        same_units: dict[tuple[int, ...], int] = {}  # units -> a number shared by equal ones
        draft_units: list[int] = []  # -1: the string has no units at all
        # Raw strings repeat across articles (taxonomy names, shared keywords): parse once.
        raw_cache: dict[tuple[str, str], int] = {}
        per_article: list[list[int]] = []
        for i, article in enumerate(articles):
            # One phrase per distinct set of units: a keyword repeating the taxonomy name
            # is one piece of evidence, not two.
            chosen: dict[int, int] = {}
            for field_name, raw in _article_strings(article):
                key = (field_name, raw)
                d = raw_cache.get(key)
                if d is None:
                    d = raw_cache[key] = len(drafts)
                    draft = self._draft(_normalize(raw), field_name, postings)
                    drafts.append(draft)
                    shared = same_units.setdefault(draft[0], len(same_units)) if draft[0] else -1
                    draft_units.append(shared)
                shared = draft_units[d]
                if shared >= 0:
                    chosen.setdefault(shared, d)
            per_article.append(list(chosen.values()))
            for uid in {u for d in chosen.values() for u in drafts[d][0]}:
                postings[uid].append(i)
        n = len(articles)
        self.postings: list[tuple[int, ...]] = [tuple(p) for p in postings]
        self.spec: list[float] = [specificity(len(p), n) for p in self.postings]
        final = [self._finish(d) for d in drafts]
        self.phrases: list[tuple[Phrase, ...]] = [tuple(final[d] for d in ds) for ds in per_article]

    def _draft(self, normalized: str, field_name: str, postings: list[list[int]]) -> _Draft:
        kind, units = phrase_units(normalized)
        text = compact(normalized) if kind == "cjk" else normalized
        ids = []
        for unit in units:
            uid = self._vocab.get(unit)
            if uid is None:
                uid = self._vocab[unit] = len(self._vocab)
                postings.append([])
                if unit.startswith("w:"):
                    self._latin_by_len.setdefault(len(unit) - 2, []).append(unit[2:])
            ids.append(uid)
        weight = strength(kind, text, len(units)) * _FIELD_WEIGHT[field_name]
        return tuple(ids), weight, text if kind == "cjk" else ""

    def _finish(self, draft: _Draft) -> Phrase:
        units, weight, text = draft
        weights = tuple(self.spec[u] for u in units)
        total = sum(weights)
        # A phrase of common words ("live stream") says little even when matched in full.
        return units, weights, total, weight * min(1.0, total), text

    def match_units(self, cjk_units: list[str], stems: list[str]) -> dict[int, float]:
        """Unit id -> how well the message matches it (1 exact, less when fuzzy)."""
        matched: dict[int, float] = {}
        for unit in cjk_units:
            uid = self._vocab.get(unit)
            if uid is not None:
                matched[uid] = 1.0
        for s in stems:
            uid = self._vocab.get("w:" + s)
            if uid is not None:
                matched[uid] = 1.0
            elif len(s) >= 4 and not s.isdigit():  # numbers (room ids, amounts) have no typos
                for word, score in self._fuzzy_words(s):
                    wid = self._vocab["w:" + word]
                    matched[wid] = max(matched.get(wid, 0.0), 0.95 * score / 100.0)
        return matched

    def _fuzzy_words(self, word: str) -> list[tuple[str, float]]:
        """Vocabulary words within a typo or two of an unknown word.

        Remembered: the same unknown words (device names, "wifi") come in
        message after message, and the vocabulary never changes.
        """
        known = self._fuzzy_seen.get(word)
        if known is not None:
            return known
        if len(self._fuzzy_seen) >= _FUZZY_MEMORY:
            self._fuzzy_seen.clear()
        found = self._fuzzy_seen[word] = self._fuzzy_search(word)
        return found

    def _fuzzy_search(self, word: str) -> list[tuple[str, float]]:
        pool: list[str] = []
        for n in range(len(word) - 2, len(word) + 3):
            pool.extend(self._latin_by_len.get(n, ()))
        hits = process.extract(
            word, pool, scorer=fuzz.ratio, score_cutoff=_FUZZY_WORD_CUTOFF, limit=3
        )
        return [(w, float(score)) for w, score, _ in hits]

    def candidate_scores(self, matched: dict[int, float]) -> tuple[list[float], list[int]]:
        """Summed specificity of the units each article shares with the message
        (indexed by article), and the articles that share any, in first-seen order.

        Units found in a large share of articles are left out here (they still
        count in text_score): walking their long postings was most of a query's
        time at 10,000 articles, for almost no say in which articles qualify.
        """
        acc = [0.0] * len(self.phrases)
        walked: list[tuple[int, ...]] = []
        for uid, m in matched.items():
            postings = self.postings[uid]
            if self.spec[uid] <= _COMMON_UNIT_SPEC and len(postings) > _LONG_POSTINGS:
                continue
            w = self.spec[uid] * m
            for i in postings:
                acc[i] += w
            walked.append(postings)
        return acc, list(dict.fromkeys(chain.from_iterable(walked)))

    def text_score(self, i: int, matched: dict[int, float], q_compact: str) -> float:
        """0-100: the article's best three phrases, each by how much of it the message covers."""
        keys = matched.keys()
        get = matched.get
        best: list[float] = []
        for units, weights, total, full, text in self.phrases[i]:
            if keys.isdisjoint(units):
                continue
            hit = 0.0
            for u, w in zip(units, weights, strict=True):
                hit += w * get(u, 0.0)
            coverage = hit / total
            if coverage < 1.0 and 4 <= len(text) <= len(q_compact):
                # Near misses in Chinese ("账号被锁定" vs "账号锁定了") break bigrams.
                near = fuzz.partial_ratio(text, q_compact, score_cutoff=_PARTIAL_CUTOFF)
                coverage = max(coverage, 0.9 * near / 100.0)
            # Matching one word of a long phrase is weak evidence.
            best.append(coverage**1.5 * full)
        if not best:
            return 0.0
        miss = 1.0
        for w, s in zip(_RANK_WEIGHTS, heapq.nlargest(len(_RANK_WEIGHTS), best), strict=False):
            miss *= 1.0 - w * s
        return 100.0 * (1.0 - miss)
