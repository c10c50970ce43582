"""Compile triage patterns so that positions where no match can start cost one test.

Python's `re` tries every branch of an alternation at every position of the
text, and the scope phrases are alternations of hundreds of branches. A
lookahead over the characters that can start a match lets the engine reject
most positions with one set test: the big scope patterns run three to seven
times faster, with the same matches. The set is read from the pattern's parse
tree. When it cannot be read (a branch may start with any character, the
pattern may match the empty string, case is ignored) the pattern is compiled
unchanged, so the result is only ever faster, never different.
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType
from typing import Any


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:  # pragma: no cover - not CPython
        return None


# CPython's own pattern parser, not a public API: without it, no prefilter.
_p = _module("re._parser")
_c = _module("re._constants")

# The class items (a character, a range, \\d) that can start a match, and
# whether the items may match the empty string.
_Starts = tuple[set[str], bool]


def _starts(items: list[tuple[Any, Any]], sre: ModuleType, ignore_case: bool) -> _Starts | None:
    """What can start a match of a sequence of parsed items; None for "anything".
    Under `ignore_case` the class is a superset where a group turns case back on.
    """
    starts: set[str] = set()
    for op, av in items:
        if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):
            continue  # zero width: the next item starts the match
        if op is sre.LITERAL:
            starts.add(re.escape(chr(av)))
            return starts, False
        if op is sre.IN:
            for kind, value in av:
                if kind is sre.LITERAL:
                    starts.add(re.escape(chr(value)))
                elif kind is sre.RANGE:
                    starts.add(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
                elif kind is sre.CATEGORY and value is sre.CATEGORY_DIGIT:
                    starts.add("\\d")
                else:  # a negated set or another category
                    return None
            return starts, False
        if op is sre.SUBPATTERN:
            if av[1] & re.IGNORECASE and not ignore_case:
                return None
            alternatives, least = [av[3].data], 1
        elif op is sre.BRANCH:
            alternatives, least = [branch.data for branch in av[1]], 1
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            alternatives, least = [av[2].data], av[0]
        else:  # any character, a back reference, an atomic group...
            return None
        empty = least == 0
        for alternative in alternatives:
            found = _starts(alternative, sre, ignore_case)
            if found is None:
                return None
            starts |= found[0]
            empty |= found[1]
        if not empty:
            return starts, False
    return starts, True


def start_class(pattern: str, flags: int = 0) -> str | None:
    """A character class of every character that can start a match of
    `pattern` (compiled with `flags`), or None when that cannot be told."""
    if _p is None or _c is None:
        return None
    parsed = _p.parse(pattern, flags)
    # Case rules set inside the pattern would not reach the class.
    if (parsed.state.flags ^ flags) & (re.IGNORECASE | re.ASCII | re.LOCALE):
        return None
    found = _starts(parsed.data, _c, ignore_case=bool(flags & re.IGNORECASE))
    if found is None or found[1]:
        return None
    return "[" + "".join(sorted(found[0])) + "]"


def compile_cues(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, with a lookahead of its start characters
    when known. The class is compiled under the same flags, so it ignores case
    exactly where the pattern does."""
    start = start_class(pattern, flags)
    if start is not None:
        try:
            return re.compile(f"(?={start})(?:{pattern})", flags)
        except re.error:  # flags written at the start of the pattern must stay there
            pass
    return re.compile(pattern, flags)
