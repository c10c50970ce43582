"""The card throttle: at most one flush per key per interval, the last state
always shown by a trailing flush, on a manual timer (no real waiting).
"""

from __future__ import annotations

import asyncio

import pytest

from bot.slack.throttle import Throttle


class ManualTime:
    def __init__(self) -> None:
        self.t = 0.0
        self.sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def monotonic(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.sleepers.append((self.t + seconds, future))
        await future

    async def advance(self, seconds: float) -> None:
        self.t += seconds
        for when, future in self.sleepers:
            if when <= self.t and not future.done():
                future.set_result(None)
        for _ in range(5):  # let the woken flushes run
            await asyncio.sleep(0)


def make(interval: float = 10.0) -> tuple[Throttle, ManualTime, list[tuple[str, float]]]:
    time = ManualTime()
    flushed: list[tuple[str, float]] = []

    async def flush(key: str) -> None:
        flushed.append((key, time.t))

    return Throttle(flush, interval, monotonic=time.monotonic, sleep=time.sleep), time, flushed


async def test_the_first_change_shows_at_once_and_a_burst_coalesces():
    throttle, time, flushed = make()
    for _ in range(1000):
        await throttle.touch("INC-101")
        await time.advance(0.01)  # 1000 changes over 10 seconds
    assert flushed[0] == ("INC-101", 0.0)
    assert len(flushed) <= 2
    await time.advance(10)
    assert len(flushed) <= 3 and throttle.pending() == frozenset()


async def test_the_trailing_flush_shows_the_last_change():
    throttle, time, flushed = make()
    await throttle.touch("INC-101")
    await throttle.touch("INC-101")
    await throttle.touch("INC-101")
    assert flushed == [("INC-101", 0.0)]
    assert throttle.pending() == {"INC-101"}
    await time.advance(9.9)
    assert len(flushed) == 1
    await time.advance(0.1)
    assert flushed == [("INC-101", 0.0), ("INC-101", 10.0)]


async def test_keys_are_throttled_apart_and_now_skips_the_wait():
    throttle, time, flushed = make()
    await throttle.touch("INC-101")
    await throttle.touch("INC-102")
    assert [k for k, _ in flushed] == ["INC-101", "INC-102"]
    await throttle.touch("INC-101")
    await throttle.now("INC-101")
    assert [k for k, _ in flushed] == ["INC-101", "INC-102", "INC-101"]
    await time.advance(20)
    assert len(flushed) == 3  # the trailing flush was cancelled: nothing was pending


async def test_flush_all_shows_every_pending_change():
    throttle, _time, flushed = make()
    for key in ("INC-101", "INC-102"):
        await throttle.touch(key)
        await throttle.touch(key)
    await throttle.flush_all()
    assert len(flushed) == 4 and throttle.pending() == frozenset()


def test_the_interval_must_be_positive():
    async def flush(key: str) -> None:
        return None

    with pytest.raises(ValueError, match="positive"):
        Throttle(flush, 0)


async def test_after_close_nothing_more_is_scheduled():
    throttle, time, flushed = make()
    await throttle.touch("INC-101")
    await throttle.touch("INC-101")
    await throttle.close()
    assert len(flushed) == 2
    await throttle.touch("INC-101")
    await time.advance(30)
    assert len(flushed) == 2
