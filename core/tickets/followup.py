"""After the answer: the user's replies, "is it fixed?", reopening, rating, closing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from core.errors import IllegalTransitionError, InvalidInputError
from core.i18n import t
from core.incidents.links import Linker
from core.incidents.model import IncidentStatus
from core.incidents.store import incident_of_ticket
from core.statuses import Status
from core.storage.tables import TicketRow
from core.tickets.base import TicketBase
from core.validation import clean_text


class FollowUp(TicketBase):
    def user_answered(self, ref: str, now: datetime, session: Session | None = None) -> TicketRow:
        def mutate(row: TicketRow) -> dict[str, Any]:
            target = Status.DIAGNOSING if row.assignee else Status.NEW
            row.sla_pauses = [[start, end or now.isoformat()] for start, end in row.sla_pauses]
            return self._move(row, target)

        return self._change(
            ref,
            "user",
            now,
            "ticket.user_answered",
            "the user sent the requested details",
            mutate,
            session=session,
        )

    def confirm_fixed(self, ref: str, now: datetime, session: Session | None = None) -> TicketRow:
        """The user says it works. After a root fix the ticket is confirmed; after a
        temporary workaround it stays open, because the root fix is still owed.
        """

        def mutate(row: TicketRow) -> dict[str, Any]:
            if row.status == Status.WORKAROUND:
                return {"workaround_accepted": True}
            return self._move(row, Status.CONFIRMED)

        return self._change(
            ref,
            "user",
            now,
            "ticket.confirmed",
            "the user confirmed it is fixed",
            mutate,
            session=session,
        )

    def reopen(
        self,
        ref: str,
        actor: str,
        now: datetime,
        reason: str | None = None,
        session: Session | None = None,
    ) -> TicketRow:
        """Back into diagnosis; the first-response clock starts again. A ticket of a
        resolved incident leaves it (docs/incidents.md).

        The pause history is kept: the new first-response clock ignores pauses
        before its start, and the resolution clock, counted from creation,
        still leaves out the time spent waiting for the user.
        """

        def mutate(row: TicketRow) -> dict[str, Any]:
            payload = self._move(row, Status.DIAGNOSING)
            row.clock_started_at = now
            row.sla_pauses = [[start, end or now.isoformat()] for start, end in row.sla_pauses]
            row.first_response_at = None
            row.resolved_at = None
            row.page_acked_at = None
            payload["first_response_due"] = row.first_response_due.isoformat()
            return payload

        with self._tx(session) as s:
            incident = incident_of_ticket(s, ref.strip().upper())
            if incident is not None and incident.status == IncidentStatus.RESOLVED:
                # "Not fixed" after the outage was resolved: the reporter's problem is
                # their own now, with a clock of its own (a linked ticket has none).
                Linker(self.settings, self.planner).split_out(
                    s,
                    incident,
                    self._load(s, ref, lock=True),
                    actor=actor,
                    reason=reason or "reopened after the incident was resolved",
                    now=now,
                )
            return self._change(ref, actor, now, "ticket.reopened", reason, mutate, session=s)

    def rate(
        self,
        ref: str,
        now: datetime,
        *,
        satisfaction: int | None = None,
        comment: str | None = None,
        session: Session | None = None,
    ) -> TicketRow:
        """The user's 1-5 rating and optional comment; closes a confirmed ticket."""
        if satisfaction is not None and not 1 <= satisfaction <= 5:
            raise InvalidInputError("satisfaction must be between 1 and 5")
        if comment is not None:
            comment = clean_text(comment, "comment", max_chars=2000)

        def mutate(row: TicketRow) -> dict[str, Any]:
            payload: dict[str, Any] = {}
            if satisfaction is not None:
                row.satisfaction = payload["satisfaction"] = satisfaction
            if comment is not None:
                row.satisfaction_comment = comment
                payload["comment"] = True
            if row.status == Status.CONFIRMED and satisfaction is not None:
                payload.update(self._move(row, Status.CLOSED))
            return payload

        return self._change(
            ref, "user", now, "ticket.rated", "the user rated the support", mutate, session=session
        )

    def auto_close_due(self, now: datetime) -> list[str]:
        """Close resolved tickets whose user never answered "is it fixed?" in time.

        A workaround stays open: its root fix is still owed.
        """
        cutoff = now - self.settings.followup.auto_close_after
        with self.db.session(read_only=True) as s:
            refs = s.exec(
                select(TicketRow.ref).where(
                    col(TicketRow.status).in_([Status.FIXED.value, Status.CONFIRMED.value]),
                    col(TicketRow.resolved_at) <= cutoff,
                )
            ).all()
        closed = []
        for ref in refs:
            assert ref is not None
            try:
                self._auto_close(ref, now)
            except IllegalTransitionError:
                continue  # the user answered meanwhile
            closed.append(ref)
        return closed

    def _auto_close(self, ref: str, now: datetime) -> None:
        """Close, and tell the reporter in the same transaction (through the
        outbox), with a "not fixed" button that reopens it within
        `[followup] reopen_within`.
        """

        # Imported here: the conversation package imports this one (its SQL store
        # creates tickets), and the outbox's store imports the conversation's Reply.
        from core.conversation.messages import Choice, Reply
        from core.outbox.store import enqueue

        def mutate(row: TicketRow) -> dict[str, Any]:
            return self._move(row, Status.CLOSED)

        with self.db.session() as s:
            row = self._change(
                ref,
                "system",
                now,
                "ticket.closed",
                "no answer from the user; closed automatically",
                mutate,
                session=s,
            )
            lang = row.language
            days = max(1, round(self.settings.followup.reopen_within / timedelta(days=1)))
            notice = Reply(
                t(lang, "ticket_auto_closed", ref=ref, days=days),
                (Choice(f"g:fu:{ref}:n", t(lang, "followup_no")),),
            )
            enqueue(
                s,
                channel=row.channel,
                chat_id=row.chat_id,
                language=lang,
                reply=notice,
                dedupe_key=f"ticket-closed:{ref}:{row.version}",
                now=now,
            )

    def close(
        self,
        ref: str,
        actor: str,
        now: datetime,
        *,
        satisfaction: int | None = None,
        reason: str | None = None,
    ) -> TicketRow:
        if satisfaction is not None and not 1 <= satisfaction <= 5:
            raise InvalidInputError("satisfaction must be between 1 and 5")

        def mutate(row: TicketRow) -> dict[str, Any]:
            payload = self._move(row, Status.CLOSED)
            if satisfaction is not None:
                row.satisfaction = satisfaction
                payload["satisfaction"] = satisfaction
            return payload

        return self._change(ref, actor, now, "ticket.closed", reason, mutate)
