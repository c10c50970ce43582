import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.sla.calendar import BusinessCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = frozenset(range(5))


def shanghai_office(*holidays: date) -> BusinessCalendar:
    return BusinessCalendar(SHANGHAI, WEEKDAYS, time(9), time(18), frozenset(holidays))


def new_york_office() -> BusinessCalendar:
    return BusinessCalendar(NEW_YORK, WEEKDAYS, time(9), time(17))


def new_york_night_shift() -> BusinessCalendar:
    # Every day across the 02:00 DST change, so the window itself stretches and shrinks.
    return BusinessCalendar(NEW_YORK, frozenset(range(7)), time(0, 30), time(5))


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)


def test_business_time_inside_one_day_is_the_plain_difference():
    cal = shanghai_office()
    assert cal.business_time(sh(2026, 11, 25, 10), sh(2026, 11, 25, 12, 30)) == timedelta(
        hours=2, minutes=30
    )


def test_business_time_over_a_weekend_counts_only_friday_evening_and_monday_morning():
    cal = shanghai_office()
    friday_5pm, monday_10am = sh(2026, 11, 27, 17), sh(2026, 11, 30, 10)
    assert cal.business_time(friday_5pm, monday_10am) == timedelta(hours=2)


def test_business_time_is_zero_when_end_is_not_after_start():
    cal = shanghai_office()
    assert cal.business_time(sh(2026, 11, 25, 12), sh(2026, 11, 25, 12)) == timedelta(0)
    assert cal.business_time(sh(2026, 11, 25, 12), sh(2026, 11, 25, 10)) == timedelta(0)


def test_a_day_from_friday_five_pm_ends_on_wednesday_afternoon():
    # Friday 1h, Monday 9h, Tuesday 9h, then 5h on Wednesday.
    due = shanghai_office().add(sh(2026, 11, 27, 17), timedelta(hours=24))
    assert due == sh(2026, 12, 2, 14).astimezone(UTC)


def test_a_holiday_has_no_business_hours():
    tuesday = date(2026, 12, 1)
    due = shanghai_office(tuesday).add(sh(2026, 11, 27, 17), timedelta(hours=24))
    assert due == sh(2026, 12, 3, 14).astimezone(UTC)


def test_a_clock_started_on_saturday_begins_at_monday_opening():
    due = shanghai_office().add(sh(2026, 11, 28, 10), timedelta(hours=24))
    assert due == sh(2026, 12, 2, 15).astimezone(UTC)


def test_adding_zero_returns_the_start_itself_even_when_closed():
    saturday = sh(2026, 11, 28, 10)
    assert shanghai_office().add(saturday, timedelta(0)) == saturday


def test_an_amount_that_uses_up_a_window_ends_at_closing_time_not_next_opening():
    due = shanghai_office().add(sh(2026, 11, 27, 17), timedelta(hours=1))
    assert due == sh(2026, 11, 27, 18).astimezone(UTC)


def test_results_are_in_utc():
    due = shanghai_office().add(sh(2026, 11, 25, 10), timedelta(hours=1))
    assert due.tzinfo is UTC
    assert due == datetime(2026, 11, 25, 3, tzinfo=UTC)


def test_next_opening_and_is_open_follow_the_windows():
    cal = shanghai_office()
    assert cal.is_open(sh(2026, 11, 27, 17, 59))
    assert not cal.is_open(sh(2026, 11, 27, 18))
    assert cal.next_opening(sh(2026, 11, 27, 18)) == sh(2026, 11, 30, 9).astimezone(UTC)
    assert cal.next_opening(sh(2026, 11, 27, 12)) == sh(2026, 11, 27, 12).astimezone(UTC)


def test_a_weekend_across_spring_forward_still_gives_local_opening_hours():
    # 16:00 EST Friday + 2h: one hour on Friday, one on Monday (now EDT).
    due = new_york_office().add(ny(2026, 3, 6, 16), timedelta(hours=2))
    assert due == ny(2026, 3, 9, 10).astimezone(UTC)
    assert due == datetime(2026, 3, 9, 14, tzinfo=UTC)


def test_a_weekend_across_fall_back_still_gives_local_opening_hours():
    due = new_york_office().add(ny(2026, 10, 30, 16), timedelta(hours=2))
    assert due == datetime(2026, 11, 2, 15, tzinfo=UTC)


def test_a_window_across_the_dst_change_counts_real_elapsed_hours():
    cal = new_york_night_shift()
    spring = cal.business_time(ny(2026, 3, 8), ny(2026, 3, 8, 12))
    autumn = cal.business_time(ny(2026, 11, 1), ny(2026, 11, 1, 12))
    assert spring == timedelta(hours=3, minutes=30)
    assert autumn == timedelta(hours=5, minutes=30)


def test_aware_datetimes_in_any_zone_give_the_same_answer():
    cal = shanghai_office()
    start = sh(2026, 11, 27, 17)
    assert cal.add(start, timedelta(hours=3)) == cal.add(start.astimezone(UTC), timedelta(hours=3))


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        shanghai_office().add(datetime(2026, 11, 27, 17), timedelta(hours=1))  # noqa: DTZ001


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        shanghai_office().add(sh(2026, 11, 27, 17), timedelta(hours=-1))


@pytest.mark.parametrize(
    ("days", "start", "end"),
    [
        (frozenset(), time(9), time(18)),
        (frozenset({7}), time(9), time(18)),
        (WEEKDAYS, time(18), time(9)),
        (WEEKDAYS, time(9), time(9)),
    ],
)
def test_an_impossible_calendar_is_refused(days: frozenset[int], start: time, end: time):
    with pytest.raises(ValueError):
        BusinessCalendar(SHANGHAI, days, start, end)


def test_a_year_of_business_time_lands_on_the_right_friday_evening():
    # 45 business hours a week: 52 weeks from Monday 09:00 ends on a Friday at 18:00.
    start = sh(2026, 1, 5, 9)
    due = shanghai_office().add(start, timedelta(hours=45 * 52))
    assert due == (start + timedelta(weeks=51, days=4, hours=9)).astimezone(UTC)
    assert shanghai_office().business_time(start, due) == timedelta(hours=45 * 52)


@pytest.mark.parametrize(
    "calendar",
    [
        shanghai_office(date(2026, 1, 1), date(2026, 5, 1), date(2026, 10, 1), date(2026, 10, 2)),
        new_york_office(),
        new_york_night_shift(),
    ],
    ids=["shanghai-with-holidays", "new-york-office", "new-york-night-shift"],
)
def test_add_and_business_time_are_inverse_for_random_starts_and_amounts(
    calendar: BusinessCalendar,
):
    rng = random.Random(20261127)
    year_start = datetime(2026, 1, 1, tzinfo=UTC)
    tick = timedelta(microseconds=1)
    for _ in range(400):
        start = year_start + timedelta(seconds=rng.randrange(365 * 24 * 3600))
        amount = timedelta(seconds=rng.randrange(0, 21 * 24 * 3600), microseconds=rng.randrange(2))
        moment = calendar.add(start, amount)
        assert moment >= start
        assert calendar.business_time(start, moment) == amount
        if amount:
            # The earliest such instant: a microsecond earlier is not enough.
            assert calendar.business_time(start, moment - tick) < amount


def test_business_time_is_additive_over_a_split_point():
    cal = new_york_office()
    rng = random.Random(7)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for _ in range(200):
        a, b, c = sorted(base + timedelta(minutes=rng.randrange(400 * 24 * 60)) for _ in range(3))
        assert cal.business_time(a, c) == cal.business_time(a, b) + cal.business_time(b, c)


def test_counting_from_a_closed_moment_through_spring_forward_uses_real_hours():
    # Opens 00:30 EST (05:30 UTC); three real hours later it is 04:30 EDT, not 03:30.
    due = new_york_night_shift().add(ny(2026, 3, 7, 23), timedelta(hours=3))
    assert due.tzinfo is UTC
    assert due == datetime(2026, 3, 8, 8, 30, tzinfo=UTC)
