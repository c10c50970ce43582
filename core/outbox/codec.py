"""A neutral `Reply` to the JSON kept in an outbox row, and back."""

from __future__ import annotations

from typing import Any

from core.conversation.messages import Choice, Reply
from core.errors import InvalidInputError
from core.validation import clean_text

# A Telegram message holds 4,096 characters; adapters split longer texts, but an
# outbox row is one reply, and replies are never near this long.
MAX_REPLY_CHARS = 20_000


def encode_reply(reply: Reply) -> dict[str, Any]:
    if reply.attachment is not None:
        # File bytes do not belong in a queue table; files wait for a stored
        # reference (the attachment store) before they can go through the outbox.
        raise InvalidInputError("reply: the outbox does not carry attachments")
    text = clean_text(reply.text, "reply text", max_chars=MAX_REPLY_CHARS)
    return {
        "text": text,
        "choices": [
            {"id": clean_text(c.id, "choice id"), "label": clean_text(c.label, "choice label")}
            for c in reply.choices
        ],
        "request_file": reply.request_file,
    }


def decode_reply(body: dict[str, Any]) -> Reply:
    try:
        return Reply(
            text=str(body["text"]),
            choices=tuple(Choice(str(c["id"]), str(c["label"])) for c in body["choices"]),
            request_file=bool(body["request_file"]),
        )
    except (KeyError, TypeError) as err:
        raise InvalidInputError(f"outbox row body is not a stored reply: {err!r}") from None
