"""Incident titles as users read them.

An incident opened by a surge (or declared without a title) is named after its
subtype in English, for the agents (core.incidents.intake and service:
`name_en.capitalize()`). Users read that subtype's name in their own
language instead; a title an agent wrote stays as written.
"""

from __future__ import annotations

from core.taxonomy import SUBTYPES, Subtype

_GENERATED: dict[str, Subtype] = {s.name_en.capitalize(): s for s in SUBTYPES.values()}


def incident_title(title: str, lang: str) -> str:
    """The title to show a user writing `lang`."""
    generated = _GENERATED.get(title)
    if generated is None or not lang.startswith("zh"):
        return title  # English readers see the generated title as agents do
    return generated.name(lang)
