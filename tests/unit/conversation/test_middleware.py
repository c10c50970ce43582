"""Dedup and flood control in front of the dialogue."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.conversation import HandleResult, Inbound, Reply
from core.conversation.middleware import Dedup, FloodControl, chain
from tests.unit.conversation.conftest import Chat
from tests.unit.conversation.memory_store import MemoryStores


def test_a_flooding_user_is_answered_politely(make_engine, clock):
    chat = Chat(make_engine(flood_messages=3), clock)
    for _ in range(3):
        chat.send(command="help")
    assert "太频繁" in chat.texts(chat.send(command="help"))


def test_a_flooding_user_gets_one_notice_per_window(make_engine, clock):
    chat = Chat(make_engine(flood_messages=3), clock)  # a message every 5 s
    for _ in range(3):
        assert "太频繁" not in chat.texts(chat.send(command="help"))
    assert "太频繁" in chat.texts(chat.send(command="help"))
    dropped = [chat.send(command="help") for _ in range(5)]
    assert all(not r.replies and not r.duplicate for r in dropped)
    clock.advance(timedelta(minutes=2))
    assert "太频繁" not in chat.texts(chat.send(command="help"))


def test_a_user_still_flooding_after_a_window_gets_a_second_notice(make_engine, clock):
    chat = Chat(make_engine(flood_messages=3, flood_window=timedelta(seconds=30)), clock)
    results = [chat.send(command="help") for _ in range(12)]  # 5 s apart: always > 3 per 30 s
    notices = [n for n, r in enumerate(results) if r.replies and "太频繁" in r.replies[0].text]
    assert notices == [3, 10]  # the next notice only once the first is a window old


def test_a_redelivered_update_never_counts_toward_the_flood_limit(make_engine, clock):
    chat = Chat(make_engine(flood_messages=3), clock)
    first = chat.send(command="help", delivery_id="d-1")
    for _ in range(5):
        assert chat.send(command="help", delivery_id="d-1").duplicate
    for n in (2, 3):
        result = chat.send(command="help", delivery_id=f"d-{n}")
        assert result.replies and "太频繁" not in chat.texts(result)
    assert first.replies
    assert "太频繁" in chat.texts(chat.send(command="help", delivery_id="d-4"))


def test_flood_windows_of_quiet_users_are_forgotten(clock):
    """Memory must not grow with every user ever seen."""
    flood = FloodControl(20, timedelta(minutes=1), "zh")
    stores = MemoryStores()

    def dialogue(event, store):
        return HandleResult([Reply("ok")])

    with stores.transaction() as store:
        for n in range(5000):
            clock.advance(timedelta(seconds=1))
            event = Inbound(channel="telegram", user_id=str(n), chat_id=str(n), at=clock.now())
            assert flood(event, store, dialogue).replies == [Reply("ok")]
    # Only the last minute's users (and at most one sweep's worth) are kept.
    assert flood.tracked <= 2048


def test_the_chain_runs_middlewares_in_order_and_each_may_stop_it(clock):
    seen: list[str] = []

    def tag(name, stop=False):
        def middleware(event, store, next):
            seen.append(name)
            return HandleResult([Reply(name)]) if stop else next(event, store)

        return middleware

    def last(event, store):
        seen.append("dialogue")
        return HandleResult()

    event = Inbound(channel="console", user_id="u", chat_id="u", at=clock.now())
    chain([tag("a"), tag("b")], last)(event, None)
    assert seen == ["a", "b", "dialogue"]
    seen.clear()
    assert chain([tag("a", stop=True), tag("b")], last)(event, None).replies == [Reply("a")]
    assert seen == ["a"]


def test_dedup_passes_events_without_a_delivery_id(clock):
    stores = MemoryStores()
    event = Inbound(channel="console", user_id="u", chat_id="u", at=clock.now())
    with stores.transaction() as store:
        for _ in range(2):
            assert Dedup()(event, store, lambda e, s: HandleResult([Reply("ok")])).replies


def test_flood_control_refuses_a_senseless_configuration():
    with pytest.raises(ValueError, match="positive"):
        FloodControl(0, timedelta(minutes=1), "zh")
