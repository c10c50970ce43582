"""Every open ticket gets its card: a ticket whose announcement never reached
Slack (the process died after the ticket's commit, or Slack stayed away) is
found by the sweep and carded, once, whichever instance sweeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.slack.card_sweep import GRACE, CardSweeper
from bot.slack.cards import claim_post
from core.statuses import Outcome
from tests.factories import draft
from tests.wire.incident_desk_fixtures import IncidentDesk, incident_desk

pytestmark = pytest.mark.wire


@pytest.fixture
async def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[IncidentDesk]:
    async with incident_desk(tmp_path, monkeypatch) as running:
        yield running


def unannounced(desk: IncidentDesk, user: str, subtype: str = "av.stutter") -> str:
    """A ticket committed and never announced: the process died right after."""
    tickets = desk.runtime.intake.services.tickets
    ticket = tickets.create(draft(subtype, external_user_id=user), desk.clock.now())
    assert ticket.ref is not None
    return ticket.ref


def sweeper(desk: IncidentDesk) -> CardSweeper:
    """A sweeper as another instance runs it (the runtime's own waits a minute)."""
    assert desk.runtime.slack is not None
    return CardSweeper(desk.runtime.slack.workspace, desk.notifier)


async def test_a_ticket_never_announced_gets_its_card_from_the_sweep(desk: IncidentDesk):
    ref = unannounced(desk, "u1")
    sweep = sweeper(desk)
    assert await sweep.sweep() == 0  # too fresh: its announcement may still be on its way
    desk.clock.advance(GRACE + timedelta(seconds=1))
    assert await sweep.sweep() == 1
    assert len(desk.cards("support-triage", ref)) == 1
    assert await sweep.sweep() == 0  # carded: not swept again


async def test_closed_tickets_and_reports_in_an_incident_are_not_swept(desk: IncidentDesk):
    tickets = desk.runtime.intake.services.tickets
    done = unannounced(desk, "u1")
    tickets.claim(done, "U0AGENT1", desk.clock.now())
    tickets.resolve(
        done,
        "U0AGENT1",
        desk.clock.now(),
        outcome=Outcome.ROOT_FIX,
        root_cause="CDN node replaced",
        cause_class="server_or_cdn",
    )
    for i in range(6):  # a surge: the reports join one incident
        d = draft("av.no_audio", external_user_id=f"v{i}", chat_id=f"v{i}")
        await asyncio.to_thread(tickets.create_report, d, desk.clock.now())
    desk.clock.advance(GRACE * 2)
    assert sweeper(desk).without_card(desk.clock.now()) == []


async def test_two_instances_sweeping_at_once_post_one_card(desk: IncidentDesk):
    ref = unannounced(desk, "u1")
    desk.clock.advance(GRACE * 2)
    await asyncio.gather(sweeper(desk).sweep(), sweeper(desk).sweep())
    assert len(desk.cards("support-triage", ref)) == 1


async def test_a_card_another_instance_claimed_is_left_to_it_until_the_claim_is_stale(
    desk: IncidentDesk,
):
    ref = unannounced(desk, "u1")
    db = desk.runtime.intake.services.db
    # Another instance is posting it (Slack slow to answer) ...
    assert claim_post(db, f"slack:ticket-card:{ref}", desk.clock.now())
    desk.clock.advance(GRACE + timedelta(seconds=1))
    await sweeper(desk).sweep()
    assert desk.cards("support-triage", ref) == []
    # ... and never did: its claim goes stale and the sweep posts the card.
    desk.clock.advance(timedelta(minutes=2))
    await sweeper(desk).sweep()
    assert len(desk.cards("support-triage", ref)) == 1


async def test_an_incident_whose_card_never_came_gets_it_and_its_reports_stay_on_it(
    desk: IncidentDesk,
):
    tickets = desk.runtime.intake.services.tickets
    for i in range(6):  # a P1 surge: no page would ever post its card
        d = draft("av.stutter", external_user_id=f"v{i}", chat_id=f"v{i}")
        await asyncio.to_thread(tickets.create_report, d, desk.clock.now())
    ref = desk.incident_ref()
    desk.clock.advance(GRACE * 2)
    await sweeper(desk).sweep()
    (card,) = desk.cards("support-escalation")
    assert ref in card.text or ref in str(card.blocks)
    assert desk.cards("support-triage", "ticket.actions") == []  # no card per report
    await sweeper(desk).sweep()
    assert len(desk.cards("support-escalation")) == 1
