"""Issue 17: the response time told to the user is the configured one, and
business hours move it, on SQLite and PostgreSQL through the composition root.
"""

from __future__ import annotations

from bot.bootstrap import Services, build_intake
from core.config import settings_from_mapping
from core.incidents.service import IncidentService
from core.tickets import TicketService
from tests.unit.conversation.conftest import Chat

STUTTER = "直播间 8848 一直卡成PPT，iPhone 13，用的WiFi，刚刚开始的"


def _chat(db, clock, sla: dict) -> Chat:
    configured = settings_from_mapping(
        {"i18n": {"timezone": "Asia/Shanghai"}, "sla": sla}, environ={}
    )
    tickets = TicketService(db, configured)
    services = Services(configured, db, tickets, IncidentService(db, tickets))
    return Chat(build_intake(configured, services).engine, clock)


def _file(chat: Chat) -> str:
    chat.say(STUTTER)
    chat.say("还是不行")
    chat.say("没有了")
    return chat.texts(chat.say("提交"))


def test_the_promise_is_the_configured_first_response(db, clock):
    chat = _chat(db, clock, {"first_response": {"P2": "4h"}})
    told = _file(chat)
    assert "4 小时内响应" in told and "24 小时" not in told


def test_outside_business_hours_the_promise_is_the_next_opening_plus_the_target(db, clock):
    # The clock stands at Wednesday 20:00 in Shanghai: closed until Thursday 09:00.
    calendar = {"timezone": "Asia/Shanghai", "start": "09:00", "end": "18:00"}
    chat = _chat(db, clock, {"first_response": {"P2": "2h"}, "calendar": calendar})
    told = _file(chat)
    assert "非工作时间" in told and "11-26 11:00 前响应" in told


def test_a_typical_complaint_is_a_ticket_in_five_turns_with_the_real_knowledge_base(db, clock):
    # The shipped articles, the shipped classifier: description, "still broken",
    # when, no screenshot, submit.
    chat = _chat(db, clock, {})
    chat.say("直播间 8848 一直卡成PPT，iPhone 13，用的WiFi")
    assert "还是不行" in chat.buttons()
    chat.say("还是不行")
    chat.say("刚刚")
    chat.say("没有了")
    assert "工单号" in chat.texts(chat.say("提交"))
    assert chat.turns <= 5
