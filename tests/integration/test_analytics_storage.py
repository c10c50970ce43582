"""Complaint analytics read from a real database, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.analytics import load_report
from core.relay import TicketRelay
from core.statuses import Outcome
from core.storage.tables import SelfServiceRow
from core.taxonomy import Scope
from core.tickets import TicketService
from tests.factories import draft


def _served(db, subtype, at):
    with db.session() as s:
        s.add(
            SelfServiceRow(
                channel="telegram", user_id="7", subtype=subtype, article_id="a", created_at=at
            )
        )


def test_a_period_of_complaints_reads_back_as_its_report(db, settings, clock):
    tickets, relay = TicketService(db, settings), TicketRelay(db)

    def resolve(ref, at, outcome, cause):
        tickets.resolve(ref, "Mei", at, outcome=outcome, root_cause="found", cause_class=cause)

    start = clock.now()
    # The period before, as long as this one: two stutter reports, and one
    # older still that counts nowhere.
    tickets.create(draft("av.stutter"), start - timedelta(days=1))
    _served(db, "av.stutter", start - timedelta(hours=12))
    tickets.create(draft("av.stutter"), start - timedelta(days=5))
    # This week.
    outage = tickets.create(
        draft("av.no_audio", Scope.WIDESPREAD, kb_tried=("restart-app",)),
        clock.advance(timedelta(hours=1)),
    )
    relay.agent_reply(outage.ref, "Mei", "we are on it", clock.advance(timedelta(minutes=6)))
    resolve(outage.ref, clock.advance(timedelta(hours=2)), Outcome.WORKAROUND, "server_or_cdn")
    stutter = tickets.create(draft("av.stutter", kb_tried=()), clock.advance(timedelta(hours=1)))
    relay.agent_reply(stutter.ref, "Mei", "try 4G", clock.advance(timedelta(days=2)))
    resolve(stutter.ref, clock.now(), Outcome.ROOT_FIX, "client_network")
    tickets.reopen(stutter.ref, "user", clock.advance(timedelta(hours=1)), reason="still slow")
    _served(db, "av.stutter", clock.now())
    until = clock.advance(timedelta(hours=1))
    tickets.create(draft("av.blur"), until)  # the period ends before this one

    report = load_report(db, start, until)

    assert (report.tickets, report.self_served, report.previous_reports) == (2, 1, 2)
    assert [(f.subtype, f.reports, f.previous, f.p0) for f in report.subtypes] == [
        ("av.stutter", 2, 2, 0),
        ("av.no_audio", 1, 0, 1),
    ]
    p0, _, p2, _ = report.priorities
    assert (p0.tickets, p0.responded_in_time, p0.median_first_response_minutes) == (1, 1, 6)
    # The reopening restarted the stutter ticket's response clock.
    assert (p2.tickets, p2.responded) == (1, 0)
    assert (report.resolved, report.workarounds) == (1, 1)
    assert report.reopened == [stutter.ref]
    assert report.causes == {"server_or_cdn": 1}
    assert report.owed_root_fixes == 1
    assert report.oldest_owed[0][0] == outage.ref
    # The stutter report never went through the knowledge-base search (kb_search unset).
    assert report.kb_gaps == {}
    assert report.kb_unhelpful == {"av.no_audio": 1}


def test_a_period_that_ends_before_it_starts_is_refused(db, clock):
    with pytest.raises(ValueError, match="must end after"):
        load_report(db, clock.now(), clock.now())
