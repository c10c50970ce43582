"""A token bucket: at most `rate` messages a second on average, `burst` at once.

Pure: every call takes `now`, so tests drive it with a fake clock. In any
window of length w at most `burst + rate * w` tokens are taken.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta


def _seconds_up(seconds: float) -> timedelta:
    # Rounded up to timedelta's microsecond, so waiting that long always suffices.
    return timedelta(microseconds=math.ceil(seconds * 1_000_000))


class TokenBucket:
    def __init__(self, rate: float, burst: int, now: datetime) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive (messages per second)")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        if now.tzinfo is None:
            raise ValueError("TokenBucket needs an aware datetime")
        self.rate = rate
        self.burst = burst
        # It starts empty: after a restart we cannot know what the previous
        # process sent in its last second, so the first burst is not assumed free.
        self._tokens = 0.0
        self._at = now

    def _refill(self, now: datetime) -> None:
        elapsed = (now - self._at).total_seconds()
        if elapsed > 0:
            self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate)
            self._at = now

    def delay(self, now: datetime) -> timedelta:
        """How long until a token is there; zero when one is there now."""
        self._refill(now)
        missing = max(0.0, 1.0 - self._tokens)
        if now < self._at:  # held (see hold_until)
            return self._at - now + _seconds_up(missing / self.rate)
        if missing <= 1e-9:
            return timedelta(0)
        return _seconds_up(missing / self.rate)

    def take(self, now: datetime) -> None:
        """Use one token; the caller waited for `delay(now)` to be zero first."""
        if self.delay(now) > timedelta(0):
            raise RuntimeError("no token yet: wait for delay(now) first")
        self._tokens = max(0.0, self._tokens - 1.0)

    def hold_until(self, moment: datetime) -> None:
        """No token before `moment` (the platform asked us to back off), then
        refill from empty.
        """
        if moment > self._at:
            self._tokens = 0.0
            self._at = moment
