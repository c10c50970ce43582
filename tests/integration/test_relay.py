import json
from datetime import timedelta

import pytest
from sqlmodel import col, select

from core.conversation.messages import Attachment
from core.errors import InvalidInputError, NotFoundError
from core.relay import AlreadyHandledError, RelayQueue, TicketRelay
from core.storage.outbox_tables import OutboxMessageRow
from core.storage.tables import TicketMessageRow
from core.tickets import TicketService
from tests.factories import draft


def test_an_agent_reply_reaches_the_reporter_with_the_agents_name(db, settings, clock):
    ticket = TicketService(db, settings).create(draft(), clock.now())
    out = TicketRelay(db).agent_reply(ticket.ref, "Mei", "请重启一下 App 试试", clock.now())
    assert (out.channel, out.chat_id) == ("telegram", "42")
    assert out.replies[0].text == "客服 Mei：请重启一下 App 试试"


def test_the_first_public_reply_is_the_first_response(db, settings, clock):
    tickets = TicketService(db, settings)
    ticket = tickets.create(draft(), clock.now())
    relay = TicketRelay(db)
    relay.note(ticket.ref, "Mei", "looks like CDN", clock.now())
    assert tickets.get(ticket.ref).first_response_at is None
    relay.agent_reply(ticket.ref, "Mei", "hello", clock.now())
    first = tickets.get(ticket.ref).first_response_at
    assert first == clock.now()
    actions = [e.action for e in tickets.history(ticket.ref)]
    assert actions == ["ticket.created", "ticket.noted", "ticket.replied"]
    with db.session() as s:
        kinds = [m.direction for m in s.exec(select(TicketMessageRow)).all()]
    assert kinds == ["note", "agent"]


def test_replies_to_unknown_tickets_and_empty_replies_are_refused(db, settings, clock):
    relay = TicketRelay(db)
    with pytest.raises(NotFoundError):
        relay.agent_reply("LD-4242", "Mei", "hi", clock.now())
    ticket = TicketService(db, settings).create(draft(), clock.now())
    with pytest.raises(InvalidInputError):
        relay.agent_reply(ticket.ref, "Mei", "  ", clock.now())


QUEUE = RelayQueue({"telegram"}, timedelta(hours=1))


def queued(db) -> list[OutboxMessageRow]:
    with db.session() as s:
        return list(s.exec(select(OutboxMessageRow).order_by(col(OutboxMessageRow.id))).all())


def test_an_agent_reply_is_queued_with_its_slack_event(db, settings, clock):
    """Recorded, its event marked handled and its message queued in one commit:
    a crash after it cannot lose the reply, and Slack's retry adds nothing."""
    ticket = TicketService(db, settings).create(draft(), clock.now())
    relay = TicketRelay(db, queue=QUEUE)
    out = relay.agent_reply(ticket.ref, "Mei", "请重启", clock.now(), delivery=("slack", "Ev1"))
    assert out.queued
    (row,) = queued(db)
    assert (row.dedupe_key, row.chat_id) == (f"relay:telegram:{ticket.ref}:slack/Ev1:0", "42")
    assert row.body["text"] == out.replies[0].text == "客服 Mei：请重启"
    with pytest.raises(AlreadyHandledError):
        relay.agent_reply(ticket.ref, "Mei", "请重启", clock.now(), delivery=("slack", "Ev1"))
    assert len(queued(db)) == 1


def test_a_resolution_queues_the_message_and_the_question_in_order(db, settings, clock):
    ticket = TicketService(db, settings).create(draft(), clock.now())
    out = TicketRelay(db, queue=QUEUE).resolution(ticket.ref, "Mei", "已修复", clock.now())
    assert out.queued and len(out.replies) == 2
    assert [r.body["text"] for r in queued(db)] == [r.text for r in out.replies]
    assert queued(db)[1].body["choices"]  # "is it fixed?" keeps its buttons


def test_replies_to_channels_without_an_outbox_or_with_unstored_bytes_are_not_queued(
    db, settings, clock
):
    ticket = TicketService(db, settings).create(draft(), clock.now())
    console = TicketRelay(db, queue=RelayQueue({"console"}, timedelta(hours=1)))
    assert not console.agent_reply(ticket.ref, "Mei", "hi", clock.now()).queued
    photo = Attachment("photo", "fix.png", "image/png", b"png")
    relay = TicketRelay(db, queue=QUEUE)
    assert not relay.agent_reply(ticket.ref, "Mei", "", clock.now(), photo).queued
    assert queued(db) == []


def test_an_agents_stored_file_is_queued_by_its_path_with_the_reply(db, settings, clock):
    """The file is in the attachment store before the relay: the outbox row
    carries its path, committed with the reply, so a crash cannot lose it."""
    ticket = TicketService(db, settings).create(draft(), clock.now())
    steps = Attachment("document", "steps.pdf", "application/pdf", b"%PDF", stored="ab/c.pdf")
    relay = TicketRelay(db, queue=QUEUE)
    out = relay.agent_reply(ticket.ref, "Mei", "", clock.now(), steps, delivery=("slack", "F1"))
    assert out.queued
    (row,) = queued(db)
    assert row.body["attachment"] == {
        "kind": "document",
        "file_name": "steps.pdf",
        "mime": "application/pdf",
        "stored": "ab/c.pdf",
        "size": 4,
    }
    assert "steps.pdf" in row.body["text"]
    (replied,) = [
        e for e in TicketService(db, settings).history(ticket.ref) if e.action == "ticket.replied"
    ]
    assert json.loads(replied.payload)["file"] == "steps.pdf"


def test_a_reply_that_cannot_be_queued_is_not_recorded(db, settings, clock, monkeypatch):
    ticket = TicketService(db, settings).create(draft(), clock.now())

    def refuse(*args, **kwargs):
        raise InvalidInputError("the outbox refused it")

    monkeypatch.setattr("core.relay.enqueue_replies", refuse)
    relay = TicketRelay(db, queue=QUEUE)
    with pytest.raises(InvalidInputError):
        relay.agent_reply(ticket.ref, "Mei", "hi", clock.now(), delivery=("slack", "Ev2"))
    with db.session() as s:
        assert s.exec(select(TicketMessageRow)).all() == []
    monkeypatch.undo()
    assert relay.agent_reply(ticket.ref, "Mei", "hi", clock.now(), delivery=("slack", "Ev2")).queued
