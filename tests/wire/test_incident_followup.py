"""The running LiveDesk (runtime, outbox dispatcher, Telegram adapter) tells an
incident's reporters, and their answers to "is it fixed for you?" work as for
any ticket: "not yet" reopens that reporter's ticket out of the incident, "yes"
asks for the rating.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from core.clock import FakeClock
from core.i18n import t
from core.incidents.model import IncidentStatus, PostUpdate, ResolveIncident
from core.statuses import OPEN_STATUSES, Outcome, Status
from core.storage.tables import TicketPostRow
from tests.outage import outage
from tests.wire.desk_fixtures import Desk, wait_until
from tests.wire.telegram_intake_fixtures import User

REPORTERS = 6


def own_card(desk: Desk, ref: str) -> bool:
    """A ticket card of its own (an incident's page posts are recorded too)."""
    with desk.runtime.intake.services.db.session() as s:
        posts = s.exec(select(TicketPostRow).where(TicketPostRow.ticket_ref == ref)).all()
    return any(p.kind == "card" for p in posts)


async def test_reporters_hear_updates_and_answer_the_follow_up_through_the_running_desk(
    desk: Desk,
):
    services = desk.runtime.intake.services
    assert desk.runtime.outbox is not None
    # The reports came in over the last minute.
    past = FakeClock(datetime.now(UTC) - timedelta(minutes=1))
    found = await asyncio.to_thread(outage, services.tickets, services.incidents, past, REPORTERS)
    for chat in found.chats():
        desk.tg.add_chat(chat)
    now = desk.runtime.clock.now

    await asyncio.to_thread(
        services.incidents.post_update,
        PostUpdate(found.incident_ref, "agent", IncidentStatus.IDENTIFIED, "Rolling back."),
        now(),
    )
    await wait_until(lambda: all(len(desk.tg.sent(c)) == 1 for c in found.chats()), 10)

    await asyncio.to_thread(
        services.incidents.resolve,
        ResolveIncident(found.incident_ref, "agent", Outcome.ROOT_FIX, "app_bug", "Fixed."),
        now(),
    )
    await wait_until(lambda: all(len(desk.tg.sent(c)) == 2 for c in found.chats()), 10)

    fixed, broken = found.tickets[0], found.tickets[1]
    # The buttons are labelled in each reporter's language.
    happy = User(desk.tg, int(fixed.chat_id), fixed.language)
    happy.seen = 2
    await happy.presses(t(fixed.language, "followup_yes"))
    assert happy.button("⭐⭐⭐⭐⭐")[1] == f"g:rate:{fixed.ref}:5"

    unhappy = User(desk.tg, int(broken.chat_id), broken.language)
    unhappy.seen = 2
    assert not own_card(desk, broken.ref or "")
    await unhappy.presses(t(broken.language, "followup_no"), expect=broken.ref)
    reopened = services.tickets.get(broken.ref or "")
    assert Status(reopened.status) in OPEN_STATUSES
    # Split out of the resolved incident, with its own clock and its own card.
    assert services.incidents.incident_of(broken.ref or "") is None
    await wait_until(lambda: own_card(desk, broken.ref or ""), 10)
    assert not own_card(desk, fixed.ref or "")
    # Every chat heard exactly the update and the resolution, nothing twice.
    others = [c for c in found.chats() if c not in (int(fixed.chat_id), int(broken.chat_id))]
    assert all(len(desk.tg.sent(c)) == 2 for c in others)
