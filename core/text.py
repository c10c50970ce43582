"""Text normalisation shared by triage and the knowledge base.

Traditional and simplified Chinese, full-width and half-width forms, and
letter case must compare equal before any matching happens.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

# Zero-width and bidi control characters carry no meaning but break matching.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    # Built lazily: the dictionary load is the expensive part of the first call.
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional Chinese characters to simplified; other text unchanged."""
    if not _CJK.search(text):
        return text
    return str(_t2s().convert(text))


def normalize(text: str) -> str:
    """Canonical matching form: NFKC (full width to half width), simplified
    Chinese, case-folded, invisible characters removed, whitespace collapsed.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = to_simplified(text)
    text = text.casefold()
    return _SPACES.sub(" ", text).strip()


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None
