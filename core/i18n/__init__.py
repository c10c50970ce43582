"""User-facing text: one module per language, looked up by key.

Traditional Chinese (`zh-Hant`) has no table of its own: the simplified texts
are converted by OpenCC (Taiwan phrasing, "s2twp"), after the values are
filled in, so an article title or a subtype name reads traditional too.
"""

from __future__ import annotations

from functools import lru_cache

import opencc

from core.i18n import en, zh

TRADITIONAL = "zh-Hant"
LANGUAGES: dict[str, dict[str, str]] = {"zh": zh.TEXTS, TRADITIONAL: zh.TEXTS, "en": en.TEXTS}
# Region subtags written in traditional characters.
_TRADITIONAL_REGIONS = frozenset({"tw", "hk", "mo"})


def language_of(code: str | None, default: str) -> str:
    """Map a client language code (zh-hans, zh-TW, zh-Hant-HK, en-US...) to a reply language."""
    if not code:
        return default
    parts = code.lower().replace("_", "-").split("-")
    if parts[0] == "zh":
        traditional = "hant" in parts or (
            "hans" not in parts and any(p in _TRADITIONAL_REGIONS for p in parts[1:])
        )
        return TRADITIONAL if traditional else "zh"
    if parts[0] == "en":
        return "en"
    return default


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    # Built lazily: the dictionary load is the expensive part of the first call.
    return opencc.OpenCC("s2twp")


def localize(lang: str, text: str) -> str:
    """Text written in simplified Chinese, in the script of `lang`."""
    if lang != TRADITIONAL or not text:
        return text
    return str(_s2t().convert(text))


def t(lang: str, key: str, **values: object) -> str:
    table = LANGUAGES.get(lang, zh.TEXTS)
    return localize(lang, table[key].format(**values))
