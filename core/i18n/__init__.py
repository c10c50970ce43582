"""User-facing text: one module per language, looked up by key."""

from __future__ import annotations

from core.i18n import en, zh

LANGUAGES: dict[str, dict[str, str]] = {"zh": zh.TEXTS, "en": en.TEXTS}


def language_of(code: str | None, default: str) -> str:
    """Map a client language code (zh-hans, zh-TW, en-US...) to a reply language.

    Traditional Chinese clients are answered in simplified Chinese.
    """
    if not code:
        return default
    code = code.lower()
    if code.startswith("zh"):
        return "zh"
    if code.startswith("en"):
        return "en"
    return default


def t(lang: str, key: str, **values: object) -> str:
    table = LANGUAGES.get(lang, zh.TEXTS)
    return table[key].format(**values)
