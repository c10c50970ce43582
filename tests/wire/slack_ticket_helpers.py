"""Tickets filed straight through the core and announced to the fake Slack, for
wire tests of the agents' side (no Telegram conversation needed to get a card).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import col, select

from core.diagnostics import Diagnostics
from core.storage.tables import TicketMessageRow, TicketRow
from core.taxonomy import Scope
from core.tickets import TicketDraft
from tests.factories import draft
from tests.wire.desk_fixtures import Desk

ORDER_ID = "ORD20261125001"
FINANCE_WORDS = f"充值648元没到账，订单号 {ORDER_ID}"


def finance_report(chat: int, *, widespread: bool = False) -> TicketDraft:
    return draft(
        "fin.recharge",
        scope=Scope.WIDESPREAD if widespread else Scope.SINGLE,
        summary=FINANCE_WORDS,
        chat_id=str(chat),
        external_user_id=str(chat),
        diagnostics=Diagnostics(order_id=ORDER_ID, amount=Decimal("648"), currency="CNY"),
    )


def stutter_report(chat: int) -> TicketDraft:
    return draft(summary="直播一直卡顿，iPhone 13", chat_id=str(chat), external_user_id=str(chat))


async def file_ticket(desk: Desk, report: TicketDraft) -> str:
    """Create the ticket as the conversation would and post its card; its ref."""
    services = desk.runtime.intake.services
    assert desk.runtime.slack is not None
    desk.tg.add_chat(int(report.chat_id))  # the reporter's chat, for replies to reach
    ticket = services.tickets.create(report, datetime.now(UTC))
    assert ticket.ref is not None
    await desk.runtime.slack.notifier.ticket_created(ticket.ref)
    return ticket.ref


def ticket(desk: Desk, ref: str) -> TicketRow:
    return desk.runtime.intake.services.tickets.get(ref)


def agent_messages(desk: Desk, ref: str) -> list[TicketMessageRow]:
    """The public replies and notes recorded on the ticket."""
    with desk.runtime.intake.services.db.session() as s:
        row = s.exec(select(TicketRow).where(TicketRow.ref == ref)).one()
        return list(
            s.exec(
                select(TicketMessageRow)
                .where(TicketMessageRow.ticket_id == row.id)
                .where(col(TicketMessageRow.direction).in_(("agent", "note")))
            ).all()
        )


def actions_of(desk: Desk, ref: str) -> list[str]:
    return [e.action for e in desk.runtime.intake.services.tickets.history(ref)]


def texts_sent_to(desk: Desk, chat: int) -> list[str]:
    return [str(m.get("text", "")) for m in desk.tg.sent(chat)]


def card_in(desk: Desk, channel: str, ref: str) -> Any:
    return next(m for m in desk.slack.messages(channel) if ref in m.text)
