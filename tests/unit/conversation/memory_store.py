"""An in-memory ConversationStore: the dialogue's unit tests run without a database.

Tickets here follow the few rules the dialogue depends on (statuses after
confirm, reopen, rate, user answered); the ticket service's own rules are
tested against the database in tests/integration.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from core.conversation.draft import StoredAttachment
from core.conversation.messages import Reply, ReplyQueue
from core.conversation.store import Conversation, TicketView, Vote
from core.diagnostics import Diagnostics
from core.incidents.model import IncidentFilters
from core.incidents.public import TELLING_DETAILS, PublicIncident
from core.incidents.related import group_of
from core.incidents.surge import filters_of
from core.statuses import Status
from core.taxonomy import SUBTYPES, Scope, priority_for
from core.tickets import TicketDraft


@dataclass
class MemoryTicket:
    view: TicketView
    draft: TicketDraft
    attachments: list[StoredAttachment] = field(default_factory=list)
    messages: list[tuple[str, str, StoredAttachment | None]] = field(default_factory=list)
    comment: str | None = None
    history: list[str] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return self.view.ref

    @property
    def status(self) -> str:
        return self.view.status

    def move(self, status: Status, what: str, **changes: Any) -> None:
        self.view = replace(self.view, status=status.value, **changes)
        self.history.append(what)


@dataclass
class MemoryIncident:
    """An open incident as the conversation sees it: what joins it, what it shows."""

    ref: str
    group: str
    title: str
    status: str = "investigating"
    finance: bool = False
    filters: IncidentFilters = field(default_factory=IncidentFilters)
    update: str | None = None
    eta: datetime | None = None
    tickets: list[str] = field(default_factory=list)


@dataclass
class MemoryState:
    conversations: dict[tuple[str, str], Conversation] = field(default_factory=dict)
    deliveries: set[tuple[str, str]] = field(default_factory=set)
    tickets: dict[str, MemoryTicket] = field(default_factory=dict)
    votes: Counter[tuple[str, str]] = field(default_factory=Counter)
    self_service: list[tuple[str, str, str, str]] = field(default_factory=list)
    audit: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    message_ids: int = 0
    incidents: list[MemoryIncident] = field(default_factory=list)
    # The outbox: (dedupe key, chat id, reply text), first key wins as in SQL.
    outbox: dict[str, tuple[str, str]] = field(default_factory=dict)


class MemoryStores:
    """Implements ConversationStores; a transaction that raises leaves no trace."""

    def __init__(self) -> None:
        self.state = MemoryState()
        self.transactions = 0

    @contextmanager
    def transaction(self) -> Iterator[MemoryStore]:
        snapshot = copy.deepcopy(self.state)
        self.transactions += 1
        try:
            yield MemoryStore(self.state)
        except BaseException:
            self.state = snapshot
            raise

    # Views for tests.
    def ticket(self, ref: str | None = None) -> MemoryTicket:
        if ref is None:
            (only,) = self.state.tickets.values()
            return only
        return self.state.tickets[ref]

    def votes(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for (article, vote), n in self.state.votes.items():
            out.setdefault(article, {})[vote] = n
        return out

    def open_incident(self, incident: MemoryIncident) -> MemoryIncident:
        self.state.incidents.append(incident)
        return incident

    def link(self, incident_ref: str, ticket_ref: str) -> None:
        """An agent (or a surge) puts a ticket into an incident after it was created."""
        incident = next(i for i in self.state.incidents if i.ref == incident_ref)
        incident.tickets.append(ticket_ref)

    def set_status(self, ref: str, status: Status, at: datetime | None = None) -> None:
        closed_at = at if status == Status.CLOSED else None
        self.state.tickets[ref].move(status, f"test: {status.value}", closed_at=closed_at)


class MemoryStore:
    def __init__(self, state: MemoryState) -> None:
        self.state = state

    def claim_delivery(self, channel: str, delivery_id: str, at: datetime) -> bool:
        key = (channel, delivery_id)
        if key in self.state.deliveries:
            return False
        self.state.deliveries.add(key)
        return True

    def load_conversation(self, channel: str, user_id: str) -> Conversation | None:
        stored = self.state.conversations.get((channel, user_id))
        # A copy, as a database row would be: only save_conversation changes the store.
        return copy.deepcopy(stored)

    def save_conversation(self, conversation: Conversation) -> None:
        key = (conversation.channel, conversation.user_id)
        self.state.conversations[key] = copy.deepcopy(conversation)

    def queue_replies(
        self, channel: str, queue: ReplyQueue, replies: Sequence[Reply], at: datetime
    ) -> None:
        for n, reply in enumerate(replies):
            self.state.outbox.setdefault(f"{queue.key}:{n}", (queue.chat_id, reply.text))

    def list_tickets(self, channel: str, user_id: str, limit: int) -> list[TicketView]:
        mine = [
            t.view
            for t in self.state.tickets.values()
            if t.view.channel == channel and t.view.user_id == user_id
        ]
        return list(reversed(mine))[:limit]

    def find_ticket(self, ref: str) -> TicketView | None:
        ticket = self.state.tickets.get(ref)
        if ticket is None:
            return None
        holder = next((i.ref for i in self.state.incidents if ref in i.tickets), None)
        return replace(ticket.view, incident=holder)

    def create_ticket(
        self, draft: TicketDraft, attachments: list[StoredAttachment], now: datetime
    ) -> TicketView:
        SUBTYPES[draft.subtype]  # an unknown subtype fails as the service's would
        ref = f"LD-{1001 + len(self.state.tickets)}"
        incident = self._match(draft.subtype, draft.diagnostics)
        # As the ticket service does: a report joining an incident is widespread.
        scope = Scope.WIDESPREAD if incident is not None else draft.scope
        view = TicketView(
            ref=ref,
            subtype=draft.subtype,
            status=Status.NEW.value,
            priority=priority_for(draft.subtype, scope).value,
            channel=draft.channel,
            user_id=draft.external_user_id,
            chat_id=draft.chat_id,
            incident=incident.ref if incident is not None else None,
        )
        if incident is not None:
            incident.tickets.append(ref)
        self.state.tickets[ref] = MemoryTicket(view, draft, list(attachments))
        return view

    def add_ticket_details(self, ref: str, details: Diagnostics, now: datetime) -> None:
        ticket = self.state.tickets[ref]
        merged = ticket.draft.diagnostics.merged(details)
        ticket.draft = replace(ticket.draft, diagnostics=merged)
        self.state.audit.append(("ticket.details_added", {"ref": ref, **details.to_json()}))

    def joinable_incident(self, subtype: str, details: Diagnostics) -> PublicIncident | None:
        incident = self._match(subtype, details)
        return None if incident is None else self._public(incident)

    def public_incident(self, ref: str) -> PublicIncident | None:
        found = next((i for i in self.state.incidents if i.ref == ref), None)
        return None if found is None else self._public(found)

    def public_incidents(self) -> list[PublicIncident]:
        return [
            self._public(i)
            for i in self.state.incidents
            if i.status != "resolved" and not i.finance
        ]

    def _match(self, subtype: str, details: Diagnostics) -> MemoryIncident | None:
        group = group_of(subtype)
        facts = filters_of(details.to_json())
        return next(
            (
                i
                for i in self.state.incidents
                if i.group == group and i.status != "resolved" and i.filters.admits(facts)
            ),
            None,
        )

    def _public(self, incident: MemoryIncident) -> PublicIncident:
        described = {
            name
            for ref in incident.tickets
            for name in TELLING_DETAILS
            if getattr(self.state.tickets[ref].draft.diagnostics, name) is not None
        }
        return PublicIncident(
            ref=incident.ref,
            title=incident.title,
            status=incident.status,
            finance=incident.finance,
            update=incident.update,
            eta=incident.eta,
            described=frozenset(described),
        )

    def add_user_message(
        self, ref: str, author: str, text: str, attachment: StoredAttachment | None, now: datetime
    ) -> int:
        self.state.tickets[ref].messages.append((author, text, attachment))
        self.state.message_ids += 1
        return self.state.message_ids

    def user_answered(self, ref: str, now: datetime) -> None:
        self._ticket(ref, Status.WAITING_USER).move(Status.DIAGNOSING, "user_answered")

    def confirm_fixed(self, ref: str, now: datetime) -> None:
        ticket = self._ticket(ref, Status.FIXED, Status.WORKAROUND)
        if ticket.status == Status.FIXED:
            ticket.move(Status.CONFIRMED, "confirmed")
        else:
            ticket.history.append("workaround accepted")

    def reopen(self, ref: str, now: datetime, reason: str) -> None:
        allowed = (Status.FIXED, Status.WORKAROUND, Status.CONFIRMED, Status.CLOSED)
        ticket = self._ticket(ref, *allowed)
        ticket.move(Status.DIAGNOSING, f"reopened: {reason}", closed_at=None)

    def rate(
        self,
        ref: str,
        now: datetime,
        *,
        satisfaction: int | None = None,
        comment: str | None = None,
    ) -> None:
        ticket = self.state.tickets[ref]
        if satisfaction is not None:
            if not 1 <= satisfaction <= 5:
                raise ValueError("satisfaction must be between 1 and 5")
            closed = ticket.status == Status.CONFIRMED
            status = Status.CLOSED if closed else Status(ticket.status)
            ticket.move(status, "rated", satisfaction=satisfaction)
        if comment is not None:
            ticket.comment = comment

    def record_self_service(
        self, channel: str, user_id: str, subtype: str, article_id: str, now: datetime
    ) -> None:
        self.state.self_service.append((channel, user_id, subtype, article_id))
        payload = {"subtype": subtype, "article_id": article_id}
        self.state.audit.append(("selfservice.resolved", payload))

    def count_votes(self, article_ids: list[str], vote: Vote) -> None:
        for article_id in set(article_ids):
            self.state.votes[(article_id, vote)] += 1

    def _ticket(self, ref: str, *allowed: Status) -> MemoryTicket:
        ticket = self.state.tickets[ref]
        if ticket.status not in allowed:
            raise ValueError(f"{ref}: {ticket.status} is not one of {allowed}")
        return ticket
