"""The complaint report counts knowledge-base gaps only where the knowledge base was
asked, and says its comparisons in plain words."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.analytics_format import format_report, report_json
from core.analytics import TicketFacts, build_report

SINCE = datetime(2026, 11, 1, tzinfo=UTC)
UNTIL = SINCE + timedelta(days=7)


def _ticket(ref: str, subtype_id: str, **fields: Any) -> TicketFacts:
    created = SINCE + timedelta(days=1)
    values: dict[str, Any] = {
        "ref": ref,
        "subtype": subtype_id,
        "priority": "P2",
        "created_at": created,
        "first_response_due": created + timedelta(hours=1),
        "first_response_at": None,
        "clock_started_at": None,
        "resolved_at": None,
        "outcome": None,
        "cause_class": None,
        "satisfaction": None,
        "kb_tried": [],
    }
    values.update(fields)
    return TicketFacts(**values)


def _report(tickets: list[TicketFacts], previous: Counter[str] | None = None) -> Any:
    return build_report(
        since=SINCE,
        until=UNTIL,
        tickets=tickets,
        self_served=[],
        previous=previous or Counter(),
        reopened=[],
        owed=[],
    )


def test_reports_that_skipped_the_knowledge_base_are_not_gaps():
    report = _report(
        [
            _ticket("LD-1", "av.desync"),  # /human: never searched
            _ticket("LD-2", "av.desync", kb_search="none_found"),
            _ticket("LD-3", "av.desync", kb_search="offered", kb_tried=["a"]),
            _ticket("LD-4", "av.blur", kb_search="offered", kb_tried=["b"]),
            _ticket("LD-5", "svc.attitude", kb_search="none_found"),  # not a fault
        ]
    )
    assert report.kb_gaps == {"av.desync": 1}
    assert report.kb_unhelpful == {"av.desync": 1, "av.blur": 1}
    text = format_report(report)
    assert "knowledge base searched, no article found: av.desync 1" in text
    assert "knowledge base offered articles, none helped: av.desync 1, av.blur 1" in text
    assert report_json(report)["kb_unhelpful"] == {"av.desync": 1, "av.blur": 1}


def test_comparisons_with_the_period_before_read_as_plain_words():
    tickets = [_ticket(f"LD-{i}", "av.desync") for i in range(3)] + [_ticket("LD-9", "av.blur")]
    text = format_report(_report(tickets, Counter({"av.desync": 6})))
    assert "reports: 4; in the 7 days before: 6 (down 33%)" in text
    assert "against" not in text
    desync = next(line for line in text.splitlines() if line.strip().startswith("av.desync"))
    blur = next(line for line in text.splitlines() if line.strip().startswith("av.blur"))
    assert "down 50%" in desync
    assert "none before" in blur
    same = format_report(_report(tickets[:1], Counter({"av.desync": 1})))
    assert "(no change)" in same
