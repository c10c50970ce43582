"""English phrases are skipped on text without latin letters; that must never
change a verdict, so no English phrase may match text without a letter.
"""

from __future__ import annotations

import re

from core.text import normalize
from core.triage import lexicon
from core.triage.examples import bundled_examples
from core.triage.lexicon import CUES, Phrases

LETTERS = re.compile(r"[a-z]")


def letter_free_texts() -> list[str]:
    texts = [LETTERS.sub(" ", normalize(e.text)) for e in bundled_examples()]
    return [*texts, "123 456", "5.2.1 :) !! ?? 2026-05-01 12:30", "¥30 $30 #1234 @_@"]


def test_english_cue_phrases_need_a_latin_letter():
    english = [phrases._latin for phrases in CUES.values()]
    assert len(english) == 24
    for text in letter_free_texts():
        assert not any(p.search(text) for p in english), text


def test_english_halves_of_scope_and_context_phrases_need_a_latin_letter():
    halves = [v._latin for v in vars(lexicon).values() if isinstance(v, Phrases)]
    assert len(halves) >= 6
    for text in letter_free_texts():
        assert not any(h.search(text) for h in halves), text


def test_a_phrase_search_finds_the_leftmost_match_of_either_half():
    phrases = Phrases("大家都", "everyone")
    assert phrases.search("everyone 说 大家都").group(0) == "everyone"
    assert phrases.search("大家都 everyone").group(0) == "大家都"
    assert phrases.search("大家都没声").group(0) == "大家都"
    assert phrases.search("nothing here") is None
