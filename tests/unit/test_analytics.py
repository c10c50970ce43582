"""Complaint analytics over rows already loaded: no database."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.analytics import TicketFacts, build_report

SINCE = datetime(2026, 11, 18, tzinfo=UTC)
UNTIL = SINCE + timedelta(days=7)


def _ticket(ref: str, subtype_id: str, priority: str = "P2", **fields: Any) -> TicketFacts:
    created = fields.pop("created_at", SINCE + timedelta(days=1))
    values: dict[str, Any] = {
        "ref": ref,
        "subtype": subtype_id,
        "priority": priority,
        "created_at": created,
        "first_response_due": created + timedelta(hours=1),
        "first_response_at": None,
        "clock_started_at": None,
        "resolved_at": None,
        "outcome": None,
        "cause_class": None,
        "satisfaction": None,
        "kb_tried": ["some-article"],
    }
    values.update(fields)
    return TicketFacts(**values)


def _report(tickets: list[TicketFacts], **kw: Any) -> Any:
    return build_report(
        since=SINCE,
        until=UNTIL,
        tickets=tickets,
        self_served=kw.get("served", []),
        previous=kw.get("previous", Counter()),
        reopened=kw.get("reopened", []),
        owed=kw.get("owed", []),
    )


def test_an_empty_period_has_counts_of_zero_and_no_ratios():
    report = _report([])
    assert (report.reports, report.tickets, report.resolved) == (0, 0, 0)
    assert report.self_service_share is None
    assert report.csat is None
    assert report.median_resolution_hours is None
    assert all(p.in_time_share is None for p in report.priorities)
    assert report.subtypes == []


def test_subtypes_rank_by_reports_with_the_change_against_the_period_before():
    tickets = [
        _ticket("LD-1", "av.stutter"),
        _ticket("LD-2", "av.stutter"),
        _ticket("LD-3", "av.no_audio", "P0"),
    ]
    report = _report(
        tickets,
        served=["av.no_audio", "av.no_audio"],
        previous=Counter({"av.stutter": 4}),
    )
    assert [(f.subtype, f.reports, f.previous, f.p0) for f in report.subtypes] == [
        ("av.no_audio", 3, 0, 1),
        ("av.stutter", 2, 4, 0),
    ]
    assert report.reports == 5
    assert report.self_service_share == pytest.approx(2 / 5)
    assert report.by_category == {"av_quality": 5}
    assert report.previous_reports == 4


def test_first_response_in_time_and_its_median_are_per_priority():
    t0 = SINCE + timedelta(days=1)
    tickets = [
        _ticket(
            "LD-1", "av.no_audio", "P0", created_at=t0, first_response_at=t0 + timedelta(minutes=10)
        ),
        _ticket(
            "LD-2", "av.no_audio", "P0", created_at=t0, first_response_at=t0 + timedelta(hours=2)
        ),
        _ticket("LD-3", "av.no_audio", "P0", created_at=t0),
    ]
    p0 = _report(tickets).priorities[0]
    assert p0.priority == "P0"
    assert (p0.tickets, p0.responded, p0.responded_in_time) == (3, 2, 1)
    assert p0.in_time_share == pytest.approx(0.5)
    assert p0.median_first_response_minutes == pytest.approx(65)


def test_a_reopened_clock_counts_the_response_from_the_reopening():
    t0 = SINCE + timedelta(days=1)
    reopened_at = t0 + timedelta(days=1)
    ticket = _ticket(
        "LD-1",
        "func.gift",
        "P1",
        created_at=t0,
        clock_started_at=reopened_at,
        first_response_at=reopened_at + timedelta(minutes=30),
    )
    assert _report([ticket]).priorities[1].median_first_response_minutes == pytest.approx(30)


def test_resolution_outcomes_causes_ratings_reopenings_and_the_owed_root_fixes():
    t0 = SINCE + timedelta(days=1)
    done = {"resolved_at": t0 + timedelta(hours=4)}
    tickets = [
        _ticket(
            "LD-1",
            "fin.recharge",
            "P1",
            created_at=t0,
            outcome="root_fix",
            cause_class="payment_provider",
            satisfaction=5,
            **done,
        ),
        _ticket(
            "LD-2",
            "fin.recharge",
            "P1",
            created_at=t0,
            outcome="workaround",
            cause_class="payment_provider",
            satisfaction=2,
            **done,
        ),
        _ticket(
            "LD-3",
            "av.blur",
            created_at=t0,
            outcome="root_fix",
            cause_class="client_network",
            resolved_at=t0 + timedelta(hours=10),
        ),
        _ticket("LD-4", "av.blur", created_at=t0),
    ]
    owed = [("LD-2", t0), ("LD-0", SINCE - timedelta(days=30))]
    report = _report(tickets, reopened=["LD-4", "LD-99"], owed=owed)
    assert (report.resolved, report.root_fixes, report.workarounds) == (3, 2, 1)
    assert report.median_resolution_hours == pytest.approx(4)
    assert report.causes == {"payment_provider": 2, "client_network": 1}
    assert report.csat == pytest.approx(3.5)
    assert report.unhappy == ["LD-2"]
    assert report.reopened == ["LD-4"]  # LD-99 is not a ticket of this period
    assert report.owed_root_fixes == 2
    assert [ref for ref, _ in report.oldest_owed] == ["LD-0", "LD-2"]


def test_fault_tickets_the_knowledge_base_had_nothing_for_are_gaps():
    tickets = [
        _ticket("LD-1", "av.desync", kb_tried=[], kb_search="none_found"),
        _ticket("LD-2", "av.desync", kb_tried=[], kb_search="none_found"),
        _ticket("LD-3", "av.desync"),
        _ticket("LD-4", "svc.attitude", kb_tried=[]),  # no article is expected for service
    ]
    assert _report(tickets).kb_gaps == {"av.desync": 2}
