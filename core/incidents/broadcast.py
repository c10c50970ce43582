"""Telling an incident's reporters: every public update and the resolution
reach each linked reporter on their own channel and in their own language.

The messages are outbox rows enqueued in the transaction that records the
update, so the update and its broadcast commit (or roll back) together: a crash
never loses a broadcast, and the dedupe keys (`incident-update:<update
id>:<ticket ref>`) make sure a retried call never doubles one. The outbox's
dispatcher then sends them at the platform's pace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from core.config import Settings
from core.conversation.messages import Reply
from core.i18n import t
from core.i18n.titles import incident_title
from core.incidents.model import IncidentStatus
from core.outbox.store import enqueue
from core.storage.incident_tables import IncidentRow, IncidentUpdateRow
from core.storage.tables import TicketRow


def group_key(update_id: int) -> str:
    """The outbox group of one update: `SqlOutbox.progress` counts its rows."""
    return f"incident-update:{update_id}"


def dedupe_key(update_id: int, ticket_ref: str) -> str:
    return f"{group_key(update_id)}:{ticket_ref}"


def followup_reply(lang: str, ref: str, text: str) -> Reply:
    """The resolution and "is it fixed for you?" in one message, with the
    ticket's follow-up buttons: the engine handles them as after an agent's own
    resolution ("no" reopens the ticket, "yes" asks for the rating).
    """
    # Imported here: the conversation package imports the ticket services, which
    # import the incidents' intake, so a module-level import would be circular.
    from core.conversation.prompts import followup_question

    question = followup_question(lang, ref)
    return Reply(f"{text}\n\n{question.text}", question.choices)


@dataclass(frozen=True, slots=True)
class Recipient:
    """One reporter to tell, through one of their tickets."""

    ticket_ref: str
    channel: str
    chat_id: str
    language: str


def recipients(tickets: Iterable[TicketRow], *, per_ticket: bool) -> list[Recipient]:
    """Who hears an update. A reporter with several tickets in the incident hears
    an update once (the first ticket's), unless `per_ticket` (the resolution:
    each ticket has its own follow-up buttons).
    """
    out: list[Recipient] = []
    seen: set[tuple[str, str]] = set()
    for ticket in tickets:
        if not ticket.ref or not ticket.chat_id:
            continue  # a report without a chat (an agent's own) has nobody to tell
        chat = (ticket.channel, ticket.chat_id)
        if not per_ticket and chat in seen:
            continue
        seen.add(chat)
        out.append(Recipient(ticket.ref, ticket.channel, ticket.chat_id, ticket.language))
    return out


class Broadcaster:
    """Enqueues an incident's updates for its reporters, inside the caller's transaction."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _zone(self) -> ZoneInfo:
        return self.settings.i18n.zone()

    def update_text(self, lang: str, incident: IncidentRow, update: IncidentUpdateRow) -> str:
        status = t(lang, f"incident_status_{IncidentStatus(update.status).value}")
        title = incident_title(incident.title, lang)
        text = t(lang, "incident_update", title=title, status=status, text=update.message)
        if update.eta is not None:
            eta = update.eta.astimezone(self._zone()).strftime("%Y-%m-%d %H:%M")
            text += "\n" + t(lang, "incident_eta", eta=eta)
        return text

    def resolution_text(self, lang: str, incident: IncidentRow, update: IncidentUpdateRow) -> str:
        title = incident_title(incident.title, lang)
        return t(lang, "incident_resolved", title=title, text=update.message)

    def _enqueue(
        self,
        s: Session,
        update: IncidentUpdateRow,
        to: Sequence[Recipient],
        reply_for: Callable[[Recipient], Reply],
        now: datetime,
    ) -> int:
        assert update.id is not None
        expires = now + self.settings.outbox.expire_after
        return sum(
            enqueue(
                s,
                channel=r.channel,
                chat_id=r.chat_id,
                language=r.language,
                reply=reply_for(r),
                dedupe_key=dedupe_key(update.id, r.ticket_ref),
                group_key=group_key(update.id),
                now=now,
                expires_at=expires,
                # Claimed after conversation replies: a chat waits for at most
                # one batch of the broadcast, not for all of it.
                bulk=True,
            )
            for r in to
        )

    def announce_update(
        self,
        s: Session,
        incident: IncidentRow,
        update: IncidentUpdateRow,
        tickets: Iterable[TicketRow],
        now: datetime,
    ) -> int:
        """One message per reporter of the given tickets; how many rows were new."""
        to = recipients(tickets, per_ticket=False)
        texts = {lang: Reply(self.update_text(lang, incident, update)) for lang in _langs(to)}
        return self._enqueue(s, update, to, lambda r: texts[r.language], now)

    def announce_resolution(
        self,
        s: Session,
        incident: IncidentRow,
        update: IncidentUpdateRow,
        tickets: Iterable[TicketRow],
        now: datetime,
    ) -> int:
        """The resolution with "is it fixed for you?" for each of the given tickets."""
        to = recipients(tickets, per_ticket=True)
        texts = {lang: self.resolution_text(lang, incident, update) for lang in _langs(to)}

        def reply_for(r: Recipient) -> Reply:
            return followup_reply(r.language, r.ticket_ref, texts[r.language])

        return self._enqueue(s, update, to, reply_for, now)


def _langs(to: Sequence[Recipient]) -> set[str]:
    return {r.language for r in to}
