"""The conversation's storage over the database: the only module of
core.conversation that knows tables and SQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlmodel import Session, col, select

from core.conversation.draft import Draft, StoredAttachment
from core.conversation.messages import Reply, ReplyQueue
from core.conversation.store import Conversation, TicketView, Vote
from core.diagnostics import FINANCE_FIELDS, Diagnostics
from core.incidents.public import PublicIncident, public_open_incidents, public_view, would_join
from core.incidents.store import incident_of_ticket
from core.outbox.store import enqueue_replies
from core.statuses import Status
from core.storage.audit_store import append_event, personal_ref
from core.storage.db import Database
from core.storage.feedback import count_votes
from core.storage.inbox import claim_delivery
from core.storage.incident_tables import IncidentRow
from core.storage.tables import (
    AttachmentRow,
    ConversationRow,
    SelfServiceRow,
    TicketMessageRow,
    TicketRow,
)
from core.tickets import TicketDraft, TicketService


class SqlConversationStores:
    """Implements core.conversation.store.ConversationStores."""

    def __init__(self, db: Database, tickets: TicketService) -> None:
        self.db = db
        self.tickets = tickets

    @contextmanager
    def transaction(self) -> Iterator[SqlConversationStore]:
        with self.db.session() as session:
            yield SqlConversationStore(session, self.tickets)


class SqlConversationStore:
    """Implements core.conversation.store.ConversationStore inside `session`."""

    def __init__(self, session: Session, tickets: TicketService) -> None:
        self.session = session
        self.tickets = tickets
        self._rows: dict[tuple[str, str], ConversationRow] = {}

    def claim_delivery(self, channel: str, delivery_id: str, at: datetime) -> bool:
        return claim_delivery(self.session, channel, delivery_id, at)

    def load_conversation(self, channel: str, user_id: str) -> Conversation | None:
        query = select(ConversationRow).where(
            ConversationRow.channel == channel, ConversationRow.user_id == user_id
        )
        row = self.session.exec(query.with_for_update()).first()
        if row is None:
            return None
        self._rows[(channel, user_id)] = row
        return Conversation(
            channel=row.channel,
            user_id=row.user_id,
            chat_id=row.chat_id,
            display_name=row.display_name,
            language=row.language,
            state=row.state,
            step=row.step,
            draft=Draft.from_json(row.data),
            updated_at=row.updated_at,
            active_ticket=row.active_ticket,
        )

    def save_conversation(self, conversation: Conversation) -> None:
        key = (conversation.channel, conversation.user_id)
        row = self._rows.get(key)
        if row is None:
            row = ConversationRow(
                channel=conversation.channel,
                user_id=conversation.user_id,
                chat_id=conversation.chat_id,
                language=conversation.language,
                state=conversation.state,
            )
            self._rows[key] = row
        row.chat_id = conversation.chat_id
        row.display_name = conversation.display_name
        row.language = conversation.language
        row.state = conversation.state
        row.step = conversation.step
        # A new dict every time: the JSON column only saves a value that compares unequal.
        row.data = conversation.draft.to_json()
        row.active_ticket = conversation.active_ticket
        row.updated_at = conversation.updated_at
        self.session.add(row)

    def queue_replies(
        self, channel: str, queue: ReplyQueue, replies: Sequence[Reply], at: datetime
    ) -> None:
        enqueue_replies(
            self.session,
            channel=channel,
            chat_id=queue.chat_id,
            language=queue.language,
            replies=replies,
            key=queue.key,
            now=at,
            expires_at=queue.expires_at,
        )

    def list_tickets(self, channel: str, user_id: str, limit: int) -> list[TicketView]:
        rows = self.session.exec(
            select(TicketRow)
            .where(TicketRow.channel == channel, TicketRow.external_user_id == user_id)
            .order_by(col(TicketRow.created_at).desc())
            .limit(limit)
        ).all()
        return [_view(row) for row in rows]

    def find_ticket(self, ref: str) -> TicketView | None:
        row = self._ticket(ref)
        if row is None:
            return None
        incident = incident_of_ticket(self.session, ref)
        return _view(row, incident.ref if incident is not None else None)

    def create_ticket(
        self, draft: TicketDraft, attachments: list[StoredAttachment], now: datetime
    ) -> TicketView:
        created = self.tickets.create_report(draft, now, actor="user", session=self.session)
        ticket = created.ticket
        assert ticket.id is not None
        for meta in attachments:
            self.session.add(AttachmentRow(ticket_id=ticket.id, created_at=now, **meta.to_json()))
        incident = created.incident.ref if created.incident is not None else None
        return _view(ticket, incident)

    def add_ticket_details(self, ref: str, details: Diagnostics, now: datetime) -> None:
        query = select(TicketRow).where(TicketRow.ref == ref).with_for_update()
        row = self.session.exec(query.execution_options(populate_existing=True)).first()
        if row is None:
            raise LookupError(f"no ticket {ref}")
        before = Diagnostics.from_json(row.diagnostics or {}).to_json()
        after = Diagnostics.from_json(before).merged(details).to_json()
        added = {k: v for k, v in after.items() if before.get(k) != v}
        if not added:
            return
        row.diagnostics = after
        row.updated_at, row.version = now, row.version + 1
        self.session.add(row)
        # Finance details are sealed in the trail, as at creation.
        shown = {
            k: personal_ref(self.session, ref, k, v) if k in FINANCE_FIELDS else v
            for k, v in added.items()
        }
        append_event(
            self.session,
            at=now,
            actor="user",
            action="ticket.details_added",
            ticket_ref=ref,
            payload={"diagnostics": shown},
        )

    def joinable_incident(self, subtype: str, details: Diagnostics) -> PublicIncident | None:
        incident = would_join(self.session, subtype, details.to_json())
        return None if incident is None else public_view(self.session, incident)

    def public_incident(self, ref: str) -> PublicIncident | None:
        query = select(IncidentRow).where(IncidentRow.ref == ref)
        incident = self.session.exec(query).first()
        return None if incident is None else public_view(self.session, incident)

    def public_incidents(self) -> list[PublicIncident]:
        return public_open_incidents(self.session)

    def add_user_message(
        self, ref: str, author: str, text: str, attachment: StoredAttachment | None, now: datetime
    ) -> int:
        ticket = self._ticket(ref)
        if ticket is None or ticket.id is None:
            raise LookupError(f"no ticket {ref}")
        attachment_id = None
        if attachment is not None:
            row = AttachmentRow(ticket_id=ticket.id, created_at=now, **attachment.to_json())
            self.session.add(row)
            self.session.flush()
            attachment_id = row.id
        message = TicketMessageRow(
            ticket_id=ticket.id,
            direction="user",
            author=author,
            text=text,
            attachment_id=attachment_id,
            created_at=now,
        )
        self.session.add(message)
        self.session.flush()
        assert message.id is not None
        return message.id

    def user_answered(self, ref: str, now: datetime) -> None:
        self.tickets.user_answered(ref, now, session=self.session)

    def confirm_fixed(self, ref: str, now: datetime) -> None:
        self.tickets.confirm_fixed(ref, now, session=self.session)

    def reopen(self, ref: str, now: datetime, reason: str) -> None:
        self.tickets.reopen(ref, "user", now, reason=reason, session=self.session)

    def rate(
        self,
        ref: str,
        now: datetime,
        *,
        satisfaction: int | None = None,
        comment: str | None = None,
    ) -> None:
        self.tickets.rate(
            ref, now, satisfaction=satisfaction, comment=comment, session=self.session
        )

    def record_self_service(
        self, channel: str, user_id: str, subtype: str, article_id: str, now: datetime
    ) -> None:
        self.session.add(
            SelfServiceRow(
                channel=channel,
                user_id=user_id,
                subtype=subtype,
                article_id=article_id,
                created_at=now,
            )
        )
        reporter = personal_ref(self.session, None, "reporter", f"{channel}:{user_id}")
        append_event(
            self.session,
            at=now,
            actor="user",
            action="selfservice.resolved",
            ticket_ref=None,
            payload={"subtype": subtype, "article_id": article_id, "reporter": reporter},
        )

    def count_votes(self, article_ids: list[str], vote: Vote) -> None:
        count_votes(self.session, article_ids, vote)

    def _ticket(self, ref: str) -> TicketRow | None:
        return self.session.exec(select(TicketRow).where(TicketRow.ref == ref)).first()


def _view(row: TicketRow, incident: str | None = None) -> TicketView:
    assert row.ref is not None
    return TicketView(
        ref=row.ref,
        subtype=row.subtype,
        status=row.status,
        priority=row.priority,
        channel=row.channel,
        user_id=row.external_user_id,
        chat_id=row.chat_id,
        satisfaction=row.satisfaction,
        incident=incident,
        first_response_due=row.first_response_due,
        # A closed ticket changes no more (its last change is the close).
        closed_at=row.updated_at if row.status == Status.CLOSED else None,
    )
