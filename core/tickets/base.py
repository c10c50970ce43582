"""What every ticket operation shares: transactions, loading with a lock, and
the one way a change is applied (lock, mutate, re-plan the clocks, audit).

Every change happens in one transaction together with its audit event, so the
trail and the tickets can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from core.config import Settings
from core.diagnostics import FINANCE_FIELDS
from core.errors import NotFoundError, ReasonRequiredError
from core.sla.planner import SlaPlanner
from core.statuses import Status, check_transition
from core.storage.audit_store import append_event, personal_ref
from core.storage.db import Database
from core.storage.tables import AuditEventRow, TicketRow
from core.tickets.drafts import is_finance
from core.validation import clean_text


class TicketBase:
    def __init__(self, db: Database, settings: Settings, planner: SlaPlanner | None = None) -> None:
        self.db = db
        self.settings = settings
        self.planner = planner or SlaPlanner(settings)

    def _sync_due(self, row: TicketRow) -> None:
        """Keep the shown first-response due time equal to the clock's."""
        from_clock = self.planner.first_response_due(row)
        if from_clock is not None:
            row.first_response_due = from_clock

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
