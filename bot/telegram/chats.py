"""Per-chat order for the Telegram adapter: one update of a chat at a time, and
a chat whose update could not be stored holds its later updates back.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

# A held update comes back first (polling fetches from it again; the webhook is
# sent it again), so a hold normally ends within seconds of the database's
# return. Should Telegram give the update up instead, the chat is not held
# back for ever.
HOLD_SECONDS = 3600.0


class ChatQueues:
    """One chat's updates are handled in the order they came; a chat's lock is
    dropped when nothing waits on it, so memory does not grow with every chat
    ever seen.
    """

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, list[int]]] = {}

    @contextlib.asynccontextmanager
    async def turn(self, chat_id: int) -> AsyncIterator[None]:
        lock, users = self._locks.setdefault(chat_id, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[chat_id]

    def __len__(self) -> int:
        return len(self._locks)


class HeldChats:
    """Chats with an update that could not be stored. Their later updates are
    not handled either (Telegram sends them again after the held one), so a
    database that comes back between two updates cannot store them out of order.
    """

    def __init__(self) -> None:
        # chat id -> (the earliest update not stored, when it was held: monotonic)
        self._held: dict[int, tuple[int, float]] = {}

    def blocks(self, chat_id: int, update_id: int) -> bool:
        held = self._held.get(chat_id)
        if held is None:
            return False
        if time.monotonic() - held[1] > HOLD_SECONDS:
            del self._held[chat_id]
            return False
        return update_id > held[0]

    def hold(self, chat_id: int, update_id: int) -> None:
        held = self._held.get(chat_id)
        if held is None or update_id < held[0]:
            self._held[chat_id] = (update_id, time.monotonic())

    def release(self, chat_id: int, update_id: int) -> None:
        held = self._held.get(chat_id)
        if held is not None and update_id <= held[0]:
            del self._held[chat_id]

    def __len__(self) -> int:
        return len(self._held)
