"""Asking instead of guessing: vague words are asked about, two problems are the
user's to split, and an unsure verdict offers the calibrated alternatives.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from core.conversation import IntakeSettings, TicketCreated
from core.conversation.engine import ConversationFlow
from core.conversation.turn import ConvState
from core.taxonomy import CATEGORY_NAMES, SUBTYPES, Category, Scope
from tests.unit.conversation.conftest import Chat
from tests.unit.conversation.memory_store import MemoryIncident
from tests.unit.conversation.scripted import Scripted

CATEGORIES_ZH = [CATEGORY_NAMES[c][0] for c in Category]
TWO_TOP = [("av.stutter", 0.7), ("fin.recharge", 0.25), ("av.blur", 0.05)]
TWO = "直播间 8848 一直卡成PPT，iPhone 13，用的WiFi，昨天充值的钻石也没到账"


def tickets_of(stores):
    return list(stores.state.tickets.values())


def state_of(stores, user="u1"):
    return stores.state.conversations[("telegram", user)].state


@pytest.fixture
def scripted() -> Scripted:
    return Scripted()


@pytest.fixture
def flow(stores, kb, files, scripted):
    def build(**overrides) -> ConversationFlow:
        intake = IntakeSettings(timezone=ZoneInfo("Asia/Shanghai"), **overrides)
        return ConversationFlow(stores, kb, scripted, files, intake)

    return build


@pytest.fixture
def talk(flow, clock) -> Chat:
    return Chat(flow(), clock)


def submit(chat: Chat) -> None:
    """Skip every remaining question, then submit."""
    while "请确认" not in chat.texts():
        assert chat.turns < 15, chat.texts()
        labels = chat.buttons()
        chat.press("还是不行" if "还是不行" in labels else "跳过" if "跳过" in labels else "没有了")
    chat.press("提交")


# -- vague words ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "guess_words"),
    [
        ("又不行了", "zh-hans", "明白了"),
        ("it doesn't work", "en", "Got it"),
        ("fix your app", "en", "Got it"),
    ],
)
def test_vague_words_get_a_question_with_the_categories_and_no_guess(
    engine, clock, stores, text, language, guess_words
):
    chat = Chat(engine, clock, language=language)
    chat.say(text)
    assert state_of(stores) == ConvState.ASK_WHAT
    assert guess_words not in chat.texts()
    assert not any(f"P{n}" in chat.texts() for n in range(4))
    assert len(chat.buttons()) == len(Category)
    assert tickets_of(stores) == []
    draft = stores.state.conversations[("telegram", "u1")].draft
    assert draft.subtype is None and draft.vague_words == text


def test_the_answer_to_what_is_wrong_is_classified_and_both_words_reach_the_ticket(chat, stores):
    chat.say("又不行了")
    chat.say("直播间 8848 一直卡成PPT")
    assert "卡顿" in chat.texts()
    assert state_of(stores) == ConvState.KB_OFFER
    submit(chat)
    (ticket,) = tickets_of(stores)
    assert ticket.draft.subtype == "av.stutter"
    assert ticket.draft.summary.startswith("又不行了\n直播间 8848 一直卡成PPT")
    assert ticket.draft.diagnostics.room_id == "8848"


def test_who_is_affected_said_before_what_is_wrong_still_counts(chat, stores):
    chat.say("全平台都这样了，大家都是，怎么回事")
    assert state_of(stores) == ConvState.ASK_WHAT
    chat.say("直播间打开就是黑屏")
    # Not asked "is anyone else affected?" again: a P0, filed and paged at once.
    (ticket,) = tickets_of(stores)
    assert (ticket.draft.subtype, ticket.draft.scope, ticket.view.priority) == (
        "av.black_screen",
        Scope.WIDESPREAD,
        "P0",
    )


def test_only_me_said_before_what_is_wrong_is_not_asked_again(chat, stores):
    chat.say("就我一个人这样，别人都好好的，怎么回事")
    chat.say("直播间打开就是黑屏")
    draft = stores.state.conversations[("telegram", "u1")].draft
    assert (draft.subtype, draft.affected) == ("av.black_screen", "only_me")


def test_a_vague_answer_is_asked_about_again(chat, stores):
    chat.say("又不行了")
    chat.say("还是那样，烦死了")
    assert state_of(stores) == ConvState.ASK_WHAT
    assert "还是没看出" in chat.texts()
    assert tickets_of(stores) == []
    draft = stores.state.conversations[("telegram", "u1")].draft
    assert draft.vague_words == "又不行了\n还是那样，烦死了"


def test_a_category_instead_of_words_lists_its_subtypes_without_a_guess(chat, stores):
    chat.say("fix your app")
    chat.press("财务")
    finance = [s.name("zh") for s in SUBTYPES.values() if s.category is Category.FINANCE]
    assert chat.buttons() == [*finance, "都不是"]
    assert "具体是下面哪一种" in chat.texts()
    chat.press(SUBTYPES["fin.recharge"].name("zh"))
    assert state_of(stores) != ConvState.CHOOSE_TYPE
    submit(chat)
    (ticket,) = tickets_of(stores)
    assert ticket.draft.subtype == "fin.recharge"
    assert "fix your app" in ticket.draft.summary


def test_a_typed_category_name_works_like_its_button(chat, stores):
    chat.say("又不行了")
    chat.say("财务")
    assert state_of(stores) == ConvState.CHOOSE_TYPE


# -- two problems ----------------------------------------------------------------------


def test_two_problems_are_offered_as_both_or_either(talk, scripted, stores):
    scripted.when(TWO, TWO_TOP, "fin.recharge")
    talk.say(TWO)
    assert state_of(stores) == ConvState.TWO_PROBLEMS
    names = [SUBTYPES[s].name("zh") for s in ("av.stutter", "fin.recharge")]
    assert talk.buttons() == ["两个都反馈", *(f"只反馈：{n}" for n in names)]
    assert tickets_of(stores) == []


def test_both_problems_become_two_tickets_sharing_the_words_and_details(talk, scripted, stores):
    scripted.when(TWO, TWO_TOP, "fin.recharge")
    talk.say(TWO)
    talk.press("两个都反馈")
    assert "单独建一张工单" in talk.texts()
    submit(talk)
    first, second = tickets_of(stores)
    assert (first.draft.subtype, second.draft.subtype) == ("av.stutter", "fin.recharge")
    assert first.draft.summary == second.draft.summary
    assert TWO in second.draft.summary
    assert first.draft.diagnostics == second.draft.diagnostics
    assert second.draft.diagnostics.room_id == "8848"
    assert first.ref in talk.texts() and second.ref in talk.texts()
    assert talk.last.events == [TicketCreated(first.ref), TicketCreated(second.ref)]
    # The article tried was for the first problem only.
    assert first.draft.kb_tried == ("av-stutter-network",) and second.draft.kb_tried == ()
    assert state_of(stores) == ConvState.IDLE


def test_a_second_problem_that_is_a_known_outage_joins_it_and_the_user_is_told(
    talk, scripted, stores
):
    stores.open_incident(
        MemoryIncident(ref="INC-102", group="recharge", title="Top-ups late", finance=True)
    )
    scripted.when(TWO, TWO_TOP, "fin.recharge")
    talk.say(TWO)
    talk.press("两个都反馈")
    submit(talk)
    first, second = tickets_of(stores)
    assert (first.view.incident, second.view.incident) == (None, "INC-102")
    assert "已知问题" in talk.texts()


def test_choosing_one_of_two_problems_files_only_that_one(talk, scripted, stores):
    scripted.when(TWO, TWO_TOP, "fin.recharge")
    talk.say(TWO)
    talk.press(f"只反馈：{SUBTYPES['fin.recharge'].name('zh')}")
    submit(talk)
    (ticket,) = tickets_of(stores)
    assert ticket.draft.subtype == "fin.recharge"
    assert TWO in ticket.draft.summary


def test_when_an_article_fixes_the_first_problem_the_second_goes_on(talk, scripted, stores):
    scripted.when(TWO, TWO_TOP, "fin.recharge")
    talk.say(TWO)
    talk.press("两个都反馈")
    talk.press("方法1解决了")
    assert "接下来看另一个问题" in talk.texts()
    assert stores.state.self_service
    submit(talk)
    (ticket,) = tickets_of(stores)
    assert ticket.draft.subtype == "fin.recharge"


def test_a_p0_with_a_second_problem_pages_and_files_both_at_once(talk, scripted, stores):
    text = "所有直播间都没声音，大家都一样，充值的钻石也没到账"
    scripted.when(text, [("av.no_audio", 0.7), ("fin.recharge", 0.3)], "fin.recharge")
    talk.say(text)
    talk.press("两个都反馈")
    first, second = tickets_of(stores)
    assert (first.view.priority, first.draft.subtype) == ("P0", "av.no_audio")
    assert second.draft.subtype == "fin.recharge" and text in second.draft.summary
    assert first.ref in talk.texts() and second.ref in talk.texts()


# -- unsure: the calibrated alternatives, below the configured threshold -----------------


def test_below_the_configured_threshold_the_calibrated_top_three_are_offered(
    flow, clock, scripted, stores
):
    text = "直播的时候画面怪怪的"
    top = [("av.blur", 0.5), ("av.stutter", 0.3), ("av.desync", 0.2)]
    scripted.when(text, top)
    chat = Chat(flow(confidence_threshold=0.6), clock)
    chat.say(text)
    assert chat.buttons() == [*(SUBTYPES[s].name("zh") for s, _ in top), "都不是"]
    chat.press(SUBTYPES["av.desync"].name("zh"))
    assert stores.state.conversations[("telegram", "u1")].draft.subtype == "av.desync"


def test_at_or_above_the_configured_threshold_there_is_no_choice(flow, clock, scripted, stores):
    text = "直播的时候画面怪怪的"
    scripted.when(text, [("av.blur", 0.5), ("av.stutter", 0.3), ("av.desync", 0.2)])
    chat = Chat(flow(confidence_threshold=0.45), clock)
    chat.say(text)
    assert state_of(stores) != ConvState.CHOOSE_TYPE
    assert "都不是" not in chat.buttons()


# -- a fault that may be a wish: the type first, no fix steps before it ------------------


def test_a_fault_verdict_that_may_be_a_suggestion_offers_it_before_any_article(
    flow, clock, scripted, stores
):
    text = "希望卡顿的时候能自动切到流畅画质"
    top = [("av.stutter", 0.8), ("av.blur", 0.1), ("av.black_screen", 0.05)]
    scripted.when(text, top, maybe_info="sug.feature")
    chat = Chat(flow(), clock)
    chat.say(text)
    names = [SUBTYPES[s].name("zh") for s in ("av.stutter", "av.blur", "sug.feature")]
    assert chat.buttons() == [*names, "都不是"]
    assert state_of(stores) == ConvState.CHOOSE_TYPE
    chat.press(SUBTYPES["sug.feature"].name("zh"))
    assert stores.state.conversations[("telegram", "u1")].draft.subtype == "sug.feature"
    assert not any("方法" in b for b in chat.buttons())  # no fix steps for a wish


def test_a_widespread_verdict_that_may_be_an_outage_offers_it_and_pages_when_picked(
    talk, scripted, stores
):
    text = "所有直播间都卡住不动了，群里好多人都一样"
    top = [("av.stutter", 0.8), ("av.blur", 0.1), ("av.desync", 0.05)]
    scripted.when(text, top, maybe_urgent="av.black_screen")
    talk.say(text)
    names = [SUBTYPES[s].name("zh") for s in ("av.stutter", "av.blur", "av.black_screen")]
    assert talk.buttons() == [*names, "都不是"]
    assert state_of(stores) == ConvState.CHOOSE_TYPE
    talk.press(SUBTYPES["av.black_screen"].name("zh"))
    (ticket,) = tickets_of(stores)
    assert (ticket.draft.subtype, ticket.view.priority) == ("av.black_screen", "P0")


def test_picking_the_verdict_over_the_offered_outage_files_it_as_read(talk, scripted, stores):
    text = "所有直播间都卡住不动了，群里好多人都一样"
    top = [("av.stutter", 0.8), ("av.blur", 0.1), ("av.desync", 0.05)]
    scripted.when(text, top, maybe_urgent="av.black_screen")
    talk.say(text)
    talk.press(SUBTYPES["av.stutter"].name("zh"))
    assert stores.state.conversations[("telegram", "u1")].draft.subtype == "av.stutter"
    assert "明白了：卡顿、延迟、缓冲（P1）。" in talk.texts()
    assert not tickets_of(stores)  # a widespread P1: fix steps first, nothing paged


def test_a_sure_fault_verdict_goes_straight_on(flow, clock, scripted, stores):
    text = "希望卡顿的时候能自动切到流畅画质"
    scripted.when(text, [("av.stutter", 0.8), ("av.blur", 0.1), ("av.black_screen", 0.05)])
    chat = Chat(flow(), clock)
    chat.say(text)
    assert state_of(stores) != ConvState.CHOOSE_TYPE
