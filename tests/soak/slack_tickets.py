"""Tickets for the Slack soak scenarios, made the way users make them: by talking
to the bot in the fake Telegram. Each ends with its card in a Slack channel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.e2e.processes import TRIAGE
from tests.soak.desk import Desk
from tests.wire.telegram_intake_fixtures import User

REF = re.compile(r"LD-[0-9A-Z]+")
# A widespread outage is a P0 at once; a second such report would join its incident.
P0_REPORT = "全平台的直播间都黑屏了，大家都看不了直播"
ORDINARY_REPORTS = (
    "我这边直播间一直卡顿，画面一卡一卡的，iPhone 13",
    "直播的时候声音和画面对不上，延迟两三秒",
    "送礼物的动画一直不显示，别的功能都正常",
)


@dataclass
class Ticket:
    ref: str
    chat: int
    card_ts: str
    channel: str


def _ref(answer: str) -> str:
    found = REF.search(answer)
    if found is None:
        raise RuntimeError(f"no ticket reference in {answer!r}")
    return found.group(0)


async def _card(desk: Desk, ref: str, channel: str) -> str:
    card = await desk.slack.wait_for_message(
        channel, lambda m: ref in m.text and "ticket.claim" in str(m.blocks), timeout=20
    )
    return card.ts


async def p0_ticket(desk: Desk, chat: int, channel: str = TRIAGE) -> Ticket:
    desk.tg.add_chat(chat)
    ref = _ref(await User(desk.tg, chat).says(P0_REPORT, expect="工单号"))
    return Ticket(ref, chat, await _card(desk, ref, channel), channel)


async def human_ticket(desk: Desk, chat: int, words: str, channel: str = TRIAGE) -> Ticket:
    """A report straight to a person (/human): described, questions skipped, submitted."""
    desk.tg.add_chat(chat)
    user = User(desk.tg, chat)
    await user.command("/human", expect="描述")
    await user.says(words, expect="\n")
    await user.skip_to("提交", ("跳过", "没有了"))
    ref = _ref(await user.presses("提交", expect="工单号"))
    return Ticket(ref, chat, await _card(desk, ref, channel), channel)
