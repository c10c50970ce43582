"""Deadlines in SLA warnings: the team's zone as the fallback, Slack's token for readers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.slack.blocks.parts import clock_time


def test_a_deadline_shows_seconds_in_the_team_zone():
    due = datetime(2026, 12, 5, 9, 21, 24, tzinfo=UTC)
    shown = clock_time(due, "Asia/Shanghai")
    assert shown == f"<!date^{int(due.timestamp())}^{{time_secs}}|17:21:24 (Asia/Shanghai)>"


def test_a_naive_deadline_is_refused():
    with pytest.raises(ValueError, match="naive"):
        clock_time(datetime(2026, 12, 5, 9, 21), "UTC")  # noqa: DTZ001
