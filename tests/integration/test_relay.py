import pytest
from sqlmodel import select

from core.errors import InvalidInputError, NotFoundError
from core.relay import TicketRelay
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
