"""The paging chain: who is paged when, if nobody acknowledges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.sla.calendar import as_utc

_ZERO = timedelta(0)


@dataclass(frozen=True, slots=True)
class ChainLevel:
    """Slack user ids (U...) or user-group ids (S...) paged together, and how long to wait."""

    targets: tuple[str, ...]
    timeout: timedelta

    def __post_init__(self) -> None:
        targets = tuple(self.targets)
        if not targets or not all(isinstance(t, str) and t.strip() for t in targets):
            raise ValueError(f"a chain level needs at least one target id, got {targets!r}")
        if self.timeout <= _ZERO:
            raise ValueError(f"a chain level timeout must be positive, got {self.timeout}")
        object.__setattr__(self, "targets", targets)


@dataclass(frozen=True, slots=True)
class EscalationChain:
    """Levels paged in turn; after the last, the whole chain runs `repeats` more times."""

    levels: tuple[ChainLevel, ...]
    repeats: int = 1

    def __post_init__(self) -> None:
        levels = tuple(self.levels)
        if not levels:
            raise ValueError("an escalation chain needs at least one level")
        if self.repeats < 0:
            raise ValueError(f"repeats must not be negative, got {self.repeats}")
        object.__setattr__(self, "levels", levels)


@dataclass(frozen=True, slots=True)
class Page:
    level: int  # index into EscalationChain.levels
    round: int  # 0 for the first pass, 1.. for repeats
    at: datetime
    targets: tuple[str, ...]


def page_schedule(chain: EscalationChain, start: datetime) -> list[Page]:
    """Every page in order if nobody acknowledges: level 0 at start, level 1 after its timeout..."""
    at = as_utc(start, "start")
    pages: list[Page] = []
    for rnd in range(chain.repeats + 1):
        for index, level in enumerate(chain.levels):
            pages.append(Page(level=index, round=rnd, at=at, targets=level.targets))
            at += level.timeout
    return pages


def pages_before(chain: EscalationChain, start: datetime, acknowledged_at: datetime) -> list[Page]:
    """The pages due strictly before the acknowledgement; the later ones are never sent."""
    ack = as_utc(acknowledged_at, "acknowledged_at")
    return [p for p in page_schedule(chain, start) if p.at < ack]


def next_page(chain: EscalationChain, start: datetime, now: datetime) -> Page | None:
    """The first page due after `now` (strictly), or None when the schedule is exhausted."""
    at = as_utc(now, "now")
    return next((p for p in page_schedule(chain, start) if p.at > at), None)
