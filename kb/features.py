"""Matching units for the knowledge base.

Chinese has no spaces between words, so a Chinese string is cut into overlapping
character pairs (bigrams) of its compact form; a string of one character keeps that
character. Latin text is cut into words, reduced by a crude stemmer so that "freezing",
"freezes" and "freeze" meet. Everything is normalised first with core.text.normalize.
"""

from __future__ import annotations

import re
from functools import lru_cache

from core.text import has_cjk, normalize

_NOT_WORD = re.compile(r"[\W_]+")
_APOSTROPHE = re.compile(r"['’`]")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_ANY_LATIN = re.compile(r"[a-z0-9]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_SPLIT_NAME = re.compile(r"[、,，;；/]|\bor\b")

# Words that say nothing about which problem a user has.
_STOPWORD_TEXT = """a an the my me i im ive is are am was were be been being it its this that these
    those to of in on at for from and or but so with just very really please pls plz
    help hi hello hey hiya thanks thank you your we our us do does did have has had get
    got can could would should will what why how when where there here some any again
    now today all also still too much many lot bit as by if then than about after
    before into out up over he she they them his her their ok okay yes who which
    time times day days hour hours week weeks yesterday tomorrow morning evening
    thing things way good bad"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())

_SUFFIXES = ("ing", "ed", "es", "s", "ly", "y", "e")


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """Strips one common English suffix and a doubled final consonant."""
    if len(word) >= 6 and word.endswith(("ied", "ies")):
        return word[:-3]  # notified, replies -> notif, repl (as notify, reply)
    for suffix in _SUFFIXES:
        # "site" must not become "sit": a bare e goes only from longer words ("freeze").
        keep = 4 if suffix in ("e", "ly") else 3
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            if suffix == "s" and word.endswith("ss"):
                continue
            word = word[: -len(suffix)]
            break
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "aeiou0123456789":
        word = word[:-1]
    return word


def compact(normalized: str) -> str:
    """The normalised text without spaces or punctuation."""
    return _NOT_WORD.sub("", normalized)


def bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


def latin_words(normalized: str) -> list[str]:
    return _LATIN_WORD.findall(_APOSTROPHE.sub("", normalized))


def content_stems(normalized: str) -> list[str]:
    return [stem(w) for w in latin_words(normalized) if w not in STOPWORDS]


def cjk_runs(normalized: str) -> list[str]:
    """Runs of Chinese characters; spaces and punctuation between them do not break a run
    (users type "直播 卡"), Latin words and digits do.
    """
    return _CJK_RUN.findall(compact(normalized))


def phrase_units(normalized: str) -> tuple[str, list[str]]:
    """("cjk" or "latin", the units of one article string). A Chinese string keeps its
    Latin words ("卡成ppt") as word units next to its character pairs.
    """
    has_latin = _ANY_LATIN.search(normalized) is not None
    words = ["w:" + s for s in content_stems(normalized)] if has_latin else []
    if not has_cjk(normalized):
        return "latin", list(dict.fromkeys(words))
    runs = cjk_runs(normalized)
    pairs = [u for run in runs for u in (bigrams(run) if len(run) > 1 else [run])]
    return "cjk", list(dict.fromkeys(pairs + words))


def query_units(normalized: str) -> tuple[str, list[str], list[str]]:
    """(compact text, Chinese-side units, Latin stems) of a user message. Single
    characters are units too, so one-character keywords ("卡") can match.
    """
    runs = cjk_runs(normalized)
    cjk_units = [u for run in runs for u in bigrams(run)] + [ch for run in runs for ch in run]
    return (
        compact(normalized),
        list(dict.fromkeys(cjk_units)),
        list(dict.fromkeys(content_stems(normalized))),
    )


def split_names(name: str) -> list[str]:
    """Pieces of a taxonomy display name such as "卡顿、延迟、缓冲"."""
    return [p.strip() for p in _SPLIT_NAME.split(normalize(name)) if p.strip()]
