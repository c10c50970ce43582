"""Agents correcting triage: a ticket's subtype or priority set by hand.

Each correction is also kept as a labelled example (the user's words with the
agent's labels) for the next training run (`livedesk triage train
--include-corrections`), and counted in the complaint report.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from core.errors import InvalidInputError
from core.storage.correction_tables import TriageCorrectionRow
from core.storage.tables import TicketRow
from core.taxonomy import SUBTYPES, Category, Priority, Scope, priority_for
from core.tickets.base import TicketBase


def record_correction(
    s: Session, row: TicketRow, before: tuple[str, str], actor: str, now: datetime
) -> None:
    """Keep the user's words with the corrected labels, when anything changed."""
    subtype_before, priority_before = before
    if (row.subtype, row.priority) == (subtype_before, priority_before) or row.ref is None:
        return
    s.add(
        TriageCorrectionRow(
            ticket_ref=row.ref,
            text=row.summary,
            language=row.language,
            subtype_before=subtype_before,
            subtype_after=row.subtype,
            scope=row.scope,
            priority_before=priority_before,
            priority_after=row.priority,
            actor=actor,
            at=now,
        )
    )


class Reclassification(TicketBase):
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

        return self._relabel(ref, actor, "ticket.priority_changed", reason, now, mutate)

    def reclassify(
        self,
        ref: str,
        actor: str,
        subtype_id: str,
        reason: str | None,
        now: datetime,
        priority: Priority | None = None,
    ) -> TicketRow:
        """Set the subtype (and with it the category and team); the priority
        follows the taxonomy rule for the ticket's scope unless given.
        """
        if subtype_id not in SUBTYPES:
            raise InvalidInputError(f"unknown subtype {subtype_id!r}")
        new = SUBTYPES[subtype_id]

        def mutate(row: TicketRow) -> dict[str, Any]:
            old = (row.subtype, row.category, row.team, row.priority)
            target = priority or priority_for(subtype_id, Scope(row.scope))
            row.subtype, row.category = subtype_id, new.category.value
            row.team = "finance" if new.category is Category.FINANCE else "support"
            row.priority = target.value
            row.tier = self.settings.routing.tiers.get(target, row.tier)
            return {
                "subtype": {"before": old[0], "after": subtype_id},
                "category": {"before": old[1], "after": row.category},
                "team": {"before": old[2], "after": row.team},
                "priority": {"before": old[3], "after": row.priority},
                "first_response_due": row.first_response_due.isoformat(),
            }

        return self._relabel(ref, actor, "ticket.reclassified", reason, now, mutate)

    def _relabel(
        self,
        ref: str,
        actor: str,
        action: str,
        reason: str | None,
        now: datetime,
        mutate: Callable[[TicketRow], dict[str, Any]],
    ) -> TicketRow:
        """An agent's change of triage's labels (always with a reason), and the
        correction it teaches, in one transaction.
        """
        before: list[tuple[str, str]] = []

        def remember(row: TicketRow) -> dict[str, Any]:
            before.append((row.subtype, row.priority))
            return mutate(row)

        with self._tx(None) as s:
            row = self._change(
                ref, actor, now, action, reason, remember, reason_always=True, session=s
            )
            record_correction(s, row, before[0], actor, now)
            return row
