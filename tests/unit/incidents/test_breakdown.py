from datetime import timedelta

import pytest

from core.incidents.breakdown import FIRST_REFS, ReportDetails, build_breakdown


def details(clock, n, user=None, subtype="av.no_audio", **diag):
    return ReportDetails(
        ref=f"LD-{1000 + n}",
        reporter=f"telegram:{user or n}",
        subtype=subtype,
        created_at=clock.now(),
        diagnostics=diag,
    )


def test_the_card_counts_reporters_and_details_where_reports_say_them(clock):
    start = clock.now()
    reports = [
        details(clock, 1, app_version="7.2", os="iOS", device_model="iPhone 13"),
        details(clock, 2, user="1", app_version="7.2", os="iOS"),  # the same reporter again
    ]
    clock.advance(timedelta(minutes=8))
    reports += [
        details(clock, 3, subtype="av.noise_echo", os="Android", extras={"region": "SG"}),
        details(clock, 4),
    ]
    b = build_breakdown(reports, clock.now(), timedelta(minutes=5))
    assert (b.reports, b.reporters) == (4, 3)
    assert b.by_subtype == {"av.no_audio": 3, "av.noise_echo": 1}
    assert b.by_app_version == {"7.2": 2}
    assert b.by_os == {"iOS": 2, "Android": 1}
    assert b.by_device_model == {"iPhone 13": 1}
    assert b.by_region == {"SG": 1}
    assert (b.first_report, b.latest_report) == (start, clock.now())
    assert b.per_minute == pytest.approx(2 / 5)  # two reports in the last five minutes


def test_only_the_first_few_refs_are_named_oldest_first(clock):
    reports = []
    for n in range(FIRST_REFS + 3):
        reports.append(details(clock, n))
        clock.advance(timedelta(seconds=10))
    b = build_breakdown(list(reversed(reports)), clock.now(), timedelta(minutes=5))
    assert b.first_refs == tuple(f"LD-{1000 + n}" for n in range(FIRST_REFS))


def test_an_incident_with_no_reports_left_has_an_empty_breakdown(clock):
    b = build_breakdown([], clock.now(), timedelta(minutes=5))
    assert (b.reports, b.reporters, b.per_minute, b.first_report, b.first_refs) == (
        0,
        0,
        0.0,
        None,
        (),
    )


def test_the_rate_window_must_be_positive(clock):
    with pytest.raises(ValueError, match="positive"):
        build_breakdown([], clock.now(), timedelta(0))
