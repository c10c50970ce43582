"""What a reporter adds to a ticket inside an incident reaches the incident card's thread."""

from __future__ import annotations

import asyncio

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
