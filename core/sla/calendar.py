"""Business hours: which instants count towards a P2/P3 service-level clock.

All arithmetic is done on UTC instants. Aware datetimes that share a ZoneInfo
subtract and add as wall-clock times in Python, which is wrong across a DST
change, so every local opening and closing time is converted to UTC first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_ZERO = timedelta(0)
_DAY = timedelta(days=1)


def as_utc(moment: datetime, what: str = "datetime") -> datetime:
    """The same instant in UTC; naive datetimes are refused, never guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {moment!r}")
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Working days and hours in one time zone, with holidays.

    The working window of a day is [start, end) in local time; `end` must be
    after `start` (no windows across midnight). Holidays are local dates.
    """

    timezone: ZoneInfo
    days: frozenset[int]  # working weekdays, 0 = Monday
    start: time
    end: time
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if not self.days:
            # Without a single working day no business time would ever pass.
            raise ValueError("a business calendar needs at least one working day")
        if not all(isinstance(d, int) and 0 <= d <= 6 for d in self.days):
            raise ValueError(f"working days must be 0 (Monday) to 6, got {sorted(self.days)}")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("opening and closing times are local: give them without tzinfo")
        if self.end <= self.start:
            raise ValueError(f"closing time {self.end} must be after opening time {self.start}")

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The UTC [open, close) of a local date, or None when it has no business hours."""
        if day.weekday() not in self.days or day in self.holidays:
            return None
        # fold=0: an opening time inside a DST gap or overlap takes the earlier offset,
        # which zoneinfo resolves deterministically.
        opens = datetime.combine(day, self.start, tzinfo=self.timezone).astimezone(UTC)
        closes = datetime.combine(day, self.end, tzinfo=self.timezone).astimezone(UTC)
        if closes <= opens:
            return None
        return opens, closes

    def _windows_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        # Start one local day early: near a DST change at midnight the previous
        # day's window can still reach past `moment`. Windows before it are clipped.
        day = moment.astimezone(self.timezone).date() - _DAY
        while True:
            w = self.window(day)
            if w is not None:
                yield w
            day += _DAY

    def is_open(self, moment: datetime) -> bool:
        at = as_utc(moment)
        for opens, closes in self._windows_from(at):
            if opens > at:
                return False
            if at < closes:
                return True
        raise AssertionError("unreachable: windows never end")  # pragma: no cover

    def next_opening(self, moment: datetime) -> datetime:
        """`moment` itself if business hours are running, else the next opening (UTC)."""
        at = as_utc(moment)
        for opens, closes in self._windows_from(at):
            if at < closes:
                return max(opens, at)
        raise AssertionError("unreachable: windows never end")  # pragma: no cover

    def business_time(self, start: datetime, end: datetime) -> timedelta:
        """Business time inside [start, end); zero when end <= start.

        Cost is one step per local day in the range, whatever the hours.
        """
        lo, hi = as_utc(start, "start"), as_utc(end, "end")
        total = _ZERO
        if hi <= lo:
            return total
        for opens, closes in self._windows_from(lo):
            if opens >= hi:
                break
            overlap = min(closes, hi) - max(opens, lo)
            if overlap > _ZERO:
                total += overlap
        return total

    def add(self, start: datetime, amount: timedelta) -> datetime:
        """The earliest instant (UTC) at which `amount` of business time has passed since `start`.

        Starting outside business hours, the count begins at the next opening.
        `amount` zero gives `start` itself. An amount that exactly uses up a
        window ends at that closing time, not at the next opening. This is the
        inverse of business_time: business_time(s, add(s, a)) == a.
        """
        at = as_utc(start, "start")
        if amount < _ZERO:
            raise ValueError(f"amount must not be negative, got {amount}")
        remaining = amount
        if remaining == _ZERO:
            return at
        for opens, closes in self._windows_from(at):
            lo = max(opens, at)
            if closes <= lo:
                continue
            available = closes - lo
            if remaining <= available:
                return lo + remaining
            remaining -= available
        raise AssertionError("unreachable: windows never end")  # pragma: no cover
