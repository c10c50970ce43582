"""Floods: the Bot API answers 429 for a stretch while users write, and one user
sends a hundred messages in ten seconds while others write.

429s: every message is still answered once and in order per chat. The control
chat sends the same commands with nothing going wrong; each chat must get the
same replies in the same order (a reply missing is lost, one more is a
duplicate, the same replies in another order is a chat out of order).

The flooding user: with the default flood control (20 messages a minute), 100
messages in about 10 s fall in one window, so they earn the answers to the first
20 and exactly one "too many messages" notice; no notice is a lost message, two
or more a duplicate. The other users are counted as everywhere else.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from core.i18n import t
from tests.soak.desk import Desk, running_desk
from tests.soak.figures import Figures
from tests.soak.telegram_scenarios import CONTROL_CHAT, FIRST_CHAT, control_replies, count, settle

# Commands whose replies differ, so that order is visible; none files a ticket.
SEQUENCE = ("/start", "/help", "/mytickets", "/cancel")
STRETCH = 12.0  # seconds of 429s
RETRY_AFTER = 3  # seconds each 429 asks for: the desk meets several before it ends
FLOODER = 8_200_000
FLOOD_MESSAGES = 100
FLOOD_SECONDS = 10.0
FLOOD_LIMIT = 20  # [intake] flood_messages, the default; the window is the default minute


def _texts(desk: Desk, chat: int) -> list[str]:
    return [str(m.get("text", m.get("caption", ""))) for m in desk.tg.sent(chat)]


async def _write_sequence(desk: Desk, chat: int, figures: Figures | None = None) -> None:
    for text in SEQUENCE:
        desk.tg.user_sends(chat, text)
        if figures is not None:
            figures.sent += 1
        await asyncio.sleep(0.25)


def _compare(expected: list[str], got: list[str], figures: Figures) -> None:
    missing = Counter(expected) - Counter(got)
    extra = Counter(got) - Counter(expected)
    figures.lost += sum(missing.values())
    figures.duplicated += sum(extra.values())
    if not missing and not extra and got != expected:
        figures.misordered += 1


async def too_many_requests(tmp: Path, postgres_url: str | None, users: int = 30) -> Figures:
    figures = Figures("telegram 429 for 12s under load (polling)")
    async with running_desk(tmp, postgres_url, mode="polling") as desk:
        desk.tg.add_chat(CONTROL_CHAT)
        await _write_sequence(desk, CONTROL_CHAT)
        await settle(desk, [CONTROL_CHAT], 60)
        expected = _texts(desk, CONTROL_CHAT)
        if len(expected) < len(SEQUENCE):
            raise RuntimeError(f"the control chat got {len(expected)} replies to {SEQUENCE}")
        chats = [FIRST_CHAT + n for n in range(users)]
        for chat in chats:
            desk.tg.add_chat(chat)
        desk.tg.too_many_requests("sendMessage", STRETCH, retry_after=RETRY_AFTER)
        writers = []
        for chat in chats:  # a new chat starts every 0.2 s, all inside the stretch
            writers.append(asyncio.create_task(_write_sequence(desk, chat, figures)))
            await asyncio.sleep(0.2)
        await asyncio.gather(*writers)
        await _settle_all(desk, chats, len(expected))
        for chat in chats:
            _compare(expected, _texts(desk, chat), figures)
        figures.notes.append(f"{desk.tg.throttled_calls} sendMessage calls answered 429")
        if desk.tg.throttled_calls == 0:
            figures.notes.append("no 429 was met: the stretch tested nothing")
            figures.crashed += 1
        if not desk.alive():
            figures.crashed += 1
    figures.crashed += desk.crashes
    return figures


async def _settle_all(desk: Desk, chats: list[int], each: int, limit: float = 150) -> None:
    """`settle`, but until every chat has all its replies (or the limit)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while loop.time() < deadline and any(len(desk.tg.sent(c)) < each for c in chats):
        await asyncio.sleep(0.5)
    await settle(desk, chats, max(deadline - loop.time(), 5))


async def flooding_user(tmp: Path, postgres_url: str | None, users: int = 20) -> Figures:
    figures = Figures("telegram flood 100 msgs/10s + 20 users (webhook)")
    async with running_desk(tmp, postgres_url, mode="webhook") as desk:
        expected = await control_replies(desk, "/start")
        notice = t("zh", "flood")
        chats = [FIRST_CHAT + n for n in range(users)]
        for chat in [FLOODER, *chats]:
            desk.tg.add_chat(chat)

        async def flood() -> None:
            for _ in range(FLOOD_MESSAGES):
                desk.tg.user_sends(FLOODER, "/start")
                figures.sent += 1
                await asyncio.sleep(FLOOD_SECONDS / FLOOD_MESSAGES)

        async def others() -> None:
            for chat in chats:
                desk.tg.user_sends(chat, "/start")
                figures.sent += 1
                await asyncio.sleep(FLOOD_SECONDS / users)

        await asyncio.gather(flood(), others())
        await settle(desk, [FLOODER, *chats], 150)
        count(desk, figures, chats, expected)
        texts = _texts(desk, FLOODER)
        notices = texts.count(notice)
        answered = len(texts) - notices
        figures.notes.append(
            f"flooder: {notices} flood notice(s) (1 expected), {answered} other replies "
            f"({FLOOD_LIMIT * expected} expected: {FLOOD_LIMIT} messages answered)"
        )
        figures.lost += notices == 0 or answered < FLOOD_LIMIT * expected
        figures.duplicated += max(notices - 1, 0)
        if answered > FLOOD_LIMIT * expected:
            figures.notes.append("the flooder got more answers than the flood limit allows")
        if not desk.alive():
            figures.crashed += 1
    figures.crashed += desk.crashes
    return figures
