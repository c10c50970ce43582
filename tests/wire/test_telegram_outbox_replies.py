"""Conversation replies and agents' replies reach Telegram through the durable
outbox: Telegram errors in a row delay a reply, never drop or double it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select

from core.conversation import Reply
from core.relay import Outbound
from core.storage.outbox_tables import OutboxMessageRow
from tests.wire.desk_fixtures import Desk, running_desk, wait_until
from tests.wire.telegram_intake_fixtures import User

pytestmark = pytest.mark.wire

# Retries after 50 ms, doubling: four failures cost under a second.
FAST_RETRIES = {"outbox": {"retry_backoff": 0.05, "max_retry_backoff": 1}}


@pytest.fixture
async def quick_desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Desk]:
    async with running_desk(tmp_path, monkeypatch, extra=FAST_RETRIES) as running:
        yield running


def outbox_rows(desk: Desk, chat_id: int) -> list[OutboxMessageRow]:
    with desk.runtime.intake.services.db.session() as s:
        query = select(OutboxMessageRow).where(OutboxMessageRow.chat_id == str(chat_id))
        return list(s.exec(query).all())


async def test_a_reply_survives_four_telegram_errors_in_a_row_and_arrives_once(quick_desk: Desk):
    user = User(quick_desk.tg, 1301)
    quick_desk.tg.fail_next("sendMessage", status=502, times=4)
    await user.command("/help", expect="/new")
    await wait_until(lambda: all(r.status == "sent" for r in outbox_rows(quick_desk, 1301)))
    assert len(quick_desk.tg.sent(1301)) == 1
    (row,) = outbox_rows(quick_desk, 1301)
    assert row.attempts == 5 and not row.bulk
    assert row.dedupe_key.startswith("reply:telegram:")


async def test_a_chats_replies_go_out_in_the_order_of_its_messages(quick_desk: Desk):
    user = User(quick_desk.tg, 1302)
    quick_desk.tg.fail_next("sendMessage", status=502, times=2)
    quick_desk.tg.user_sends_command(1302, "/help")
    quick_desk.tg.user_sends_command(1302, "/mytickets")
    await quick_desk.tg.wait_for_sent(1302, count=2, timeout=10)
    texts = [m["text"] for m in quick_desk.tg.sent(1302)]
    assert "/new" in texts[0] and "还没有工单" in texts[1], texts
    assert user.chat_id == 1302


async def test_an_agents_reply_goes_through_the_outbox_too(quick_desk: Desk):
    telegram = quick_desk.runtime.telegram
    assert telegram is not None and telegram.outbox is not None
    quick_desk.tg.add_chat(1303)
    quick_desk.tg.fail_next("sendMessage", status=502, times=4)
    reply = Reply("Alice: 已经修好了，请再试一次")
    await telegram.deliver(Outbound("LD-1001", "telegram", "1303", (reply,)))
    await quick_desk.tg.wait_for_sent(1303, count=1, timeout=10)
    (row,) = outbox_rows(quick_desk, 1303)
    assert row.dedupe_key.startswith("relay:telegram:LD-1001:")
    await wait_until(lambda: outbox_rows(quick_desk, 1303)[0].status == "sent")
    assert [m["text"] for m in quick_desk.tg.sent(1303)] == [reply.text]


async def test_a_turns_replies_are_stored_by_the_engine_with_the_turn(
    quick_desk: Desk, monkeypatch: pytest.MonkeyPatch
):
    """Not by the adapter after the turn committed: a crash between the two
    would have lost them (issue 18)."""
    telegram = quick_desk.runtime.telegram
    assert telegram is not None and telegram.outbox is not None
    put_after_the_turn: list[str] = []

    async def put(chat_id, language, replies, key):
        put_after_the_turn.append(key)
        return False

    monkeypatch.setattr(telegram.outbox, "put", put)
    await User(quick_desk.tg, 1304).command("/help", expect="/new")
    assert put_after_the_turn == []
    (row,) = outbox_rows(quick_desk, 1304)
    assert row.dedupe_key.startswith("reply:telegram:") and row.dedupe_key.endswith(":0")
