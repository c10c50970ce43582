"""Calibration on out-of-fold scores: temperatures, the reliability table, the
scope head's cut and the cuts from which a verdict asks the user to pick the
type. Pure functions of scores and gold labels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from core.taxonomy import SUBTYPES, is_fault
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
# At most 1 in 1,000 P0 reports may be filed below P0 because the model read a
# subtype that can never be P0 (a misread scope is asked about separately).
URGENT_MISS_CEILING = 0.001


def ask_threshold(
    mass: Sequence[float], slips: Sequence[bool], among: Sequence[bool], ceiling: float
) -> tuple[float, float]:
    """The probability from which a verdict asks the user to pick the type:
    the highest one (fewest questions) at which the out-of-fold examples of
    `among` that would slip through unasked (`slips`, with `mass` below it)
    stay within `ceiling` of `among`. Returns (threshold, the share slipping).
    """
    total = sum(among) or 1
    chosen = (0.01, 1.0)
    for step in range(50, 0, -1):
        at = step / 100
        slipped = sum(a and s and m < at for m, s, a in zip(mass, slips, among, strict=True))
        chosen = (at, slipped / total)
        if chosen[1] <= ceiling:
            return chosen
    return chosen


def info_ask_cut(
    gold: Sequence[str], predicted: Sequence[str], info_mass: Sequence[float]
) -> dict[str, float]:
    """When a fault verdict asks "a fault, a wish or about support?" instead of
    offering fix steps, from one out-of-fold pass: per example its gold
    subtype, its predicted label and the probability of the service and
    suggestion labels (examples with no subtype, such as vague ones, skipped).
    Service and suggestion messages given a fault subtype slip through.
    """
    known = [i for i, s in enumerate(gold) if s in SUBTYPES]
    at, leak = ask_threshold(
        [info_mass[i] for i in known],
        [predicted[i] in SUBTYPES and is_fault(predicted[i]) for i in known],
        [not is_fault(gold[i]) for i in known],
        INFO_LEAK_CEILING,
    )
    return {"info_ask_at": at, "info_leak": round(leak, 4)}


def urgent_ask_cut(
    gold_p0: Sequence[bool], misread: Sequence[bool], urgent_mass: Sequence[float]
) -> dict[str, float]:
    """When a widespread verdict whose subtype can never be P0 asks the user to
    pick the type, offering the likeliest P0-capable one, from one out-of-fold
    pass: per example whether it is a P0 report, whether it was read as
    widespread with a subtype that cannot be P0, and the probability of the
    subtypes that can.
    """
    at, missed = ask_threshold(urgent_mass, misread, gold_p0, URGENT_MISS_CEILING)
    # The price: the share of all messages that get the question.
    asked = sum(r and m >= at for m, r in zip(urgent_mass, misread, strict=True))
    return {
        "urgent_ask_at": at,
        "urgent_missed": round(missed, 4),
        "urgent_asked": round(asked / (len(misread) or 1), 4),
    }


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
