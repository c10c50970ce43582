"""The complaint classifier: lexicon rules plus naive Bayes, then scope and priority."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from core.diagnostics import Diagnostics
from core.taxonomy import SUBTYPES, Category, Priority, Scope, priority_for
from core.text import normalize
from core.triage.bayes import NaiveBayes
from core.triage.examples import Example, bundled_examples
from core.triage.extract import extract_details
from core.triage.features import features
from core.triage.lexicon import LATIN, RULES, SUGGESTION, SUPPORT_REF, needs_latin
from core.triage.prefilter import compile_cues
from core.triage.scope import detect_scope
from core.triage.typos import COMMON_WORDS, fix_typos

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")

# How much the statistical model may add: enough to break ties between cues,
# not enough to overrule a decisive cue.
_BAYES_WEIGHT = 2.5
# Each distinct phrase counts; a rule adds at most this many of them.
_MAX_HITS_PER_RULE = 2
_SUPPORT_BONUS = 4.0
# Below this a svc score is only "waited N days", which fits any complaint.
_STRONG_SVC = 3.0
_NO_SUPPORT_FACTOR = 0.3
_SUGGESTION_BONUS = 3.0
_NO_SUGGESTION_FACTOR = 0.5
_TEMPERATURE = 1.5
_NO_CUE_FACTOR = 0.5

_SVC = tuple(s for s in SUBTYPES if s.startswith("svc."))


@dataclass(frozen=True, slots=True)
class Verdict:
    category: Category
    subtype: str
    scope: Scope
    priority: Priority
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)
    details: Diagnostics = field(default_factory=Diagnostics)


@dataclass(frozen=True, slots=True)
class SubtypeRules:
    subtype: str
    # (pattern, weight, needs latin letters): English word phrases are skipped
    # on Chinese-only text.
    rules: tuple[tuple[re.Pattern[str], float, bool], ...]
    # All the rules in one prefiltered pattern, split the same way: most
    # subtypes have no cue in a message, and one search tells so instead of
    # one per rule. The rules themselves then run on few messages and are
    # compiled plainly, which keeps the cold start short.
    any_rule: re.Pattern[str] | None
    any_latin_rule: re.Pattern[str] | None

    @classmethod
    def build(cls, subtype: str, rules: Sequence[tuple[str, float]]) -> SubtypeRules:
        def either(patterns: list[str]) -> re.Pattern[str] | None:
            return compile_cues("|".join(f"(?:{p})" for p in patterns)) if patterns else None

        return cls(
            subtype=subtype,
            rules=tuple((re.compile(p), w, needs_latin(p)) for p, w in rules),
            any_rule=either([p for p, _ in rules if not needs_latin(p)]),
            any_latin_rule=either([p for p, _ in rules if needs_latin(p)]),
        )

    def may_match(self, text: str, latin: bool) -> bool:
        for rule in (self.any_rule, self.any_latin_rule if latin else None):
            if rule is not None and rule.search(text) is not None:
                return True
        return False


@dataclass(frozen=True, slots=True)
class Model:
    """Everything built once from the lexicon and the examples; never mutated."""

    rules: tuple[SubtypeRules, ...]
    bayes: NaiveBayes
    known_words: frozenset[str]

    @classmethod
    def build(cls, examples: Sequence[Example]) -> Model:
        rules = tuple(SubtypeRules.build(subtype, RULES[subtype]) for subtype in SUBTYPES)
        feature_sets = [frozenset(features(normalize(e.text))) for e in examples]
        bayes = NaiveBayes.train(zip(feature_sets, (e.subtype for e in examples), strict=True))
        # A word seen in two examples is a real word; a one-off may be a deliberate typo.
        counts = Counter(
            f[2:] for feats in feature_sets for f in feats if f.startswith("w:") and "_" not in f
        )
        known = frozenset(w for w, n in counts.items() if n >= 2) | COMMON_WORDS
        return cls(rules=rules, bayes=bayes, known_words=known)


@lru_cache(maxsize=1)
def default_model() -> Model:
    return Model.build(bundled_examples())


def _lexicon_scores(model: Model, text: str) -> tuple[dict[str, float], dict[str, list[str]]]:
    scores: dict[str, float] = {}
    cues: dict[str, list[str]] = {}
    latin = LATIN.search(text) is not None
    for subtype_rules in model.rules:
        if not subtype_rules.may_match(text, latin):
            continue
        total = 0.0
        found: list[str] = []
        for pattern, weight, english in subtype_rules.rules:
            if english and not latin:
                continue
            # A plain search is cheaper than an empty iteration, and most
            # patterns do not match.
            first = pattern.search(text)
            if first is None:
                continue
            hits = 0
            for m in pattern.finditer(text, first.start()):
                phrase = m.group(0).strip()
                if phrase and phrase not in found:
                    found.append(phrase)
                    total += weight
                    hits += 1
                    if hits >= _MAX_HITS_PER_RULE:
                        break
        if total:
            scores[subtype_rules.subtype] = total
            cues[subtype_rules.subtype] = found
    return scores, cues


class Classifier:
    """Classifies complaint messages. Stateless apart from the immutable model,
    which is built on first use (from `examples` or the bundled set).
    """

    def __init__(self, examples: Sequence[Example] | None = None) -> None:
        self._examples = tuple(examples) if examples is not None else None
        self._built: tuple[Model, ...] = ()

    @property
    def model(self) -> Model:
        if self._examples is None:
            return default_model()
        if not self._built:
            # Only a caller-supplied example set is cached on the instance.
            self._built = (Model.build(self._examples),)
        return self._built[0]

    def scores(self, text: str) -> tuple[dict[str, float], dict[str, list[str]], list[str]]:
        """Final score per subtype, cue phrases per subtype, and context cues."""
        return self._scores(normalize(text))

    def _scores(self, normalized: str) -> tuple[dict[str, float], dict[str, list[str]], list[str]]:
        model = self.model
        normalized = fix_typos(normalized, model.known_words)
        scores, cues = _lexicon_scores(model, normalized)
        context: list[str] = []

        has_svc = any(scores.get(s) for s in _SVC)
        support = SUPPORT_REF.search(normalized) if has_svc else None
        for s in _SVC:
            if s not in scores:
                continue
            if not support:
                scores[s] *= _NO_SUPPORT_FACTOR
            elif scores[s] >= _STRONG_SVC:
                # Complaints about support outrank the problem they were reporting.
                scores[s] += _SUPPORT_BONUS
        if support and has_svc:
            context.append(support.group(0))

        suggestion = SUGGESTION.search(normalized)
        if suggestion:
            # A suggestion that names a problem ("建议加个防卡顿模式") is still a suggestion.
            context.append(suggestion.group(0))
            base = max((v for s, v in scores.items() if not s.startswith("sug.")), default=0.0)
            base += _SUGGESTION_BONUS
            scores["sug.feature"] = base + scores.get("sug.feature", 0.0)
            if "sug.ui" in scores:
                scores["sug.ui"] += base
        else:
            for s in ("sug.ui", "sug.feature"):
                if s in scores:
                    scores[s] *= _NO_SUGGESTION_FACTOR

        for label, p in model.bayes.probabilities(normalized).items():
            scores[label] = scores.get(label, 0.0) + _BAYES_WEIGHT * p
        return scores, cues, context

    def classify(self, text: str, now: datetime, tz: ZoneInfo = DEFAULT_TZ) -> Verdict:
        normalized = normalize(text)
        scores, cues, context = self._scores(normalized)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        if not ranked:
            ranked = [("sug.feature", 0.0)]
        best = ranked[0][0]
        top = ranked[0][1]
        # Shares among the four leading candidates, so that the long tail of
        # subtypes with a sliver of Bayes mass does not dilute a clear winner.
        exps = {s: math.exp((v - top) / _TEMPERATURE) for s, v in ranked[:4]}
        total = sum(exps.values())
        confidence = exps[best] / total if ranked[0][1] > 0 else 0.0
        if not cues.get(best) and not context:
            # No cue phrase: the statistical model alone is guessing, so the
            # conversation should ask rather than trust it.
            confidence *= _NO_CUE_FACTOR
        confidence = round(confidence, 3)
        alternatives = [(s, round(exps[s] / total, 3)) for s, _ in ranked[1:4]]

        scope, scope_cues = detect_scope(normalized)
        subtype = SUBTYPES[best]
        verdict_cues = [*cues.get(best, []), *context, *scope_cues]
        return Verdict(
            category=subtype.category,
            subtype=best,
            scope=scope,
            priority=priority_for(best, scope),
            confidence=confidence,
            alternatives=alternatives,
            cues=list(dict.fromkeys(verdict_cues)),
            details=extract_details(text, now, tz),
        )


@lru_cache(maxsize=1)
def default_classifier() -> Classifier:
    return Classifier()


def classify(text: str, now: datetime, tz: ZoneInfo = DEFAULT_TZ) -> Verdict:
    """Category, subtype, scope, priority and details of one complaint message."""
    return default_classifier().classify(text, now, tz)
