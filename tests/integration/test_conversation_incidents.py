"""The conversation's incident flows over the database (SQLite and PostgreSQL):
the SQL store's incident queries, details added to a ticket, and issue 15's
outage through the real engine.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from core.audit import verify_chain
from core.conversation import ConversationEngine, IntakeSettings
from core.conversation.sql_store import SqlConversationStores
from core.diagnostics import Diagnostics
from core.incidents.model import (
    DeclareIncident,
    IncidentFilters,
    IncidentStatus,
    PostUpdate,
    ResolveIncident,
)
from core.incidents.service import IncidentService
from core.statuses import Outcome
from core.storage.audit_store import iter_links
from core.storage.tables import AuditEventRow
from core.tickets import TicketService
from core.triage import classify
from tests.factories import draft
from tests.fakes import FakeKnowledgeBase, MemoryAttachmentStore, article
from tests.unit.conversation.conftest import Chat


@pytest.fixture
def tickets(db, settings):
    return TicketService(db, settings)


@pytest.fixture
def incidents(db, tickets):
    return IncidentService(db, tickets)


@pytest.fixture
def stores(db, tickets):
    return SqlConversationStores(db, tickets)


@pytest.fixture
def engine(db, tickets):
    kb = FakeKnowledgeBase()
    kb.add(article("av-no-audio-volume", "av.no_audio"))
    intake = IntakeSettings(timezone=ZoneInfo("Asia/Shanghai"))
    return ConversationEngine(db, tickets, kb, classify, MemoryAttachmentStore(), intake)


def report(tickets, clock, user, subtype="av.no_audio", **diag):
    d = draft(subtype, external_user_id=user, chat_id=user, diagnostics=Diagnostics(**diag))
    clock.advance(timedelta(seconds=10))
    return tickets.create_report(d, clock.now())


def test_the_open_incident_a_report_would_join_and_what_it_may_say(
    stores, tickets, incidents, clock
):
    first = report(tickets, clock, "a", app_version="5.2.1").ticket
    with stores.transaction() as store:
        assert store.joinable_incident("av.no_audio", Diagnostics()) is None
    incident = incidents.declare(
        DeclareIncident(
            first.ref or "", "Mei", title="无声音", filters=IncidentFilters(room_id="8848")
        ),
        clock.now(),
    )
    eta = clock.now() + timedelta(minutes=40)
    incidents.post_update(
        PostUpdate(incident.ref or "", "Mei", IncidentStatus.IDENTIFIED, "正在回滚混音服务", eta),
        clock.now(),
    )
    with stores.transaction() as store:
        seen = store.joinable_incident("av.noise_echo", Diagnostics(room_id="8848"))
        assert seen is not None and seen.ref == incident.ref
        assert (seen.title, seen.status, seen.update, seen.eta) == (
            "无声音",
            "identified",
            "正在回滚混音服务",
            eta,
        )
        assert seen.described == {"app_version"}
        assert store.joinable_incident("av.no_audio", Diagnostics(room_id="1234")) is None
        assert store.joinable_incident("av.stutter", Diagnostics()) is None
        found = store.find_ticket(first.ref or "")
        assert found is not None and found.incident == incident.ref
    incidents.resolve(
        ResolveIncident(incident.ref or "", "Mei", Outcome.ROOT_FIX, "app_bug", "已修复"),
        clock.now(),
    )
    with stores.transaction() as store:
        assert store.joinable_incident("av.no_audio", Diagnostics(room_id="8848")) is None
        assert store.public_incidents() == []


def test_status_never_shows_finance_incidents(stores, tickets, incidents, clock):
    sound = report(tickets, clock, "a").ticket
    money = tickets.create_report(
        draft(
            "fin.recharge",
            external_user_id="b",
            chat_id="b",
            diagnostics=Diagnostics(order_id="ORD1", amount=Decimal("6")),
        ),
        clock.now(),
    ).ticket
    incidents.declare(DeclareIncident(sound.ref or "", "Mei", title="No sound"), clock.now())
    incidents.declare(
        DeclareIncident(money.ref or "", "Fin", title="Top-ups late"),
        clock.now(),
        finance_agent=True,
    )
    with stores.transaction() as store:
        assert [i.title for i in store.public_incidents()] == ["No sound"]


def test_details_added_after_the_ticket_are_merged_and_audited(db, stores, tickets, clock):
    ticket = tickets.create_report(
        draft("fin.recharge", diagnostics=Diagnostics(amount=Decimal("6"))), clock.now()
    ).ticket
    ref = ticket.ref or ""
    with stores.transaction() as store:
        store.add_ticket_details(
            ref, Diagnostics(order_id="ORD20261125001", app_version="5.2.1"), clock.now()
        )
        store.add_ticket_details(ref, Diagnostics(app_version="5.2.1"), clock.now())  # no change
    stored = tickets.get(ref)
    assert stored.diagnostics["order_id"] == "ORD20261125001"
    assert stored.diagnostics["amount"] == "6" and stored.version == ticket.version + 1
    events = [e for e in tickets.history(ref) if e.action == "ticket.details_added"]
    assert len(events) == 1
    assert "5.2.1" in events[0].payload and "ORD20261125001" not in events[0].payload
    with db.session(read_only=True) as s:
        assert verify_chain(iter_links(s)).ok
    with stores.transaction() as store, pytest.raises(LookupError):
        store.add_ticket_details("LD-9999", Diagnostics(os="iOS"), clock.now())


def test_thirty_viewers_without_sound_make_one_incident_and_each_hears_it_is_known(
    db, engine, tickets, incidents, clock
):
    """Issue 15: 30 reports of "no sound on every stream" within a few minutes."""
    viewers = [Chat(engine, clock, user=f"v{n:02d}", language="en") for n in range(30)]
    told = {}
    for viewer in viewers:
        first = viewer.texts(viewer.say("no sound on every stream"))
        told[viewer.user] = 1 if "known problem" in first else None
    for viewer in viewers:
        asked = viewer.texts()
        answer = "5.2.1" if "version" in asked else "iPhone 13"
        second = viewer.texts(viewer.say(answer))
        if told[viewer.user] is None and "known problem" in second:
            told[viewer.user] = 2
    assert all(told.values()), [user for user, turn in told.items() if turn is None]
    # Everyone after the surge hears it with their very first answer.
    assert sum(1 for turn in told.values() if turn == 1) >= 25
    [open_incident] = incidents.list_open()
    assert (open_incident.tickets, open_incident.reporters) == (30, 30)
    ref = open_incident.incident.ref or ""
    assert len({t.ref for t in incidents.tickets_of(ref)}) == 30
    with db.session(read_only=True) as s:
        declared = s.exec(
            select(AuditEventRow).where(col(AuditEventRow.action) == "incident.declared")
        ).all()
        assert len(declared) == 1
        assert verify_chain(iter_links(s)).ok
    # Each reporter has exactly one ticket: no reporter was asked to confirm twice.
    assert len(tickets.search(limit=100)) == 30
