"""The retrospective's incident figures, loaded from a real database."""

from __future__ import annotations

from datetime import timedelta

from core.analytics import load_report
from core.incidents.model import AcknowledgeIncident, MergeIncidents, ResolveIncident
from core.incidents.service import IncidentService
from core.statuses import Outcome
from core.tickets import TicketService
from tests.factories import draft


def test_the_report_counts_incidents_and_the_tickets_handled_through_them(db, settings, clock):
    tickets = TicketService(db, settings)
    incidents = IncidentService(db, tickets)
    start = clock.now()
    for u in "abcde":
        tickets.create(draft("av.no_audio", external_user_id=u), clock.now())
    [sound] = [i.incident.ref for i in incidents.list_open()]
    clock.advance(timedelta(minutes=3))
    incidents.acknowledge(AcknowledgeIncident(sound, "Mei"), clock.now())
    clock.advance(timedelta(minutes=27))
    incidents.resolve(
        ResolveIncident(sound, "Mei", Outcome.ROOT_FIX, "server_or_cdn", "已修复"), clock.now()
    )
    room = [
        tickets.create_report(
            draft("av.stutter", external_user_id=u, diagnostics=draft().diagnostics), clock.now()
        )
        for u in "fghij"
    ][-1].incident.ref
    other = tickets.create(draft("av.blur", external_user_id="k"), clock.now())
    assert incidents.incident_of(other.ref).ref == room
    tickets.create(draft("acct.login", external_user_id="z"), clock.now())  # one by one
    report = load_report(db, start, clock.now() + timedelta(minutes=1))
    figures = report.incidents
    assert figures is not None
    assert (figures.incidents, figures.p0, figures.unresolved) == (2, 1, 1)
    assert (figures.median_reporters, figures.most_reporters) == (5.5, 6)
    assert figures.median_minutes_to_acknowledge == 3
    assert figures.median_minutes_to_resolve == 30
    assert (figures.tickets, figures.tickets_through_incidents) == (12, 11)


def test_a_merged_incident_counts_inside_the_one_it_joined(db, settings, clock):
    tickets = TicketService(db, settings)
    incidents = IncidentService(db, tickets)
    start = clock.now()
    for u in "abcde":
        tickets.create(draft("func.gift", external_user_id=u), clock.now())
    for u in "fghij":
        tickets.create(draft("func.danmaku", external_user_id=u), clock.now())
    gift, chat = [i.incident.ref for i in incidents.list_open()]
    incidents.merge(MergeIncidents(gift, chat, "Mei"), clock.now())
    figures = load_report(db, start, clock.now() + timedelta(minutes=1)).incidents
    assert figures is not None
    assert (figures.incidents, figures.most_reporters, figures.tickets_through_incidents) == (
        1,
        10,
        10,
    )
