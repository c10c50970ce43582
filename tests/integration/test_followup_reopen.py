"""Issue 17: an auto-closed ticket tells its reporter, and "not fixed" within
`[followup] reopen_within` reopens it, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from core.conversation import TicketChanged
from core.outbox.codec import decode_reply
from core.statuses import Outcome, Status
from core.storage.outbox_tables import OutboxMessageRow
from core.tickets import TicketService
from tests.fakes import FakeKnowledgeBase, MemoryAttachmentStore, article
from tests.integration.test_conversation_store import build, report
from tests.unit.conversation.conftest import Chat


@pytest.fixture
def kb() -> FakeKnowledgeBase:
    fake = FakeKnowledgeBase()
    fake.add(article("av-stutter-network", "av.stutter"))
    return fake


@pytest.fixture
def files() -> MemoryAttachmentStore:
    return MemoryAttachmentStore()


def _resolved_then_closed(db, settings, chat, clock) -> tuple[TicketService, str]:
    report(chat)
    tickets = TicketService(db, settings)
    (ticket,) = tickets.search()
    tickets.claim(ticket.ref, "U1", clock.now())
    tickets.resolve(
        ticket.ref,
        "U1",
        clock.now(),
        outcome=Outcome.ROOT_FIX,
        root_cause="CDN",
        cause_class="server_or_cdn",
    )
    clock.advance(timedelta(hours=49))
    assert tickets.auto_close_due(clock.now()) == [ticket.ref]
    return tickets, ticket.ref


def test_the_reporter_is_told_and_not_fixed_reopens(db, settings, kb, files, clock):
    chat = Chat(build(db, settings, kb, files), clock)
    tickets, ref = _resolved_then_closed(db, settings, chat, clock)
    with db.session() as s:
        (row,) = s.exec(select(OutboxMessageRow)).all()
    notice = decode_reply(row.body)
    assert (row.channel, row.chat_id) == ("telegram", "u1")
    assert ref in notice.text and "7 天" in notice.text
    (button,) = notice.choices
    assert button.id == f"g:fu:{ref}:n"
    clock.advance(timedelta(days=3))
    result = chat.send(choice=button.id)
    assert result.events == [TicketChanged(ref, "reopened")]
    assert tickets.get(ref).status == Status.DIAGNOSING


def test_not_fixed_after_the_window_leaves_it_closed(db, settings, kb, files, clock):
    chat = Chat(build(db, settings, kb, files), clock)
    tickets, ref = _resolved_then_closed(db, settings, chat, clock)
    clock.advance(timedelta(days=8))
    assert "不能再重新打开" in chat.texts(chat.say("还没解决"))
    assert tickets.get(ref).status == Status.CLOSED
