"""The conversation over the database (SQLite and PostgreSQL): the SQL store, its
transactions, and rows written before the typed draft.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.bootstrap import Services, build_intake
from bot.slack.cards import card_data
from core.audit import verify_chain
from core.config import settings_from_mapping
from core.conversation import (
    Attachment,
    ConversationEngine,
    Inbound,
    IntakeSettings,
    TicketChanged,
)
from core.conversation.messages import ReplyQueue
from core.conversation.sql_store import SqlConversationStores
from core.errors import InvalidInputError
from core.incidents.service import IncidentService
from core.outbox import SqlOutbox
from core.ports import FeedbackCounts
from core.relay import TicketRelay
from core.statuses import Outcome, Status
from core.storage.audit_store import iter_links
from core.storage.db import Database
from core.storage.feedback import SqlFeedbackStore
from core.storage.outbox_tables import OutboxMessageRow
from core.storage.tables import (
    AttachmentRow,
    AuditEventRow,
    ConversationRow,
    ProcessedDeliveryRow,
    SelfServiceRow,
    TicketMessageRow,
    TicketRow,
)
from core.tickets import TicketService
from core.triage import Verdict, classify
from tests.fakes import FakeKnowledgeBase, MemoryAttachmentStore, article
from tests.unit.conversation.conftest import Chat
from tests.unit.conversation.test_draft import OLD_ROW


@pytest.fixture
def kb() -> FakeKnowledgeBase:
    fake = FakeKnowledgeBase()
    fake.add(
        article("av-stutter-network", "av.stutter"), article("av-stutter-quality", "av.stutter")
    )
    return fake


@pytest.fixture
def files() -> MemoryAttachmentStore:
    return MemoryAttachmentStore()


def build(db, settings, kb, files, classifier=classify) -> ConversationEngine:
    intake = IntakeSettings(timezone=ZoneInfo("Asia/Shanghai"))
    return ConversationEngine(
        db=db,
        tickets=TicketService(db, settings),
        kb=kb,
        classify=classifier,
        attachments=files,
        settings=intake,
    )


@pytest.fixture
def chat(db, settings, kb, files, clock) -> Chat:
    return Chat(build(db, settings, kb, files), clock)


def rows(db, table):
    with db.session() as s:
        return list(s.exec(select(table)).all())


def report(chat: Chat) -> None:
    chat.say("直播间 8848 一直卡成PPT，iPhone 13，用的WiFi")
    chat.press("还是不行")
    chat.press("刚刚")
    chat.send(attachment=Attachment("video", "rec.mp4", "video/mp4", b"mp4data"))
    chat.press("没有了")
    chat.press("提交")


def test_a_report_becomes_a_ticket_with_its_files_and_votes(db, chat, files):
    report(chat)
    (ticket,) = rows(db, TicketRow)
    assert ticket.ref in chat.texts()
    assert (ticket.subtype, ticket.diagnostics["room_id"]) == ("av.stutter", "8848")
    assert ticket.kb_tried == ["av-stutter-network"]  # the one article shown
    (file,) = rows(db, AttachmentRow)
    assert file.ticket_id == ticket.id and files.files[file.stored_path] == b"mp4data"
    (conv,) = rows(db, ConversationRow)
    assert (conv.state, conv.data, conv.active_ticket) == ("idle", {}, ticket.ref)
    assert SqlFeedbackStore(db, cache_seconds=0).counts()["av-stutter-network"] == (
        FeedbackCounts(offers=1, not_helped=1)
    )


def test_a_self_service_resolution_is_recorded_with_its_audit_event(db, chat):
    chat.say("看直播一直卡顿，缓冲转圈")
    chat.press("换个办法")
    chat.press("方法2解决了")
    (row,) = rows(db, SelfServiceRow)
    assert (row.subtype, row.article_id) == ("av.stutter", "av-stutter-quality")
    (event,) = rows(db, AuditEventRow)
    assert event.action == "selfservice.resolved" and "pii" in event.payload
    with db.session() as s:
        assert verify_chain(iter_links(s)).ok
    assert rows(db, TicketRow) == []


def test_a_redelivered_update_changes_nothing(db, chat):
    first = chat.send(text="直播一直卡顿，缓冲转圈", delivery_id="u-1")
    before = rows(db, ConversationRow)[0].step
    again = chat.send(text="直播一直卡顿，缓冲转圈", delivery_id="u-1")
    assert first.replies and again.duplicate and not again.replies
    assert rows(db, ConversationRow)[0].step == before
    assert len(rows(db, ProcessedDeliveryRow)) == 1


def test_a_failed_event_leaves_neither_its_work_nor_its_delivery_record(
    db, settings, kb, files, clock
):
    def broken(text: str, now: datetime) -> Verdict:
        raise RuntimeError("the classifier fell over")

    chat = Chat(build(db, settings, kb, files, broken), clock)
    with pytest.raises(RuntimeError):
        chat.send(text="直播一直卡顿，缓冲转圈", delivery_id="u-2")
    assert rows(db, ProcessedDeliveryRow) == [] and rows(db, ConversationRow) == []
    retried = Chat(build(db, settings, kb, files), clock)
    assert retried.send(text="直播一直卡顿，缓冲转圈", delivery_id="u-2").replies


def test_a_conversation_stored_by_the_old_code_continues_after_the_upgrade(
    db, settings, kb, files, clock
):
    with db.session() as s:
        s.add(
            ConversationRow(
                channel="telegram",
                user_id="u1",
                chat_id="u1",
                display_name="Lin",
                language="zh",
                state="ask_detail",
                step=7,
                data=dict(OLD_ROW),
                updated_at=clock.now(),
            )
        )
    chat = Chat(build(db, settings, kb, files), clock)
    chat.send(choice="7:ans:0m")  # "just now", the button the user still sees
    assert "请确认" in chat.texts()
    assert "刚才又卡了" in chat.texts()
    chat.press("提交")
    (ticket,) = rows(db, TicketRow)
    assert ticket.kb_tried == OLD_ROW["kb_tried"] and "occurred_at" in ticket.diagnostics
    (file,) = rows(db, AttachmentRow)
    assert file.stored_path == "f0" and file.ticket_id == ticket.id


def test_follow_up_answers_change_the_ticket_in_the_same_transaction(db, settings, chat, clock):
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
    out = TicketRelay(db).resolution(ticket.ref, "Mei", "已切换 CDN 节点", clock.now())
    chat.last = type(chat.last)(list(out.replies))
    result = chat.press("解决了")
    assert result.events == [TicketChanged(ticket.ref, "confirmed")]
    chat.press("⭐⭐⭐⭐⭐")
    chat.say("客服很耐心，谢谢")
    closed = tickets.get(ticket.ref)
    assert (closed.status, closed.satisfaction) == (Status.CLOSED, 5)
    assert closed.satisfaction_comment == "客服很耐心，谢谢"
    with db.session() as s:
        assert verify_chain(iter_links(s)).ok


def test_words_for_an_open_ticket_become_its_messages_and_answer_a_request(
    db, settings, chat, clock
):
    report(chat)
    tickets = TicketService(db, settings)
    (ticket,) = tickets.search()
    tickets.claim(ticket.ref, "U1", clock.now())
    tickets.request_info(ticket.ref, "U1", ["app_version"], clock.now())
    result = chat.say("版本 5.2.1")
    assert TicketChanged(ticket.ref, "user_answered") in result.events
    assert tickets.get(ticket.ref).status == Status.DIAGNOSING
    chat.send(attachment=Attachment("photo", "shot.jpg", "image/jpeg", b"jpeg"))
    messages = rows(db, TicketMessageRow)
    assert [m.text for m in messages] == ["版本 5.2.1", ""]
    assert messages[1].attachment_id is not None


def test_my_tickets_lists_the_users_tickets_newest_first(db, settings, kb, files, clock):
    engine = build(db, settings, kb, files)
    stores = SqlConversationStores(db, TicketService(db, settings))
    chat = Chat(engine, clock)
    report(chat)
    chat.send(command="new")  # words would otherwise go to the open ticket
    report(chat)
    with stores.transaction() as store:
        listed = store.list_tickets("telegram", "u1", 10)
        assert store.list_tickets("telegram", "someone-else", 10) == []
    assert [t.ref for t in listed] == ["LD-1002", "LD-1001"]
    assert all(t.status == Status.NEW for t in listed)


def test_silence_closes_a_fixed_ticket_after_the_configured_time(db, settings, chat, clock):
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
    assert tickets.auto_close_due(clock.now() + timedelta(hours=47)) == []
    assert tickets.auto_close_due(clock.now() + timedelta(hours=49)) == [ticket.ref]


def test_others_affected_reaches_the_agents_card(db, chat, kb):
    chat.say("直播没有声音，iPhone 13，iOS 17")
    chat.press("别人也有")  # P0 now: the ticket exists at once, no confirmation
    (ticket,) = rows(db, TicketRow)
    assert ticket.priority == "P0" and ticket.scope == "widespread"
    with db.session() as s:
        card = card_data(s, ticket, kb, finance_view=False, timezone="Asia/Shanghai")
    assert card.diagnostics["affected"] == "others_too"
    assert "reporter: others are affected too" in card.cues


def test_the_composition_root_hands_the_configured_limits_to_the_engine(sqlite_url, tmp_path):
    configured = settings_from_mapping(
        {
            "storage": {"url": sqlite_url, "data_dir": str(tmp_path)},
            "intake": {"kb_limit": 2, "max_attachment_mb": 5, "flood_messages": 7},
        },
        environ={},
    )
    database = Database(sqlite_url)
    database.upgrade()
    try:
        tickets = TicketService(database, configured)
        services = Services(configured, database, tickets, IncidentService(database, tickets))
        limits = build_intake(configured, services).engine.settings
    finally:
        database.dispose()
    assert (limits.kb_limit, limits.flood_messages) == (2, 7)
    assert limits.max_attachment_bytes == 5 * 1024 * 1024
    assert limits.confidence_threshold == 0.45


def _queued_event(clock, delivery: str, text: str, chat_id: str = "c1") -> Inbound:
    route = ReplyQueue(f"reply:telegram:{delivery}", chat_id, "zh", clock.now() + timedelta(days=1))
    return Inbound(
        channel="telegram",
        user_id="u1",
        chat_id=chat_id,
        at=clock.now(),
        text=text,
        delivery_id=delivery,
        queue=route,
    )


def test_a_turns_replies_are_in_the_outbox_once_it_committed(db, settings, kb, files, clock):
    """What a crash right after the commit leaves behind: the dispatcher of the
    next process finds the replies and sends them; nothing is lost."""
    engine = build(db, settings, kb, files)
    result = engine.handle(_queued_event(clock, "41", "直播一直卡顿，缓冲转圈"))
    assert result.queued and result.replies
    claimed = SqlOutbox(db).claim_due(
        clock.now(), 10, "next-process", channel="telegram", lease=timedelta(minutes=1)
    )
    assert [m.reply.text for m in claimed] == [result.replies[0].text]
    queued = sorted(rows(db, OutboxMessageRow), key=lambda r: r.dedupe_key)
    assert [r.dedupe_key for r in queued] == [
        f"reply:telegram:41:{n}" for n in range(len(result.replies))
    ]
    again = engine.handle(_queued_event(clock, "41", "直播一直卡顿，缓冲转圈"))
    assert again.duplicate and len(rows(db, OutboxMessageRow)) == len(result.replies)


def test_replies_that_cannot_be_queued_leave_the_turn_undone(db, settings, kb, files, clock):
    engine = build(db, settings, kb, files)
    with pytest.raises(InvalidInputError):
        # A chat id the outbox refuses: the whole turn rolls back with it.
        engine.handle(_queued_event(clock, "42", "直播一直卡顿，缓冲转圈", chat_id="9" * 300))
    assert rows(db, ProcessedDeliveryRow) == []
    assert rows(db, ConversationRow) == []
    assert rows(db, OutboxMessageRow) == []
