"""Incidents on a real database (SQLite and PostgreSQL): surge, matching, agent
operations, and the audit trail of every change.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from core.audit import verify_chain
from core.diagnostics import Diagnostics
from core.errors import (
    IllegalTransitionError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from core.incidents.model import (
    AcknowledgeIncident,
    DeclareIncident,
    IncidentFilters,
    IncidentStatus,
    LinkTicket,
    MergeIncidents,
    PostUpdate,
    ResolveIncident,
    SplitReporter,
    UnlinkTicket,
)
from core.incidents.service import IncidentService
from core.statuses import Outcome
from core.storage.audit_store import iter_links
from core.storage.incident_tables import IncidentTicketRow
from core.storage.tables import SlaTimerRow
from core.taxonomy import Priority
from core.tickets import TicketService
from tests.factories import draft, finance_draft


@pytest.fixture
def tickets(db, settings):
    return TicketService(db, settings)


@pytest.fixture
def incidents(db, tickets):
    return IncidentService(db, tickets)


def report(tickets, clock, user, subtype="av.no_audio", **diag):
    d = draft(subtype, external_user_id=user, chat_id=user, diagnostics=Diagnostics(**diag))
    return tickets.create_report(d, clock.now())


def surge(tickets, clock, users="abcde", subtype="av.no_audio", **diag):
    out = []
    for user in users:
        out.append(report(tickets, clock, user, subtype, **diag))
        clock.advance(timedelta(seconds=30))
    return out


def pending_timers(db, ref):
    with db.session(read_only=True) as s:
        return s.exec(
            select(SlaTimerRow).where(
                SlaTimerRow.ticket_ref == ref,
                col(SlaTimerRow.fired_at).is_(None),
                col(SlaTimerRow.cancelled_at).is_(None),
            )
        ).all()


def test_a_surge_opens_one_incident_and_links_every_report_of_it(tickets, incidents, clock):
    created = surge(tickets, clock)
    assert [c.incident for c in created[:4]] == [None] * 4
    link = created[4].incident
    assert link is not None and link.opened and link.via == "surge"
    incident = incidents.get(link.ref)
    assert incident.status == IncidentStatus.INVESTIGATING
    assert incident.severity == "P0"  # no sound is P1 alone, P0 when widespread
    assert incident.declared_by == "surge"
    assert incident.started_at == created[0].ticket.created_at
    linked = incidents.tickets_of(link.ref)
    assert [t.ref for t in linked] == [c.ticket.ref for c in created]
    assert {(t.scope, t.priority, t.tier) for t in linked} == {("widespread", "P0", "lead")}
    assert any(c.startswith("surge: 5 reports") for c in created[4].ticket.cues)
    first = tickets.history(created[0].ticket.ref)
    assert first[-1].action == "ticket.incident_linked"
    assert '"via":"surge"' in first[-1].payload
    actions = [e.action for e in incidents.history(link.ref)]
    assert actions[0] == "incident.declared"
    assert actions.count("incident.ticket_linked") == 5


def test_a_later_related_report_joins_the_open_incident_at_once(tickets, incidents, clock):
    ref = surge(tickets, clock)[-1].incident.ref
    clock.advance(timedelta(hours=2))  # long after the surge window: matching has no window
    joined = report(tickets, clock, "f", "av.noise_echo")
    assert joined.incident is not None
    assert (joined.incident.ref, joined.incident.opened, joined.incident.via) == (
        ref,
        False,
        "match",
    )
    assert joined.ticket.scope == "widespread"
    assert "incident: joins " + ref in joined.ticket.cues
    assert incidents.get(ref).subtypes == ["av.no_audio", "av.noise_echo"]
    [listed] = incidents.list_open()
    assert (listed.incident.ref, listed.tickets, listed.reporters) == (ref, 6, 6)


def test_an_unrelated_report_stays_alone(tickets, incidents, clock):
    surge(tickets, clock)
    alone = report(tickets, clock, "f", "av.stutter")
    assert alone.incident is None and alone.ticket.scope == "single"


def test_a_surge_in_one_room_only_takes_reports_that_do_not_name_another_room(
    tickets, incidents, clock
):
    ref = surge(tickets, clock, room_id="8848")[-1].incident.ref
    assert incidents.get(ref).filters == {"room_id": "8848"}
    elsewhere = report(tickets, clock, "f", room_id="1234")
    assert elsewhere.incident is None
    unsaid = report(tickets, clock, "g")
    assert unsaid.incident is not None and unsaid.incident.ref == ref


def test_reports_already_in_an_incident_do_not_count_toward_another_surge(
    tickets, incidents, clock
):
    surge(tickets, clock, room_id="8848")
    others = surge(tickets, clock, users="fghi", room_id="1234")
    assert [o.incident for o in others] == [None] * 4
    fifth = report(tickets, clock, "j", room_id="1234")
    assert fifth.incident is not None and fifth.incident.opened
    assert len(incidents.list_open()) == 2


def test_linked_tickets_have_no_timers_of_their_own_and_the_incident_has_one_clock(
    db, tickets, incidents, clock
):
    created = surge(tickets, clock)
    ref = created[-1].incident.ref
    for c in created:
        assert pending_timers(db, c.ticket.ref) == []
    kinds = sorted(t.kind for t in pending_timers(db, ref))
    assert kinds == ["breach", "page", "warning", "warning"]


def test_a_public_update_is_the_first_response_of_every_linked_ticket(
    db, tickets, incidents, clock
):
    created = surge(tickets, clock)
    ref = created[-1].incident.ref
    clock.advance(timedelta(minutes=3))
    eta = clock.now() + timedelta(minutes=30)
    incidents.post_update(
        PostUpdate(ref, "Mei", IncidentStatus.IDENTIFIED, "音频转码节点故障，正在切换", eta),
        clock.now(),
    )
    incident = incidents.get(ref)
    assert (incident.status, incident.first_update_at, incident.identified_at) == (
        "identified",
        clock.now(),
        clock.now(),
    )
    assert {t.first_response_at for t in incidents.tickets_of(ref)} == {clock.now()}
    assert [t.kind for t in pending_timers(db, ref)] == ["page"]  # only paging is left
    [update] = incidents.updates(ref)
    assert (update.status, update.eta, update.author) == (IncidentStatus.IDENTIFIED, eta, "Mei")


def test_updates_are_refused_when_they_make_no_sense(tickets, incidents, clock):
    ref = surge(tickets, clock)[-1].incident.ref
    with pytest.raises(InvalidInputError, match="use resolve"):
        incidents.post_update(PostUpdate(ref, "Mei", IncidentStatus.RESOLVED, "ok"), clock.now())
    with pytest.raises(InvalidInputError, match="future"):
        incidents.post_update(
            PostUpdate(ref, "Mei", IncidentStatus.INVESTIGATING, "x", clock.now()), clock.now()
        )
    with pytest.raises(InvalidInputError, match="empty"):
        incidents.post_update(
            PostUpdate(ref, "Mei", IncidentStatus.INVESTIGATING, " "), clock.now()
        )
    with pytest.raises(NotFoundError, match="no incident INC-999"):
        incidents.post_update(
            PostUpdate("INC-999", "Mei", IncidentStatus.MONITORING, "x"), clock.now()
        )


def test_resolving_resolves_the_open_tickets_and_new_reports_no_longer_join(
    tickets, incidents, clock
):
    created = surge(tickets, clock)
    ref = created[-1].incident.ref
    claimed = created[0].ticket.ref
    tickets.claim(claimed, "Mei", clock.now())
    incidents.acknowledge(AcknowledgeIncident(ref, "Mei"), clock.now())
    clock.advance(timedelta(minutes=20))
    incidents.resolve(
        ResolveIncident(ref, "Mei", Outcome.ROOT_FIX, "server_or_cdn", "已修复，请重进直播间"),
        clock.now(),
    )
    incident = incidents.get(ref)
    assert (incident.status, incident.resolved_at, incident.open_key) == (
        "resolved",
        clock.now(),
        None,
    )
    linked = incidents.tickets_of(ref)
    assert {(t.status, t.outcome, t.cause_class) for t in linked} == {
        ("fixed", "root_fix", "server_or_cdn")
    }
    assert {t.root_cause for t in linked} == {"已修复，请重进直播间"}
    with pytest.raises(IllegalTransitionError, match="final"):
        incidents.post_update(PostUpdate(ref, "Mei", IncidentStatus.MONITORING, "x"), clock.now())
    later = report(tickets, clock, "z")
    assert later.incident is None  # the outage is over; a recurrence starts afresh


def test_not_fixed_for_me_splits_the_ticket_out_reopened_with_its_own_clock(
    db, tickets, incidents, clock
):
    created = surge(tickets, clock)
    ref = created[-1].incident.ref
    incidents.resolve(
        ResolveIncident(ref, "Mei", Outcome.ROOT_FIX, "app_bug", "修好了"), clock.now()
    )
    clock.advance(timedelta(minutes=10))
    mine = created[2].ticket.ref
    split = incidents.split(SplitReporter(ref, mine, "Mei", "用户说还是没声音"), clock.now())
    assert split.status == "diagnosing"
    assert split.clock_started_at == clock.now() and split.first_response_at is None
    assert incidents.incident_of(mine) is None
    assert pending_timers(db, mine) != []
    assert len(incidents.tickets_of(ref)) == 4
    assert "incident.reporter_split" in [e.action for e in incidents.history(ref)]


def test_an_agent_declares_an_incident_from_a_ticket(tickets, incidents, clock):
    t = tickets.create(draft("av.black_screen", external_user_id="a"), clock.now())
    other = tickets.create(draft("av.black_screen", external_user_id="b"), clock.now())
    clock.advance(timedelta(minutes=1))
    incident = incidents.declare(
        DeclareIncident(t.ref, "Mei", title="CDN 故障", filters=IncidentFilters(region="SG")),
        clock.now(),
    )
    assert (incident.title, incident.severity, incident.filters) == (
        "CDN 故障",
        "P0",
        {"region": "SG"},
    )
    assert incidents.get(incident.ref).declared_by == "Mei"
    assert tickets.get(t.ref).priority == "P0"
    with pytest.raises(IllegalTransitionError, match=f"{incident.ref} is already open"):
        incidents.declare(
            DeclareIncident(other.ref, "Mei", filters=IncidentFilters(region="SG")), clock.now()
        )
    with pytest.raises(IllegalTransitionError, match="already in"):
        incidents.declare(DeclareIncident(t.ref, "Mei"), clock.now())
    joined = tickets.create_report(draft("func.stream_push", external_user_id="c"), clock.now())
    assert joined.incident is not None and joined.incident.ref == incident.ref


def test_declaring_needs_a_subtype_that_can_form_an_incident(tickets, incidents, clock):
    t = tickets.create(draft("svc.attitude"), clock.now())
    with pytest.raises(InvalidInputError, match="never form an incident"):
        incidents.declare(DeclareIncident(t.ref, "Mei"), clock.now())
    with pytest.raises(InvalidInputError, match="P0 or P1"):
        u = tickets.create(draft("av.blur"), clock.now())
        incidents.declare(DeclareIncident(u.ref, "Mei", severity=Priority.P2), clock.now())


def test_link_by_hand_and_unlink_makes_the_ticket_stand_alone_again(db, tickets, incidents, clock):
    ref = surge(tickets, clock)[-1].incident.ref
    odd = tickets.create(draft("func.danmaku", external_user_id="q"), clock.now())
    incidents.link(LinkTicket(ref, odd.ref, "Mei"), clock.now())
    assert pending_timers(db, odd.ref) == []
    with pytest.raises(IllegalTransitionError, match="already in"):
        incidents.link(LinkTicket(ref, odd.ref, "Mei"), clock.now())
    clock.advance(timedelta(minutes=5))
    alone = incidents.unlink(
        UnlinkTicket(ref, odd.ref, "Mei", "弹幕问题与本次故障无关"), clock.now()
    )
    assert incidents.incident_of(odd.ref) is None
    assert alone.clock_started_at == clock.now()
    assert pending_timers(db, odd.ref) != []
    with pytest.raises(IllegalTransitionError, match="is not in"):
        incidents.unlink(UnlinkTicket(ref, odd.ref, "Mei", "again"), clock.now())


def test_merging_moves_the_tickets_and_ends_the_other_incident(db, tickets, incidents, clock):
    a = surge(tickets, clock, room_id="1")[-1].incident.ref
    b = surge(tickets, clock, users="fghij", room_id="2")[-1].incident.ref
    with db.session() as s:  # every report already listed in its incident's thread
        s.execute(update(IncidentTicketRow).values(listed_at=clock.now()))
    into = incidents.merge(MergeIncidents(a, b, "Mei"), clock.now())
    assert into.ref == a
    assert len(incidents.tickets_of(a)) == 10 and incidents.tickets_of(b) == []
    with db.session() as s:  # the moved ones are news to the incident they joined
        unlisted = s.exec(
            select(IncidentTicketRow).where(col(IncidentTicketRow.listed_at).is_(None))
        )
        assert len(unlisted.all()) == 5
    gone = incidents.get(b)
    assert (gone.status, gone.merged_into, gone.open_key) == ("resolved", a, None)
    assert pending_timers(db, b) == []
    assert [i.incident.ref for i in incidents.list_open()] == [a]
    with pytest.raises(IllegalTransitionError, match="resolved"):
        incidents.merge(MergeIncidents(a, b, "Mei"), clock.now())
    with pytest.raises(InvalidInputError, match="itself"):
        incidents.merge(MergeIncidents(a, a, "Mei"), clock.now())


def test_finance_incidents_are_for_finance_agents_only(tickets, incidents, clock):
    created = []
    for user in "abcde":
        d = finance_draft()
        created.append(
            tickets.create_report(
                draft(d.subtype, external_user_id=user, diagnostics=d.diagnostics), clock.now()
            )
        )
    ref = created[-1].incident.ref
    assert incidents.get(ref, finance_agent=True).finance
    with pytest.raises(PermissionDeniedError):
        incidents.get(ref)
    with pytest.raises(PermissionDeniedError):
        incidents.post_update(PostUpdate(ref, "Mei", IncidentStatus.IDENTIFIED, "x"), clock.now())
    assert incidents.list_open() == []
    assert len(incidents.list_open(finance_agent=True)) == 1
    gift = tickets.create(draft("func.gift"), clock.now())
    with pytest.raises(InvalidInputError, match="finance"):
        incidents.link(LinkTicket(ref, gift.ref, "Fin"), clock.now(), finance_agent=True)


def test_the_breakdown_describes_the_reports_for_the_card(tickets, incidents, clock):
    created = surge(tickets, clock, app_version="7.2.0", os="iOS")
    ref = created[-1].incident.ref
    b = incidents.breakdown(ref, clock.now())
    assert (b.reports, b.reporters) == (5, 5)
    assert b.by_app_version == {"7.2.0": 5} and b.by_os == {"iOS": 5}
    assert b.first_refs == tuple(c.ticket.ref for c in created)
    assert b.first_report == created[0].ticket.created_at


def test_every_incident_change_is_on_the_unbroken_audit_chain(db, tickets, incidents, clock):
    ref = surge(tickets, clock)[-1].incident.ref
    incidents.acknowledge(AcknowledgeIncident(ref, "Mei"), clock.now())
    incidents.post_update(PostUpdate(ref, "Mei", IncidentStatus.MONITORING, "观察中"), clock.now())
    incidents.resolve(
        ResolveIncident(ref, "Mei", Outcome.WORKAROUND, "other", "先重启"), clock.now()
    )
    actions = [e.action for e in incidents.history(ref)]
    for action in ("incident.acknowledged", "incident.updated", "incident.resolved"):
        assert action in actions
    with db.session(read_only=True) as s:
        assert verify_chain(iter_links(s)).ok
