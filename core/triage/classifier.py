"""The complaint classifier: a learned linear model decides the subtype and
helps with the scope; a small frozen lexicon explains the verdict to agents
and carries the safety rules a model must not be trusted to learn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from core.diagnostics import Diagnostics
from core.taxonomy import SUBTYPES, Category, Priority, Scope, can_be_p0, is_fault, priority_for
from core.text import normalize
from core.triage.examples import VAGUE, Example
from core.triage.extract import extract_details
from core.triage.lexicon import CUES, STOLEN, SUGGESTION
from core.triage.linear import LinearModel, load_model, shipped_model_path
from core.triage.scope import decide_scope, writer_text
from core.triage.typos import fix_typos

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")

# Below this calibrated probability the best subtype is a guess: with no cue
# phrase for it either, the message is treated as not saying what is wrong.
_GUESS_BELOW = 0.35
# A second problem must keep this much probability and name its own cue.
_SECOND_AT_LEAST = 0.12
# A stolen-account cue overrules the model unless the model puts the theft
# below this: missing a takeover costs far more than asking once too often.
_STOLEN_AT_LEAST = 0.02


@dataclass(frozen=True, slots=True)
class Verdict:
    category: Category
    subtype: str
    scope: Scope
    priority: Priority
    confidence: float
    # The three most likely subtypes (the verdict's first) with probabilities.
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)
    details: Diagnostics = field(default_factory=Diagnostics)
    # The message does not say what is wrong: ask before trusting `subtype`.
    vague: bool = False
    # A second, different problem clearly present in the same message.
    second_subtype: str | None = None
    # A fault verdict that may be a suggestion or a service complaint instead
    # (model.info_ask_at): the most likely of those, to offer beside it before
    # any fix steps. None when the verdict is sure enough, or not a fault.
    maybe_info: str | None = None
    # A widespread verdict whose subtype can never be P0 while a subtype that
    # can keeps at least model.urgent_ask_at: the likeliest such subtype, to
    # offer beside it, so that a misread outage is not filed as P1 unasked.
    maybe_urgent: str | None = None

    def asks_type(self, confidence_threshold: float) -> bool:
        """Whether the user picks the type before any article is offered: the
        verdict is unsure, fix steps might miss the point of a wish, or an
        outage might be filed below P0."""
        return (
            self.confidence < confidence_threshold
            or self.maybe_info is not None
            or self.maybe_urgent is not None
        )

    def offered_types(self) -> list[str]:
        """The subtypes the user picks from, the verdict's first: its two
        runners-up, or the runner-up and the wish or outage it may be instead.
        """
        runners_up = [s for s, _ in self.alternatives if s != self.subtype][:2]
        maybe = [m for m in (self.maybe_urgent, self.maybe_info) if m and m not in runners_up]
        return [self.subtype, *runners_up[: 2 - len(maybe)], *maybe]


def _cue(subtype: str, text: str) -> str | None:
    phrases = CUES.get(subtype)
    found = phrases.search(text) if phrases is not None else None
    return found.group(0).strip() if found is not None else None


class Classifier:
    """Classifies complaint messages with one immutable model: the one given,
    one trained from `examples` (needs the `[train]` extra), the model file at
    `model_path`, or the shipped model.
    """

    def __init__(
        self,
        examples: Sequence[Example] | None = None,
        model: LinearModel | None = None,
        model_path: Path | None = None,
    ) -> None:
        self._examples = tuple(examples) if examples is not None else None
        self._path = model_path
        self._built: tuple[LinearModel, ...] = (model,) if model is not None else ()

    @property
    def model(self) -> LinearModel:
        if not self._built:
            if self._examples is not None:
                from core.triage.train import train_model

                self._built = (train_model(self._examples),)
            else:
                self._built = (load_model(self._path or shipped_model_path()),)
        return self._built[0]

    def probabilities(self, text: str) -> dict[str, float]:
        """Calibrated probability per label (subtypes and "vague")."""
        return self.model.predict(fix_typos(normalize(text))).labels

    def classify(self, text: str, now: datetime, tz: ZoneInfo = DEFAULT_TZ) -> Verdict:
        normalized = fix_typos(normalize(text))
        scores = self.model.predict(normalized)
        p_vague = scores.labels.get(VAGUE, 0.0)
        ranked = sorted(
            ((s, p) for s, p in scores.labels.items() if s != VAGUE),
            key=lambda kv: (-kv[1], kv[0]),
        )
        best, confidence = ranked[0]
        probability = dict(ranked)
        stolen = STOLEN.search(normalized)
        if (
            stolen is not None
            and best != "acct.stolen"
            and probability.get("acct.stolen", 0.0) >= _STOLEN_AT_LEAST
        ):
            best, confidence = "acct.stolen", probability["acct.stolen"]
        cue = stolen.group(0) if best == "acct.stolen" and stolen is not None else None
        cue = cue or _cue(best, normalized)
        context = SUGGESTION.search(normalized) if best.startswith("sug.") else None

        vague = p_vague > confidence or (confidence < _GUESS_BELOW and cue is None)
        second = None
        for other, p in ranked[1:3]:
            other_cue = _cue(other, normalized)
            if p >= _SECOND_AT_LEAST and other_cue and other_cue != cue and not vague:
                second = other
                break

        info = [(s, p) for s, p in ranked if not is_fault(s)]
        unsure_fault = is_fault(best) and not vague
        if unsure_fault and sum(p for _, p in info) < self.model.info_ask_at:
            unsure_fault = False
        maybe_info = info[0][0] if unsure_fault else None

        writer = writer_text(normalized)
        wide = scores.widespread if writer == normalized else self.model.predict(writer).widespread
        scope, scope_cues = decide_scope(writer, wide, self.model.widespread_at)
        priority = priority_for(best, scope)
        maybe_urgent = None
        if scope is Scope.WIDESPREAD and not can_be_p0(best) and not vague:
            urgent = [(s, p) for s, p in ranked if can_be_p0(s)]
            if sum(p for _, p in urgent) >= self.model.urgent_ask_at:
                maybe_urgent = urgent[0][0]
        if vague and priority in (Priority.P0, Priority.P1):
            priority = Priority.P2
        cues = [c for c in (cue, context.group(0) if context else None) if c]
        return Verdict(
            category=SUBTYPES[best].category,
            subtype=best,
            scope=scope,
            priority=priority,
            confidence=round(confidence, 3),
            alternatives=[(s, round(p, 3)) for s, p in ranked[:3]],
            cues=list(dict.fromkeys([*cues, *scope_cues])),
            details=extract_details(text, now, tz),
            vague=vague,
            second_subtype=second,
            maybe_info=maybe_info,
            maybe_urgent=maybe_urgent,
        )


@lru_cache(maxsize=1)
def default_classifier() -> Classifier:
    from core.triage.activation import active_model_path

    return Classifier(model_path=active_model_path())


def classify(text: str, now: datetime, tz: ZoneInfo = DEFAULT_TZ) -> Verdict:
    """Category, subtype, scope, priority and details of one complaint message."""
    return default_classifier().classify(text, now, tz)
