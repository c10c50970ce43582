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
