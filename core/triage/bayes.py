"""Multinomial naive Bayes over character and word n-grams.

It backs up the lexicon: it decides when no cue fires and nudges close calls
towards the subtype whose examples look most like the message.
"""

from __future__ import annotations

import math
import operator
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.triage.features import features

_ALPHA = 0.3


@dataclass(frozen=True, slots=True)
class NaiveBayes:
    labels: tuple[str, ...]
    priors: tuple[float, ...]
    # Row of each feature in `loglik`. A flat float array instead of one tuple
    # per feature keeps the garbage collector from walking thousands of
    # containers, which showed up as multi-millisecond latency spikes.
    rows: dict[str, int]
    # Per feature the log-likelihood under each label, `labels` order, row-major.
    loglik: array[float]

    @classmethod
    def train(cls, samples: Iterable[tuple[frozenset[str], str]]) -> NaiveBayes:
        """`samples` are (the set of a normalized text's `features`, label) pairs."""
        per_label: dict[str, Counter[str]] = {}
        docs: Counter[str] = Counter()
        for feats, label in samples:
            per_label.setdefault(label, Counter()).update(feats)
            docs[label] += 1
        labels = tuple(sorted(per_label))
        vocab = sorted({f for counts in per_label.values() for f in counts})
        total_docs = sum(docs.values())
        # Near-uniform priors: the example set is balanced by design, not by traffic.
        priors = tuple(math.log((docs[lab] + 5) / (total_docs + 5 * len(labels))) for lab in labels)
        denominators = [sum(per_label[lab].values()) + _ALPHA * len(vocab) for lab in labels]
        rows = {feat: i for i, feat in enumerate(vocab)}
        # Most features were never seen with most labels: start every row at
        # the unseen value and write only the counts there are.
        width = len(labels)
        loglik = array("d", [math.log(_ALPHA / denom) for denom in denominators]) * len(vocab)
        for j, (lab, denom) in enumerate(zip(labels, denominators, strict=True)):
            for feat, count in per_label[lab].items():
                loglik[rows[feat] * width + j] = math.log((count + _ALPHA) / denom)
        return cls(labels=labels, priors=priors, rows=rows, loglik=loglik)

    def probabilities(self, normalized: str) -> dict[str, float]:
        width = len(self.labels)
        loglik, get = self.loglik, self.rows.get
        starts = [row * width for row in map(get, set(features(normalized))) if row is not None]
        if not starts:
            return {}
        # Sum each label's column over the message's rows in one pass.
        rows = [loglik[start : start + width] for start in starts]
        scores = list(map(operator.add, self.priors, map(sum, zip(*rows, strict=True))))
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {lab: e / total for lab, e in zip(self.labels, exps, strict=True)}

    def top(self, normalized: str, n: int = 3) -> Sequence[tuple[str, float]]:
        probs = self.probabilities(normalized)
        return sorted(probs.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
