"""The report reads the knowledge-base search's note from stored tickets."""

from __future__ import annotations

from datetime import timedelta

from core.analytics import load_report
from core.config import settings_from_mapping
from core.diagnostics import KB_SEARCH, Diagnostics
from core.tickets import TicketService
from tests.factories import draft


def test_only_searched_reports_without_an_article_are_gaps(db, clock):
    tickets = TicketService(db, settings_from_mapping({}, environ={}))
    start = clock.now()
    searched = Diagnostics(extras={KB_SEARCH: "none_found"})
    tickets.create(draft("av.desync", diagnostics=searched), clock.advance(timedelta(minutes=1)))
    tickets.create(draft("av.desync"), clock.advance(timedelta(minutes=1)))  # /human
    tickets.create(draft("av.blur", kb_tried=("a",)), clock.advance(timedelta(minutes=1)))
    report = load_report(db, start, clock.advance(timedelta(minutes=1)))
    assert report.kb_gaps == {"av.desync": 1}
    assert report.kb_unhelpful == {"av.blur": 1}
