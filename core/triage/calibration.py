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


# At most 1 in 50 service or suggestion messages may be offered fix steps.
INFO_LEAK_CEILING = 0.02


def info_ask_threshold(
    info_mass: Sequence[float], given_fault: Sequence[bool], gold_info: Sequence[bool]
) -> tuple[float, float]:
    """The service-or-suggestion probability from which a fault verdict asks
    the user to pick the type instead of offering fix steps: the highest one
    (fewest questions) at which out-of-fold service and suggestion messages
    given a fault subtype, and not asked, stay within INFO_LEAK_CEILING.
    Returns (threshold, the share that still leaks).
    """
    info_total = sum(gold_info) or 1
    chosen = (0.01, 1.0)
    for step in range(50, 0, -1):
        at = step / 100
        leaked = sum(
            g and f and m < at for m, f, g in zip(info_mass, given_fault, gold_info, strict=True)
        )
        chosen = (at, leaked / info_total)
        if chosen[1] <= INFO_LEAK_CEILING:
            return chosen
    return chosen


def info_ask_cut(
    gold: Sequence[str], predicted: Sequence[str], info_mass: Sequence[float]
) -> dict[str, float]:
    """info_ask_threshold over one out-of-fold pass: per example its gold
    subtype, its predicted label and the probability of the service and
    suggestion labels (examples with no subtype, such as vague ones, skipped).
    """
    from core.taxonomy import SUBTYPES, Category

    info = {Category.SERVICE, Category.SUGGESTION}
    known = [i for i, s in enumerate(gold) if s in SUBTYPES]
    at, leak = info_ask_threshold(
        [info_mass[i] for i in known],
        [predicted[i] in SUBTYPES and SUBTYPES[predicted[i]].category not in info for i in known],
        [SUBTYPES[gold[i]].category in info for i in known],
    )
    return {"info_ask_at": at, "info_leak": round(leak, 4)}


def simplest_within_noise(tried: Sequence[tuple[float, str, float]], n: int) -> int:
    """Which candidate to keep, by index, from (cross-validated accuracy on `n`
    examples, model kind, C): the most regularised (smallest C) of the best
    one's kind whose accuracy is within one standard error of the best. Differences smaller than
    the noise of the estimate would otherwise flip the choice (and with it the
    calibration and the scope cut) when a few examples change.
    """
    best = max(range(len(tried)), key=lambda i: tried[i][0])
    top, kind = tried[best][0], tried[best][1]
    noise = math.sqrt(top * (1 - top) / n) if 0 < top < 1 and n > 0 else 0.0
    near = [i for i, (a, k, _) in enumerate(tried) if k == kind and a >= top - noise]
    return min(near, key=lambda i: (tried[i][2], i))
