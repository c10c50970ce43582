"""Single user (or one room) versus many users.

Only the writer's own claims count: quoted text and what an error message or
the app "says" are removed first, so "it says 'all our agents are busy'" does
not read as everyone being affected. The learned scope head weighs the rest;
the fixed phrases of `core.triage.lexicon` settle what they state outright.
"""

from __future__ import annotations

import re

from core.taxonomy import Scope
from core.text import normalize
from core.triage.lexicon import MANY, OFFICIAL, ONE_ROOM, ONLY_ME
from core.triage.typos import fix_typos

# Quoted spans: straight and curly double quotes and the CJK corner brackets.
_QUOTED = re.compile(r'"[^"]{1,200}"|“[^”]{1,200}”|「[^」]{1,200}」|『[^』]{1,200}』|‘[^’]{1,200}’')
# What the app, an error or a message shows, up to the end of its clause.
_REPORTED = re.compile(
    r"(?:\b(?:error|error message|it says|says|said|shows|showing|message)\s*:|\bit says\b|"
    r"\b(?:an? )?error (?:saying|that says)\b|提示|显示|报错|弹出|弹窗)"
    r"[^，,；;。！？!?\n]{0,120}?(?=[，,；;。！？!?\n]|\.(?:\s|$)|$)"
)
_WIDESPREAD_AT = 0.5
_SURE = 0.8


def writer_text(normalized: str) -> str:
    """The message without quoted or reported text; the writer's own words."""
    return _REPORTED.sub(" ", _QUOTED.sub(" ", normalized))


def decide_scope(
    writer: str, widespread: float, widespread_at: float = _WIDESPREAD_AT
) -> tuple[Scope, list[str]]:
    """The scope and the phrase that explains it (none for a model-only call).

    `widespread` is the learned head's probability on the writer's text,
    counted from `widespread_at` (the model's cross-validated cut). The
    platform admitting a fault settles it; "only me" or one room's audience
    ("my friends watching the same stream") keeps it to one user or stream.
    """
    official = OFFICIAL.search(writer)
    if official is not None:
        return Scope.WIDESPREAD, [official.group(0)]
    limited = ONLY_ME.search(writer) or ONE_ROOM.search(writer)
    if limited is not None:
        return Scope.SINGLE, [limited.group(0)]
    many = MANY.search(writer)
    if widespread >= widespread_at:
        return Scope.WIDESPREAD, [many.group(0)] if many is not None else []
    return Scope.SINGLE, []


def others_affected(text: str) -> bool | None:
    """How an answer to "is anyone else affected?" reads: True for others too,
    False for the writer alone, None when it says neither.
    """
    from core.triage.classifier import default_classifier

    writer = writer_text(normalize(text))
    if ONLY_ME.search(writer) is not None:
        return False
    if OFFICIAL.search(writer) is not None or MANY.search(writer) is not None:
        return True
    # No fixed phrase: the learned scope head reads the answer, only when sure.
    widespread = default_classifier().model.predict(fix_typos(writer)).widespread
    return True if widespread >= _SURE else None
