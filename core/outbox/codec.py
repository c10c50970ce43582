"""A neutral `Reply` to the JSON kept in an outbox row, and back."""

from __future__ import annotations

from typing import Any

from core.conversation.messages import Attachment, Choice, Reply
from core.errors import InvalidInputError
from core.validation import clean_text

# A Telegram message holds 4,096 characters; adapters split longer texts, but an
# outbox row is one reply, and replies are never near this long.
MAX_REPLY_CHARS = 20_000


def encode_reply(reply: Reply) -> dict[str, Any]:
    text = clean_text(reply.text, "reply text", max_chars=MAX_REPLY_CHARS)
    body: dict[str, Any] = {
        "text": text,
        "choices": [
            {"id": clean_text(c.id, "choice id"), "label": clean_text(c.label, "choice label")}
            for c in reply.choices
        ],
        "request_file": reply.request_file,
    }
    if reply.attachment is not None:
        body["attachment"] = _encode_attachment(reply.attachment)
    return body


def _encode_attachment(attachment: Attachment) -> dict[str, Any]:
    if attachment.stored is None:
        # File bytes do not belong in a queue table: only a file already in the
        # attachment store goes through the outbox, by its path.
        raise InvalidInputError("reply: the outbox carries only attachments already stored")
    return {
        "kind": clean_text(attachment.kind, "attachment kind", max_chars=16),
        "file_name": clean_text(attachment.file_name, "attachment file name", max_chars=255),
        "mime": clean_text(attachment.mime, "attachment mime", max_chars=128),
        "stored": clean_text(attachment.stored, "attachment path", max_chars=1024),
        "size": attachment.size,
    }


def decode_reply(body: dict[str, Any]) -> Reply:
    try:
        stored = body.get("attachment")
        attachment = (
            Attachment(
                kind=str(stored["kind"]),
                file_name=str(stored["file_name"]),
                mime=str(stored["mime"]),
                data=b"",
                declared_size=int(stored["size"]),
                stored=str(stored["stored"]),
            )
            if stored is not None
            else None
        )
        return Reply(
            text=str(body["text"]),
            choices=tuple(Choice(str(c["id"]), str(c["label"])) for c in body["choices"]),
            request_file=bool(body["request_file"]),
            attachment=attachment,
        )
    except (KeyError, TypeError, ValueError) as err:
        raise InvalidInputError(f"outbox row body is not a stored reply: {err!r}") from None
