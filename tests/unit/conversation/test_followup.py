"""Stage 4: "is it fixed?", reopening, rating and comment."""

from __future__ import annotations

from core.conversation import ConversationEngine, HandleResult, TicketChanged, UserAddedToTicket
from core.statuses import Status
from tests.unit.conversation.conftest import Chat


def make_ticket(chat) -> str:
    chat.send(command="human")
    chat.say("直播间 8848 一直卡成PPT，iPhone 13，用的WiFi")
    chat.press("刚刚")
    chat.press("没有了")
    (event,) = chat.press("提交").events
    return event.ref


def resolve(stores, ref, status=Status.FIXED) -> HandleResult:
    """An agent resolved the ticket; the relay sends "is it fixed?"."""
    stores.set_status(ref, status)
    return HandleResult([ConversationEngine.followup_question("zh", ref)])


def test_the_whole_follow_up_reopen_then_fixed_then_rated_and_commented(chat, stores):
    ref = make_ticket(chat)
    chat.last = resolve(stores, ref)
    assert chat.texts() == "问题解决了吗？"
    result = chat.press("还没解决")
    assert ref in chat.texts(result)
    assert result.events == [TicketChanged(ref, "reopened")]
    assert stores.ticket(ref).status == Status.DIAGNOSING
    chat.last = resolve(stores, ref)
    assert chat.press("解决了").events == [TicketChanged(ref, "confirmed")]
    assert stores.ticket(ref).status == Status.CONFIRMED
    assert chat.press("⭐⭐⭐⭐⭐").events == [TicketChanged(ref, "rated")]
    rated = stores.ticket(ref)
    assert (rated.status, rated.view.satisfaction) == (Status.CLOSED, 5)
    assert chat.say("客服很耐心，谢谢").events == [TicketChanged(ref, "commented")]
    assert stores.ticket(ref).comment == "客服很耐心，谢谢"
    # The comment is taken once; later words start a new report.
    assert "卡顿" in chat.texts(chat.say("看直播一直卡顿，缓冲转圈"))


def test_a_workaround_keeps_the_ticket_open_for_the_root_fix(chat, stores):
    ref = make_ticket(chat)
    chat.last = resolve(stores, ref, Status.WORKAROUND)
    result = chat.press("解决了")
    assert "临时方案" in chat.texts(result)
    chat.press("⭐⭐⭐⭐")
    ticket = stores.ticket(ref)
    assert (ticket.status, ticket.view.satisfaction) == (Status.WORKAROUND, 4)


def test_follow_up_buttons_only_work_for_the_reporter(chat, stores, clock, engine):
    ref = make_ticket(chat)
    intruder = Chat(engine, clock, user="u2")
    intruder.last = resolve(stores, ref)
    result = intruder.press("还没解决")
    assert "过期" in intruder.texts(result)
    assert stores.ticket(ref).status == Status.FIXED


def test_follow_up_buttons_of_an_unknown_ticket_are_stale(chat):
    assert "过期" in chat.texts(chat.send(choice="g:fu:LD-9999:y"))
    assert "过期" in chat.texts(chat.send(choice="g:rate::"))


def test_is_it_fixed_is_answered_only_while_the_ticket_is_resolved(chat, stores):
    ref = make_ticket(chat)
    chat.last = resolve(stores, ref)
    question = chat.last
    chat.press("解决了")
    chat.last = question
    assert "过期" in chat.texts(chat.press("解决了"))


def test_a_rating_is_taken_once(chat, stores):
    ref = make_ticket(chat)
    chat.last = resolve(stores, ref)
    chat.press("解决了")
    rating = chat.last
    chat.press("⭐⭐")
    chat.last = rating
    assert "过期" in chat.texts(chat.press("⭐⭐⭐⭐⭐"))
    assert stores.ticket(ref).view.satisfaction == 2


def test_answers_to_requested_details_move_the_ticket_back_to_the_agent(chat, stores):
    ref = make_ticket(chat)
    stores.set_status(ref, Status.WAITING_USER)
    result = chat.say("版本 5.2.1")
    assert isinstance(result.events[0], UserAddedToTicket)
    assert TicketChanged(ref, "user_answered") in result.events
    assert stores.ticket(ref).status == Status.DIAGNOSING


def test_a_closed_ticket_takes_no_more_words(chat, stores):
    ref = make_ticket(chat)
    stores.set_status(ref, Status.CLOSED)
    result = chat.say("直播又卡了，直播间 8848")
    assert not any(isinstance(e, UserAddedToTicket) for e in result.events)
    assert stores.ticket(ref).messages == []


def _closed(chat, stores, clock, days_ago: float):
    """A resolved ticket whose "is it fixed?" went unanswered until it closed."""
    from datetime import timedelta

    ref = make_ticket(chat)
    chat.last = resolve(stores, ref)
    stores.set_status(ref, Status.CLOSED, at=clock.now() - timedelta(days=days_ago))
    return ref


def test_not_fixed_on_a_recently_closed_ticket_reopens_it(chat, stores, clock):
    ref = _closed(chat, stores, clock, days_ago=2)
    result = chat.press("还没解决")  # the old question's button
    assert "过期" not in chat.texts(result) and ref in chat.texts(result)
    assert result.events == [TicketChanged(ref, "reopened")]
    assert stores.ticket(ref).status == Status.DIAGNOSING


def test_typed_not_fixed_after_the_close_reopens_it_too(chat, stores, clock):
    ref = _closed(chat, stores, clock, days_ago=1)
    result = chat.say("还没解决")
    assert result.events == [TicketChanged(ref, "reopened")]
    assert "重新打开" in chat.texts(result)
    # Words after that go to the reopened ticket.
    assert isinstance(chat.say("还是没声音").events[0], UserAddedToTicket)


def test_not_fixed_after_the_reopen_window_asks_for_a_new_report(chat, stores, clock):
    ref = _closed(chat, stores, clock, days_ago=8)
    text = chat.texts(chat.press("还没解决"))
    assert "7 天" in text and "过期" not in text
    assert stores.ticket(ref).status == Status.CLOSED


def test_the_reopen_window_is_configured(make_engine, clock, stores):
    from datetime import timedelta

    chat = Chat(make_engine(reopen_within=timedelta(days=1)), clock)
    ref = _closed(chat, stores, clock, days_ago=2)
    assert "1 天" in chat.texts(chat.say("还没解决"))
    assert stores.ticket(ref).status == Status.CLOSED
