"""Stage 4: "is it fixed?", reopening, rating and comment."""

from __future__ import annotations

from datetime import timedelta

from core.audit import verify_chain
from core.conversation import TicketChanged
from core.relay import TicketRelay
from core.statuses import Outcome, Status
from core.storage.audit_store import iter_links
from core.tickets import TicketService


def make_ticket(chat):
    chat.send(command="human")
    chat.say("直播间 8848 一直卡成PPT，iPhone 13，用的WiFi")
    chat.press("刚刚")
    chat.press("没有了")
    chat.press("提交")


def resolve(db, settings, clock, outcome=Outcome.ROOT_FIX):
    tickets = TicketService(db, settings)
    (ticket,) = tickets.search()
    if ticket.assignee is None:
        tickets.claim(ticket.ref, "U1", clock.now())
    tickets.resolve(
        ticket.ref,
        "U1",
        clock.now(),
        outcome=outcome,
        root_cause="CDN",
        cause_class="server_or_cdn",
    )
    out = TicketRelay(db).resolution(ticket.ref, "Mei", "已切换 CDN 节点，请再试试", clock.now())
    return tickets, ticket.ref, out


def deliver(chat, out):
    """Pretend the adapter rendered `out` to the user: its buttons are pressable."""
    from core.conversation import HandleResult

    chat.last = HandleResult(list(out.replies))


def test_the_whole_follow_up_reopen_then_fixed_then_rated_and_closed(
    chat, sqlite_db, settings, clock
):
    make_ticket(chat)
    tickets, ref, out = resolve(sqlite_db, settings, clock)
    assert out.replies[0].text.startswith("客服 Mei：")
    assert out.replies[-1].text == "问题解决了吗？"
    deliver(chat, out)
    result = chat.press("还没解决")
    assert ref in chat.texts(result)
    assert result.events == [TicketChanged(ref, "reopened")]
    reopened = tickets.get(ref)
    assert reopened.status == Status.DIAGNOSING
    assert reopened.first_response_at is None  # a new response clock
    _, _, out = resolve(sqlite_db, settings, clock)
    deliver(chat, out)
    chat.press("解决了")
    assert tickets.get(ref).status == Status.CONFIRMED
    chat.press("⭐⭐⭐⭐⭐")
    closed = tickets.get(ref)
    assert (closed.status, closed.satisfaction) == (Status.CLOSED, 5)
    chat.say("客服很耐心，谢谢")
    assert tickets.get(ref).satisfaction_comment == "客服很耐心，谢谢"
    with sqlite_db.session() as s:
        assert verify_chain(iter_links(s)).ok


def test_a_workaround_keeps_the_ticket_open_for_the_root_fix(chat, sqlite_db, settings, clock):
    make_ticket(chat)
    tickets, ref, out = resolve(sqlite_db, settings, clock, outcome=Outcome.WORKAROUND)
    deliver(chat, out)
    result = chat.press("解决了")
    assert "临时方案" in chat.texts(result)
    chat.press("⭐⭐⭐⭐")
    ticket = tickets.get(ref)
    assert (ticket.status, ticket.satisfaction) == (Status.WORKAROUND, 4)
    assert tickets.auto_close_due(clock.now() + timedelta(days=30)) == []


def test_silence_closes_a_fixed_ticket_after_the_configured_time(chat, sqlite_db, settings, clock):
    make_ticket(chat)
    tickets, ref, _ = resolve(sqlite_db, settings, clock)
    assert tickets.auto_close_due(clock.now() + timedelta(hours=47)) == []
    assert tickets.auto_close_due(clock.now() + timedelta(hours=49)) == [ref]
    assert tickets.get(ref).status == Status.CLOSED


def test_follow_up_buttons_only_work_for_the_reporter(chat, sqlite_db, settings, clock, engine):
    from tests.unit.conversation.conftest import Chat

    make_ticket(chat)
    _, _ref, out = resolve(sqlite_db, settings, clock)
    intruder = Chat(engine, clock, user="u2")
    deliver(intruder, out)
    result = intruder.press("还没解决")
    assert "过期" in intruder.texts(result)


def test_a_rating_is_taken_once(chat, sqlite_db, settings, clock):
    make_ticket(chat)
    _, _ref, out = resolve(sqlite_db, settings, clock)
    deliver(chat, out)
    chat.press("解决了")
    rating = chat.last
    chat.press("⭐⭐")
    chat.last = rating
    assert "过期" in chat.texts(chat.press("⭐⭐⭐⭐⭐"))


def test_answers_to_requested_details_move_the_ticket_back_to_the_agent(
    chat, sqlite_db, settings, clock
):
    make_ticket(chat)
    tickets = TicketService(sqlite_db, settings)
    (ticket,) = tickets.search()
    tickets.claim(ticket.ref, "U1", clock.now())
    tickets.request_info(ticket.ref, "U1", ["app_version"], clock.now())
    out = TicketRelay(sqlite_db).info_request(ticket.ref, ["app_version"], None)
    assert "App 版本" in out.replies[0].text
    result = chat.say("版本 5.2.1")
    assert TicketChanged(ticket.ref, "user_answered") in result.events
    assert tickets.get(ticket.ref).status == Status.DIAGNOSING
