"""Races that must have exactly one outcome: claims, audit appends, opening an incident."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.audit import verify_chain
from core.errors import AlreadyClaimedError
from core.incidents.service import IncidentService
from core.storage.audit_store import append_event, iter_links
from core.storage.db import Database
from core.tickets import TicketService
from tests.factories import draft


def _race(n: int, work):
    """Run `work(i)` in n threads released together; return results or exceptions."""
    barrier = threading.Barrier(n)

    def run(i: int):
        barrier.wait()
        try:
            return work(i)
        except Exception as err:  # the losers' errors are part of the result
            return err

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


@pytest.mark.parametrize(
    ("dialect", "claimers", "rounds"), [("sqlite", 12, 3), ("postgres", 50, 3)]
)
def test_concurrent_claims_have_exactly_one_winner(
    request, settings, clock, dialect, claimers, rounds
):
    url = request.getfixturevalue(f"{dialect}_url")
    db = Database(url, pool_size=claimers)
    db.upgrade()
    try:
        tickets = TicketService(db, settings)
        for _ in range(rounds):
            ref = tickets.create(draft(), clock.now()).ref
            results = _race(
                claimers, lambda i, ref=ref: tickets.claim(ref, f"agent{i}", clock.now())
            )
            winners = [r for r in results if not isinstance(r, Exception)]
            losers = [r for r in results if isinstance(r, Exception)]
            assert len(winners) == 1
            assert all(isinstance(e, AlreadyClaimedError) for e in losers), losers
            assert {e.assignee for e in losers} == {winners[0].assignee}
            claimed_events = [e for e in tickets.history(ref) if e.action == "ticket.claimed"]
            assert len(claimed_events) == 1
    finally:
        db.dispose()


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_eight_concurrent_writers_never_fork_the_audit_chain(request, clock, dialect):
    url = request.getfixturevalue(f"{dialect}_url")
    db = Database(url, pool_size=8)
    db.upgrade()
    per_writer = 25

    def write(i: int) -> int:
        for n in range(per_writer):
            with db.session() as s:
                append_event(
                    s,
                    at=clock.now(),
                    actor=f"w{i}",
                    action="test.append",
                    ticket_ref=None,
                    payload={"n": n},
                )
        return i

    try:
        results = _race(8, write)
        assert not [r for r in results if isinstance(r, Exception)]
        with db.session() as s:
            result = verify_chain(iter_links(s))
        assert result.ok, result.reason
        assert result.count == 8 * per_writer
    finally:
        db.dispose()


@pytest.mark.parametrize(("dialect", "reporters"), [("sqlite", 8), ("postgres", 16)])
def test_concurrent_reports_completing_one_surge_open_exactly_one_incident(
    request, settings, clock, dialect, reporters
):
    """Four reports wait; then many more arrive at once, each completing the
    surge in its own transaction. One incident opens; every report is in it.
    """
    url = request.getfixturevalue(f"{dialect}_url")
    db = Database(url, pool_size=reporters)
    db.upgrade()
    try:
        tickets = TicketService(db, settings)
        incidents = IncidentService(db, tickets)
        waiting = [
            tickets.create(draft("av.no_audio", external_user_id=f"w{i}"), clock.now()).ref
            for i in range(settings.incidents.surge_reports - 1)
        ]
        results = _race(
            reporters,
            lambda i: tickets.create_report(
                draft("av.noise_echo", external_user_id=f"u{i}"), clock.now()
            ),
        )
        errors = [r for r in results if isinstance(r, Exception)]
        assert not errors, errors
        opened = [r.incident.ref for r in results if r.incident and r.incident.opened]
        assert len(opened) == 1
        assert {r.incident.ref for r in results if r.incident} == set(opened)
        [listed] = incidents.list_open()
        assert listed.incident.ref == opened[0]
        assert listed.tickets == len(waiting) + reporters
        assert {t.ref for t in incidents.tickets_of(opened[0])} >= set(waiting)
        declared = [e for e in incidents.history(opened[0]) if e.action == "incident.declared"]
        assert len(declared) == 1
        with db.session() as s:
            assert verify_chain(iter_links(s)).ok
    finally:
        db.dispose()


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_reports_opening_an_incident_and_agents_working_its_tickets_never_deadlock(
    request, settings, clock, dialect
):
    """Surge reports lock the earlier tickets; agents claim, acknowledge and reply
    on those same tickets at the same moment. Every one of them must succeed.
    """
    url = request.getfixturevalue(f"{dialect}_url")
    db = Database(url, pool_size=12)
    db.upgrade()
    try:
        tickets = TicketService(db, settings)
        incidents = IncidentService(db, tickets)
        waiting = [
            tickets.create(draft("av.no_audio", external_user_id=f"w{i}"), clock.now()).ref
            for i in range(settings.incidents.surge_reports - 1)
        ]

        def work(i: int):
            ref = waiting[i % len(waiting)]
            if i % 3 == 0:
                return tickets.create_report(
                    draft("av.no_audio", external_user_id=f"u{i}"), clock.now()
                )
            if i % 3 == 1:
                return tickets.acknowledge_page(ref, f"agent{i}", clock.now())
            return tickets.reassign(ref, "lead", f"agent{i}", clock.now())

        results = _race(12, work)
        assert not [r for r in results if isinstance(r, Exception)], results
        [listed] = incidents.list_open()
        assert set(waiting) <= {t.ref for t in incidents.tickets_of(listed.incident.ref)}
        with db.session() as s:
            assert verify_chain(iter_links(s)).ok
    finally:
        db.dispose()


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_a_claim_that_read_an_unclaimed_ticket_loses_if_someone_claimed_it_since(
    request, settings, clock, dialect
):
    """The race the conditional UPDATE exists for, made to happen every time:
    another agent's claim lands between the claimer's read and its UPDATE. On
    SQLite, writers are serialised (BEGIN IMMEDIATE), so real threads can never
    interleave there; the rival claim is written on the claimer's own
    connection just before its UPDATE instead.
    """
    from sqlalchemy import event, text

    url = request.getfixturevalue(f"{dialect}_url")
    db = Database(url)
    db.upgrade()
    try:
        tickets = TicketService(db, settings)
        ref = tickets.create(draft(), clock.now()).ref
        fired: list[str] = []

        def rival(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("UPDATE TICKET") and not fired:
                fired.append(statement)
                cursor.execute(
                    text("UPDATE ticket SET assignee = 'rival' WHERE ref = :ref")
                    .bindparams(ref=ref)
                    .compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
                    .string
                )

        event.listen(db.engine, "before_cursor_execute", rival)
        try:
            with pytest.raises(AlreadyClaimedError) as lost:
                tickets.claim(ref, "agent0", clock.now())
        finally:
            event.remove(db.engine, "before_cursor_execute", rival)
        assert fired, "the claim never ran its UPDATE"
        # The rival wrote inside the loser's transaction, which rolled back.
        assert lost.value.assignee != "agent0"
        assert tickets.get(ref).assignee != "agent0"
    finally:
        db.dispose()


@pytest.mark.parametrize(("dialect", "instances"), [("sqlite", 8), ("postgres", 20)])
def test_one_instance_wins_the_claim_to_post_an_incident_card(request, dialect, instances):
    from datetime import UTC, datetime, timedelta

    from bot.slack.cards import claim_post

    url = request.getfixturevalue(f"{dialect}_url")
    db = Database(url, pool_size=instances)
    db.upgrade()
    now, stale = datetime(2026, 12, 5, 12, 0, tzinfo=UTC), timedelta(seconds=60)
    try:
        key = "slack:incident-card:INC-1"
        won = _race(instances, lambda _: claim_post(db, key, now, stale))
        assert won.count(True) == 1 and won.count(False) == instances - 1
        # Not stale yet: nobody takes it over; once stale, exactly one does.
        assert claim_post(db, key, now + timedelta(seconds=30), stale) is False
        later = now + timedelta(minutes=5)
        won = _race(instances, lambda _: claim_post(db, key, later, stale))
        assert won.count(True) == 1
        # Another incident's card is a claim of its own.
        assert claim_post(db, "slack:incident-card:INC-2", later, stale) is True
    finally:
        db.dispose()
