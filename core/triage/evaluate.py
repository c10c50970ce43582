"""Accuracy of the classifier on a labelled JSONL file (aggregate figures only)."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from core.taxonomy import Priority, scope_can_raise
from core.triage.classifier import Classifier, default_classifier


@dataclass(frozen=True, slots=True)
class EvalReport:
    total: int
    accuracy: dict[str, float]
    p0_recall: float
    p0_precision: float
    p0_support: int
    # P0 reports paged at once, or whose verdict makes the conversation ask
    # "is anyone else affected?" first (a P0-capable subtype read as one
    # user's), or ask the type with the right one offered (Verdict.maybe_urgent).
    p0_caught: float
    confusions: list[tuple[str, str, int]]  # (expected, predicted, count), worst first
    slowest: list[tuple[int, float]]  # (line number, milliseconds), slowest first
    skipped: list[int] = field(default_factory=list)
    # Per group (zh, en, mixed, hard): messages and subtype/scope accuracy.
    groups: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "accuracy": self.accuracy,
            "p0_recall": self.p0_recall,
            "p0_precision": self.p0_precision,
            "p0_support": self.p0_support,
            "p0_caught": self.p0_caught,
            "confusions": [
                {"expected": e, "predicted": p, "count": n} for e, p, n in self.confusions
            ],
            "slowest": [{"line": n, "ms": ms} for n, ms in self.slowest],
            "skipped_lines": self.skipped,
            "groups": self.groups,
        }


_FIELDS = ("category", "subtype", "scope", "priority")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Longer messages are where indirect, many-sentence complaints live.
HARD_LENGTH = 120


def language(row: dict[str, Any]) -> str:
    """zh, en or mixed: the record's own "lang" when it has one."""
    lang = str(row.get("lang", ""))
    if lang.startswith("zh") or lang in ("en", "mixed"):
        return lang[:2] if lang.startswith("zh") else lang
    text = str(row.get("text", ""))
    cjk, latin = _CJK.search(text) is not None, len(_LATIN_WORD.findall(text)) >= 2
    return "mixed" if cjk and latin else "zh" if cjk else "en"


def groups_of(row: dict[str, Any]) -> list[str]:
    hard = row.get("hard") is True or len(str(row.get("text", ""))) > HARD_LENGTH
    return [language(row), *(["hard"] if hard else [])]


def evaluate(
    lines: Iterable[str],
    classifier: Classifier | None = None,
    now: datetime | None = None,
    worst: int = 10,
    slowest: int = 5,
) -> EvalReport:
    """Classify every labelled line; rows without text or labels are skipped."""
    clf = classifier or default_classifier()
    when = now or datetime.now(UTC)
    clf.classify("warm-up", when)  # builds the model, so timings are per message only
    correct: Counter[str] = Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    timings: list[tuple[int, float]] = []
    skipped: list[int] = []
    total = tp = fp = fn = asked = 0
    group_counts: dict[str, Counter[str]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            skipped.append(number)
            continue
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            skipped.append(number)
            continue
        started = time.perf_counter()
        verdict = clf.classify(row["text"], when)
        timings.append((number, (time.perf_counter() - started) * 1000))
        total += 1
        predicted = {
            "category": str(verdict.category),
            "subtype": verdict.subtype,
            "scope": str(verdict.scope),
            "priority": str(verdict.priority),
        }
        for key in _FIELDS:
            if predicted[key] == row.get(key):
                correct[key] += 1
        for group in groups_of(row):
            counts = group_counts.setdefault(group, Counter())
            counts["messages"] += 1
            counts["subtype"] += predicted["subtype"] == row.get("subtype")
            counts["scope"] += predicted["scope"] == row.get("scope")
        if row.get("subtype") and row["subtype"] != verdict.subtype:
            confusion[(row["subtype"], verdict.subtype)] += 1
        expected_p0 = row.get("priority") == Priority.P0
        predicted_p0 = verdict.priority is Priority.P0
        tp += expected_p0 and predicted_p0
        fp += predicted_p0 and not expected_p0
        fn += expected_p0 and not predicted_p0
        if expected_p0 and not predicted_p0 and not verdict.vague:
            # Asked "is anyone else affected?", or asked to pick the type with
            # the right one among the choices: the answer makes it a P0.
            asks_scope = scope_can_raise(verdict.subtype, verdict.scope)
            offered = verdict.maybe_urgent is not None and row["subtype"] in verdict.offered_types()
            asked += asks_scope or offered
    return EvalReport(
        total=total,
        accuracy={k: round(correct[k] / total, 4) if total else 0.0 for k in _FIELDS},
        p0_recall=round(tp / (tp + fn), 4) if tp + fn else 1.0,
        p0_precision=round(tp / (tp + fp), 4) if tp + fp else 1.0,
        p0_support=tp + fn,
        p0_caught=round((tp + asked) / (tp + fn), 4) if tp + fn else 1.0,
        confusions=[(e, p, n) for (e, p), n in confusion.most_common(worst)],
        slowest=sorted(timings, key=lambda t: -t[1])[:slowest],
        skipped=skipped,
        groups={
            group: {
                "messages": c["messages"],
                "subtype": round(c["subtype"] / c["messages"], 4),
                "scope": round(c["scope"] / c["messages"], 4),
            }
            for group, c in sorted(group_counts.items())
        },
    )
