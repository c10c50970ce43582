"""Single user (or one room) versus many users."""

from __future__ import annotations

from core.taxonomy import Scope
from core.text import normalize
from core.triage.lexicon import (
    OFFICIAL,
    ONE_ROOM,
    ONLY_ME,
    SELF_OBJECT,
    WIDESPREAD,
    WIDESPREAD_STRONG,
)


def detect_scope(normalized: str) -> tuple[Scope, list[str]]:
    """The scope and the phrase that decided it (empty for the single default).

    Cross-room phrases ("所有主播", "whole app") always mean widespread. Generic
    many-people phrases ("大家都", "everyone") do too, unless the message ties
    them to one room or one broadcaster's audience, where one stream is at fault,
    or they only perceive the writer's problem ("nobody can hear me"). The
    platform admitting the fault ("官方发了公告") settles it whatever else is said.
    """
    official = OFFICIAL.search(normalized)
    if official is not None:
        return Scope.WIDESPREAD, [official.group(0)]
    strong = WIDESPREAD_STRONG.search(normalized)
    if strong is not None and ONLY_ME.search(normalized) is None:
        return Scope.WIDESPREAD, [strong.group(0)]
    generic = WIDESPREAD.search(normalized)
    if generic is None:
        return Scope.SINGLE, []
    limited = (
        ONE_ROOM.search(normalized) or SELF_OBJECT.search(normalized) or ONLY_ME.search(normalized)
    )
    if limited is None:
        return Scope.WIDESPREAD, [generic.group(0)]
    return Scope.SINGLE, []


def others_affected(text: str) -> bool | None:
    """How an answer to "is anyone else affected?" reads: True for others too,
    False for the writer alone, None when it says neither.
    """
    normalized = normalize(text)
    if detect_scope(normalized)[0] is Scope.WIDESPREAD:
        return True
    if ONLY_ME.search(normalized) is not None:
        return False
    return None
