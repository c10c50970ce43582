"""One chat's updates in order; no lock kept for chats that went quiet."""

from __future__ import annotations

import asyncio

from bot.telegram.chats import ChatQueues as _ChatQueues


async def test_a_chats_updates_take_turns_and_its_lock_is_dropped_after() -> None:
    chats = _ChatQueues()
    order: list[str] = []

    async def update(chat: int, name: str, pause: float) -> None:
        async with chats.turn(chat):
            order.append(f"{name} in")
            await asyncio.sleep(pause)
            order.append(f"{name} out")

    await asyncio.gather(update(1, "a", 0.02), update(1, "b", 0), update(2, "c", 0))
    assert order.index("a out") < order.index("b in")  # chat 1 in order
    assert order.index("c in") < order.index("a out")  # chat 2 did not wait for chat 1
    assert len(chats) == 0


async def test_a_failed_update_releases_its_chat() -> None:
    chats = _ChatQueues()
    try:
        async with chats.turn(7):
            raise RuntimeError("handler failed")
    except RuntimeError:
        pass
    assert len(chats) == 0
    async with chats.turn(7):
        assert len(chats) == 1
