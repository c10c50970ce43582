"""A sender's file name made safe to show agents and to save on their machines.

The name a user's client sends is only a label: the attachment store never uses
it for a path (core/storage/files.py). It is still shown in Slack, uploaded there
as the file's name and downloaded by agents, so it must not carry a path, a
device name, a hidden extension (a right-to-left override turns "gnp.exe" into
"exe.png" on screen), line breaks, mention markup or shell metacharacters.
"""

from __future__ import annotations

import re
import unicodedata

FALLBACK = "file"
MAX_CHARS = 120  # what an agent can read; far below every file system's limit
_MAX_EXT = 16
# Path separators, what Windows forbids in a name, and shell metacharacters.
_UNSAFE = frozenset('/\\<>:"|?*$`;&')
# Control, format (bidi overrides, zero-width), line and paragraph separators,
# surrogates, private use and unassigned code points.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
_RUNS = re.compile(r"_{2,}")
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{p}{n}" for p in ("COM", "LPT") for n in "0123456789¹²³"}
)
_EDGES = " ._-~"


def _safe_char(ch: str) -> str:
    if ch in _UNSAFE or unicodedata.category(ch) in _UNSAFE_CATEGORIES:
        return "_"
    return ch


def safe_file_name(name: str) -> str:
    """`name` with unsafe characters replaced by "_", trimmed, never empty, never a
    Windows device name, at most MAX_CHARS long with its extension kept."""
    cleaned = "".join(_safe_char(ch) for ch in unicodedata.normalize("NFC", name))
    cleaned = _RUNS.sub("_", cleaned).strip(_EDGES)
    if not cleaned:
        return FALLBACK
    stem, dot, ext = cleaned.rpartition(".")
    if not dot or not stem or len(ext) > _MAX_EXT:
        stem, ext = cleaned, ""
    if stem.split(".")[0].strip(_EDGES).upper() in _RESERVED:
        stem = f"_{stem}"
    suffix = f".{ext}" if ext else ""
    if len(stem) + len(suffix) > MAX_CHARS:
        stem = stem[: MAX_CHARS - len(suffix)].rstrip(_EDGES) or FALLBACK
    return stem + suffix
