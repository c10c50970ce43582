"""What the dialogue needs from storage, as a port.

One `ConversationStore` is one transaction: the engine opens it for an event,
claims the event's delivery id in it, and everything the dialogue changes
commits (or rolls back) together with that claim. `core.conversation.sql_store`
implements it over the database; the dialogue's unit tests use an in-memory one.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from core.conversation.draft import Draft, StoredAttachment
from core.conversation.messages import Reply, ReplyQueue
from core.diagnostics import Diagnostics
from core.incidents.public import PublicIncident
from core.tickets import TicketDraft

Vote = Literal["offers", "helped", "not_helped"]


@dataclass(slots=True)
class Conversation:
    """Where one user's report stands (one per channel and user)."""

    channel: str
    user_id: str
    chat_id: str
    display_name: str
    language: str
    state: str
    step: int
    draft: Draft
    updated_at: datetime
    active_ticket: str | None = None


@dataclass(frozen=True, slots=True)
class TicketView:
    """The few facts about a ticket the dialogue looks at."""

    ref: str
    subtype: str
    status: str
    priority: str
    channel: str
    user_id: str
    chat_id: str
    satisfaction: int | None = None
    incident: str | None = None  # the incident the ticket is in
    # When agents must first answer, by the SLA configuration and business hours.
    first_response_due: datetime | None = None
    closed_at: datetime | None = None  # when a closed ticket was closed


class ConversationStore(Protocol):
    """Storage inside one transaction."""

    def claim_delivery(self, channel: str, delivery_id: str, at: datetime) -> bool:
        """Record a delivery; False when it was processed before."""
        ...

    def load_conversation(self, channel: str, user_id: str) -> Conversation | None:
        """The user's conversation, locked until the transaction ends."""
        ...

    def save_conversation(self, conversation: Conversation) -> None: ...

    def queue_replies(
        self, channel: str, queue: ReplyQueue, replies: Sequence[Reply], at: datetime
    ) -> None:
        """Store replies in the outbox, committed with the rest of the turn."""
        ...

    def list_tickets(self, channel: str, user_id: str, limit: int) -> list[TicketView]:
        """The user's tickets, newest first."""
        ...

    def find_ticket(self, ref: str) -> TicketView | None: ...

    def create_ticket(
        self, draft: TicketDraft, attachments: list[StoredAttachment], now: datetime
    ) -> TicketView:
        """A ticket reported by the user, with the files sent during the report;
        created through `TicketService.create_report`, so it joins the open
        incident it matches (its view names that incident).
        """
        ...

    def add_ticket_details(self, ref: str, details: Diagnostics, now: datetime) -> None:
        """Details the user gave after the ticket existed: merged into its
        diagnostics, with an audit event.
        """
        ...

    def joinable_incident(self, subtype: str, details: Diagnostics) -> PublicIncident | None:
        """The open incident a report of `subtype` with `details` would join."""
        ...

    def public_incident(self, ref: str) -> PublicIncident | None:
        """What a reporter of incident `ref` may be told; None when there is none."""
        ...

    def public_incidents(self) -> list[PublicIncident]:
        """Open incidents for /status: never finance ones."""
        ...

    def add_user_message(
        self, ref: str, author: str, text: str, attachment: StoredAttachment | None, now: datetime
    ) -> int:
        """Words or a file the user adds to an existing ticket; the message id."""
        ...

    def user_answered(self, ref: str, now: datetime) -> None: ...

    def confirm_fixed(self, ref: str, now: datetime) -> None: ...

    def reopen(self, ref: str, now: datetime, reason: str) -> None: ...

    def rate(
        self,
        ref: str,
        now: datetime,
        *,
        satisfaction: int | None = None,
        comment: str | None = None,
    ) -> None: ...

    def record_self_service(
        self, channel: str, user_id: str, subtype: str, article_id: str, now: datetime
    ) -> None:
        """A report the knowledge base solved, with its audit event."""
        ...

    def count_votes(self, article_ids: list[str], vote: Vote) -> None: ...


class ConversationStores(Protocol):
    """Opens one `ConversationStore` per event."""

    def transaction(self) -> AbstractContextManager[ConversationStore]: ...
