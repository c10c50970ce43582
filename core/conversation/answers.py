"""Understanding typed answers: numbers, yes/no words, and detail values."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from core.text import normalize
from core.triage import extract_details

_PUNCT = re.compile(r"[\s!！。.,，?？~～…、:：;；'\"“”]+")

WORDS: dict[str, frozenset[str]] = {
    "yes": frozenset(
        [
            "yes",
            "y",
            "ok",
            "okay",
            "sure",
            "confirm",
            "submit",
            "yep",
            "是",
            "是的",
            "对",
            "好",
            "好的",
            "确认",
            "提交",
            "可以",
            "嗯",
            "行",
            "解决了",
            "好了",
            "fixed",
        ]
    ),
    "no": frozenset(
        [
            "no",
            "n",
            "nope",
            "still broken",
            "not fixed",
            "didnt help",
            "didn't help",
            "doesnt work",
            "still not working",
            "还是不行",
            "不行",
            "没用",
            "没解决",
            "没有用",
            "都不行",
            "都没用",
            "还是不好",
            "否",
        ]
    ),
    "skip": frozenset(
        [
            "skip",
            "pass",
            "dont know",
            "don't know",
            "idk",
            "跳过",
            "不知道",
            "不清楚",
            "略过",
            "不记得",
        ]
    ),
    "done": frozenset(
        [
            "done",
            "no more",
            "none",
            "thats all",
            "that's all",
            "没有了",
            "没有",
            "完成",
            "好了",
            "无",
        ]
    ),
    "cancel": frozenset(["cancel", "取消", "算了", "不用了"]),
    "edit": frozenset(["edit", "change", "修改", "重新描述", "改一下"]),
}

# Fields any text could fill, read plainly when the extractor finds nothing.
_FREE_TEXT_FIELDS = frozenset({"device_model", "os", "steps"})
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{2,63}")
_VERSION = re.compile(r"\d+(?:\.\d+){1,3}")
_NUMBER = re.compile(r"\d+(?:\.\d{1,2})?")
# Longer digit runs are never converted: Python refuses strings past 4,300
# digits (ValueError), and long ones cost quadratic time. No choice list,
# rating or count a user types needs more than this.
MAX_NUMBER_DIGITS = 9


def clean(text: str) -> str:
    """NUL and unpaired surrogates carry no meaning and cannot be stored everywhere."""
    text = text.replace("\x00", "")
    return text.encode("utf-8", "replace").decode("utf-8")


def small_number(text: str, max_digits: int = MAX_NUMBER_DIGITS) -> int | None:
    """The value of a short run of ASCII digits; None for anything else.

    Only ASCII: `str.isdigit` also accepts superscripts and other digits that
    `int` refuses.
    """
    if text.isascii() and text.isdigit() and len(text) <= max_digits:
        return int(text)
    return None


def simplify(text: str) -> str:
    """Normalised and stripped of punctuation, for comparing short answers."""
    return _PUNCT.sub(" ", normalize(text)).strip()


def word_kind(text: str) -> str | None:
    """'yes', 'no', 'skip', 'done', 'cancel' or 'edit' when the text is one of those words."""
    simple = simplify(text)
    for kind, words in WORDS.items():
        if simple in words:
            return kind
    return None


def choice_number(text: str, count: int) -> int | None:
    number = small_number(simplify(text))
    if number is not None and 1 <= number <= count:
        return number - 1
    return None


def detail_answer(
    field: str, text: str, now: datetime, tz: ZoneInfo
) -> tuple[dict[str, Any], bool]:
    """Details found in a free-text answer, and whether `field` was answered.

    Everything the extractor finds is kept (the user may answer more than was
    asked); when it cannot read the asked field, a plain reading of the text
    is used so the user is never asked the same question twice.
    """
    found = extract_details(text, now, tz).to_json()
    if field in found:
        return found, True
    # "今天早上" typed where the device was asked answers something else: it is
    # not a device name. Only text that states nothing else is read plainly.
    if found and field in _FREE_TEXT_FIELDS:
        extras = dict(found.get("extras", {}))
        extras[field] = text.strip()[:200]
        return {**found, "extras": extras}, False
    fallback = _plain_reading(field, text.strip())
    if fallback is not None:
        found[field] = fallback
        return found, True
    extras = dict(found.get("extras", {}))
    extras[field] = text.strip()[:200]
    found["extras"] = extras
    return found, False


def _plain_reading(field: str, text: str) -> Any:
    if field in ("room_id", "order_id", "account_id"):
        m = _ID.search(text)
        return m.group(0) if m else None
    if field == "app_version":
        m = _VERSION.search(text)
        return m.group(0) if m else None
    if field == "amount":
        m = _NUMBER.search(text.replace(",", ""))
        if not m:
            return None
        try:
            return str(Decimal(m.group(0)))
        except InvalidOperation:
            return None
    if field in ("device_model", "os", "steps"):
        return text[:500] if field == "steps" else text[:80]
    return None
