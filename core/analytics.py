"""Complaint analytics for the retrospective: what users complained about in a
period and how that changed, how fast support answered and resolved, how users
rated it, and what is still owed (workarounds waiting for their root fix,
faults the knowledge base had nothing to propose for), and how outages went
as incidents (`core.incidents.analytics`).

`build_report` is pure: it reads rows already loaded. `load_report` loads them.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from core.diagnostics import KB_SEARCH
from core.incidents.analytics import IncidentFigures, load_incident_figures
from core.statuses import Outcome, Status
from core.storage.corrections import CorrectionFigures, load_correction_figures
from core.storage.db import Database
from core.storage.tables import AuditEventRow, SelfServiceRow, TicketRow
from core.taxonomy import Category, Priority, subtype

# Categories whose tickets the knowledge base should have had an article for.
_FAULT_CATEGORIES = frozenset(
    {Category.AV_QUALITY, Category.FUNCTIONAL, Category.ACCOUNT, Category.FINANCE}
)
_LISTED = 10  # refs listed by name in a report; the counts cover all of them
DEFAULT_DAYS = 7  # a week: the retrospective's rhythm
MAX_DAYS = 366


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """The columns of a ticket that the report reads; loading whole rows (with
    summaries and diagnostics) made a busy week's report several times slower.
    """

    ref: str | None
    subtype: str
    priority: str
    created_at: datetime
    first_response_due: datetime
    first_response_at: datetime | None
    clock_started_at: datetime | None
    resolved_at: datetime | None
    outcome: str | None
    cause_class: str | None
    satisfaction: int | None
    kb_tried: list[str]
    # What the knowledge-base search gave before the ticket (core.diagnostics.KB_SEARCH):
    # "offered", "none_found", or None when it was skipped (/human, the urgent fast path).
    kb_search: str | None = None


_FACT_COLUMNS = tuple(
    getattr(TicketRow, name) for name in TicketFacts.__dataclass_fields__ if name != "kb_search"
)

# The facts, then the diagnostics (read only for the knowledge-base search's note).
_LOAD_COLUMNS: tuple[Any, ...] = (*_FACT_COLUMNS, TicketRow.diagnostics)


def _facts(row: tuple[Any, ...]) -> TicketFacts:
    names = [n for n in TicketFacts.__dataclass_fields__ if n != "kb_search"]
    values: dict[str, Any] = dict(zip(names, row[:-1], strict=True))
    return TicketFacts(**values, kb_search=_kb_search(row[-1]))


def _kb_search(diagnostics: object) -> str | None:
    extras = diagnostics.get("extras") if isinstance(diagnostics, dict) else None
    found = extras.get(KB_SEARCH) if isinstance(extras, dict) else None
    return found if isinstance(found, str) else None


@dataclass(frozen=True, slots=True)
class SubtypeFigures:
    subtype: str
    tickets: int
    self_served: int
    previous: int  # reports (tickets + self-served) in the period before
    p0: int

    @property
    def reports(self) -> int:
        return self.tickets + self.self_served


@dataclass(frozen=True, slots=True)
class PriorityFigures:
    priority: str
    tickets: int
    responded: int
    responded_in_time: int
    median_first_response_minutes: float | None

    @property
    def in_time_share(self) -> float | None:
        return self.responded_in_time / self.responded if self.responded else None


@dataclass(frozen=True, slots=True)
class ComplaintReport:
    since: datetime
    until: datetime
    tickets: int
    self_served: int
    previous_reports: int
    by_category: dict[str, int]
    subtypes: list[SubtypeFigures]  # most reported first
    priorities: list[PriorityFigures]  # P0 first
    resolved: int
    root_fixes: int
    workarounds: int
    median_resolution_hours: float | None
    reopened: list[str]
    causes: dict[str, int]
    ratings: list[int]
    unhappy: list[str]  # rated 1 or 2
    owed_root_fixes: int  # all tickets, whenever created, still on a workaround
    oldest_owed: list[tuple[str, datetime]]
    # Fault subtype: its tickets where the knowledge base was searched and had no
    # article; a ticket that never went through the search (/human) is not counted.
    kb_gaps: dict[str, int]
    # Fault subtype: its tickets where articles were offered and none helped.
    kb_unhelpful: dict[str, int] = field(default_factory=dict)
    incidents: IncidentFigures | None = None  # the incidents declared in the period
    corrections: CorrectionFigures | None = None  # agents correcting triage

    @property
    def reports(self) -> int:
        return self.tickets + self.self_served

    @property
    def self_service_share(self) -> float | None:
        return self.self_served / self.reports if self.reports else None

    @property
    def csat(self) -> float | None:
        return statistics.fmean(self.ratings) if self.ratings else None


def build_report(
    *,
    since: datetime,
    until: datetime,
    tickets: Sequence[TicketFacts],
    self_served: Sequence[str],
    previous: Counter[str],
    reopened: Iterable[str],
    owed: Sequence[tuple[str, datetime]],
) -> ComplaintReport:
    """The report of tickets and self-service reports created in [since, until).

    `previous` counts reports per subtype in the period of the same length
    before; `self_served` holds the subtype of each self-service report;
    `reopened` names the refs reopened in the period; `owed` holds the ref and
    creation time of every ticket still on a workaround.
    """
    per_subtype = Counter(t.subtype for t in tickets)
    served = Counter(self_served)
    p0 = Counter(t.subtype for t in tickets if t.priority == Priority.P0.value)
    subtypes = [
        SubtypeFigures(sid, per_subtype[sid], served[sid], previous[sid], p0[sid])
        for sid in set(per_subtype) | set(served)
    ]
    subtypes.sort(key=lambda f: (-f.reports, -f.p0, f.subtype))
    by_category: Counter[str] = Counter()
    for f in subtypes:
        by_category[subtype(f.subtype).category.value] += f.reports
    resolved = [t for t in tickets if t.resolved_at is not None]
    rated = [t for t in tickets if t.satisfaction is not None]
    reopened_refs = set(reopened)
    faults = [t for t in tickets if subtype(t.subtype).category in _FAULT_CATEGORIES]
    gaps = Counter(t.subtype for t in faults if not t.kb_tried and t.kb_search == "none_found")
    unhelpful = Counter(t.subtype for t in faults if t.kb_tried)
    return ComplaintReport(
        since=since,
        until=until,
        tickets=len(tickets),
        self_served=len(self_served),
        previous_reports=sum(previous.values()),
        by_category=dict(by_category.most_common()),
        subtypes=subtypes,
        priorities=[_priority_figures(p.value, tickets) for p in Priority],
        resolved=len(resolved),
        root_fixes=sum(t.outcome == Outcome.ROOT_FIX.value for t in resolved),
        workarounds=sum(t.outcome == Outcome.WORKAROUND.value for t in resolved),
        median_resolution_hours=_median(
            (t.resolved_at - t.created_at) / timedelta(hours=1)
            for t in resolved
            if t.resolved_at is not None
        ),
        reopened=sorted(t.ref for t in tickets if t.ref in reopened_refs and t.ref),
        causes=dict(Counter(t.cause_class for t in resolved if t.cause_class).most_common()),
        ratings=[t.satisfaction for t in rated if t.satisfaction is not None],
        unhappy=sorted(
            t.ref for t in rated if t.ref and t.satisfaction is not None and t.satisfaction <= 2
        ),
        owed_root_fixes=len(owed),
        oldest_owed=sorted(owed, key=lambda o: o[1])[:_LISTED],
        kb_gaps=dict(gaps.most_common()),
        kb_unhelpful=dict(unhelpful.most_common()),
    )


def _priority_figures(priority: str, tickets: Sequence[TicketFacts]) -> PriorityFigures:
    mine = [t for t in tickets if t.priority == priority]
    responded = [t for t in mine if t.first_response_at is not None]
    return PriorityFigures(
        priority=priority,
        tickets=len(mine),
        responded=len(responded),
        responded_in_time=sum(
            t.first_response_at is not None and t.first_response_at <= t.first_response_due
            for t in responded
        ),
        median_first_response_minutes=_median(
            (t.first_response_at - (t.clock_started_at or t.created_at)) / timedelta(minutes=1)
            for t in responded
            if t.first_response_at is not None
        ),
    )


def _median(values: Iterable[float]) -> float | None:
    found = list(values)
    return statistics.median(found) if found else None


def load_report(db: Database, since: datetime, until: datetime) -> ComplaintReport:
    """The report for [since, until), read in one read-only transaction."""
    if until <= since:
        raise ValueError("the period must end after it starts")
    before = since - (until - since)
    with db.session(read_only=True) as s:
        tickets = [
            _facts(tuple(row))
            for row in s.exec(
                select(*_LOAD_COLUMNS).where(
                    col(TicketRow.created_at) >= since, col(TicketRow.created_at) < until
                )
            ).all()
        ]
        served = list(
            s.exec(
                select(SelfServiceRow.subtype).where(
                    col(SelfServiceRow.created_at) >= since, col(SelfServiceRow.created_at) < until
                )
            ).all()
        )
        previous: Counter[str] = Counter()
        for table in (TicketRow, SelfServiceRow):
            rows = s.exec(
                select(table.subtype, func.count())
                .where(col(table.created_at) >= before, col(table.created_at) < since)
                .group_by(col(table.subtype))
            ).all()
            for sid, count in rows:
                previous[sid] += int(count)
        reopened = s.exec(
            select(AuditEventRow.ticket_ref).where(
                AuditEventRow.action == "ticket.reopened",
                col(AuditEventRow.at) >= since,
                col(AuditEventRow.at) < until,
            )
        ).all()
        owed = [
            (ref, created)
            for ref, created in s.exec(
                select(TicketRow.ref, TicketRow.created_at).where(
                    TicketRow.status == Status.WORKAROUND.value
                )
            ).all()
            if ref
        ]
        incidents = load_incident_figures(s, since, until)
        corrections = load_correction_figures(s, since, until)
    report = build_report(
        since=since,
        until=until,
        tickets=tickets,
        self_served=served,
        previous=previous,
        reopened=[ref for ref in reopened if ref],
        owed=owed,
    )
    return replace(report, incidents=incidents, corrections=corrections)
