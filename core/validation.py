"""Checks applied to every piece of text before it is stored.

Both databases must treat odd input the same way: PostgreSQL refuses NUL
bytes and lone surrogates cannot be encoded, so both are refused everywhere
with a clear error instead of a driver crash on one database only.
"""

from __future__ import annotations

from core.errors import InvalidInputError

MAX_MESSAGE_CHARS = 20_000
MAX_SHORT_CHARS = 200


def clean_text(
    value: str, field: str, *, max_chars: int = MAX_MESSAGE_CHARS, allow_empty: bool = False
) -> str:
    if "\x00" in value:
        raise InvalidInputError(f"{field}: contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError(
            f"{field}: contains characters that are not valid unicode"
        ) from None
    if not allow_empty and not value.strip():
        raise InvalidInputError(f"{field}: is empty")
    if len(value) > max_chars:
        raise InvalidInputError(
            f"{field}: is {len(value)} characters long; the limit is {max_chars}"
        )
    return value
