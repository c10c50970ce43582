"""The service-level clock rules, as pure functions of the facts and a given `now`.

The rules the engine relies on:

- The first public agent reply stops the first-response clock: the engine
  simply stops asking about it. Claiming a ticket alone does not stop it.
- A priority change recomputes the due time from the ticket's creation, with
  the new target (see `recomputed_for_priority`); raising the priority can
  therefore make the ticket already overdue.
- Time waiting for the user pauses the clocks when the policy says so
  (`SlaPolicy.pause_while_waiting_user`); otherwise pauses are ignored.
- A reopen starts a new clock from the reopen time: build it with the reopen
  instant as `created_at`; pauses before that instant do not count.
- Business hours and holidays apply to P2 and P3 only; P0 and P1 run around
  the clock. A pause lying wholly outside business hours removes no business
  time, and time both paused and closed is not subtracted twice.

Datetimes must be aware; results are in UTC.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from types import MappingProxyType

from core.routing import next_tier
from core.sla.calendar import BusinessCalendar, as_utc
from core.taxonomy import Priority

__all__ = [
    "Clock",
    "Pause",
    "SlaPolicy",
    "due_at",
    "elapsed",
    "first_response_clock",
    "fraction_used",
    "moment_at",
    "next_tier",
    "recomputed_for_priority",
    "resolution_clock",
    "warnings",
]

_ZERO = timedelta(0)
# Business hours never apply to the urgent priorities: an outage at 3 a.m. on a Sunday is urgent.
_CALENDAR_PRIORITIES = frozenset({Priority.P2, Priority.P3})


def _frozen_targets(
    targets: Mapping[Priority, timedelta], what: str
) -> MappingProxyType[Priority, timedelta]:
    copy = {Priority(p): d for p, d in targets.items()}
    bad = sorted(str(p) for p, d in copy.items() if d <= _ZERO)
    if bad:
        raise ValueError(f"{what} targets must be positive: {', '.join(bad)}")
    return MappingProxyType(copy)


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """Targets per priority and how the clocks run.

    `first_response` must name every priority. `resolution` is off by default;
    a priority missing from it has no resolution clock. `warn_at` lists the
    fractions of the target at which to warn, each in (0, 1), increasing.
    """

    first_response: Mapping[Priority, timedelta]
    resolution: Mapping[Priority, timedelta] | None = None
    warn_at: tuple[float, ...] = (0.5, 0.8)
    pause_while_waiting_user: bool = True
    calendar: BusinessCalendar | None = None

    def __post_init__(self) -> None:
        first = _frozen_targets(self.first_response, "first-response")
        missing = [p.value for p in Priority if p not in first]
        if missing:
            raise ValueError(f"first-response targets missing for {', '.join(missing)}")
        # Copied so that a caller mutating its dict cannot change a policy in use.
        object.__setattr__(self, "first_response", first)
        if self.resolution is not None:
            object.__setattr__(self, "resolution", _frozen_targets(self.resolution, "resolution"))
        warn = tuple(float(f) for f in self.warn_at)
        if any(not 0.0 < f < 1.0 for f in warn) or any(a >= b for a, b in pairwise(warn)):
            raise ValueError(f"warn_at must be increasing fractions in (0, 1), got {warn}")
        object.__setattr__(self, "warn_at", warn)

    def calendar_for(self, priority: Priority) -> BusinessCalendar | None:
        """The business calendar for P2/P3; None (around the clock) for P0/P1."""
        return self.calendar if priority in _CALENDAR_PRIORITIES else None


@dataclass(frozen=True, slots=True)
class Pause:
    """A span during which the clock does not run; `end` None means still paused."""

    start: datetime
    end: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", as_utc(self.start, "pause start"))
        if self.end is not None:
            end = as_utc(self.end, "pause end")
            if end < self.start:
                raise ValueError(f"pause ends ({end}) before it starts ({self.start})")
            object.__setattr__(self, "end", end)


@dataclass(frozen=True, slots=True)
class Clock:
    """One running service-level clock.

    Pauses must be in order and must not overlap; only the last may be open.
    Pauses, or parts of them, before `started_at` are ignored, so a reopened
    ticket's clock may be given the ticket's whole pause history.
    """

    started_at: datetime
    target: timedelta
    pauses: tuple[Pause, ...] = field(default=())
    calendar: BusinessCalendar | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "started_at", as_utc(self.started_at, "started_at"))
        if self.target <= _ZERO:
            raise ValueError(f"target must be positive, got {self.target}")
        pauses = tuple(self.pauses)
        for before, after in pairwise(pauses):
            if before.end is None:
                raise ValueError("only the last pause may be open")
            if after.start < before.end:
                raise ValueError("pauses must be in order and must not overlap")
        object.__setattr__(self, "pauses", pauses)

    def _measure(self, start: datetime, end: datetime) -> timedelta:
        if end <= start:
            return _ZERO
        if self.calendar is None:
            return end - start
        return self.calendar.business_time(start, end)

    def _advance(self, start: datetime, amount: timedelta) -> datetime:
        if self.calendar is None:
            return start + amount
        return self.calendar.add(start, amount)

    def _running_spans(self) -> Iterator[tuple[datetime, datetime | None]]:
        """Spans during which the clock runs, from start; the last is open-ended (None)."""
        cursor = self.started_at
        for pause in self.pauses:
            if pause.end is not None and pause.end <= cursor:
                continue
            yield cursor, max(pause.start, cursor)
            if pause.end is None:
                return
            cursor = pause.end
        yield cursor, None


def elapsed(clock: Clock, now: datetime) -> timedelta:
    """Counted time from the start to `now`, less pauses.

    Business time when the clock has a calendar, so closed hours inside a pause count once.
    """
    at = as_utc(now, "now")
    total = _ZERO
    for start, end in clock._running_spans():
        if start >= at:
            break
        total += clock._measure(start, at if end is None else min(end, at))
    return total


def moment_at(clock: Clock, amount: timedelta) -> datetime | None:
    """The earliest instant (UTC) at which `elapsed` reaches `amount`.

    None when the clock is paused, with no end yet, before reaching it: the
    moment cannot be known until the pause ends.
    """
    if amount < _ZERO:
        raise ValueError(f"amount must not be negative, got {amount}")
    remaining = amount
    for start, end in clock._running_spans():
        if end is None:
            return clock._advance(start, remaining)
        available = clock._measure(start, end)
        if remaining <= available:
            return clock._advance(start, remaining)
        remaining -= available
    return None


def due_at(clock: Clock) -> datetime | None:
    """When the target is reached; None while an open pause comes first."""
    return moment_at(clock, clock.target)


def fraction_used(clock: Clock, now: datetime) -> float:
    """Elapsed over target; above 1.0 once breached (not capped)."""
    return elapsed(clock, now) / clock.target


def warnings(clock: Clock, warn_at: tuple[float, ...]) -> list[tuple[float, datetime]]:
    """(fraction, moment) for each warning fraction whose moment is known.

    Moments already in the past are included: the engine knows which it has
    sent. Fractions whose moment lies behind an open pause are left out.
    """
    found: list[tuple[float, datetime]] = []
    for fraction in warn_at:
        moment = moment_at(clock, clock.target * fraction)
        if moment is not None:
            found.append((fraction, moment))
    return found


def _counted_pauses(policy: SlaPolicy, pauses: tuple[Pause, ...]) -> tuple[Pause, ...]:
    return tuple(pauses) if policy.pause_while_waiting_user else ()


def first_response_clock(
    policy: SlaPolicy, priority: Priority, created_at: datetime, pauses: tuple[Pause, ...] = ()
) -> Clock:
    """The first-response clock from `created_at` (the reopen time after a reopen).

    It stops at the first public agent reply, which the engine tracks: a claim
    alone does not stop it.
    """
    return Clock(
        started_at=created_at,
        target=policy.first_response[priority],
        pauses=_counted_pauses(policy, pauses),
        calendar=policy.calendar_for(priority),
    )


def resolution_clock(
    policy: SlaPolicy, priority: Priority, created_at: datetime, pauses: tuple[Pause, ...] = ()
) -> Clock | None:
    """The resolution clock, or None when the policy sets no resolution target for `priority`."""
    if policy.resolution is None or priority not in policy.resolution:
        return None
    return Clock(
        started_at=created_at,
        target=policy.resolution[priority],
        pauses=_counted_pauses(policy, pauses),
        calendar=policy.calendar_for(priority),
    )


def recomputed_for_priority(
    policy: SlaPolicy, new_priority: Priority, created_at: datetime, pauses: tuple[Pause, ...]
) -> Clock:
    """The first-response clock after a priority change: the new target, counted from creation.

    Raising the priority gives an earlier due time, possibly already past; the
    new priority's calendar rule (business hours or around the clock) applies
    to the whole span since creation.
    """
    return first_response_clock(policy, new_priority, created_at, pauses)
