"""What agents do to a ticket: claim, hand over, prioritise, ask, escalate, resolve."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col

from core.errors import AlreadyClaimedError, IllegalTransitionError, InvalidInputError
from core.incidents.acknowledge import acknowledge_incident
from core.incidents.store import incident_of_ticket, lead_ticket_ref, load_incident
from core.routing import next_tier
from core.statuses import OUTCOME_STATUS, Outcome, Status, check_transition
from core.storage.audit_store import append_event
from core.storage.tables import TicketRow
from core.tickets.base import TicketBase
from core.tickets.drafts import CAUSE_CLASSES, is_finance
from core.validation import MAX_SHORT_CHARS, clean_text


class AgentActions(TicketBase):
    def claim(self, ref: str, agent: str, now: datetime) -> TicketRow:
        """Exactly one of many concurrent claimers wins: the conditional UPDATE
        is atomic on both databases, and the loser sees who won.
        """
        agent = clean_text(agent, "agent", max_chars=MAX_SHORT_CHARS)
        with self.db.session() as s:
            current = self._load(s, ref, lock=False)
            if current.assignee:
                raise AlreadyClaimedError(current.ref or ref, current.assignee)
            before_status = current.status
            check_transition(Status(before_status), Status.DIAGNOSING)
            # Claiming a P0 acknowledges its page: the paging chain stops. An
            # incident pages through its lead ticket, so claiming that ticket
            # acknowledges the incident (locked first, as its operations do).
            incident = incident_of_ticket(s, current.ref or ref)
            if incident is not None and (
                incident.acknowledged_at is not None
                or lead_ticket_ref(s, incident.id or 0) != current.ref
            ):
                incident = None
            if incident is not None:
                incident = load_incident(s, incident.ref or "", lock=True)
            acked = current.page_acked_at or now
            result: CursorResult[Any] = s.execute(  # type: ignore[assignment]
                update(TicketRow)
                .where(col(TicketRow.id) == current.id, col(TicketRow.assignee).is_(None))
                .values(
                    assignee=agent,
                    status=Status.DIAGNOSING.value,
                    updated_at=now,
                    page_acked_at=acked,
                    version=TicketRow.version + 1,
                )
            )
            if result.rowcount != 1:
                s.rollback()
                winner = self.get(ref)
                raise AlreadyClaimedError(winner.ref or ref, winner.assignee or "someone")
            payload: dict[str, Any] = {
                "status": {"before": before_status, "after": Status.DIAGNOSING.value},
                "assignee": {"before": None, "after": agent},
            }
            if is_finance(current):
                payload["reason"] = f"claimed by {agent}"
            append_event(
                s,
                at=now,
                actor=agent,
                action="ticket.claimed",
                ticket_ref=current.ref,
                payload=payload,
            )
            if incident is not None and incident.acknowledged_at is None:
                acknowledge_incident(s, incident, agent, now, self.planner)
            s.expire(current)
            claimed = self._load(s, ref, lock=False)
            self.planner.plan(s, claimed, now)
            return claimed

    def unclaim(self, ref: str, actor: str, now: datetime, reason: str | None = None) -> TicketRow:
        def mutate(row: TicketRow) -> dict[str, Any]:
            if not row.assignee:
                raise IllegalTransitionError(f"{row.ref} is not claimed")
            payload = self._move(row, Status.NEW) if row.status == Status.DIAGNOSING else {}
            payload["assignee"] = {"before": row.assignee, "after": None}
            row.assignee = None
            return payload

        return self._change(ref, actor, now, "ticket.unclaimed", reason, mutate)

    def reassign(
        self, ref: str, actor: str, to: str, now: datetime, reason: str | None = None
    ) -> TicketRow:
        to = clean_text(to, "assignee", max_chars=MAX_SHORT_CHARS)

        def mutate(row: TicketRow) -> dict[str, Any]:
            payload: dict[str, Any] = {"assignee": {"before": row.assignee, "after": to}}
            if row.status == Status.NEW:
                payload.update(self._move(row, Status.DIAGNOSING))
            row.assignee = to
            return payload

        return self._change(ref, actor, now, "ticket.reassigned", reason, mutate)

    def request_info(
        self, ref: str, actor: str, fields: list[str], now: datetime, reason: str | None = None
    ) -> TicketRow:
        def mutate(row: TicketRow) -> dict[str, Any]:
            payload = self._move(row, Status.WAITING_USER)
            payload["requested"] = list(fields)
            already_paused = any(end is None for _, end in row.sla_pauses)
            if self.settings.sla.pause_while_waiting_user and not already_paused:
                row.sla_pauses = [*row.sla_pauses, [now.isoformat(), None]]
            return payload

        return self._change(ref, actor, now, "ticket.info_requested", reason, mutate)

    def acknowledge_page(self, ref: str, actor: str, now: datetime) -> TicketRow:
        """Someone took the P0: the paging chain stops."""

        def mutate(row: TicketRow) -> dict[str, Any]:
            if row.page_acked_at is not None:
                return {"already_acknowledged": True}
            row.page_acked_at = now
            return {"page_acked_at": now.isoformat()}

        with self._tx(None) as s:
            # An incident pages on its lead ticket until it has a card of its own:
            # acknowledging that page acknowledges the incident. The incident is
            # locked first, as its own operations do.
            incident = incident_of_ticket(s, ref.strip().upper())
            if incident is not None:
                incident = load_incident(s, incident.ref or "", lock=True)
            row = self._change(
                ref, actor, now, "page.acknowledged", f"acknowledged by {actor}", mutate, session=s
            )
            if incident is not None and incident.acknowledged_at is None:
                acknowledge_incident(s, incident, actor, now, self.planner)
            return row

    def escalate(
        self,
        ref: str,
        actor: str,
        reason: str | None,
        now: datetime,
        session: Session | None = None,
    ) -> TicketRow:
        """Move the ticket up one tier (l1 -> l2 -> lead); a reason is always needed."""

        def mutate(row: TicketRow) -> dict[str, Any]:
            before = row.tier
            row.tier = next_tier(before)
            return {"tier": {"before": before, "after": row.tier}}

        return self._change(
            ref, actor, now, "ticket.escalated", reason, mutate, reason_always=True, session=session
        )

    def resolve(
        self,
        ref: str,
        actor: str,
        now: datetime,
        *,
        outcome: Outcome,
        root_cause: str,
        cause_class: str,
        reason: str | None = None,
        session: Session | None = None,
    ) -> TicketRow:
        if cause_class not in CAUSE_CLASSES:
            raise InvalidInputError(
                f"cause class {cause_class!r} is not one of {', '.join(CAUSE_CLASSES)}"
            )
        root_cause = clean_text(root_cause, "root cause", max_chars=4000)

        def mutate(row: TicketRow) -> dict[str, Any]:
            payload = self._move(row, OUTCOME_STATUS[outcome])
            row.outcome, row.root_cause, row.cause_class = outcome.value, root_cause, cause_class
            row.resolved_at = now
            payload.update(outcome=outcome.value, cause_class=cause_class, root_cause=root_cause)
            return payload

        return self._change(ref, actor, now, "ticket.resolved", reason, mutate, session=session)
