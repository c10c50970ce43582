"""Against the running desk with a fake clock: what a reporter adds to a ticket inside
an incident reaches the incident card's thread; SLA warnings name the real deadline."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from core.conversation import UserAddedToTicket
from core.conversation.sql_store import SqlConversationStores
from tests.wire.test_slack_incidents import IncidentDesk, desk, surge

pytestmark = pytest.mark.wire
__all__ = ["desk"]  # the running desk with incidents, shared with test_slack_incidents


def add_message(desk: IncidentDesk, ref: str, text: str) -> int:
    services = desk.runtime.intake.services
    stores = SqlConversationStores(services.db, services.tickets)
    with stores.transaction() as store:
        return store.add_user_message(ref, "viewer7", text, None, desk.clock.now())


async def test_a_reporter_message_is_posted_in_the_incident_thread_naming_the_ticket(
    desk: IncidentDesk,
):
    refs = await surge(desk, 8)
    incident = desk.incident_ref()
    late = refs[-1]
    (card,) = desk.cards("support-escalation")
    message_id = await asyncio.to_thread(add_message, desk, late, "换了4G还是没声音")
    await desk.runtime.agents.announce([UserAddedToTicket(late, message_id)])
    said = [m for m in desk.thread("support-escalation", card.ts) if "换了4G" in m.text]
    assert len(said) == 1
    assert late in said[0].text and "viewer7" in said[0].text
    assert incident in card.text or incident in str(card.blocks)
    assert desk.cards("support-triage", late) == []  # still no card of its own


async def test_an_sla_warning_names_the_clock_deadline_not_its_own_time(desk: IncidentDesk):
    ref = await desk.report("viewer1", "acct.login")  # P1: first response within 1 hour
    ticket = desk.runtime.intake.services.tickets.get(ref)
    desk.clock.advance(timedelta(minutes=31))
    await desk.runtime.scheduler.run_once()
    (warning,) = [m for m in desk.slack.messages("support-triage") if "⏰" in m.text]
    due = ticket.first_response_due
    assert f"<!date^{int(due.timestamp())}^" in warning.text
    local = due.astimezone(ZoneInfo(desk.settings.i18n.timezone))
    assert f"{local:%H:%M:%S}" in warning.text
    early = due - timedelta(minutes=30)  # the 50% warning's own moment
    assert f"<!date^{int(early.timestamp())}^" not in warning.text


async def test_a_finance_reporter_message_is_masked_in_the_incident_thread(desk: IncidentDesk):
    refs = [
        await desk.report(f"payer{i}", "fin.recharge", order_id=f"ORD2026120500{i}")
        for i in range(5)
    ]
    (card,) = desk.cards("support-escalation")
    message_id = await asyncio.to_thread(
        add_message, desk, refs[-1], "订单 ORD20261205004 还是没到账"
    )
    await desk.runtime.agents.announce([UserAddedToTicket(refs[-1], message_id)])
    (said,) = [m for m in desk.thread("support-escalation", card.ts) if "还是没到账" in m.text]
    assert refs[-1] in said.text
    assert "ORD20261205004" not in said.text
