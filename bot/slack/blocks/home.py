"""The agent's App Home tab: open queue counts and the tickets the agent claimed."""

from __future__ import annotations

from typing import Any

from bot.slack.blocks.ids import PRIORITIES, STATUS_LABELS, priority_mark
from bot.slack.blocks.parts import check_ref, format_time, more_context, section, subtype_label
from bot.slack.blocks.safe_text import fit_mrkdwn, mrkdwn, plain
from bot.slack.blocks.ticket_card import CardData

MAX_HOME_TICKETS = 40
_MAX_QUEUE_FIELDS = 10


def home_view(claimed: list[CardData], queue: dict[str, int]) -> dict[str, Any]:
    """The home tab. Claimed tickets are listed most urgent first (priority, then due
    time), the first 40 in full and the rest as a count, so the view stays within 100
    blocks however many an agent holds.
    """
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain("LiveDesk")},
        {"type": "section", "text": plain("待处理队列 / Open queue"), "fields": _queue(queue)},
        {"type": "divider"},
        {"type": "header", "text": plain(f"我认领的工单 / My tickets ({len(claimed)})")},
    ]
    ordered = sorted(claimed, key=_urgency)
    for card in ordered[:MAX_HOME_TICKETS]:
        blocks.append(section(_line(card)))
    if len(ordered) > MAX_HOME_TICKETS:
        blocks.append(more_context(len(ordered) - MAX_HOME_TICKETS))
    if not claimed:
        blocks.append(section("没有认领的工单。/ You have no claimed tickets."))
    return {"type": "home", "blocks": blocks}


def _queue(queue: dict[str, int]) -> list[dict[str, Any]]:
    others = sorted(key for key in queue if key not in PRIORITIES)
    return [
        mrkdwn(f"*{fit_mrkdwn(priority_mark(key), 100)}*: {queue.get(key, 0)}")
        for key in [*PRIORITIES, *others][:_MAX_QUEUE_FIELDS]
    ]


def _urgency(card: CardData) -> tuple[int, bool, float]:
    rank = PRIORITIES.index(card.priority) if card.priority in PRIORITIES else len(PRIORITIES)
    # Tickets without a due time go after those with one.
    return rank, card.due is None, card.due.timestamp() if card.due else 0.0


def _line(card: CardData) -> str:
    check_ref(card.ref)
    status = STATUS_LABELS.get(card.status) or fit_mrkdwn(card.status, 100)
    subtype = fit_mrkdwn(subtype_label(card.subtype), 200)
    line = f"{priority_mark(card.priority)} *{card.ref}* · {subtype} · {status}"
    if card.due is not None:
        due = format_time(card.due, card.timezone).replace("\n", " · ")
        line += f"\n首次响应截止 / First response due: {due}"
    return line
