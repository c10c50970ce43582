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


@pytest.mark.parametrize(
    "text",
    [
        "整个工作室的人都看不了直播，全是黑屏",
        "主播交流群里全在骂，推流推不上去",
        "十几个号都充了值没到账",
        "官方公告说在排查登录问题，我也登不上",
        "can't go live, dozens of streamers in our network are stuck too",
        "gifts failing across the board tonight",
        "my whole esports team can't log in",
    ],
)
def test_groups_counts_and_outside_reports_make_it_widespread(text):
    assert classify(text, NOW).scope is Scope.WIDESPREAD


@pytest.mark.parametrize(
    "text",
    [
        "是不是只有我？直播一直没声音",
        "家里其他人的手机都能看，就我的黑屏",
        "我直播间的观众都说我卡，别的主播都正常",
        "所有直播都打不开，切到5G就好了",
        "every stream is silent, but only on my tablet",
        "other hosts in my agency got paid, mine is still pending",
    ],
)
def test_the_writers_own_problem_stays_single_when_others_are_named(text):
    assert classify(text, NOW).scope is Scope.SINGLE
