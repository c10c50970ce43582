"""Reading agents' triage corrections: as training examples, and as counts for
the complaint report.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.storage.correction_tables import TriageCorrectionRow
from core.storage.tables import TicketRow
from core.taxonomy import SUBTYPES, Scope, priority_for


def _scope_of(row: TriageCorrectionRow) -> Scope:
    """The scope the agent's priority implies: a P1 fault raised to P0 is one
    that many users have, whatever the message said.
    """
    wide = priority_for(row.subtype_after, Scope.WIDESPREAD)
    single = priority_for(row.subtype_after, Scope.SINGLE)
    if wide != single and row.priority_after == wide.value:
        return Scope.WIDESPREAD
    if wide != single and row.priority_after == single.value:
        return Scope.SINGLE
    return Scope(row.scope)


def correction_lines(s: Session) -> list[str]:
    """Every correction as a labelled example (JSONL), the latest per ticket."""
    latest: dict[str, TriageCorrectionRow] = {}
    rows = s.exec(select(TriageCorrectionRow).order_by(col(TriageCorrectionRow.id))).all()
    for row in rows:
        latest[row.ticket_ref] = row
    lines = []
    for row in latest.values():
        if row.subtype_after not in SUBTYPES:
            continue
        scope = _scope_of(row)
        record = {
            "text": row.text,
            "category": SUBTYPES[row.subtype_after].category.value,
            "subtype": row.subtype_after,
            "scope": scope.value,
            "priority": priority_for(row.subtype_after, scope).value,
            "lang": row.language,
        }
        lines.append(json.dumps(record, ensure_ascii=False, sort_keys=True))
    return lines


@dataclass(frozen=True, slots=True)
class CorrectionFigures:
    tickets: int  # tickets of the period that an agent corrected
    by_subtype: dict[str, int]  # triage's subtype: how often agents changed it
    priority_only: int  # corrections that kept the subtype and changed the priority


def load_correction_figures(s: Session, since: datetime, until: datetime) -> CorrectionFigures:
    """Corrections of tickets created in [since, until)."""
    refs = select(TicketRow.ref).where(
        col(TicketRow.created_at) >= since, col(TicketRow.created_at) < until
    )
    rows = s.exec(
        select(TriageCorrectionRow).where(col(TriageCorrectionRow.ticket_ref).in_(refs))
    ).all()
    first: dict[str, TriageCorrectionRow] = {}
    for row in sorted(rows, key=lambda r: r.id or 0):
        first.setdefault(row.ticket_ref, row)
    by_subtype = Counter(
        r.subtype_before for r in first.values() if r.subtype_before != r.subtype_after
    )
    priority_only = sum(r.subtype_before == r.subtype_after for r in first.values())
    return CorrectionFigures(len(first), dict(by_subtype.most_common()), priority_only)


def count_corrections(s: Session) -> int:
    return int(s.exec(select(func.count()).select_from(TriageCorrectionRow)).one())
