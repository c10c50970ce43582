from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core import routing
from core.config import SlaSettings
from core.sla.calendar import BusinessCalendar
from core.sla.rules import (
    Clock,
    Pause,
    SlaPolicy,
    due_at,
    elapsed,
    first_response_clock,
    fraction_used,
    moment_at,
    next_tier,
    recomputed_for_priority,
    resolution_clock,
    warnings,
)
from core.taxonomy import Priority

SHANGHAI = ZoneInfo("Asia/Shanghai")
CREATED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def office(*holidays: date) -> BusinessCalendar:
    return BusinessCalendar(SHANGHAI, frozenset(range(5)), time(9), time(18), frozenset(holidays))


def policy(**overrides: object) -> SlaPolicy:
    fields: dict[str, object] = {"first_response": SlaSettings().first_response}
    fields.update(overrides)
    return SlaPolicy(**fields)  # type: ignore[arg-type]


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.mark.parametrize(
    ("priority", "target"),
    [
        (Priority.P0, timedelta(minutes=15)),
        (Priority.P1, timedelta(hours=1)),
        (Priority.P2, timedelta(hours=24)),
        (Priority.P3, timedelta(hours=24)),
    ],
)
def test_without_a_calendar_each_priority_is_due_its_target_after_creation(
    priority: Priority, target: timedelta
):
    clock = first_response_clock(policy(), priority, CREATED)
    assert clock.target == target
    assert due_at(clock) == CREATED + target


def test_warnings_come_at_half_and_four_fifths_of_the_target():
    clock = first_response_clock(policy(), Priority.P1, CREATED)
    assert warnings(clock, policy().warn_at) == [
        (0.5, CREATED + 30 * MIN),
        (0.8, CREATED + 48 * MIN),
    ]


def test_elapsed_and_fraction_used_grow_with_time_and_exceed_one_once_breached():
    clock = first_response_clock(policy(), Priority.P1, CREATED)
    assert elapsed(clock, CREATED - HOUR) == timedelta(0)
    assert elapsed(clock, CREATED + 15 * MIN) == 15 * MIN
    assert fraction_used(clock, CREATED + 15 * MIN) == 0.25
    assert fraction_used(clock, CREATED + 90 * MIN) == 1.5


def test_a_pause_and_resume_shifts_the_due_time_by_the_paused_span():
    pause = Pause(CREATED + 20 * MIN, CREATED + 45 * MIN)
    clock = first_response_clock(policy(), Priority.P1, CREATED, (pause,))
    assert due_at(clock) == CREATED + HOUR + 25 * MIN
    assert elapsed(clock, CREATED + 50 * MIN) == 25 * MIN


def test_time_inside_a_pause_does_not_count():
    pause = Pause(CREATED + 20 * MIN, None)
    clock = first_response_clock(policy(), Priority.P1, CREATED, (pause,))
    assert elapsed(clock, CREATED + 5 * HOUR) == 20 * MIN


def test_an_open_pause_leaves_the_due_time_unknown():
    clock = first_response_clock(policy(), Priority.P1, CREATED, (Pause(CREATED + 40 * MIN, None),))
    assert due_at(clock) is None


def test_warnings_behind_an_open_pause_are_left_out_and_earlier_ones_kept():
    clock = first_response_clock(policy(), Priority.P1, CREATED, (Pause(CREATED + 40 * MIN, None),))
    assert warnings(clock, (0.5, 0.8)) == [(0.5, CREATED + 30 * MIN)]


def test_a_moment_reached_exactly_when_a_pause_starts_is_known():
    clock = first_response_clock(policy(), Priority.P1, CREATED, (Pause(CREATED + HOUR, None),))
    assert due_at(clock) == CREATED + HOUR


def test_pauses_are_ignored_when_the_policy_does_not_pause_for_the_user():
    pause = Pause(CREATED + 20 * MIN, None)
    clock = first_response_clock(
        policy(pause_while_waiting_user=False), Priority.P1, CREATED, (pause,)
    )
    assert clock.pauses == ()
    assert due_at(clock) == CREATED + HOUR


def test_raising_the_priority_recomputes_from_creation_and_can_be_already_past():
    now = CREATED + 30 * MIN
    clock = recomputed_for_priority(policy(), Priority.P0, CREATED, ())
    due = due_at(clock)
    assert due == CREATED + 15 * MIN
    assert due is not None and due < now
    assert fraction_used(clock, now) == 2.0


def test_lowering_the_priority_recomputes_a_later_due_time_from_creation():
    clock = recomputed_for_priority(policy(), Priority.P3, CREATED, ())
    assert due_at(clock) == CREATED + 24 * HOUR


def test_a_priority_change_keeps_the_pauses_since_creation():
    pause = Pause(CREATED + 5 * MIN, CREATED + 10 * MIN)
    clock = recomputed_for_priority(policy(), Priority.P0, CREATED, (pause,))
    assert due_at(clock) == CREATED + 20 * MIN


def test_a_reopen_starts_a_new_clock_from_the_reopen_time_ignoring_earlier_pauses():
    reopened = CREATED + 3 * HOUR
    history = (Pause(CREATED + MIN, CREATED + 2 * HOUR), Pause(reopened - MIN, reopened + 10 * MIN))
    clock = first_response_clock(policy(), Priority.P1, reopened, history)
    assert clock.started_at == reopened
    assert elapsed(clock, reopened + 20 * MIN) == 10 * MIN
    assert due_at(clock) == reopened + HOUR + 10 * MIN


def test_a_p2_ticket_created_friday_at_five_pm_is_due_on_wednesday_in_business_hours():
    clock = first_response_clock(policy(calendar=office()), Priority.P2, sh(2026, 11, 27, 17))
    assert due_at(clock) == sh(2026, 12, 2, 14)


def test_a_p3_ticket_created_on_saturday_starts_counting_at_monday_opening():
    clock = first_response_clock(policy(calendar=office()), Priority.P3, sh(2026, 11, 28, 11))
    assert elapsed(clock, sh(2026, 11, 30, 10)) == HOUR
    assert due_at(clock) == sh(2026, 12, 2, 15)


def test_a_holiday_pushes_a_p2_due_time_one_working_day_later():
    clock = first_response_clock(
        policy(calendar=office(date(2026, 12, 1))), Priority.P2, sh(2026, 11, 27, 17)
    )
    assert due_at(clock) == sh(2026, 12, 3, 14)


@pytest.mark.parametrize(
    ("priority", "target"), [(Priority.P0, timedelta(minutes=15)), (Priority.P1, HOUR)]
)
def test_p0_and_p1_run_around_the_clock_even_with_a_calendar(priority: Priority, target: timedelta):
    saturday_night = sh(2026, 11, 28, 23)
    p = policy(calendar=office())
    clock = first_response_clock(p, priority, saturday_night)
    assert p.calendar_for(priority) is None
    assert clock.calendar is None
    assert due_at(clock) == saturday_night + target


def test_a_pause_wholly_outside_business_hours_removes_no_business_time():
    weekend = Pause(sh(2026, 11, 28, 10), sh(2026, 11, 29, 20))
    clock = first_response_clock(
        policy(calendar=office()), Priority.P2, sh(2026, 11, 27, 17), (weekend,)
    )
    assert due_at(clock) == sh(2026, 12, 2, 14)


def test_closed_hours_inside_a_pause_are_not_subtracted_twice():
    # Friday 17:30 to Monday 10:00 holds only 1.5 business hours.
    pause = Pause(sh(2026, 11, 27, 17, 30), sh(2026, 11, 30, 10))
    clock = first_response_clock(
        policy(calendar=office()), Priority.P2, sh(2026, 11, 27, 17), (pause,)
    )
    assert elapsed(clock, sh(2026, 11, 30, 11)) == HOUR + 30 * MIN
    assert due_at(clock) == sh(2026, 12, 2, 15, 30)


def test_business_hour_warnings_land_in_business_hours():
    clock = first_response_clock(policy(calendar=office()), Priority.P2, sh(2026, 11, 27, 17))
    # 12h is Friday 1h + Monday 9h + Tuesday 2h; 19.2h is 19h to Tuesday's close plus 12 minutes.
    assert warnings(clock, (0.5, 0.8)) == [
        (0.5, sh(2026, 12, 1, 11)),
        (0.8, sh(2026, 12, 2, 9, 12)),
    ]


def test_moment_at_zero_is_the_start_and_negative_amounts_are_refused():
    clock = first_response_clock(policy(), Priority.P1, CREATED)
    assert moment_at(clock, timedelta(0)) == CREATED
    with pytest.raises(ValueError, match="negative"):
        moment_at(clock, -MIN)


def test_resolution_has_no_clock_unless_the_policy_sets_a_target():
    assert resolution_clock(policy(), Priority.P1, CREATED) is None
    p = policy(resolution={Priority.P1: 8 * HOUR})
    clock = resolution_clock(p, Priority.P1, CREATED)
    assert clock is not None and due_at(clock) == CREATED + 8 * HOUR
    assert resolution_clock(p, Priority.P2, CREATED) is None


def test_overlapping_or_unordered_pauses_are_refused():
    with pytest.raises(ValueError, match="overlap"):
        Clock(CREATED, HOUR, (Pause(CREATED + 2 * MIN, CREATED + 5 * MIN), Pause(CREATED, None)))
    with pytest.raises(ValueError, match="last pause"):
        Clock(CREATED, HOUR, (Pause(CREATED, None), Pause(CREATED + MIN, CREATED + 2 * MIN)))
    with pytest.raises(ValueError, match="before it starts"):
        Pause(CREATED, CREATED - MIN)


def test_naive_datetimes_are_refused_by_clocks_and_pauses():
    naive = datetime(2026, 11, 25, 10)  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        Clock(naive, HOUR)
    with pytest.raises(ValueError, match="aware"):
        Pause(naive, None)
    with pytest.raises(ValueError, match="aware"):
        elapsed(Clock(CREATED, HOUR), naive)


def test_a_policy_needs_every_priority_positive_targets_and_sorted_warning_fractions():
    with pytest.raises(ValueError, match="missing"):
        SlaPolicy(first_response={Priority.P0: MIN})
    with pytest.raises(ValueError, match="positive"):
        policy(first_response={p: timedelta(0) for p in Priority})
    with pytest.raises(ValueError, match="warn_at"):
        policy(warn_at=(0.8, 0.5))
    with pytest.raises(ValueError, match="warn_at"):
        policy(warn_at=(0.5, 1.0))


def test_a_policy_is_not_changed_by_mutating_the_dict_it_was_built_from():
    targets = dict(SlaSettings().first_response)
    p = SlaPolicy(first_response=targets)
    targets[Priority.P0] = 99 * HOUR
    assert p.first_response[Priority.P0] == timedelta(minutes=15)


def test_next_tier_is_the_routing_rule_re_exported():
    assert next_tier is routing.next_tier
    assert [next_tier("l1"), next_tier("l2"), next_tier("lead")] == ["l2", "lead", "lead"]
