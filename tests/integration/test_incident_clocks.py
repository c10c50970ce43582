"""An incident's clocks on a real database: one paging chain and one
first-response clock for the whole outage, none for its tickets.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from core.config import settings_from_mapping
from core.diagnostics import Diagnostics
from core.incidents.model import (
    AcknowledgeIncident,
    IncidentStatus,
    PostUpdate,
    ResolveIncident,
)
from core.incidents.service import IncidentService
from core.sla.scheduler import REDELIVER_AFTER, SlaScheduler
from core.statuses import Outcome
from core.taxonomy import Priority, Scope
from core.tickets import TicketService
from tests.factories import draft
from tests.fakes import RecordingAgents

CHAIN = {
    "on_call": ["S0ONCALL"],
    "chain": [
        {"targets": ["U1"], "timeout": "5m"},
        {"targets": ["U2"], "timeout": "5m"},
        {"targets": ["U3"], "timeout": "5m"},
    ],
    "repeats": 0,
}


def make(db, clock):
    settings = settings_from_mapping({"escalation": CHAIN}, environ={})
    tickets = TicketService(db, settings)
    agents = RecordingAgents()
    scheduler = SlaScheduler(db, tickets, clock, instance="test", agents=agents)
    return tickets, IncidentService(db, tickets), scheduler, agents.fired


def run(scheduler, clock, at=None):
    if at is not None:
        clock.advance(at)
    asyncio.run(scheduler.run_once())


def outage(tickets, clock, subtype="av.no_audio", users="abcde"):
    created = [
        tickets.create_report(draft(subtype, external_user_id=u), clock.now()) for u in users
    ]
    return created, created[-1].incident.ref


def test_a_p0_incident_pages_the_chain_once_however_many_report_it(db, clock):
    tickets, incidents, scheduler, fired = make(db, clock)
    created, ref = outage(tickets, clock)
    run(scheduler, clock)
    for user in "fghijklmno":  # ten more viewers: no more pages
        tickets.create_report(draft("av.no_audio", external_user_id=user), clock.now())
    run(scheduler, clock, timedelta(minutes=5))
    run(scheduler, clock, timedelta(minutes=5))
    run(scheduler, clock, timedelta(minutes=5))
    pages = [f for f in fired if f.kind == "page"]
    assert [p.level for p in pages] == [0, 1, 2]
    assert {p.incident_ref for p in pages} == {ref}
    assert {p.ref for p in pages} == {created[0].ticket.ref}  # the lead ticket
    assert {f.incident_ref for f in fired} == {ref}  # no ticket clock fired at all
    actions = [e.action for e in incidents.history(ref)]
    assert actions.count("sla.page") == 3


def test_acknowledging_the_page_of_the_lead_ticket_acknowledges_the_incident(db, clock):
    tickets, incidents, scheduler, fired = make(db, clock)
    created, ref = outage(tickets, clock)
    run(scheduler, clock)
    clock.advance(timedelta(minutes=2))
    tickets.acknowledge_page(created[0].ticket.ref, "U1", clock.now())
    run(scheduler, clock, timedelta(minutes=30))
    assert [f.level for f in fired if f.kind == "page"] == [0]
    incident = incidents.get(ref)
    assert (incident.owner, incident.acknowledged_at) == ("U1", clock.now() - timedelta(minutes=30))


def test_the_incident_acknowledged_stops_paging_and_the_first_update_stops_its_clock(db, clock):
    tickets, incidents, scheduler, fired = make(db, clock)
    _, ref = outage(tickets, clock)
    run(scheduler, clock)
    incidents.acknowledge(AcknowledgeIncident(ref, "Mei"), clock.now())
    run(scheduler, clock, timedelta(minutes=8))  # past half of the 15 min target
    assert [(f.kind, f.fraction) for f in fired] == [("page", None), ("warning", 0.5)]
    incidents.post_update(
        PostUpdate(ref, "Mei", IncidentStatus.INVESTIGATING, "正在排查"), clock.now()
    )
    run(scheduler, clock, timedelta(hours=2))
    assert [f.kind for f in fired] == ["page", "warning"]


def test_an_unanswered_incident_breaches_once_and_no_ticket_is_escalated(db, clock):
    tickets, incidents, scheduler, fired = make(db, clock)
    _, ref = outage(tickets, clock)
    incidents.acknowledge(AcknowledgeIncident(ref, "Mei"), clock.now())
    run(scheduler, clock, timedelta(minutes=16))
    assert [f.kind for f in fired].count("breach") == 1
    assert fired[-1].assignee == "Mei" and fired[-1].priority == "P0"
    assert {t.tier for t in incidents.tickets_of(ref)} == {"lead"}


def test_a_p1_incident_does_not_page(db, clock):
    tickets, incidents, scheduler, fired = make(db, clock)
    _, ref = outage(tickets, clock, subtype="av.stutter")
    assert incidents.get(ref).severity == "P1"
    run(scheduler, clock, timedelta(minutes=31))
    assert [(f.kind, f.fraction) for f in fired] == [("warning", 0.5)]


def test_an_undelivered_incident_page_is_delivered_again(db, clock):
    tickets, _, scheduler, _ = make(db, clock)
    created, ref = outage(tickets, clock)
    scheduler.fire_due(clock.now())  # fired, then the instance died before telling anyone
    clock.advance(REDELIVER_AFTER + timedelta(seconds=1))
    [again] = scheduler.undelivered(clock.now())
    assert (again.kind, again.incident_ref, again.ref) == ("page", ref, created[0].ticket.ref)


def test_a_report_whose_own_page_was_acknowledged_spares_the_chain_a_second_round(db, clock):
    tickets, incidents, scheduler, fired = make(db, clock)
    own = tickets.create(draft("av.no_audio", Scope.WIDESPREAD, external_user_id="a"), clock.now())
    run(scheduler, clock)
    tickets.claim(own.ref, "Mei", clock.now())  # claiming a P0 acknowledges its page
    _, ref = outage(tickets, clock, users="bcde")
    run(scheduler, clock, timedelta(minutes=20))
    assert [f.ref for f in fired if f.kind == "page"] == [own.ref]
    incident = incidents.get(ref)
    assert (incident.owner, incident.acknowledged_at) == (
        "Mei",
        clock.now() - timedelta(minutes=20),
    )


def test_reopening_a_ticket_of_a_resolved_incident_takes_it_out_with_its_own_clock(db, clock):
    tickets, incidents, scheduler, fired = make(db, clock)
    created, ref = outage(tickets, clock)
    incidents.resolve(
        ResolveIncident(ref, "Mei", Outcome.ROOT_FIX, "app_bug", "已修复"), clock.now()
    )
    mine = created[1].ticket.ref
    clock.advance(timedelta(minutes=5))
    reopened = tickets.reopen(mine, "user", clock.now(), "the user says it is not fixed")
    assert reopened.status == "diagnosing" and incidents.incident_of(mine) is None
    assert "incident.reporter_split" in [e.action for e in incidents.history(ref)]
    run(scheduler, clock, timedelta(minutes=8))  # P0: half of 15 min
    own = [(f.kind, f.fraction) for f in fired if f.ref == mine and f.incident_ref is None]
    assert ("page", None) in own and ("warning", 0.5) in own


def test_a_second_p0_report_opens_the_incident_and_nobody_is_paged_twice(db, clock):
    """The reporter says everyone is hit: its ticket pages at once. The second
    such report makes it an outage: the incident carries on that page, and the
    reports that follow join it, whatever device they name."""
    tickets, incidents, scheduler, fired = make(db, clock)
    ios = Diagnostics(os="iOS", app_version="5.2.1")
    first = tickets.create_report(
        draft("av.no_audio", Scope.WIDESPREAD, external_user_id="a", diagnostics=ios),
        clock.now(),
    )
    assert first.incident is None  # a lone P0 stays a ticket
    run(scheduler, clock)
    second = tickets.create_report(
        draft("av.no_audio", Scope.WIDESPREAD, external_user_id="b"), clock.now()
    )
    assert second.incident is not None and second.incident.opened
    for user in "cdefg":
        later = tickets.create_report(draft("av.no_audio", external_user_id=user), clock.now())
        assert later.incident is not None and later.incident.ref == second.incident.ref
    run(scheduler, clock, timedelta(minutes=1))
    assert [(f.level, f.ref) for f in fired if f.kind == "page"] == [(0, first.ticket.ref)]
    run(scheduler, clock, timedelta(minutes=4))  # 5 minutes after the first page
    pages = [(f.level, f.incident_ref) for f in fired if f.kind == "page"]
    assert pages == [(0, None), (1, second.incident.ref)]
    assert incidents.get(second.incident.ref).filters == {}


def test_the_surge_carries_on_the_paging_its_reports_started(db, clock):
    """Two tickets raised to P0 by hand page at once; the surge that follows two
    minutes later makes the incident, which pages no level a second time and
    keeps the chain's timing from the first page."""
    tickets, _, scheduler, fired = make(db, clock)
    raised = []
    for user in "ab":
        ticket = tickets.create(draft("av.no_audio", external_user_id=user), clock.now())
        tickets.set_priority(ticket.ref, "U1", Priority.P0, "whole floor is silent", clock.now())
        raised.append(ticket.ref)
    run(scheduler, clock)
    assert sorted(f.level for f in fired if f.kind == "page") == [0, 0]
    clock.advance(timedelta(minutes=2))
    _, ref = outage(tickets, clock, users="cde")
    run(scheduler, clock)
    assert [f.incident_ref for f in fired if f.kind == "page"] == [None, None]  # no new page
    run(scheduler, clock, timedelta(minutes=3))  # 5 minutes after the first page
    incident_pages = [f for f in fired if f.kind == "page" and f.incident_ref == ref]
    assert [p.level for p in incident_pages] == [1]
    assert {p.ref for p in incident_pages} == {raised[0]}  # told through the lead ticket
