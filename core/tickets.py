"""The ticket workflow: creation, claim, transitions, priority and resolution.

Every change happens in one transaction together with its audit event, so the
trail and the tickets can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col, select

from core.config import Settings
from core.diagnostics import FINANCE_FIELDS, Diagnostics
from core.errors import (
    AlreadyClaimedError,
    IllegalTransitionError,
    InvalidInputError,
    NotFoundError,
    ReasonRequiredError,
)
from core.routing import next_tier
from core.sla.planner import SlaPlanner
from core.statuses import OUTCOME_STATUS, Outcome, Status, check_transition
from core.storage.audit_store import append_event, personal_ref
from core.storage.db import Database
from core.storage.tables import AuditEventRow, TicketRow
from core.taxonomy import Category, Priority, Scope, priority_for, subtype
from core.validation import MAX_SHORT_CHARS, clean_text

REF_PREFIX = "LD-"
REF_OFFSET = 1000

CAUSE_CLASSES = (
    "client_network",
    "device_or_os",
    "app_bug",
    "server_or_cdn",
    "payment_provider",
    "user_error",
    "other",
)


@dataclass(frozen=True, slots=True)
class TicketDraft:
    """What the conversation hands over once the user confirmed the report."""

    channel: str
    external_user_id: str
    chat_id: str
    display_name: str
    language: str
    subtype: str
    scope: Scope
    summary: str
    confidence: float = 0.0
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    cues: tuple[str, ...] = ()
    kb_tried: tuple[str, ...] = ()
    priority: Priority | None = None  # None: computed by the taxonomy rule


def ref_for(ticket_id: int) -> str:
    return f"{REF_PREFIX}{REF_OFFSET + ticket_id}"


def is_finance(ticket: TicketRow) -> bool:
    return ticket.category == Category.FINANCE.value


class TicketService:
    def __init__(self, db: Database, settings: Settings, planner: SlaPlanner | None = None) -> None:
        self.db = db
        self.settings = settings
        self.planner = planner or SlaPlanner(settings)

    # -- creation -------------------------------------------------------------

    def create(
        self,
        draft: TicketDraft,
        now: datetime,
        actor: str = "system",
        session: Session | None = None,
    ) -> TicketRow:
        """Create the ticket; inside `session` when given, so a caller can make
        it part of a larger transaction (the conversation that confirmed it).
        """
        st = subtype(draft.subtype)
        summary = clean_text(draft.summary, "summary")
        for name in ("channel", "external_user_id", "chat_id", "display_name", "language"):
            clean_text(getattr(draft, name), name, max_chars=MAX_SHORT_CHARS)
        diag = draft.diagnostics.to_json()
        for key, value in diag.items():
            if isinstance(value, str):
                clean_text(value, f"diagnostics.{key}", allow_empty=True)
        with self._tx(session) as s:
            scope, cues = draft.scope, list(draft.cues)
            surge = self._surge(s, draft, now)
            if scope is Scope.SINGLE and surge >= self.settings.surge.reports:
                scope = Scope.WIDESPREAD
                cues.append(f"surge: {surge} reports in {self.settings.surge.window}")
            priority = draft.priority or priority_for(st.id, scope)
            row = TicketRow(
                channel=draft.channel,
                external_user_id=draft.external_user_id,
                chat_id=draft.chat_id,
                display_name=draft.display_name,
                language=draft.language,
                category=st.category.value,
                subtype=st.id,
                scope=scope.value,
                priority=priority.value,
                confidence=draft.confidence,
                summary=summary,
                diagnostics=diag,
                cues=cues,
                kb_tried=list(draft.kb_tried),
                status=Status.NEW.value,
                team="finance" if st.category is Category.FINANCE else "support",
                tier=self.settings.routing.tiers.get(priority, "l1"),
                created_at=now,
                updated_at=now,
                first_response_due=now + self.settings.sla.first_response[priority],
                clock_started_at=now,
            )
            s.add(row)
            s.flush()
            assert row.id is not None
            row.ref = ref_for(row.id)
            self._sync_due(row)
            self.planner.plan(s, row, now)
            payload = {
                "category": row.category,
                "subtype": row.subtype,
                "scope": row.scope,
                "surge": surge if scope is not draft.scope else None,
                "priority": row.priority,
                "status": row.status,
                "team": row.team,
                "tier": row.tier,
                "first_response_due": row.first_response_due.isoformat(),
                "reporter": personal_ref(
                    s, row.ref, "reporter", f"{draft.channel}:{draft.external_user_id}"
                ),
                "summary": personal_ref(s, row.ref, "summary", summary),
                "diagnostics": self._diag_refs(s, row.ref, diag),
                "kb_tried": list(draft.kb_tried),
            }
            if is_finance(row):
                payload["reason"] = "report confirmed by the user"
            append_event(
                s, at=now, actor=actor, action="ticket.created", ticket_ref=row.ref, payload=payload
            )
            return row

    def _sync_due(self, row: TicketRow) -> None:
        """Keep the shown first-response due time equal to the clock's."""
        from_clock = self.planner.first_response_due(row)
        if from_clock is not None:
            row.first_response_due = from_clock

    def _surge(self, s: Session, draft: TicketDraft, now: datetime) -> int:
        """Different users who reported this subtype within the surge window,
        this report included.
        """
        since = now - self.settings.surge.window
        users = s.exec(
            select(TicketRow.channel, TicketRow.external_user_id)
            .where(TicketRow.subtype == draft.subtype, col(TicketRow.created_at) >= since)
            .distinct()
        ).all()
        reporters = {(c, u) for c, u in users} | {(draft.channel, draft.external_user_id)}
        return len(reporters)

    @contextmanager
    def _tx(self, session: Session | None) -> Iterator[Session]:
        if session is not None:
            yield session
        else:
            with self.db.session() as s:
                yield s

    @staticmethod
    def _diag_refs(s: Session, ref: str, diag: dict[str, Any]) -> dict[str, Any]:
        return {
            k: personal_ref(s, ref, k, v) if k in FINANCE_FIELDS else v for k, v in diag.items()
        }

    # -- reading --------------------------------------------------------------

    def get(self, ref: str) -> TicketRow:
        with self.db.session(read_only=True) as s:
            return self._load(s, ref, lock=False)

    def search(
        self,
        *,
        status: str | None = None,
        priority: str | None = None,
        category: str | None = None,
        limit: int = 200,
    ) -> list[TicketRow]:
        query = select(TicketRow)
        if status:
            query = query.where(TicketRow.status == status)
        if priority:
            query = query.where(TicketRow.priority == priority)
        if category:
            query = query.where(TicketRow.category == category)
        query = query.order_by(col(TicketRow.priority), col(TicketRow.created_at)).limit(limit)
        with self.db.session(read_only=True) as s:
            return list(s.exec(query).all())

    def history(self, ref: str) -> list[AuditEventRow]:
        with self.db.session(read_only=True) as s:
            self._load(s, ref, lock=False)
            query = select(AuditEventRow).where(AuditEventRow.ticket_ref == ref)
            return list(s.exec(query.order_by(col(AuditEventRow.seq))).all())

    @staticmethod
    def _load(s: Session, ref: str, *, lock: bool) -> TicketRow:
        query = select(TicketRow).where(TicketRow.ref == ref.strip().upper())
        if lock:
            query = query.with_for_update()
        row = s.exec(query).first()
        if row is None:
            raise NotFoundError(f"no ticket {ref}")
        return row

    # -- changes --------------------------------------------------------------

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
            # Claiming a P0 acknowledges its page: the paging chain stops.
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
            s.expire(current)
            claimed = self._load(s, ref, lock=False)
            self.planner.plan(s, claimed, now)
            return claimed

    def _change(
        self,
        ref: str,
        actor: str,
        now: datetime,
        action: str,
        reason: str | None,
        mutate: Callable[[TicketRow], dict[str, Any]],
        *,
        reason_always: bool = False,
        session: Session | None = None,
    ) -> TicketRow:
        """Load with a lock, apply `mutate` (which returns the audit payload),
        require a reason where the rules say so, and append the event.
        """
        with self._tx(session) as s:
            row = self._load(s, ref, lock=True)
            reason = reason.strip() if reason else None
            if reason:
                clean_text(reason, "reason", max_chars=2000)
            if (reason_always or is_finance(row)) and not reason:
                raise ReasonRequiredError(
                    f"{row.ref}: a reason is required for {action}"
                    + (" on a finance ticket" if is_finance(row) else "")
                )
            payload = mutate(row)
            if reason:
                payload["reason"] = reason
            row.updated_at = now
            row.version += 1
            self._sync_due(row)
            self.planner.plan(s, row, now)
            s.add(row)
            append_event(s, at=now, actor=actor, action=action, ticket_ref=row.ref, payload=payload)
            return row

    def _move(self, row: TicketRow, target: Status) -> dict[str, Any]:
        check_transition(Status(row.status), target)
        before, row.status = row.status, target.value
        return {"status": {"before": before, "after": target.value}}

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

    def set_priority(
        self, ref: str, actor: str, priority: Priority, reason: str | None, now: datetime
    ) -> TicketRow:
        """A hand-set priority always needs a reason; the due time is recomputed
        from the ticket's creation.
        """

        def mutate(row: TicketRow) -> dict[str, Any]:
            before = row.priority
            row.priority = priority.value
            row.tier = self.settings.routing.tiers.get(priority, row.tier)
            return {
                "priority": {"before": before, "after": priority.value},
                "first_response_due": row.first_response_due.isoformat(),
            }

        return self._change(
            ref, actor, now, "ticket.priority_changed", reason, mutate, reason_always=True
        )

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

    def acknowledge_page(self, ref: str, actor: str, now: datetime) -> TicketRow:
        """Someone took the P0: the paging chain stops."""

        def mutate(row: TicketRow) -> dict[str, Any]:
            if row.page_acked_at is not None:
                return {"already_acknowledged": True}
            row.page_acked_at = now
            return {"page_acked_at": now.isoformat()}

        return self._change(
            ref, actor, now, "page.acknowledged", f"acknowledged by {actor}", mutate
        )

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

        return self._change(ref, actor, now, "ticket.resolved", reason, mutate)

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
        """Back into diagnosis; the first-response clock starts again.

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

        return self._change(ref, actor, now, "ticket.reopened", reason, mutate, session=session)

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
                self.close(
                    ref, "system", now, reason="no answer from the user; closed automatically"
                )
            except IllegalTransitionError:
                continue  # the user answered meanwhile
            closed.append(ref)
        return closed

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
