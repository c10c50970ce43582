"""Two instances of LiveDesk at one outage: the incident's card is posted once
and each report is listed once in its thread, whichever instance learns of
them. The second instance is a second IncidentDesk (its own lock, throttle
and memory) on the same database and Slack workspace.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.slack import incident_desk as desk_module
from bot.slack.incident_desk import IncidentDesk
from bot.slack.throttle import Throttle
from core.storage.tables import PostClaimRow
from tests.factories import draft
from tests.wire.incident_desk_fixtures import INTERVAL, incident_desk
from tests.wire.incident_desk_fixtures import IncidentDesk as Running

pytestmark = pytest.mark.wire


@pytest.fixture
async def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Running]:
    async with incident_desk(tmp_path, monkeypatch) as running:
        yield running


def other_instance(desk: Running) -> IncidentDesk:
    mine = desk.notifier.incidents
    other = IncidentDesk(mine.ws, mine.channels_for, mine.refresh_ticket)
    other.throttle = Throttle(
        other._flush, INTERVAL, monotonic=desk.time.monotonic, sleep=desk.time.sleep
    )
    return other


async def unannounced_outage(desk: Running, count: int) -> tuple[str, list[str]]:
    """Reports filed through the core, none announced yet: an incident, no card.
    A P1 incident: a P0 would be paged at once, and its page posts the card.
    """
    tickets = desk.runtime.intake.services.tickets
    refs = []
    for i in range(count):
        d = draft("av.stutter", external_user_id=f"v{i}", chat_id=f"v{i}", summary="都很卡")
        created = await asyncio.to_thread(tickets.create_report, d, desk.clock.now())
        assert created.ticket.ref is not None
        refs.append(created.ticket.ref)
        desk.clock.advance(timedelta(seconds=1))
    return desk.incident_ref(), refs


async def test_two_instances_post_one_card_and_list_each_report_once(
    desk: Running, monkeypatch: pytest.MonkeyPatch
):
    ref, _ = await unannounced_outage(desk, 8)
    mine, other = desk.notifier.incidents, other_instance(desk)
    # This instance is slow to post the card: the other learns of the incident
    # in between.
    gate, post = asyncio.Event(), mine._post_card

    async def slow(incident_ref: str) -> None:
        await gate.wait()
        await post(incident_ref)

    monkeypatch.setattr(mine, "_post_card", slow)
    first = asyncio.create_task(mine.report_linked(ref))
    while not gate._waiters:  # type: ignore[attr-defined]
        await asyncio.sleep(0.01)
    second = asyncio.create_task(other.report_linked(ref))
    await asyncio.sleep(0.2)
    gate.set()
    await asyncio.gather(first, second)
    (card,) = desk.cards("support-escalation")
    assert len(desk.cards("support-triage")) == 1  # the team's copy, once
    await asyncio.gather(mine.throttle.flush_all(), other.throttle.flush_all())

    linked = [t.ref for t in desk.runtime.intake.services.incidents.tickets_of(ref)]
    listing = " ".join(m.text for m in desk.thread("support-escalation", card.ts))
    assert all(listing.count(r) == 1 for r in linked if r is not None)
    # Later reports: each listed once more, by whichever instance flushes first.
    _, late = await unannounced_outage(desk, 2)
    await asyncio.gather(mine.report_linked(ref), other.report_linked(ref))
    await asyncio.gather(mine.throttle.flush_all(), other.throttle.flush_all())
    listing = " ".join(m.text for m in desk.thread("support-escalation", card.ts))
    assert all(listing.count(r) == 1 for r in late)


async def test_a_claim_whose_instance_died_is_taken_over_once_stale(
    desk: Running, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(desk_module, "CARD_WAIT_SECONDS", 0.1)
    ref, _ = await unannounced_outage(desk, 6)
    db = desk.runtime.intake.services.db
    with db.session() as s:  # an instance claimed the card and died before posting it
        s.add(PostClaimRow(key=f"slack:incident-card:{ref}", claimed_at=desk.clock.now()))
    mine = desk.notifier.incidents
    await mine.post_card(ref)  # waits for the card, in vain: it is not stale yet
    assert desk.cards("support-escalation") == []
    desk.clock.advance(timedelta(minutes=2))
    await mine.post_card(ref)
    assert len(desk.cards("support-escalation")) == 1
    with db.session() as s:
        assert len(s.exec(select(PostClaimRow)).all()) == 1
