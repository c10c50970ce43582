from datetime import timedelta

import pytest

from core.errors import InvalidInputError
from core.incidents.model import IncidentFilters
from core.incidents.surge import ReportFact, detect_surge, filters_of, shared_filters

WINDOW = timedelta(minutes=10)


def report(clock, user, subtype="av.no_audio", ref=None, **filters):
    return ReportFact(
        ref=ref if ref is not None else f"LD-{user}",
        reporter=f"telegram:{user}",
        subtype=subtype,
        at=clock.now(),
        filters=IncidentFilters(**filters),
    )


def new(clock, user, subtype="av.no_audio", **filters):
    return ReportFact(
        ref=None,
        reporter=f"telegram:{user}",
        subtype=subtype,
        at=clock.now(),
        filters=IncidentFilters(**filters),
    )


def surge(clock, recent, fresh, reports=5):
    return detect_surge(fresh, recent, clock.now(), reports=reports, window=WINDOW)


def test_the_fifth_different_reporter_makes_a_surge_the_fourth_does_not(clock):
    recent = [report(clock, u) for u in "abc"]
    assert surge(clock, recent, new(clock, "d")) is None
    recent.append(report(clock, "d"))
    found = surge(clock, recent, new(clock, "e"))
    assert found is not None
    assert (found.group, found.reporters) == ("sound", 5)
    assert found.refs == ("LD-a", "LD-b", "LD-c", "LD-d")


def test_one_reporter_again_and_again_counts_once(clock):
    recent = [report(clock, "a", ref=f"LD-{n}") for n in range(6)]
    assert surge(clock, recent, new(clock, "a")) is None


def test_a_report_exactly_at_the_window_start_counts_one_just_before_does_not(clock):
    start = clock.now()
    edge = [report(clock, "a")]
    clock.set(start + timedelta(seconds=1))
    inside = [report(clock, u) for u in "bcd"]
    clock.set(start + WINDOW)
    assert surge(clock, [*edge, *inside], new(clock, "e")) is not None
    clock.set(start + WINDOW + timedelta(microseconds=1))
    assert surge(clock, [*edge, *inside], new(clock, "e")) is None


def test_reports_after_now_are_ignored(clock):
    clock.advance(timedelta(minutes=1))
    future = [report(clock, u) for u in "abcd"]
    clock.advance(timedelta(minutes=-2))
    assert surge(clock, future, new(clock, "e")) is None


def test_related_subtypes_count_together(clock):
    recent = [report(clock, "a", "av.noise_echo"), report(clock, "b", "av.desync")]
    recent += [report(clock, u) for u in "cd"]
    found = surge(clock, recent, new(clock, "e", "av.noise_echo"))
    assert found is not None and found.group == "sound"


def test_unrelated_subtypes_do_not_count(clock):
    recent = [report(clock, u, "av.stutter") for u in "abcd"]
    assert surge(clock, recent, new(clock, "e")) is None


def test_a_subtype_in_no_group_never_surges(clock):
    recent = [report(clock, u, "svc.attitude") for u in "abcdefg"]
    assert surge(clock, recent, new(clock, "h", "svc.attitude")) is None


def test_the_threshold_is_the_setting(clock):
    recent = [report(clock, "a")]
    assert surge(clock, recent, new(clock, "b"), reports=2) is not None
    assert surge(clock, recent, new(clock, "b"), reports=3) is None


def test_a_room_most_reports_share_narrows_the_surge(clock):
    recent = [report(clock, u, room_id="8848") for u in "abc"] + [report(clock, "d")]
    found = surge(clock, recent, new(clock, "e", room_id=" 8848 "))
    assert found is not None
    assert found.filters.room_id is not None
    assert found.filters.key() == "room_id=8848"


def test_reports_from_many_rooms_make_one_surge_without_a_room_filter(clock):
    recent = [report(clock, u, room_id=f"room-{u}") for u in "abcd"]
    found = surge(clock, recent, new(clock, "e", room_id="room-e"))
    assert found is not None and found.filters == IncidentFilters()


def test_one_reporter_naming_a_detail_narrows_nothing(clock):
    facts = [report(clock, "a", os="iOS")] + [report(clock, u) for u in "bcd"]
    assert shared_filters(facts) == IncidentFilters()


def test_a_shared_app_version_and_os_both_narrow(clock):
    facts = [report(clock, u, app_version="7.2.0", os="Android") for u in "abc"]
    assert shared_filters(facts) == IncidentFilters(app_version="7.2.0", os="Android")


def test_filters_come_from_the_stored_diagnostics_region_from_extras():
    diag = {"room_id": "12", "app_version": "7.1", "os": "iOS", "extras": {"region": "SG"}}
    assert filters_of(diag) == IncidentFilters("12", "7.1", "iOS", "SG")
    assert filters_of({"device_model": "Pixel"}) == IncidentFilters()


def test_filters_admit_reports_that_agree_or_do_not_say():
    room = IncidentFilters(room_id="12")
    assert room.admits(IncidentFilters(room_id="12", os="iOS"))
    assert room.admits(IncidentFilters())
    assert not room.admits(IncidentFilters(room_id="13"))
    assert IncidentFilters(os="iOS").admits(IncidentFilters(os="ios"))


def test_unknown_filter_names_are_refused():
    with pytest.raises(InvalidInputError, match="unknown incident filter 'city'"):
        IncidentFilters.from_json({"city": "x"})
