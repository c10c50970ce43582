"""The start-character prefilter only ever makes cue patterns faster."""

from __future__ import annotations

import re

import pytest

from core.text import normalize
from core.triage import extract, lexicon, when
from core.triage.examples import bundled_examples
from core.triage.prefilter import compile_cues, start_class


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"ab|c[d-f]|\d+x|(?<!q)z", r"[\dacz]"),
        (r"a?b", "[ab]"),
        (r"(?<![a-z0-9])(?:gifts?|tips?)", "[gt]"),
        (r"[\u4e00-\u9fff]x", "[一-鿿]"),
        (r"(你们|app)(是不是)?崩了", "[a你]"),
    ],
)
def test_start_class_lists_what_can_start_a_match(pattern, expected):
    assert start_class(pattern) == expected


@pytest.mark.parametrize(
    "pattern",
    [r"a|.b", r"a*", r"[^a]b", r"\s*x", r"(?i)ab", r"x|(?i:y)", r"(?=a)", r"a|"],
)
def test_no_class_when_any_character_may_start_or_the_match_may_be_empty(pattern):
    assert start_class(pattern) is None
    assert compile_cues(pattern).pattern == pattern


def test_ignoring_case_the_class_ignores_case_the_same_way():
    compiled = compile_cues("kb|gb", re.IGNORECASE)
    assert compiled.pattern.startswith("(?=[")
    assert compiled.search("5 \u212aB") is not None  # the Kelvin sign folds to k
    assert compile_cues("(?i)ab", re.IGNORECASE).pattern == "(?i)ab"


def _ungated(compiled: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern as written, from the `(?=[...])(?:pattern)` form."""
    text = compiled.pattern
    if not text.startswith("(?=["):
        return compiled
    start, inner = text[3:].split(")(?:", 1)
    assert inner.endswith(")")
    inner = inner[:-1]
    assert start == start_class(inner, compiled.flags)
    return re.compile(inner, compiled.flags)


def _lexicon_patterns() -> list[re.Pattern[str]]:
    phrases = [v for v in vars(lexicon).values() if isinstance(v, lexicon.Phrases)]
    phrases += list(lexicon.CUES.values())
    return [getattr(p, half) for p in phrases for half in ("_any", "_latin")]


def _detail_patterns() -> list[re.Pattern[str]]:
    found: list[re.Pattern[str]] = []
    for module in (extract, when):
        for value in vars(module).values():
            if isinstance(value, re.Pattern):
                found.append(value)
            elif isinstance(value, tuple):
                found += [
                    v[0] for v in value if isinstance(v, tuple) and isinstance(v[0], re.Pattern)
                ]
    return found


def _skips_by_itself(pattern: str) -> bool:
    return compile_cues(pattern).pattern == pattern and start_class(pattern) is not None


def test_the_scope_patterns_and_each_subtypes_cues_skip_fast():
    for phrases in (lexicon.MANY, lexicon.ONLY_ME, *lexicon.CUES.values()):
        pattern = phrases._any.pattern
        assert pattern.startswith("(?=[") or _skips_by_itself(pattern), pattern[:40]


@pytest.mark.parametrize(
    "pattern",
    [r"半(个)?小时(之)?前", r"yesterday|last night|today", r"[点點時时:：]", r"(你们|app)崩了"],
)
def test_no_lookahead_where_re_already_skips_to_the_first_character(pattern):
    assert compile_cues(pattern).pattern == pattern
    assert compile_cues(pattern, re.IGNORECASE).pattern.startswith("(?=[")


def test_prefiltered_patterns_match_exactly_what_the_written_ones_match():
    raw = [e.text for e in bundled_examples()[::7]]
    texts = raw + [normalize(t) for t in raw]
    texts += [
        "",
        "a",
        "1234",
        "🙂🙂",
        "卡",
        "all streamers 所有主播 10个人",
        "IPHONE 13 \u212aB 5G",
    ]
    patterns = _lexicon_patterns() + _detail_patterns()
    assert len(patterns) > 60
    for compiled in patterns:
        written = _ungated(compiled)
        for text in texts:
            got, want = compiled.search(text), written.search(text)
            assert (got and got.span()) == (want and want.span()), (compiled.pattern[:60], text)
