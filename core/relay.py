"""Messages between agents and the ticket's reporter, after the ticket exists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from core.conversation.messages import Reply
from core.errors import NotFoundError
from core.i18n import t
from core.storage.audit_store import append_event, personal_ref
from core.storage.db import Database
from core.storage.tables import TicketMessageRow, TicketRow
from core.validation import MAX_SHORT_CHARS, clean_text


@dataclass(frozen=True, slots=True)
class Outbound:
    """Replies to deliver to a ticket's reporter on the channel the report came from."""

    ref: str
    channel: str
    chat_id: str
    replies: tuple[Reply, ...]


class TicketRelay:
    def __init__(self, db: Database) -> None:
        self.db = db

    def agent_reply(self, ref: str, agent: str, text: str, now: datetime) -> Outbound:
        """Record a public agent reply and build what the user receives.

        The first one is the ticket's first response (it stops that SLA clock).
        """
        text = clean_text(text, "reply", max_chars=4000)
        agent = clean_text(agent, "agent", max_chars=MAX_SHORT_CHARS)
        with self.db.session() as s:
            ticket = s.exec(select(TicketRow).where(TicketRow.ref == ref).with_for_update()).first()
            if ticket is None or ticket.id is None or ticket.ref is None:
                raise NotFoundError(f"no ticket {ref}")
            s.add(
                TicketMessageRow(
                    ticket_id=ticket.id, direction="agent", author=agent, text=text, created_at=now
                )
            )
            payload: dict[str, object] = {"text": personal_ref(s, ticket.ref, "reply", text)}
            if ticket.first_response_at is None:
                ticket.first_response_at = now
                payload["first_response"] = True
                s.add(ticket)
            if ticket.category == "finance":
                payload["reason"] = "public reply to the reporter"
            append_event(
                s,
                at=now,
                actor=agent,
                action="ticket.replied",
                ticket_ref=ticket.ref,
                payload=payload,
            )
            reply = Reply(t(ticket.language, "agent_reply", agent=agent, text=text))
            return Outbound(ticket.ref, ticket.channel, ticket.chat_id, (reply,))

    def note(self, ref: str, agent: str, text: str, now: datetime) -> None:
        """An internal note: kept on the ticket, never sent to the user."""
        text = clean_text(text, "note", max_chars=4000)
        with self.db.session() as s:
            ticket = s.exec(select(TicketRow).where(TicketRow.ref == ref)).first()
            if ticket is None or ticket.id is None:
                raise NotFoundError(f"no ticket {ref}")
            s.add(
                TicketMessageRow(
                    ticket_id=ticket.id, direction="note", author=agent, text=text, created_at=now
                )
            )
            append_event(
                s,
                at=now,
                actor=agent,
                action="ticket.noted",
                ticket_ref=ticket.ref,
                payload={"text": personal_ref(s, ticket.ref, "note", text)},
            )
