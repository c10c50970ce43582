"""The ticket keeps whether the knowledge base was searched, for the complaint report."""

from __future__ import annotations

from core.diagnostics import KB_SEARCH


def _submit(chat) -> None:
    while "提交" not in chat.buttons():
        assert chat.turns < 15, chat.texts()
        chat.press("跳过") if "跳过" in chat.buttons() else chat.press("没有了")
    chat.press("提交")


def test_a_report_through_human_says_the_knowledge_base_was_never_searched(chat, stores):
    chat.send(command="human")
    chat.say("充值没到账")
    _submit(chat)
    (ticket,) = stores.state.tickets.values()
    assert KB_SEARCH not in ticket.draft.diagnostics.extras


def test_a_report_whose_articles_did_not_help_says_they_were_offered(chat, stores):
    chat.say("直播间 8848 一直卡成PPT，iPhone 13，用的WiFi")
    chat.press("还是不行")
    _submit(chat)
    (ticket,) = stores.state.tickets.values()
    assert ticket.draft.diagnostics.extras[KB_SEARCH] == "offered"
    assert ticket.draft.kb_tried
