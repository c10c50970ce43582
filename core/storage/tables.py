"""Table models. They are the storage edge only: the core validates input
before building them (SQLModel tables skip validation on construction).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.storage.types import UTCDateTime


def _utc(nullable: bool = False, index: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class TicketRow(SQLModel, table=True):
    __tablename__ = "ticket"

    id: int | None = Field(default=None, primary_key=True)
    ref: str | None = Field(default=None, unique=True, max_length=32)
    channel: str = Field(max_length=32)
    external_user_id: str = Field(max_length=200, index=True)
    chat_id: str = Field(max_length=200)
    display_name: str = Field(max_length=200)
    language: str = Field(max_length=8)
    category: str = Field(max_length=32, index=True)
    subtype: str = Field(max_length=48)
    scope: str = Field(max_length=16)
    priority: str = Field(max_length=4, index=True)
    confidence: float = 0.0
    summary: str = Field(sa_column=Column(Text, nullable=False))
    diagnostics: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    cues: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    kb_tried: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="new", max_length=24, index=True)
    assignee: str | None = Field(default=None, max_length=200)
    team: str = Field(max_length=64)
    tier: str = Field(max_length=32)
    created_at: datetime = _utc(index=True)
    updated_at: datetime = _utc()
    first_response_due: datetime = _utc()
    first_response_at: datetime | None = _utc(nullable=True)
    outcome: str | None = Field(default=None, max_length=16)
    root_cause: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    cause_class: str | None = Field(default=None, max_length=32)
    satisfaction: int | None = None
    satisfaction_comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    resolved_at: datetime | None = _utc(nullable=True)
    # The response clock: started at creation or at the latest reopen; paused
    # spans ([start, end-or-null] ISO pairs) while waiting for the user.
    clock_started_at: datetime | None = _utc(nullable=True)
    sla_pauses: list[list[str | None]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    # When someone acknowledged the P0 page (Claim or Acknowledge): paging stops.
    page_acked_at: datetime | None = _utc(nullable=True)
    version: int = 0


class AttachmentRow(SQLModel, table=True):
    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    kind: str = Field(max_length=16)
    file_name: str = Field(max_length=255)
    stored_path: str = Field(max_length=1024)
    size: int
    mime: str = Field(max_length=128)
    created_at: datetime = _utc()


class AuditEventRow(SQLModel, table=True):
    """One link of the append-only, hash-chained audit trail."""

    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("prev_hash", name="uq_audit_prev_hash"),)

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    ticket_ref: str | None = Field(default=None, max_length=32, index=True)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=64)
    at: datetime = _utc()
    payload: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class AuditHeadRow(SQLModel, table=True):
    """The single row writers lock so that concurrent appends never fork the chain."""

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = 0
    hash: str = Field(max_length=64)


class PersonalDataRow(SQLModel, table=True):
    """Personal or financial values the audit trail points to instead of copying,
    so they can be masked or erased without breaking the hash chain.
    """

    __tablename__ = "personal_data"

    id: int | None = Field(default=None, primary_key=True)
    ticket_ref: str | None = Field(default=None, max_length=32, index=True)
    field: str = Field(max_length=64)
    # Whose key seals `value` (core.storage.personal); None: plain text written
    # before values were sealed.
    subject: str | None = Field(default=None, max_length=80, index=True)
    value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    erased_at: datetime | None = _utc(nullable=True)


class ProcessedDeliveryRow(SQLModel, table=True):
    """The inbox: a delivery (Telegram update, Slack event) is handled once."""

    __tablename__ = "processed_delivery"

    source: str = Field(primary_key=True, max_length=32)
    delivery_id: str = Field(primary_key=True, max_length=200)
    processed_at: datetime = _utc()


class KbFeedbackRow(SQLModel, table=True):
    __tablename__ = "kb_feedback"

    article_id: str = Field(primary_key=True, max_length=128)
    offers: int = 0
    helped: int = 0
    not_helped: int = 0


Index("ix_ticket_status_priority", TicketRow.status, TicketRow.priority)


class ConversationRow(SQLModel, table=True):
    """Where one user's report stands, so a restart loses nothing."""

    __tablename__ = "conversation"

    channel: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=200)
    chat_id: str = Field(max_length=200)
    display_name: str = Field(default="", max_length=200)
    language: str = Field(max_length=8)
    state: str = Field(max_length=32)
    step: int = 0
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    active_ticket: str | None = Field(default=None, max_length=32)
    updated_at: datetime = _utc()


class TicketMessageRow(SQLModel, table=True):
    """What the user and the agents said on a ticket after it was created."""

    __tablename__ = "ticket_message"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    direction: str = Field(max_length=16)  # "user", "agent" or "note"
    author: str = Field(max_length=200)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    attachment_id: int | None = Field(default=None, foreign_key="attachment.id")
    created_at: datetime = _utc()


class SelfServiceRow(SQLModel, table=True):
    """A report the knowledge base solved: no ticket, but it counts."""

    __tablename__ = "self_service"

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    user_id: str = Field(max_length=200)
    subtype: str = Field(max_length=48, index=True)
    article_id: str = Field(max_length=128)
    created_at: datetime = _utc(index=True)


class TicketPostRow(SQLModel, table=True):
    """Where a ticket was posted on the agents' platform (its card, pages)."""

    __tablename__ = "ticket_post"
    __table_args__ = (UniqueConstraint("platform", "channel", "ts", name="uq_ticket_post_message"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_ref: str = Field(max_length=32, index=True)
    platform: str = Field(max_length=16)
    kind: str = Field(max_length=16)  # "card", "copy" (another channel) or "page"
    channel: str = Field(max_length=64)
    ts: str = Field(max_length=32)
    created_at: datetime = _utc()


class PostClaimRow(SQLModel, table=True):
    """The right to post a message that must exist once on the agents' platform
    (a ticket's or an incident's card) when several instances may want to: the
    first to insert the key posts. A claim never followed by the post (its
    instance died) is taken over once it is stale.
    """

    __tablename__ = "post_claim"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    claimed_at: datetime = _utc()


class SlaTimerRow(SQLModel, table=True):
    """Something that must happen at a time: a warning, a breach, a page.

    The database is the truth: a timer fires once (fired_at), whichever
    instance gets its row lock first, and is delivered after (delivered_at).
    """

    __tablename__ = "sla_timer"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    ticket_ref: str = Field(max_length=32, index=True)
    kind: str = Field(max_length=24)  # "warning", "breach", "page"
    clock: str = Field(default="first_response", max_length=24)
    fraction: float | None = None
    level: int | None = None
    round: int | None = None
    targets: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    due_at: datetime = _utc(index=True)
    fired_at: datetime | None = _utc(nullable=True)
    fired_by: str | None = Field(default=None, max_length=64)
    delivered_at: datetime | None = _utc(nullable=True)
    cancelled_at: datetime | None = _utc(nullable=True)


# The incident, outbox and personal-key tables live in modules of their own;
# importing them here puts them on the metadata wherever the tables are registered.
import core.storage.incident_tables  # noqa: E402
import core.storage.outbox_tables  # noqa: E402
import core.storage.personal_tables  # noqa: E402, F401
