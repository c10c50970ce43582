"""Measures the matcher on labelled messages: does the top article cover the true
subtype, and are service / suggestion messages kept away from fix steps?
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from core.taxonomy import NOT_FAULTS, SUBTYPES, Category, is_fault
from kb.matcher import Matcher

# A subtype, None for text-only matching, or ASK: the conversation asks the
# user to pick the type before it offers any article.
Classify = Callable[[str], str | None]
ASK = "?ask"

_CATEGORY_ALIASES: dict[str, Category] = {
    **{c.value: c for c in Category},
    "av": Category.AV_QUALITY,
    "func": Category.FUNCTIONAL,
    "acct": Category.ACCOUNT,
    "fin": Category.FINANCE,
    "svc": Category.SERVICE,
    "sug": Category.SUGGESTION,
}


@dataclass(slots=True)
class EvalReport:
    fault_messages: int = 0  # av / func / acct / fin
    top1_hits: int = 0
    top3_hits: int = 0
    empty_answers: int = 0
    info_messages: int = 0  # svc / sug
    info_with_fix: int = 0
    info_classified_as_fault: int = 0  # --with-triage: the classifier said av/func/acct/fin
    info_asked: int = 0  # --with-triage: the user is asked the type before any article
    fault_asked: int = 0
    other_messages: int = 0  # no subtype or category: unrelated text, expects nothing
    other_answered: int = 0
    bad_lines: list[int] = field(default_factory=list)

    @property
    def top1(self) -> float:
        return self.top1_hits / self.fault_messages if self.fault_messages else 0.0

    @property
    def top3(self) -> float:
        return self.top3_hits / self.fault_messages if self.fault_messages else 0.0

    def summary(self) -> str:
        lines = [
            f"fault messages (av/func/acct/fin): {self.fault_messages}",
            f"  top-1 covers true subtype: {self.top1:.1%} ({self.top1_hits})",
            f"  top-3 covers true subtype: {self.top3:.1%} ({self.top3_hits})",
            f"  no article offered: {self.empty_answers}",
            f"service/suggestion messages: {self.info_messages}",
            f"  offered a workaround or root fix: {self.info_with_fix}",
        ]
        if self.info_asked or self.fault_asked:
            lines.append(
                f"asked to pick the type before any article: {self.info_asked} service/suggestion,"
                f" {self.fault_asked} fault"
            )
        if self.info_classified_as_fault:
            lines.append(
                f"  given a fault subtype by the classifier: {self.info_classified_as_fault}"
            )
        if self.other_messages:
            lines.append(f"unrelated messages (no subtype or category): {self.other_messages}")
            lines.append(f"  answered with an article anyway: {self.other_answered}")
        if self.bad_lines:
            lines.append(f"unreadable lines: {', '.join(map(str, self.bad_lines[:20]))}")
        return "\n".join(lines)


def category_of(row: dict[str, object]) -> Category | None:
    subtype = row.get("subtype")
    if isinstance(subtype, str) and subtype in SUBTYPES:
        return SUBTYPES[subtype].category
    category = row.get("category")
    return _CATEGORY_ALIASES.get(category) if isinstance(category, str) else None


def evaluate(
    matcher: Matcher, lines: Iterable[str], classify: Classify | None = None
) -> EvalReport:
    report = EvalReport()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise TypeError
            text: str = row["text"]
        except (ValueError, KeyError, TypeError):
            report.bad_lines.append(number)
            continue
        category = category_of(row)
        given = classify(text) if classify else None
        if given == ASK and category is not None:
            # Measured on what is offered without asking; the answer is the user's.
            if category in NOT_FAULTS:
                report.info_messages += 1
                report.info_asked += 1
            else:
                report.fault_asked += 1
            continue
        given = None if given == ASK else given
        suggestions = matcher.suggest(text, subtype=given, limit=3)
        if category is None:
            report.other_messages += 1
            report.other_answered += bool(suggestions)
        elif category in NOT_FAULTS:
            report.info_messages += 1
            report.info_with_fix += any(s.kind != "info" for s in suggestions)
            report.info_classified_as_fault += given is not None and is_fault(given)
        else:
            truth = row.get("subtype")
            report.fault_messages += 1
            report.empty_answers += not suggestions
            report.top1_hits += bool(suggestions) and truth in suggestions[0].subtypes
            report.top3_hits += any(truth in s.subtypes for s in suggestions)
    return report
