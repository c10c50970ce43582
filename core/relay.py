"""Messages between agents and the ticket's reporter, after the ticket exists."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlmodel import Session, select

from core.conversation.engine import ConversationEngine
from core.conversation.messages import Attachment, Reply
from core.errors import NotFoundError
from core.i18n import t
from core.outbox.store import enqueue_replies
from core.ports import ArticleSuggestion
from core.sla.planner import SlaPlanner
from core.storage.audit_store import append_event, personal_ref
from core.storage.db import Database
from core.storage.inbox import claim_delivery
from core.storage.tables import TicketMessageRow, TicketRow
from core.validation import MAX_SHORT_CHARS, clean_text


@dataclass(frozen=True, slots=True)
class Outbound:
    """Replies to deliver to a ticket's reporter on the channel the report came from."""

    ref: str
    channel: str
    chat_id: str
    replies: tuple[Reply, ...]
    # Already in the outbox, committed with the change that made them: the
    # channel's adapter only wakes its dispatcher.
    queued: bool = False


@dataclass(frozen=True, slots=True)
class RelayQueue:
    """The channels whose agent replies go into the outbox in the reply's own
    transaction (those with an outbox dispatcher), and how long they may wait."""

    channels: Collection[str]
    expire_after: timedelta


followup_question = ConversationEngine.followup_question

# (source, delivery id) of the platform event that asked for a change: recorded as
# handled in the change's own transaction, so a redelivery after a crash redoes it
# and one after success changes nothing.
Delivery = tuple[str, str]


class AlreadyHandledError(Exception):
    """The delivery that asked for this change was handled before: nothing was done."""


def _claim(s: Session, delivery: Delivery | None, now: datetime) -> None:
    if delivery is not None and not claim_delivery(s, delivery[0], delivery[1], now):
        raise AlreadyHandledError(f"{delivery[0]} delivery {delivery[1]} was already handled")


class TicketRelay:
    def __init__(
        self, db: Database, planner: SlaPlanner | None = None, queue: RelayQueue | None = None
    ) -> None:
        self.db = db
        # The first public reply stops the first-response clock: its timers go.
        self.planner = planner
        self.queue = queue

    def agent_reply(
        self,
        ref: str,
        agent: str,
        text: str,
        now: datetime,
        attachment: Attachment | None = None,
        *,
        delivery: Delivery | None = None,
        shown: Reply | None = None,
        ask_if_fixed: bool = False,
    ) -> Outbound:
        """Record a public agent reply and build what the user receives (`shown`
        instead of "agent: text" when given; then "is it fixed?" if asked).

        The first one is the ticket's first response (it stops that SLA clock).
        Where the channel has an outbox, the replies are queued in this same
        transaction: once the reply is recorded (and its Slack event with it),
        the user gets it even if the process dies the next moment.
        """
        text = clean_text(text, "reply", max_chars=4000, allow_empty=attachment is not None)
        agent = clean_text(agent, "agent", max_chars=MAX_SHORT_CHARS)
        with self.db.session() as s:
            _claim(s, delivery, now)
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
                if self.planner is not None:
                    self.planner.plan(s, ticket, now)
            if ticket.category == "finance":
                payload["reason"] = "public reply to the reporter"
            if attachment is not None:
                payload["file"] = attachment.file_name
            append_event(
                s,
                at=now,
                actor=agent,
                action="ticket.replied",
                ticket_ref=ticket.ref,
                payload=payload,
            )
            said = text or (attachment.file_name if attachment else "")
            reply = shown or Reply(
                t(ticket.language, "agent_reply", agent=agent, text=said), attachment=attachment
            )
            replies = (
                (reply, followup_question(ticket.language, ticket.ref))
                if ask_if_fixed
                else (reply,)
            )
            out = Outbound(ticket.ref, ticket.channel, ticket.chat_id, replies)
            return self._queue(s, out, ticket.language, delivery, now)

    def _queue(
        self, s: Session, out: Outbound, language: str, delivery: Delivery | None, now: datetime
    ) -> Outbound:
        if self.queue is None or out.channel not in self.queue.channels:
            return out
        if any(r.attachment is not None and r.attachment.stored is None for r in out.replies):
            return out  # bytes not in the attachment store: the adapter sends them
        # The Slack event's id keys the rows, so its redelivery adds none.
        key = (
            f"relay:{out.channel}:{out.ref}:{'/'.join(delivery) if delivery else uuid.uuid4().hex}"
        )
        enqueue_replies(
            s,
            channel=out.channel,
            chat_id=out.chat_id,
            language=language,
            replies=out.replies,
            key=key,
            now=now,
            expires_at=now + self.queue.expire_after,
        )
        return replace(out, queued=True)

    def resolution(self, ref: str, agent: str, message: str, now: datetime) -> Outbound:
        """The agent's resolution message, then "is it fixed?" with its buttons."""
        return self.agent_reply(ref, agent, message, now, ask_if_fixed=True)

    def info_request(self, ref: str, fields: list[str], note: str | None) -> Outbound:
        """Tell the reporter which details the agent needs; answers go to the ticket."""
        with self.db.session(read_only=True) as s:
            ticket = self._ticket(s, ref)
        lang = ticket.language
        lines = "\n".join(f"- {t(lang, f'label_{f}')}" for f in fields)
        text = t(lang, "info_requested", ref=ticket.ref, fields=lines)
        if note:
            text += "\n" + clean_text(note, "note", max_chars=1000)
        return Outbound(ticket.ref or ref, ticket.channel, ticket.chat_id, (Reply(text),))

    def article(self, ref: str, agent: str, article: ArticleSuggestion, now: datetime) -> Outbound:
        """Send a knowledge-base article to the reporter as a public reply."""
        with self.db.session(read_only=True) as s:
            lang = self._ticket(s, ref).language
        body = t(lang, "article_from_agent", title=article.title(lang), steps=article.steps(lang))
        return self.agent_reply(ref, agent, body, now, shown=Reply(body))

    @staticmethod
    def _ticket(s: Session, ref: str) -> TicketRow:
        ticket = s.exec(select(TicketRow).where(TicketRow.ref == ref)).first()
        if ticket is None:
            raise NotFoundError(f"no ticket {ref}")
        return ticket

    def note(
        self, ref: str, agent: str, text: str, now: datetime, *, delivery: Delivery | None = None
    ) -> None:
        """An internal note: kept on the ticket, never sent to the user."""
        text = clean_text(text, "note", max_chars=4000)
        with self.db.session() as s:
            _claim(s, delivery, now)
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
