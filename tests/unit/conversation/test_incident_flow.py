"""Known outages, the P0 fast path and /status, on the in-memory store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.conversation import Attachment, TicketChanged, TicketCreated, UserAddedToTicket
from core.conversation.draft import Draft
from core.conversation.turn import ConvState
from core.diagnostics import Diagnostics
from core.incidents.model import IncidentFilters
from tests.factories import draft
from tests.fakes import article
from tests.unit.conversation.conftest import Chat
from tests.unit.conversation.memory_store import MemoryIncident

ETA = datetime(2026, 11, 25, 13, 30, tzinfo=UTC)  # 21:30 in Shanghai


@pytest.fixture
def outage(stores, kb):
    # An article for the subtype exists: the known-outage path must not offer it.
    kb.add(article("av-no-audio-volume", "av.no_audio"))
    return stores.open_incident(
        MemoryIncident(
            ref="INC-101",
            group="sound",
            title="No sound on every stream",
            update="The audio mixer is being rolled back",
            eta=ETA,
        )
    )


def state_of(stores, user="u1"):
    return stores.state.conversations[("telegram", user)]


def test_a_report_of_a_known_outage_is_told_at_once_and_filed_into_the_incident(
    chat, stores, outage
):
    first = chat.say("直播没有声音")
    text = chat.texts(first)
    assert "已知问题" in text and "No sound on every stream" in text and "正在排查" in text
    assert "The audio mixer is being rolled back" in text
    assert "2026-11-25 21:30" in text
    (ticket,) = stores.state.tickets.values()
    assert ticket.view.incident == "INC-101" and outage.tickets == [ticket.ref]
    assert ticket.ref in text
    assert first.events == [TicketCreated(ticket.ref)]
    # No articles, no "is anyone else affected?": the incident answers both.
    assert (
        stores.votes() == {} and "av-no-audio-volume" not in text and "其他用户也遇到" not in text
    )
    # The one question the incident still needs: its reports name no app version.
    assert "App 版本号" in text
    assert state_of(stores).state == ConvState.TICKET_DETAIL
    answered = chat.say("5.2.1")
    assert ticket.draft.diagnostics.app_version == "5.2.1"
    assert answered.events == [TicketChanged(ticket.ref, "details_added")]
    assert state_of(stores).state == ConvState.IDLE
    assert len(stores.state.tickets) == 1
    # Later words still go to the ticket (and so to the incident's thread).
    later = chat.say("刚才重启了也还是没声音")
    assert later.events == [UserAddedToTicket(ticket.ref, 1)]


def test_only_a_detail_the_incident_lacks_is_asked_and_at_most_one(engine, clock, stores, outage):
    Chat(engine, clock, user="a").say("直播没有声音，App 5.2.1")
    stores.ticket("LD-1001")  # the first reporter's ticket
    second = Chat(engine, clock, user="b")
    second.say("直播没有声音")
    assert "App 版本号" not in second.texts()
    assert "系统" in second.texts()  # the OS is what the incident lacks now
    second.press("跳过")
    assert state_of(stores, "b").state == ConvState.IDLE
    assert "LD-1002" in second.texts()


def test_nothing_is_asked_when_the_incident_knows_it_all(engine, clock, stores, outage):
    Chat(engine, clock, user="a").say("直播没有声音，App 5.2.1，iPhone 13，iOS 17")
    second = Chat(engine, clock, user="b")
    result = second.say("直播没有声音")
    assert "已知问题" in second.texts(result) and second.buttons() == []
    assert state_of(stores, "b").state == ConvState.IDLE


def test_a_report_outside_the_incidents_filters_or_after_it_is_resolved_is_ordinary(
    chat, stores, outage, engine, clock
):
    outage.filters = IncidentFilters(room_id="8848")
    chat.say("直播间 1234 没有声音")
    assert "已知问题" not in chat.texts() and stores.state.tickets == {}
    outage.status = "resolved"
    other = Chat(engine, clock, user="u2")
    other.say("直播没有声音")
    assert "已知问题" not in other.texts()


def test_a_file_or_cancel_while_asked_for_the_ticket_keeps_the_ticket(chat, stores, outage):
    chat.say("直播没有声音")
    shot = Attachment("photo", "mute.jpg", "image/jpeg", b"jpeg")
    added = chat.send(attachment=shot)
    ticket = stores.ticket()
    assert added.events == [UserAddedToTicket(ticket.ref, 1)]
    assert ticket.messages[0][2] is not None and "App 版本号" in chat.texts(added)
    stopped = chat.send(command="cancel")
    assert ticket.ref in chat.texts(stopped) and "已取消" not in chat.texts(stopped)
    assert state_of(stores).state == ConvState.IDLE and ticket.status == "new"


def test_a_report_that_reads_as_p0_pages_at_once_and_asks_the_rest_after(chat, stores, kb):
    kb.add(article("av-no-audio-volume", "av.no_audio"))
    first = chat.say("所有直播都没有声音")
    (ticket,) = stores.state.tickets.values()
    text = chat.texts(first)
    assert ticket.view.priority == "P0" and ticket.ref in text and "15 分钟" in text
    assert stores.votes() == {} and "其他用户也遇到" not in text
    assert "手机或设备" in text  # the details come after the page
    # An iPhone runs iOS: the system is not asked after it.
    assert "直播间" in chat.texts(chat.say("iPhone 13"))
    assert ticket.draft.diagnostics.device_model == "iPhone 13"
    assert ticket.draft.diagnostics.os == "iOS"
    last = chat.press("跳过")
    assert last.events == [] and ticket.ref in chat.texts(last)
    assert [a for a, _ in stores.state.audit] == ["ticket.details_added"]


def test_only_me_goes_on_to_the_articles(chat, stores, kb):
    kb.add(article("av-no-audio-volume", "av.no_audio"))
    chat.say("直播没有声音")
    chat.press("只有我")
    assert "av-no-audio-volume" in chat.texts() and stores.state.tickets == {}


def test_status_lists_open_incidents_without_finance_or_internal_data(chat, stores, outage):
    stores.open_incident(
        MemoryIncident(ref="INC-102", group="recharge", title="Top-ups late", finance=True)
    )
    result = chat.send(command="status")
    text = chat.texts(result)
    assert "No sound on every stream" in text and "The audio mixer" in text
    assert "Top-ups late" not in text and "INC-" not in text


def test_status_says_when_nothing_is_open(chat, stores):
    assert "没有正在处理" in chat.texts(chat.send(command="status"))


def test_status_in_english(engine, clock, stores, outage):
    english = Chat(engine, clock, language="en")
    text = english.texts(english.send(command="status"))
    assert "investigating" in text and "Latest update" in text


def test_details_answered_after_the_ticket_merge_into_its_diagnostics(stores):
    with stores.transaction() as store:
        view = store.create_ticket(draft("av.no_audio"), [], ETA)
        store.add_ticket_details(view.ref, Diagnostics(app_version="5.2.1"), ETA)
    merged = stores.ticket(view.ref).draft.diagnostics
    assert merged.app_version == "5.2.1" and merged.device_model == "iPhone 13"


def test_the_fast_path_fields_survive_the_round_trip():
    stored = Draft(ticket_ref="LD-1001", pending="os", after=["room_id"]).to_json()
    assert Draft.from_json(stored) == Draft(ticket_ref="LD-1001", pending="os", after=["room_id"])
    assert "after" not in Draft().to_json() and "ticket_ref" not in Draft().to_json()


def test_a_reporter_whose_ticket_joins_an_incident_later_is_told_on_the_next_turn(chat, stores):
    chat.say("所有直播都没有声音")
    ticket = stores.ticket()
    assert "已知问题" not in chat.texts()
    stores.open_incident(MemoryIncident(ref="INC-101", group="sound", title="No sound"))
    stores.link("INC-101", ticket.ref)
    told = chat.texts(chat.say("iPhone 13"))
    assert "已知问题" in told and "No sound" in told
    assert "已知问题" not in chat.texts(chat.press("跳过"))  # once is enough
    assert "已知问题" not in chat.texts(chat.say("还是没有声音"))


def test_words_for_a_ticket_that_joined_an_incident_bring_the_news(chat, stores, kb):
    kb.add(article("av-no-audio-volume", "av.no_audio"))
    chat.say("直播没有声音")
    chat.press("只有我")
    chat.press("还是不行")
    while "请确认" not in chat.texts():
        assert chat.turns < 12, chat.texts()
        chat.press("跳过") if "跳过" in chat.buttons() else chat.press("没有了")
    chat.press("提交")
    ticket = stores.ticket()
    stores.open_incident(MemoryIncident(ref="INC-101", group="sound", title="No sound"))
    stores.link("INC-101", ticket.ref)
    result = chat.say("现在还是没声音")
    assert result.events[0] == UserAddedToTicket(ticket.ref, 1)
    assert "已知问题" in chat.texts(result)


def test_words_that_answer_no_question_go_to_the_ticket_and_end_the_questions(chat, stores):
    chat.say("全平台的直播间都黑屏了，大家都看不了直播")
    ticket = stores.ticket()
    assert ticket.view.priority == "P0" and "什么网络" in chat.texts()
    result = chat.say("好的，我等")
    assert result.events == [UserAddedToTicket(ticket.ref, 1)]
    assert ticket.messages[0][1] == "好的，我等"
    assert state_of(stores).state == ConvState.IDLE


def test_a_generated_title_is_told_in_the_users_language(chat, stores):
    stores.open_incident(MemoryIncident(ref="INC-103", group="sound", title="No sound at all"))
    text = chat.texts(chat.say("直播没有声音"))
    assert "没有声音" in text and "No sound at all" not in text
    assert "没有声音" in chat.texts(chat.send(command="status"))
