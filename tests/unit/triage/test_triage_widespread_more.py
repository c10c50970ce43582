"""More ways users say that a failure is everyone's, not theirs alone."""

from datetime import UTC, datetime

import pytest

from core.taxonomy import Priority, Scope
from core.triage import classify

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "app更新后所有直播都无声，我老婆手机也是",
        "整个app的直播都没声音了",
        "全部的直播都黑屏，换了账号也一样",
        "哪个直播都看不了，整个软件都卡死了",
        "室友手机也是，直播间一直打不开",
    ],
)
def test_failures_across_the_whole_app_or_other_peoples_phones_are_widespread(text):
    verdict = classify(text, NOW)
    assert verdict.scope is Scope.WIDESPREAD, verdict.cues
    assert verdict.priority in (Priority.P0, Priority.P1)
