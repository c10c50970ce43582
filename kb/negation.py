"""Faults the message says are absent: "只有声音没有画面" has sound.

A matcher that only counts shared words offers no-sound articles to someone
whose sound is the one thing that works. These phrases state that a part works;
articles only about that part failing are then no answer. A negation just
before the phrase ("没有声音") keeps it a complaint.
"""

from __future__ import annotations

import re

from core.text import to_simplified

_NOT = r"(?<![没無无不])(?<!没有)(?<!not )(?<!no )"

# subtype whose fault the phrase rules out: the phrase.
WORKING: dict[str, re.Pattern[str]] = {
    "av.no_audio": re.compile(
        _NOT + r"(有声音|声音(是)?(正常|好的|没问题)|能听(到|见)|听得(到|见)|"
        r"only (the )?(sound|audio)|(sound|audio) (works|is fine|is ok|is there)|can hear)",
        re.IGNORECASE,
    ),
    "av.black_screen": re.compile(
        _NOT + r"(有画面|画面(是)?(正常|好的|没问题)|能看(到|见)画面|看得(到|见)画面|"
        r"only (the )?(picture|video)|(picture|video|image) (works|is fine|is ok)|"
        r"can see (the )?(picture|video))",
        re.IGNORECASE,
    ),
    "av.stutter": re.compile(
        _NOT + r"(很流畅|挺流畅|不卡|(smooth|no lag|not lagging))", re.IGNORECASE
    ),
}


def working_subtypes(text: str) -> frozenset[str]:
    """The subtypes whose fault the message says it does not have."""
    simple = to_simplified(text).lower()
    return frozenset(s for s, pattern in WORKING.items() if pattern.search(simple))
