"""A turn's replies are stored in the outbox in the turn's own transaction
(Inbound.queue), so a crash between the commit and the send cannot lose them.
"""

from __future__ import annotations

import pytest

from core.conversation import Inbound
from core.conversation.messages import ReplyQueue
from tests.unit.conversation.memory_store import MemoryStore


def _event(clock, delivery: str, **fields) -> Inbound:
    return Inbound(
        channel="telegram",
        user_id="u1",
        chat_id="c1",
        at=clock.now(),
        delivery_id=delivery,
        queue=ReplyQueue(key=f"reply:telegram:{delivery}", chat_id="c1", language="zh"),
        **fields,
    )


def test_the_replies_of_a_turn_are_queued_with_it(engine, stores, clock):
    result = engine.handle(_event(clock, "7", command="start"))
    assert result.queued and result.replies
    queued = stores.state.outbox
    assert [queued[f"reply:telegram:7:{n}"][1] for n in range(len(result.replies))] == [
        r.text for r in result.replies
    ]
    assert {chat for chat, _ in queued.values()} == {"c1"}


def test_a_redelivered_update_queues_nothing_more(engine, stores, clock):
    engine.handle(_event(clock, "7", command="start"))
    before = dict(stores.state.outbox)
    again = engine.handle(_event(clock, "7", command="start"))
    assert again.duplicate and not again.queued
    assert stores.state.outbox == before


def test_without_a_queue_the_replies_are_only_returned(engine, stores, clock):
    event = Inbound(channel="console", user_id="u1", chat_id="c1", at=clock.now(), command="start")
    result = engine.handle(event)
    assert result.replies and not result.queued
    assert stores.state.outbox == {}


def test_replies_that_cannot_be_queued_undo_the_turn(engine, stores, clock, monkeypatch):
    """Queued in the turn's transaction: when the outbox refuses them, the turn
    is not recorded either, and the update handled again when it comes back."""

    def refuse(*args, **kwargs):
        raise RuntimeError("the outbox is unavailable")

    monkeypatch.setattr(MemoryStore, "queue_replies", refuse)
    with pytest.raises(RuntimeError):
        engine.handle(_event(clock, "8", text="直播一直卡顿"))
    assert stores.state.deliveries == set()
    assert stores.state.conversations == {}
    monkeypatch.undo()
    assert engine.handle(_event(clock, "8", text="直播一直卡顿")).queued
