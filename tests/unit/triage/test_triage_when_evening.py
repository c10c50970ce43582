"""Chinese evening and afternoon hours read as the 24-hour clock."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.triage.when import resolve_time

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 2026-12-05 23:30 in Shanghai: every hour below is already past today.
NOW = datetime(2026, 12, 5, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "day", "hour"),
    [
        ("昨晚大概十点多开始卡的", 4, 22),
        ("昨天晚上十点", 4, 22),
        ("晚上8点直播间就黑屏了", 5, 20),
        ("下午三点充的值", 5, 15),
        ("昨晚10点左右", 4, 22),
        ("今天早上8点", 5, 8),
        ("大概昨晚十点", 4, 22),
    ],
)
def test_the_hour_is_read_on_the_24_hour_clock(text: str, day: int, hour: int) -> None:
    found = resolve_time(text, NOW, SHANGHAI)
    assert found is not None
    local = found.astimezone(SHANGHAI)
    assert (local.day, local.hour, local.minute) == (day, hour, 0)
