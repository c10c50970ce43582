"""Telegram's `parse_mode=HTML` dialect: turns marked-up text into plain text plus entities.

Telegram is strict where browsers are lenient (unknown tags, stray `<`, unclosed tags are all
400s), and bots fail in production on exactly those cases, so the fake refuses them too.
Entity offsets and lengths are in UTF-16 code units, as in the real API.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

_TAG = re.compile(
    r"<(?P<close>/?)(?P<name>[a-zA-Z][a-zA-Z0-9-]*)"
    r"(?P<attrs>(?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*/?>"
)
_ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")
_CHAR_REF = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")

_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; the message matches Telegram's wording."""


@dataclass
class _Open:
    name: str
    entity: JSON | None
    start: int
    extra: JSON = field(default_factory=dict)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _attributes(raw: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTR.finditer(raw):
        value = next((g for g in match.groups()[1:] if g is not None), "")
        found[match.group(1).lower()] = html.unescape(value)
    return found


def _entity_for(name: str, attrs: dict[str, str], stack: list[_Open]) -> JSON | None:
    if name in _SIMPLE:
        if name == "code" and stack and stack[-1].name == "pre":
            # <pre><code class="language-x"> is one pre entity carrying the language.
            language = attrs.get("class", "").removeprefix("language-")
            parent = stack[-1].entity
            if language and parent is not None:
                parent["language"] = language
            return None
        return {"type": _SIMPLE[name]}
    if name == "span" and attrs.get("class") == "tg-spoiler":
        return {"type": "spoiler"}
    if name == "a":
        href = attrs.get("href", "")
        if href.startswith("tg://user?id="):
            user_id = href.removeprefix("tg://user?id=")
            if user_id.isdigit():
                return {"type": "text_mention", "user": {"id": int(user_id), "is_bot": False}}
        return {"type": "text_link", "url": href} if href else None
    if name == "blockquote":
        return {"type": "expandable_blockquote" if "expandable" in attrs else "blockquote"}
    if name == "tg-emoji" and attrs.get("emoji-id"):
        return {"type": "custom_emoji", "custom_emoji_id": attrs["emoji-id"]}
    return None


_ALLOWED = {*_SIMPLE, "span", "a", "blockquote", "tg-emoji"}


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Returns the plain text and its entities, or raises EntityParseError."""
    pieces: list[str] = []
    position = 0  # UTF-16 offset into the plain text built so far
    stack: list[_Open] = []
    entities: list[JSON] = []
    index = 0
    while index < len(source):
        char = source[index]
        if char == "<":
            match = _TAG.match(source, index)
            if match is None:
                raise EntityParseError(
                    f'Unsupported start tag "" at byte offset {_byte_offset(source, index)}'
                )
            name = match.group("name").lower()
            if match.group("close"):
                if not stack:
                    raise EntityParseError(
                        f"Unexpected end tag at byte offset {_byte_offset(source, index)}"
                    )
                opened = stack.pop()
                if opened.name != name:
                    raise EntityParseError(
                        f"Unmatched end tag at byte offset {_byte_offset(source, index)}, "
                        f'expected "</{opened.name}>", found "</{name}>"'
                    )
                if opened.entity is not None and position > opened.start:
                    entities.append(
                        {"offset": opened.start, "length": position - opened.start} | opened.entity
                    )
            else:
                attrs = _attributes(match.group("attrs"))
                if name not in _ALLOWED or (name == "span" and attrs.get("class") != "tg-spoiler"):
                    raise EntityParseError(
                        f'Unsupported start tag "{name}" at byte offset '
                        f"{_byte_offset(source, index)}"
                    )
                stack.append(_Open(name, _entity_for(name, attrs, stack), position))
            index = match.end()
            continue
        if char == "&":
            ref = _CHAR_REF.match(source, index)
            if ref is not None:
                decoded = html.unescape(ref.group(0))
                pieces.append(decoded)
                position += utf16_len(decoded)
                index = ref.end()
                continue
        pieces.append(char)
        position += utf16_len(char)
        index += 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(pieces), entities
