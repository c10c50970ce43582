"""Asking instead of guessing, over the database (SQLite and PostgreSQL): two
problems reported as both become two ticket rows; vague words file nothing and
survive in the stored conversation until the answer.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core.conversation import Attachment, ConversationEngine, IntakeSettings
from core.storage.tables import AttachmentRow, ConversationRow, TicketRow
from core.tickets import TicketService
from tests.fakes import FakeKnowledgeBase, MemoryAttachmentStore, article
from tests.unit.conversation.conftest import Chat
from tests.unit.conversation.scripted import Scripted

TWO = "直播间 8848 一直卡成PPT，iPhone 13，用的WiFi，昨天充值的钻石也没到账"


@pytest.fixture
def scripted() -> Scripted:
    classify = Scripted()
    top = [("av.stutter", 0.7), ("fin.recharge", 0.25), ("av.blur", 0.05)]
    classify.when(TWO, top, "fin.recharge")
    return classify


@pytest.fixture
def chat(db, settings, clock, scripted) -> Chat:
    kb = FakeKnowledgeBase()
    kb.add(article("av-stutter-network", "av.stutter"))
    engine = ConversationEngine(
        db=db,
        tickets=TicketService(db, settings),
        kb=kb,
        classify=scripted,
        attachments=MemoryAttachmentStore(),
        settings=IntakeSettings(timezone=ZoneInfo("Asia/Shanghai")),
    )
    return Chat(engine, clock)


def rows(db, table):
    with db.session() as s:
        return list(s.exec(select(table)).all())


def submit(chat: Chat) -> None:
    while "请确认" not in chat.texts():
        assert chat.turns < 15, chat.texts()
        labels = chat.buttons()
        chat.press("还是不行" if "还是不行" in labels else "跳过" if "跳过" in labels else "没有了")
    chat.press("提交")


def test_both_problems_are_stored_as_two_tickets_with_the_same_words(db, chat):
    chat.send(attachment=Attachment("photo", "screen.jpg", "image/jpeg", b"jpeg"))
    chat.say(TWO)
    chat.press("两个都反馈")
    submit(chat)
    tickets = sorted(rows(db, TicketRow), key=lambda r: r.id or 0)
    assert [t.subtype for t in tickets] == ["av.stutter", "fin.recharge"]
    assert [t.category for t in tickets] == ["av_quality", "finance"]
    assert tickets[0].summary == tickets[1].summary and TWO in tickets[1].summary
    assert tickets[0].diagnostics["room_id"] == tickets[1].diagnostics["room_id"] == "8848"
    # The files stay with the first ticket only.
    (file,) = rows(db, AttachmentRow)
    assert file.ticket_id == tickets[0].id
    (conv,) = rows(db, ConversationRow)
    assert conv.state == "idle"


def test_vague_words_file_nothing_and_are_kept_until_the_answer(db, chat):
    chat.say("又不行了")
    assert rows(db, TicketRow) == []
    (conv,) = rows(db, ConversationRow)
    assert conv.state == "ask_what"
    chat.say("直播间 8848 一直卡成PPT")
    submit(chat)
    (ticket,) = rows(db, TicketRow)
    assert ticket.subtype == "av.stutter"
    assert ticket.summary.startswith("又不行了\n直播间 8848")
