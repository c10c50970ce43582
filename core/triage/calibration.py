"""Calibration on out-of-fold scores: temperatures, the reliability table, and
the scope head's cut. Pure functions of scores and gold labels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from core.triage.linear import softmax


def nll_softmax(scores: list[list[float]], gold: list[int], t: float) -> float:
    return -sum(math.log(max(softmax(s, t)[g], 1e-12)) for s, g in zip(scores, gold, strict=True))


def nll_sigmoid(scores: list[float], gold: list[int], t: float) -> float:
    total = 0.0
    for s, g in zip(scores, gold, strict=True):
        p = 1.0 / (1.0 + math.exp(-max(min(s / t, 50.0), -50.0)))
        total -= math.log(max(p if g else 1.0 - p, 1e-12))
    return total


def reliability(confidences: list[float], correct: list[bool], bins: int = 10) -> dict[str, Any]:
    """Expected calibration error and the table it comes from."""
    table = []
    ece = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, c in enumerate(confidences) if lo < c <= hi or (b == 0 and c == 0)]
        if not idx:
            continue
        conf = sum(confidences[i] for i in idx) / len(idx)
        acc = sum(correct[i] for i in idx) / len(idx)
        ece += len(idx) / len(confidences) * abs(conf - acc)
        table.append(
            {
                "bin": f"{lo:.1f}-{hi:.1f}",
                "n": len(idx),
                "confidence": round(conf, 4),
                "accuracy": round(acc, 4),
            }
        )
    return {"ece": round(ece, 4), "table": table}


def widespread_threshold(probs: Sequence[float], gold: Sequence[int]) -> tuple[float, float]:
    """The cut that best serves both scopes on out-of-fold probabilities.

    Widespread reports are the minority, so plain accuracy would favour calling
    everything single; balanced accuracy (the mean of each class's recall)
    weighs a missed outage as much as a false alarm. Ties keep the higher cut.
    """
    wide = sum(gold) or 1
    single = (len(gold) - sum(gold)) or 1
    best = (0.5, -1.0)
    for step in range(10, 61, 5):
        cut = step / 100
        hit = sum(p >= cut for p, g in zip(probs, gold, strict=True) if g)
        kept = sum(p < cut for p, g in zip(probs, gold, strict=True) if not g)
        score = (hit / wide + kept / single) / 2
        if score > best[1] or (score == best[1] and cut > best[0]):
            best = (cut, score)
    return best[0], best[1]
