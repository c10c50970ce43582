"""The outbox table: one row per message on its way to a user.

Kept apart from `tables.py` so the outbox owns its storage; it is registered on
the same SQLModel metadata (Alembic's env imports it) like every other table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from core.storage.types import UTCDateTime


def _utc(nullable: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable))


class OutboxMessageRow(SQLModel, table=True):
    __tablename__ = "outbox_message"
    # The claim looks for due rows by status and time, and for an earlier unsent
    # row of the same chat: both are index scans with these.
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_chat_order", "channel", "chat_id", "id"),
    )

    # The id is also the order within a chat: a chat's rows go out by ascending id.
    id: int | None = Field(default=None, primary_key=True)
    # Enqueue is idempotent on this key: the same key twice is one row.
    dedupe_key: str = Field(max_length=200, unique=True)
    # Rows that belong together (one incident update to every reporter), for progress.
    group_key: str | None = Field(default=None, max_length=200, index=True)
    # Bulk messages (a broadcast to every reporter) give way to the rest, so a
    # conversation reply does not wait behind a thousand incident updates.
    bulk: bool = False
    channel: str = Field(max_length=32)
    chat_id: str = Field(max_length=200)
    language: str = Field(max_length=8)
    # The neutral reply, serialised: text, choices, request_file.
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = _utc()
    claimed_by: str | None = Field(default=None, max_length=200)
    claimed_until: datetime | None = _utc(nullable=True)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = _utc()
    sent_at: datetime | None = _utc(nullable=True)
    # Past this moment an unsent row is expired instead of sent.
    expires_at: datetime | None = _utc(nullable=True)
