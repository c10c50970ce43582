"""How the engine's neutral replies look on Telegram, and what an incoming
file is: shared by the adapter and the outbox's sender.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import RetryAfter

from core.conversation import Reply

MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most `limit` characters, cut at line breaks where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= limit // 2:
            cut = limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    pieces.append(text)
    return pieces


def pieces_of(reply: Reply) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """The messages one reply becomes: its text in pieces, the buttons on the last."""
    pieces = split_text(reply.text)
    last = len(pieces) - 1
    return [(piece, keyboard(reply) if i == last else None) for i, piece in enumerate(pieces)]


def retry_after_of(err: RetryAfter) -> timedelta:
    """How long Telegram asks us to wait (seconds or a timedelta, by PTB setting)."""
    value = err.retry_after
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    rows = [
        [InlineKeyboardButton(c.label[:64], callback_data=c.id)]
        for c in reply.choices
        if len(c.id.encode()) <= MAX_CALLBACK_BYTES
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def media_of(message: Message) -> tuple[str, Any, str, str]:
    if message.photo:
        photo = message.photo[-1]  # the largest size
        return "photo", photo, f"photo_{photo.file_unique_id}.jpg", "image/jpeg"
    if message.video:
        v = message.video
        return "video", v, v.file_name or "video.mp4", v.mime_type or "video/mp4"
    if message.voice:
        return "voice", message.voice, "voice.ogg", message.voice.mime_type or "audio/ogg"
    doc = message.document
    assert doc is not None
    return "document", doc, doc.file_name or "file", doc.mime_type or "application/octet-stream"
