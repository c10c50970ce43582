"""Telegram scenarios: redelivery storms and kill -9 under load, by webhook and polling.

What is counted: every user message must be answered, and answered once. A control
chat says the same thing first with nothing going wrong; its number of replies is
what one message gets. A chat with no reply is a lost message; a chat with more
replies than the control chat got a duplicate.
"""

from __future__ import annotations

import asyncio
import copy
import os
import signal
from pathlib import Path

from tests.soak.desk import Desk, running_desk
from tests.soak.figures import Figures

CONTROL_CHAT = 8_000_000
FIRST_CHAT = 8_000_100
SETTLE = 4.0  # seconds of quiet after the last reply before counting


async def settle(desk: Desk, chats: list[int], limit: float) -> None:
    """Waits until every chat has a reply and nothing new arrived for SETTLE seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    last, quiet_since = -1, loop.time()
    while loop.time() < deadline:
        total = sum(len(desk.tg.sent(c)) for c in chats)
        if total != last:
            last, quiet_since = total, loop.time()
        answered = all(desk.tg.sent(c) for c in chats)
        if answered and loop.time() - quiet_since >= SETTLE:
            return
        await asyncio.sleep(0.2)


async def control_replies(desk: Desk, text: str) -> int:
    desk.tg.add_chat(CONTROL_CHAT)
    desk.tg.user_sends(CONTROL_CHAT, text)
    await settle(desk, [CONTROL_CHAT], 30)
    count = len(desk.tg.sent(CONTROL_CHAT))
    if count == 0:
        raise RuntimeError("the control chat got no reply: the desk does not answer at all")
    return count


def count(desk: Desk, figures: Figures, chats: list[int], expected: int) -> None:
    for chat in chats:
        got = [m.get("text") for m in desk.tg.sent(chat)]
        if not got:
            figures.lost += 1
        elif len(got) > expected:
            if resent_only(desk.outbox_rows(chat), got, expected):
                figures.resent += 1
            else:
                figures.duplicated += 1


def resent_only(queued: list[tuple[str, int]], got: list[str | None], expected: int) -> bool:
    """Whether a chat's extra messages are one queued reply sent twice: the chat
    has as many queued replies as one message earns, each extra message repeats
    one of them, and that one was claimed again after its first dispatcher died.
    A turn handled twice would have queued more, or different, replies."""
    if len(queued) != expected:
        return False
    extra = len(got) - expected
    claimed_again = [t for t, attempts in queued if attempts > 1]
    return extra <= len(claimed_again) and all(got.count(t) >= 2 for t in claimed_again[:extra])


TEXT = "/start"


async def redelivery_storm(
    tmp: Path, postgres_url: str | None, mode: str, users: int, copies: int
) -> Figures:
    """Every update arrives `copies` times with the same update_id."""
    figures = Figures(f"telegram redelivery x{copies} ({mode})")
    async with running_desk(tmp, postgres_url, mode=mode) as desk:
        expected = await control_replies(desk, TEXT)
        chats = [FIRST_CHAT + n for n in range(users)]
        for chat in chats:
            desk.tg.add_chat(chat)
            desk.tg.user_sends(chat, TEXT)
            # The fake's queue gets the same update (same update_id) again: what
            # Telegram does when it never heard the 200 or the confirming offset.
            queued = desk.tg.world.updates[-1]
            desk.tg.world.updates += [copy.deepcopy(queued) for _ in range(copies - 1)]
            desk.tg.world.updates_signal.fire()
            figures.sent += 1
        await settle(desk, chats, 120)
        count(desk, figures, chats, expected)
        if mode == "webhook":
            figures.notes.append(f"{desk.tg.webhook_deliveries} webhook POSTs")
        else:
            figures.notes.append(f"{len(desk.tg.calls_to('getUpdates'))} getUpdates calls")
        if not desk.alive():
            figures.crashed += 1
    figures.crashed += desk.crashes
    return figures


async def kill_during_load(
    tmp: Path, postgres_url: str | None, mode: str, users: int, *, worker: bool = False
) -> Figures:
    """Users keep writing; the process is SIGKILLed when about a third are answered,
    and started again. Every message is answered once, by one process or the other."""
    target = "worker" if worker else "main process"
    figures = Figures(f"telegram kill -9 {target} under load ({mode})")
    async with running_desk(tmp, postgres_url, mode=mode) as desk:
        expected = await control_replies(desk, TEXT)
        chats = [FIRST_CHAT + n for n in range(users)]
        for chat in chats:
            desk.tg.add_chat(chat)

        async def write() -> None:
            for chat in chats:
                desk.tg.user_sends(chat, TEXT)
                figures.sent += 1
                await asyncio.sleep(0.05)

        writer = asyncio.create_task(write())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while sum(bool(desk.tg.sent(c)) for c in chats) < users // 3 and loop.time() < deadline:
            await asyncio.sleep(0.02)
        if worker:
            pid = desk.worker_pid()
            if pid is None:
                raise RuntimeError("no worker process found to kill")
            os.kill(pid, signal.SIGKILL)
            await writer
        else:
            await desk.kill()
            await writer
            await desk.start()
        await settle(desk, chats, 120)
        count(desk, figures, chats, expected)
        if not desk.alive():
            figures.crashed += 1
    figures.crashed += desk.crashes
    return figures
