"""What the incident card shows about its reports. Pure: reads loaded facts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.incidents.surge import filters_of

FIRST_REFS = 5  # ticket refs named on the card; the counts cover all


@dataclass(frozen=True, slots=True)
class ReportDetails:
    ref: str
    reporter: str  # channel:user id
    subtype: str
    created_at: datetime
    diagnostics: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Breakdown:
    reports: int
    reporters: int
    per_minute: float  # reports per minute over the recent window
    by_subtype: dict[str, int]  # most first
    by_app_version: dict[str, int]  # these four: only where the reports say
    by_os: dict[str, int]
    by_device_model: dict[str, int]
    by_region: dict[str, int]
    first_report: datetime | None
    latest_report: datetime | None
    first_refs: tuple[str, ...]


def build_breakdown(
    reports: Sequence[ReportDetails], now: datetime, rate_window: timedelta
) -> Breakdown:
    if rate_window <= timedelta(0):
        raise ValueError("the rate window must be positive")
    ordered = sorted(reports, key=lambda r: (r.created_at, r.ref))
    recent = [r for r in ordered if now - rate_window < r.created_at <= now]
    filters = [filters_of(r.diagnostics) for r in ordered]

    def count(values: Sequence[str | None]) -> dict[str, int]:
        return dict(Counter(v for v in values if v).most_common())

    return Breakdown(
        reports=len(ordered),
        reporters=len({r.reporter for r in ordered}),
        per_minute=round(len(recent) / (rate_window / timedelta(minutes=1)), 2),
        by_subtype=count([r.subtype for r in ordered]),
        by_app_version=count([f.app_version for f in filters]),
        by_os=count([f.os for f in filters]),
        by_device_model=count([_text(r.diagnostics.get("device_model")) for r in ordered]),
        by_region=count([f.region for f in filters]),
        first_report=ordered[0].created_at if ordered else None,
        latest_report=ordered[-1].created_at if ordered else None,
        first_refs=tuple(r.ref for r in ordered[:FIRST_REFS]),
    )


def _text(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None
