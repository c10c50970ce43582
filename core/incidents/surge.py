"""The surge rule: when reports from different users become one incident. Pure.

N different reporters of related subtypes within the window make a surge. The
incident it opens is narrowed to a room, app version, OS or region when the
reports say so: when most of them state one and none states another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from core.incidents.model import IncidentFilters, normalised
from core.incidents.related import group_of


@dataclass(frozen=True, slots=True)
class ReportFact:
    """What the rule reads of one report (a ticket)."""

    ref: str | None  # None for the report being created
    reporter: str  # channel:user id
    subtype: str
    at: datetime
    filters: IncidentFilters = field(default_factory=IncidentFilters)


@dataclass(frozen=True, slots=True)
class Surge:
    group: str
    reporters: int
    refs: tuple[str, ...]  # the earlier reports of the surge, oldest first
    filters: IncidentFilters


def filters_of(diagnostics: Mapping[str, Any]) -> IncidentFilters:
    """The filterable details of a ticket's stored diagnostics."""
    extras = diagnostics.get("extras") or {}

    def text(value: object) -> str | None:
        return str(value).strip() or None if value is not None else None

    return IncidentFilters(
        room_id=text(diagnostics.get("room_id")),
        app_version=text(diagnostics.get("app_version")),
        os=text(diagnostics.get("os")),
        region=text(extras.get("region")) if isinstance(extras, Mapping) else None,
    )


def detect_surge(
    new: ReportFact,
    recent: Sequence[ReportFact],
    now: datetime,
    *,
    reports: int,
    window: timedelta,
) -> Surge | None:
    """The surge `new` completes, if any.

    `recent` holds the reports not yet in an incident (others are handled
    already); those of other groups or outside [now - window, now] are ignored,
    so the caller may over-fetch. One user reporting again counts once.
    """
    group = group_of(new.subtype)
    if group is None:
        return None
    since = now - window
    counted = [r for r in recent if since <= r.at <= now and group_of(r.subtype) == group and r.ref]
    counted.sort(key=lambda r: r.at)
    reporters = {r.reporter for r in counted} | {new.reporter}
    if len(reporters) < reports:
        return None
    return Surge(
        group=group,
        reporters=len(reporters),
        refs=tuple(r.ref for r in counted if r.ref),
        filters=shared_filters([*counted, new]),
    )


def shared_filters(facts: Sequence[ReportFact]) -> IncidentFilters:
    """A detail becomes a filter when more than half the reports state it and
    all that state it agree; one room named by one reporter narrows nothing.
    """
    values: dict[str, str | None] = {}
    for f in fields(IncidentFilters):
        stated = [v for r in facts if (v := getattr(r.filters, f.name)) is not None]
        distinct = {normalised(v) for v in stated}
        values[f.name] = stated[0] if len(distinct) == 1 and 2 * len(stated) > len(facts) else None
    return IncidentFilters(**values)
