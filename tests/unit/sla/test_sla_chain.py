from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.sla.chain import (
    ChainLevel,
    EscalationChain,
    next_page,
    page_schedule,
    pages_before,
)

START = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def three_levels(repeats: int = 1) -> EscalationChain:
    return EscalationChain(
        levels=(
            ChainLevel(("UAGENT1",), 5 * MIN),
            ChainLevel(("UAGENT2", "UAGENT3"), 10 * MIN),
            ChainLevel(("SLEADS",), 15 * MIN),
        ),
        repeats=repeats,
    )


def test_three_levels_repeated_once_give_six_pages_at_the_right_times():
    pages = page_schedule(three_levels(), START)
    assert [(p.round, p.level, p.at - START) for p in pages] == [
        (0, 0, timedelta(0)),
        (0, 1, 5 * MIN),
        (0, 2, 15 * MIN),
        (1, 0, 30 * MIN),
        (1, 1, 35 * MIN),
        (1, 2, 45 * MIN),
    ]
    assert pages[1].targets == ("UAGENT2", "UAGENT3")
    assert pages[5].targets == ("SLEADS",)


def test_without_repeats_the_chain_pages_each_level_once():
    assert [p.level for p in page_schedule(three_levels(repeats=0), START)] == [0, 1, 2]


def test_an_acknowledgement_during_the_second_level_means_the_third_is_never_paged():
    sent = pages_before(three_levels(), START, START + 7 * MIN)
    assert [(p.round, p.level) for p in sent] == [(0, 0), (0, 1)]


def test_an_acknowledgement_at_the_exact_page_time_prevents_that_page():
    sent = pages_before(three_levels(), START, START + 15 * MIN)
    assert [p.level for p in sent] == [0, 1]


def test_an_acknowledgement_before_the_first_page_means_nobody_is_paged():
    assert pages_before(three_levels(), START, START) == []


def test_next_page_is_the_first_page_strictly_after_now_and_none_at_the_end():
    page = next_page(three_levels(), START, START + 5 * MIN)
    assert page is not None and (page.round, page.level, page.at) == (0, 2, START + 15 * MIN)
    assert next_page(three_levels(), START, START + 45 * MIN) is None


def test_schedules_are_in_utc_whatever_zone_the_start_is_given_in():
    local = START.astimezone(ZoneInfo("Asia/Shanghai"))
    assert all(p.at.tzinfo is UTC for p in page_schedule(three_levels(), local))
    assert page_schedule(three_levels(), local) == page_schedule(three_levels(), START)


@pytest.mark.parametrize(
    "build",
    [
        lambda: ChainLevel((), MIN),
        lambda: ChainLevel(("",), MIN),
        lambda: ChainLevel(("UAGENT1",), timedelta(0)),
        lambda: EscalationChain(()),
        lambda: EscalationChain((ChainLevel(("UAGENT1",), MIN),), repeats=-1),
    ],
    ids=["no-targets", "blank-target", "zero-timeout", "no-levels", "negative-repeats"],
)
def test_an_unusable_chain_is_refused(build: Callable[[], object]):
    with pytest.raises(ValueError):
        build()
