"""The conversation keeps the language it stored; a button press carries none."""

from __future__ import annotations

from core.i18n import t
from tests.unit.conversation.conftest import Chat


def test_a_button_press_without_a_language_is_answered_in_the_chats_language(engine, clock):
    chat = Chat(engine, clock, language="en-US")
    chat.say("the stream keeps buffering and lagging on my iPhone 13 over wifi")
    assert "Still broken" in chat.buttons()
    chat.language = None  # Telegram callback queries may carry no language code
    assert "Still broken" not in chat.texts(chat.press("Still broken"))
    assert any(word in chat.texts() for word in ("When", "room", "screenshot", "Skip"))
    chat.language = "zh-hans"  # nor does a client's code override the stored one
    assert "跳过" not in chat.buttons()
    chat.press("Skip")
    assert all(ch < "\u4e00" or ch > "\u9fff" for ch in chat.texts())


def test_the_flood_notice_is_in_the_chats_language(make_engine, clock):
    chat = Chat(make_engine(flood_messages=3), clock, language="en-US")
    chat.say("hello")
    chat.language = None
    for _ in range(2):
        chat.send(command="help")
    assert chat.texts(chat.send(command="help")) == t("en", "flood")


def test_help_names_status_in_both_languages(engine, clock):
    for language, words in (("zh-hans", "平台故障"), ("en-US", "known platform problems")):
        chat = Chat(engine, clock, user=f"help-{language}", language=language)
        text = chat.texts(chat.send(command="help"))
        assert "/status" in text and words in text


def test_the_promise_follows_the_configured_first_response(make_engine, clock, stores):
    from datetime import timedelta

    from core.taxonomy import Priority

    times = {Priority.P0: timedelta(minutes=10), Priority.P1: timedelta(minutes=90)}
    chat = Chat(make_engine(first_response={**times, Priority.P2: timedelta(hours=3)}), clock)
    chat.say("直播没有声音，iPhone 13，iOS 17")
    told = chat.texts(chat.press("别人也有"))  # P0 now
    assert "10 分钟内响应" in told and "15 分钟" not in told
    english = Chat(chat.engine, clock, user="u2", language="en-US")
    english.say("I topped up 30 USD with Google Play but the coins never arrived")
    english.press("Only me")
    english.press("Still broken")
    while "confirm your report" not in english.texts():
        english.press("Skip") if "Skip" in english.buttons() else english.press("No more")
    assert "within 1 hour 30 minutes" in english.texts(english.press("Submit"))
