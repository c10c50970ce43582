from datetime import UTC, datetime, timedelta

import pytest

from core.outbox import TokenBucket

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _take_all(bucket: TokenBucket, n: int, start: datetime) -> list[datetime]:
    """Take n tokens as fast as the bucket allows; the moments of each take."""
    now, taken = start, []
    for _ in range(n):
        now += bucket.delay(now)
        bucket.take(now)
        taken.append(now)
    return taken


def test_a_thousand_messages_at_25_a_second_take_at_least_40_seconds():
    bucket = TokenBucket(rate=25, burst=5, now=T0)
    taken = _take_all(bucket, 1000, T0)
    assert taken[-1] - T0 >= timedelta(seconds=40)


@pytest.mark.parametrize(("rate", "burst"), [(25, 5), (30, 1), (7.5, 3)])
def test_no_one_second_window_holds_more_than_rate_plus_burst(rate, burst):
    bucket = TokenBucket(rate=rate, burst=burst, now=T0)
    # Idle first, so the burst is available, then drain.
    taken = _take_all(bucket, 300, T0 + timedelta(seconds=10))
    for i, start in enumerate(taken):
        in_window = [t for t in taken[i:] if t < start + timedelta(seconds=1)]
        assert len(in_window) <= rate + burst


def test_a_full_bucket_gives_its_burst_at_once_then_the_rate():
    bucket = TokenBucket(rate=10, burst=4, now=T0)
    later = T0 + timedelta(minutes=1)
    taken = _take_all(bucket, 6, later)
    assert taken[:4] == [later] * 4
    assert taken[4] == later + timedelta(seconds=0.1)
    assert taken[5] == later + timedelta(seconds=0.2)


def test_it_starts_empty_so_a_restart_gets_no_free_burst():
    bucket = TokenBucket(rate=25, burst=5, now=T0)
    assert bucket.delay(T0) == timedelta(seconds=0.04)
    with pytest.raises(RuntimeError, match="no token"):
        bucket.take(T0)


def test_hold_until_gives_nothing_before_the_moment_and_refills_from_empty():
    bucket = TokenBucket(rate=10, burst=5, now=T0)
    _take_all(bucket, 3, T0 + timedelta(seconds=5))
    until = T0 + timedelta(seconds=60)
    bucket.hold_until(until)
    assert bucket.delay(T0 + timedelta(seconds=30)) == timedelta(seconds=30.1)
    assert bucket.delay(until) == timedelta(seconds=0.1)
    assert _take_all(bucket, 1, until + timedelta(seconds=0.1)) == [until + timedelta(seconds=0.1)]


def test_an_earlier_hold_does_not_shorten_a_longer_one():
    bucket = TokenBucket(rate=10, burst=1, now=T0)
    bucket.hold_until(T0 + timedelta(seconds=60))
    bucket.hold_until(T0 + timedelta(seconds=5))
    assert bucket.delay(T0 + timedelta(seconds=10)) > timedelta(seconds=50)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate": 0, "burst": 1}, "rate must be positive"),
        ({"rate": 5, "burst": 0}, "burst must be at least 1"),
    ],
)
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TokenBucket(**kwargs, now=T0)


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError, match="aware"):
        TokenBucket(rate=1, burst=1, now=datetime(2026, 1, 1))  # noqa: DTZ001
