"""Safe text for Block Kit: cutting at grapheme boundaries and escaping mrkdwn.

Lengths are counted in UTF-16 code units. That is never less than Python's code point
count, so text cut here fits both Slack's own counting and a limit checked with len().
Cuts fall between user-perceived characters only: a surrogate pair, a base letter and its
combining marks, a ZWJ emoji sequence, a flag or a Hangul syllable is kept whole or dropped
whole.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

ELLIPSIS = "…"

_ZWJ = 0x200D
_MARK_CATEGORIES = frozenset({"Mn", "Me", "Mc"})
# Joiners Unicode counts as Grapheme_Extend that are not combining marks.
_EXTEND_RANGES = (
    (0x200C, 0x200D),  # ZWNJ, ZWJ
    (0xFE00, 0xFE0F),  # variation selectors (text/emoji presentation)
    (0xFF9E, 0xFF9F),  # halfwidth katakana voiced sound marks
    (0x1F3FB, 0x1F3FF),  # emoji skin tone modifiers
    (0xE0020, 0xE007F),  # tags (subdivision flags such as England)
    (0xE0100, 0xE01EF),  # variation selectors supplement
)
_REGIONAL_INDICATORS = (0x1F1E6, 0x1F1FF)
_HANGUL_L = ((0x1100, 0x115F), (0xA960, 0xA97C))
_HANGUL_V = ((0x1160, 0x11A7), (0xD7B0, 0xD7C6))
_HANGUL_T = ((0x11A8, 0x11FF), (0xD7CB, 0xD7FB))
_HANGUL_SYLLABLES = (0xAC00, 0xD7A3)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _in(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


def _is_extend(ch: str) -> bool:
    if unicodedata.category(ch) in _MARK_CATEGORIES:
        return True
    cp = ord(ch)
    if cp < _EXTEND_RANGES[1][0]:
        return _EXTEND_RANGES[0][0] <= cp <= _EXTEND_RANGES[0][1]
    return _in(cp, _EXTEND_RANGES)


def _hangul_kind(cp: int) -> str:
    if cp < 0x1100 or 0x1200 <= cp < 0xA960 or cp > 0xD7FB:
        return ""
    if _in(cp, _HANGUL_L):
        return "L"
    if _in(cp, _HANGUL_V):
        return "V"
    if _in(cp, _HANGUL_T):
        return "T"
    if _HANGUL_SYLLABLES[0] <= cp <= _HANGUL_SYLLABLES[1]:
        return "LV" if (cp - _HANGUL_SYLLABLES[0]) % 28 == 0 else "LVT"
    return ""


_HANGUL_JOINS = {
    "L": frozenset({"L", "V", "LV", "LVT"}),
    "LV": frozenset({"V", "T"}),
    "V": frozenset({"V", "T"}),
    "LVT": frozenset({"T"}),
    "T": frozenset({"T"}),
}


def _is_regional(ch: str) -> bool:
    return _REGIONAL_INDICATORS[0] <= ord(ch) <= _REGIONAL_INDICATORS[1]


def _joins(prev: str, ch: str, regional_run: int) -> bool:
    """Whether `ch` continues the cluster that ends in `prev`.

    `regional_run` is how many regional indicators the cluster holds so far: flags are
    pairs of them, so a third starts a new flag.
    """
    if prev == "\r" and ch == "\n":
        return True
    # Nothing below U+0300 extends or joins anything: the common case, answered quickly.
    if ord(ch) < 0x300 or prev in "\r\n":
        return ord(prev) == _ZWJ and not ch.isspace()
    if _is_extend(ch):
        return True
    # Unicode wants a pictograph after the ZWJ; joining anything but white space is
    # simpler and can only keep more text together, never split a sequence.
    if ord(prev) == _ZWJ:
        return not ch.isspace()
    if _is_regional(ch):
        return _is_regional(prev) and regional_run % 2 == 1
    return _hangul_kind(ord(ch)) in _HANGUL_JOINS.get(_hangul_kind(ord(prev)), frozenset())


def graphemes(text: str) -> Iterator[str]:
    """User-perceived characters of `text` (a simplified UAX #29 segmentation)."""
    if not text:
        return
    start = 0
    regional_run = int(_is_regional(text[0]))
    for index in range(1, len(text)):
        ch = text[index]
        if _joins(text[index - 1], ch, regional_run):
            regional_run += int(_is_regional(ch))
            continue
        yield text[start:index]
        start = index
        regional_run = int(_is_regional(ch))
    yield text[start:]


def repair_surrogates(text: str) -> str:
    """Join surrogate halves that form a pair and replace lone ones with U+FFFD.

    A lone surrogate cannot be encoded as UTF-8, so it would break the request to Slack.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def fit(text: str, limit: int, render: Callable[[str], str] = str) -> str:
    """`render` applied to each grapheme of `text`, cut so the result is at most `limit`
    UTF-16 units long including the trailing ellipsis added when anything was dropped.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    text = repair_surrogates(text)
    if render is str and utf16_len(text) <= limit:
        return text
    pieces: list[str] = []
    used = 0
    clusters = graphemes(text)
    for cluster in clusters:
        piece = render(cluster)
        size = utf16_len(piece)
        if used + size > limit:
            break
        pieces.append(piece)
        used += size
    else:
        return "".join(pieces)
    # Something was dropped: make room for the ellipsis, never leaving a half-rendered piece.
    while pieces and used + len(ELLIPSIS) > limit:
        used -= utf16_len(pieces.pop())
    return "".join(pieces).rstrip() + ELLIPSIS


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a grapheme boundary, with "…" when cut."""
    return fit(text, limit)


def escape_mrkdwn(text: str) -> str:
    """Make user text inert in mrkdwn: no mentions like <!channel>, no links, no entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit_mrkdwn(text: str, limit: int) -> str:
    """`text` escaped for mrkdwn and cut to `limit` without splitting an entity."""
    whole = escape_mrkdwn(repair_surrogates(text))
    if utf16_len(whole) <= limit:
        return whole
    return fit(text, limit, escape_mrkdwn)


def _quote_piece(cluster: str) -> str:
    if cluster in ("\n", "\r\n", "\r"):
        return "\n> "
    return escape_mrkdwn(cluster)


def fit_quote(text: str, limit: int) -> str:
    """`text` as a mrkdwn block quote (every line starts with "> ") within `limit`."""
    lines = repair_surrogates(text).replace("\r\n", "\n").replace("\r", "\n")
    whole = escape_mrkdwn(lines).replace("\n", "\n> ")
    if utf16_len(whole) <= limit - 2:
        return "> " + whole
    return "> " + fit(text, limit - 2, _quote_piece)


def plain(text: str, limit: int = 3000) -> dict[str, Any]:
    return {"type": "plain_text", "text": fit(text, limit) or " ", "emoji": True}


def mrkdwn(text: str, *, verbatim: bool = False) -> dict[str, Any]:
    """A mrkdwn object around text already escaped and sized by the caller."""
    obj: dict[str, Any] = {"type": "mrkdwn", "text": text or " "}
    if verbatim:
        obj["verbatim"] = True
    return obj
