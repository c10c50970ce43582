"""Incident updates enqueued for the reporters, on SQLite and PostgreSQL: one
row per reporter in the update's own transaction, in each reporter's
language, the resolution with the ticket's follow-up buttons, nothing for a
transaction that rolled back, nothing twice.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from core.incidents.broadcast import dedupe_key, group_key
from core.incidents.model import IncidentStatus, PostUpdate, ResolveIncident
from core.incidents.service import IncidentService
from core.outbox import SqlOutbox
from core.statuses import Outcome
from core.storage.incident_tables import IncidentUpdateRow
from core.storage.outbox_tables import OutboxMessageRow
from core.tickets import TicketService
from tests.factories import draft
from tests.outage import outage


@pytest.fixture
def tickets(db, settings):
    return TicketService(db, settings)


@pytest.fixture
def incidents(db, tickets):
    return IncidentService(db, tickets)


def rows(db) -> list[OutboxMessageRow]:
    with db.session(read_only=True) as s:
        return list(s.exec(select(OutboxMessageRow).order_by(col(OutboxMessageRow.id))).all())


def update_ids(db) -> list[int]:
    with db.session(read_only=True) as s:
        found = s.exec(select(IncidentUpdateRow.id).order_by(col(IncidentUpdateRow.id))).all()
        return [i for i in found if i is not None]


def update(ref: str, message: str, status=IncidentStatus.INVESTIGATING) -> PostUpdate:
    return PostUpdate(ref, "agent", status, message)


def test_an_update_is_one_outbox_row_per_reporter_in_their_language(db, tickets, incidents, clock):
    found = outage(tickets, incidents, clock, 6)
    incidents.post_update(update(found.incident_ref, "Looking into it."), clock.now())

    (update_id,) = update_ids(db)
    queued = rows(db)
    assert len(queued) == 6
    by_chat = {r.chat_id: r for r in queued}
    for ticket in found.tickets:
        row = by_chat[ticket.chat_id]
        assert row.dedupe_key == dedupe_key(update_id, ticket.ref or "")
        assert row.group_key == group_key(update_id)
        assert (row.channel, row.language, row.bulk) == ("telegram", ticket.language, True)
        assert "Looking into it." in row.body["text"]
        assert row.body["choices"] == []
        assert row.expires_at is not None and row.expires_at > clock.now()
    assert {r.language for r in queued} == {"zh", "en"}
    assert "正在排查" in by_chat[found.tickets[0].chat_id].body["text"]
    assert "investigating" in by_chat[found.tickets[1].chat_id].body["text"]
    progress = SqlOutbox(db).progress(group_key(update_id))
    assert (progress.sent, progress.total) == (0, 6)


def test_each_update_is_its_own_broadcast(db, tickets, incidents, clock):
    found = outage(tickets, incidents, clock, 5)
    incidents.post_update(update(found.incident_ref, "first"), clock.now())
    clock.advance(timedelta(minutes=5))
    incidents.post_update(
        update(found.incident_ref, "second", IncidentStatus.IDENTIFIED), clock.now()
    )
    first, second = update_ids(db)
    outbox = SqlOutbox(db)
    assert outbox.progress(group_key(first)).total == 5
    assert outbox.progress(group_key(second)).total == 5
    # A chat's messages go out in the order they were posted.
    chat = found.tickets[0].chat_id
    assert [r.body["text"].endswith("first") for r in rows(db) if r.chat_id == chat] == [
        True,
        False,
    ]


def test_a_reporter_with_two_reports_hears_an_update_once_and_a_resolved_report_is_skipped(
    db, tickets, incidents, clock
):
    found = outage(tickets, incidents, clock, 5)
    first = found.tickets[0]
    # The same person reports again; the surge links it to the incident.
    again = tickets.create_report(
        draft(
            "av.no_audio",
            external_user_id=first.external_user_id,
            chat_id=first.chat_id,
            language=first.language,
        ),
        clock.now(),
    )
    assert again.incident is not None and again.incident.ref == found.incident_ref
    # Another's report was resolved on its own before the update.
    alone = found.tickets[1]
    tickets.resolve(
        alone.ref or "",
        "agent",
        clock.now(),
        outcome=Outcome.WORKAROUND,
        root_cause="cleared the app cache",
        cause_class="device_or_os",
    )
    incidents.post_update(update(found.incident_ref, "Looking."), clock.now())

    chats = [r.chat_id for r in rows(db)]
    assert sorted(chats) == sorted(t.chat_id for t in found.tickets if t is not alone)


def test_the_resolution_carries_each_tickets_follow_up_buttons(db, tickets, incidents, clock):
    found = outage(tickets, incidents, clock, 5)
    alone = found.tickets[2]
    tickets.resolve(
        alone.ref or "",
        "agent",
        clock.now(),
        outcome=Outcome.WORKAROUND,
        root_cause="cleared the app cache",
        cause_class="device_or_os",
    )
    incidents.resolve(
        ResolveIncident(
            found.incident_ref, "agent", Outcome.ROOT_FIX, "server_or_cdn", "Encoder rolled back."
        ),
        clock.now(),
    )
    queued = {r.chat_id: r for r in rows(db)}
    # Resolved on its own: that reporter had their own "is it fixed?" already.
    assert alone.chat_id not in queued
    assert len(queued) == 4
    for ticket in found.tickets:
        if ticket is alone:
            continue
        body = queued[ticket.chat_id].body
        assert "Encoder rolled back." in body["text"]
        assert [c["id"] for c in body["choices"]] == [
            f"g:fu:{ticket.ref}:y",
            f"g:fu:{ticket.ref}:n",
        ]


def test_a_broadcast_that_fails_rolls_the_update_back_with_it(db, tickets, incidents, clock):
    found = outage(tickets, incidents, clock, 5)
    real = incidents.broadcaster.announce_update

    def enqueue_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("the database went away mid-broadcast")

    incidents.broadcaster.announce_update = enqueue_then_fail  # type: ignore[method-assign]
    woken: list[int] = []
    incidents.on_enqueued = lambda: woken.append(1)
    with pytest.raises(RuntimeError):
        incidents.post_update(update(found.incident_ref, "Looking."), clock.now())

    assert rows(db) == [] and update_ids(db) == [] and woken == []
    assert incidents.get(found.incident_ref).first_update_at is None


def test_enqueueing_an_update_again_adds_nothing(db, tickets, incidents, clock):
    found = outage(tickets, incidents, clock, 5)
    incidents.post_update(update(found.incident_ref, "Looking."), clock.now())
    (update_id,) = update_ids(db)
    incident = incidents.get(found.incident_ref)
    with db.session() as s:
        stored = s.get(IncidentUpdateRow, update_id)
        assert stored is not None
        again = incidents.broadcaster.announce_update(
            s, incident, stored, incidents.tickets_of(found.incident_ref), clock.now()
        )
    assert again == 0 and len(rows(db)) == 5
