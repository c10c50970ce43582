"""Typo repair never turns a correct English word into another word."""

from __future__ import annotations

import re

import pytest

from core.triage.typos import fix_typos


def _frequent_english_words(n: int) -> list[str]:
    spellchecker = pytest.importorskip("spellchecker")
    frequency = spellchecker.SpellChecker().word_frequency.dictionary
    words = [w for w in frequency if re.fullmatch(r"[a-z]{2,}", w)]
    return sorted(words, key=lambda w: (-frequency[w], w))[:n]


def test_the_five_thousand_most_frequent_english_words_pass_unchanged() -> None:
    words = _frequent_english_words(5000)
    assert len(words) == 5000
    changed = [w for w in words if fix_typos(w) != w]
    assert changed == []


@pytest.mark.parametrize("word", ["tipped", "audit", "logic", "chart", "streak", "reload"])
def test_real_words_near_a_cue_word_stay(word: str) -> None:
    assert fix_typos(f"i {word} it yesterday") == f"i {word} it yesterday"


@pytest.mark.parametrize(
    ("typo", "fixed"), [("freezng", "freezing"), ("bufering", "buffering"), ("refnd", "refund")]
)
def test_misspelt_cue_words_are_repaired(typo: str, fixed: str) -> None:
    assert fix_typos(f"the stream {typo} again") == f"the stream {fixed} again"
