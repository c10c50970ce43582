"""What makes a card read well: diagnostics with labels and localised values, times in
the team's zone, the triage cues as whole phrases, the reporter's language.

The labels and answer names come from the chat's own texts (core.i18n), shown in both
languages as everything agents read is; a key or value nothing names is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from bot.slack.blocks.parts import _zone
from core.conversation.requirements import ANSWER_CHOICES
from core.i18n import t
from core.i18n.en import TEXTS as EN
from core.i18n.zh import TEXTS as ZH

LANGUAGE_LABELS = {"zh": "中文 / Chinese", "en": "英文 / English"}
# A phrase around a cue ends at whitespace or punctuation; longer than this and the
# cue itself is shown rather than half a sentence.
_PHRASE_MAX = 24
_BREAK = re.compile(r"[\s,.;:!?，。；：！？、…()（）\[\]【】\"'“”‘’]+")


def _both(key: str) -> str | None:
    """The text `key` in Chinese and English ("发生时间 / When"), if both languages have it."""
    if key not in ZH or key not in EN:
        return None
    zh, en = t("zh", key), t("en", key)
    return zh if zh == en else f"{zh} / {en}"


def diagnostic_label(key: str) -> str:
    return _both(f"label_{key}") or key


def diagnostic_value(key: str, value: str, timezone: str) -> str:
    """A stored value as agents should read it: times in the team's zone, answers by name."""
    if key == "occurred_at":
        return _local_time(value, timezone)
    for stored, label in ANSWER_CHOICES.get(key, ()):
        if stored == value:
            return (_both(label[1:]) or value) if label.startswith("@") else label
    return value


def _local_time(value: str, timezone: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value  # masked or free text: shown as stored
    if moment.tzinfo is None:
        return value
    zone, name = _zone(timezone)
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} ({name})"


def language_label(language: str) -> str:
    base = language.split("-")[0].lower()
    return LANGUAGE_LABELS.get(base) or language or "—"


def _phrase(cue: str, text: str) -> str:
    """The whole phrase of `text` a cue was found in, when it is short enough."""
    at = text.casefold().find(cue.casefold())
    if not cue.strip() or at < 0:
        return cue.strip()
    starts = [m.end() for m in _BREAK.finditer(text, 0, at)]
    start = starts[-1] if starts else 0
    end_match = _BREAK.search(text, at + len(cue))
    end = end_match.start() if end_match else len(text)
    phrase = text[start:end].strip()
    return phrase if len(phrase) <= _PHRASE_MAX else cue.strip()


def merged_cues(cues: Iterable[str], text: str) -> list[str]:
    """Each cue as its whole phrase in the user's words; duplicates and cues contained
    in another are left out, in first-seen order.
    """
    by_fold: dict[str, str] = {}
    for phrase in (_phrase(c, text) for c in cues):
        if phrase:
            by_fold.setdefault(phrase.casefold(), phrase)
    phrases, folded = list(by_fold.values()), list(by_fold)
    return [
        phrase
        for i, phrase in enumerate(phrases)
        if not any(i != j and folded[i] in other for j, other in enumerate(folded))
    ]
