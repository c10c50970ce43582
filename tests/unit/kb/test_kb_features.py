from __future__ import annotations

import pytest

from core.text import normalize
from kb.features import phrase_units, query_units, split_names, stem


@pytest.mark.parametrize(
    ("words", "same"),
    [
        (("freeze", "freezing", "freezes"), True),
        (("lag", "laggy", "lagging"), True),
        (("notify", "notified"), True),
        (("site", "sit"), False),
        (("reply", "rep"), False),
    ],
)
def test_the_stemmer_joins_word_forms_but_not_different_words(
    words: tuple[str, ...], same: bool
) -> None:
    assert (len({stem(w) for w in words}) == 1) is same


def test_chinese_phrases_become_character_pairs_and_keep_latin_words() -> None:
    kind, units = phrase_units(normalize("画面卡成PPT"))
    assert kind == "cjk"
    assert units == ["画面", "面卡", "卡成", "w:ppt"]


def test_a_one_character_keyword_is_its_own_unit() -> None:
    assert phrase_units(normalize("卡")) == ("cjk", ["卡"])


def test_english_phrases_drop_stopwords_and_stem() -> None:
    assert phrase_units(normalize("The stream keeps FREEZING")) == (
        "latin",
        ["w:stream", "w:keep", "w:freez"],
    )


def test_spaces_between_chinese_characters_do_not_break_pairs() -> None:
    _, cjk_units, stems = query_units(normalize("直播 卡顿 lag"))
    assert "播卡" in cjk_units
    assert "卡" in cjk_units
    assert stems == ["lag"]


def test_taxonomy_names_split_into_pieces() -> None:
    assert split_names("卡顿、延迟、缓冲") == ["卡顿", "延迟", "缓冲"]
    assert split_names("co-hosting, link-mic or PK fails") == ["co-hosting", "link-mic", "pk fails"]
