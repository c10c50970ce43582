"""A classifier with set verdicts for chosen messages: flows that depend on the
model being unsure, or on it finding two problems, stay fixed when the shipped
model is retrained. Other messages go to the real classifier.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from core.taxonomy import SUBTYPES, priority_for
from core.triage import Verdict, classify


def verdict(
    text: str,
    now: datetime,
    alternatives: list[tuple[str, float]],
    second: str | None = None,
    maybe_info: str | None = None,
    maybe_urgent: str | None = None,
) -> Verdict:
    """The real verdict of `text` (details, scope, cues), with the subtypes set."""
    real = classify(text, now)
    best, confidence = alternatives[0]
    return replace(
        real,
        category=SUBTYPES[best].category,
        subtype=best,
        priority=priority_for(best, real.scope),
        confidence=confidence,
        alternatives=alternatives,
        vague=False,
        second_subtype=second,
        maybe_info=maybe_info,
        maybe_urgent=maybe_urgent,
    )


class Scripted:
    def __init__(self) -> None:
        self.set: dict[str, tuple[list[tuple[str, float]], str | None, str | None, str | None]] = {}

    def when(
        self,
        text: str,
        alternatives: list[tuple[str, float]],
        second: str | None = None,
        maybe_info: str | None = None,
        maybe_urgent: str | None = None,
    ) -> None:
        self.set[text] = (alternatives, second, maybe_info, maybe_urgent)

    def __call__(self, text: str, now: datetime) -> Verdict:
        if text not in self.set:
            return classify(text, now)
        return verdict(text, now, *self.set[text])
