"""The incident in Slack, over the real slack-bolt and slack-sdk against the fake
Slack: one card for an outage however many report it, its buttons and modals,
its pages, its war room.

Reports are created through the core (as the conversation does) and announced
to the agents' desk; the throttle of the card's updates runs on a manual timer.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core.outbox.model import Progress
from tests.wire.desk_fixtures import (
    AGENTS,
    FINANCE_AGENT,
    LEAD,
    OUTSIDER,
    wait_until,
)
from tests.wire.incident_desk_fixtures import INTERVAL, IncidentDesk, incident_desk

pytestmark = pytest.mark.wire

AGENT = AGENTS[0]


def select(field: str, value: str) -> dict[str, dict[str, Any]]:
    return {field: {field: {"type": "static_select", "selected_option": {"value": value}}}}


def text(field: str, value: str) -> dict[str, dict[str, Any]]:
    return {field: {field: {"type": "plain_text_input", "value": value}}}


def radio(field: str, value: str) -> dict[str, dict[str, Any]]:
    return {field: {field: {"type": "radio_buttons", "selected_option": {"value": value}}}}


@pytest.fixture
async def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[IncidentDesk]:
    async with incident_desk(tmp_path, monkeypatch) as running:
        yield running


async def surge(desk: IncidentDesk, count: int, step: float = 0.1) -> list[str]:
    refs = []
    for i in range(count):
        refs.append(
            await desk.report(
                f"viewer{i}",
                app_version=("5.2.0", "5.2.1")[i % 2],
                os=("iOS", "Android", "Android")[i % 3],
                extras={"region": "SG"},
            )
        )
        desk.clock.advance(timedelta(seconds=step))
        desk.time.advance(step)
    return refs


async def test_three_hundred_reports_make_one_card_and_a_few_dozen_updates(desk: IncidentDesk):
    refs = await surge(desk, 300)
    ref = desk.incident_ref()
    await desk.notifier.incidents.throttle.flush_all()

    (card,) = desk.cards("support-escalation")
    (copy,) = desk.cards("support-triage")
    shown = json.dumps(card.blocks, ensure_ascii=False)
    assert ref in shown and "300" in shown and "5.2.1" in shown and "Android" in shown
    assert "SG" in shown and refs[0] in shown
    assert json.dumps(copy.blocks) == json.dumps(card.blocks)
    # Only the four reports before the surge got their own card; they now point at it.
    ticket_cards = desk.cards("support-triage", "ticket.actions")
    assert len(ticket_cards) == 4
    assert all(ref in json.dumps(c.blocks, ensure_ascii=False) for c in ticket_cards)
    assert all("ticket.unlink_incident" in json.dumps(c.blocks) for c in ticket_cards)
    assert desk.cards("support-escalation", "ticket.actions") == []
    # 30 seconds of reports, at most one update per card every 10 seconds.
    updates = [c for c in desk.slack.calls_to("chat.update") if c.ok]
    incident_updates = [c for c in updates if c.params.get("ts") in (card.ts, copy.ts)]
    assert 2 <= len(incident_updates) <= 2 * (30 / INTERVAL + 2)
    assert len(updates) - len(incident_updates) <= 4 * 5  # the pre-surge cards, per batch
    batches = desk.thread("support-escalation", card.ts)
    listing = [m for m in batches if "new reports" in m.text]
    assert 2 <= len(listing) <= 30 / INTERVAL + 2
    listed = " ".join(m.text for m in listing)
    assert "300 in all" in listing[-1].text and refs[0] in listed and "+" in listed


async def test_the_trailing_update_shows_the_last_state_without_a_flush(desk: IncidentDesk):
    await surge(desk, 7, step=0.01)
    ref = desk.incident_ref()
    card = desk.cards("support-escalation")[0]
    assert "7 from" not in json.dumps(card.blocks)
    desk.time.advance(INTERVAL)
    await wait_until(lambda: "7 from" in json.dumps(desk.cards("support-escalation")[0].blocks))
    assert ref in desk.cards("support-escalation")[0].text


async def test_a_p0_incident_pages_each_chain_level_once(desk: IncidentDesk):
    await surge(desk, 12)
    ref = desk.incident_ref()

    def dms(user: str) -> list[Any]:
        return [m for m in desk.slack.messages("D" + user.removeprefix("U")) if ref in m.text]

    await wait_until(lambda: len(dms(AGENT)) == 1)
    pages = desk.cards("support-escalation", "page.actions")
    assert len(pages) == 1 and "incident.ack" in json.dumps(pages[0].blocks)
    assert "/archives/" in json.dumps(pages[0].blocks)  # it links the incident's card
    await surge(desk, 10)  # later reports page nobody again
    desk.clock.advance(timedelta(minutes=5, seconds=1))
    await desk.runtime.scheduler.run_once()
    await wait_until(lambda: len(dms(LEAD)) == 1)
    desk.clock.advance(timedelta(minutes=5, seconds=1))
    await desk.runtime.scheduler.run_once()
    assert len(dms(AGENT)) in (1, 2)  # a second round, at most
    # Acknowledging on the page stops the chain; every page says who took it.
    await desk.press(LEAD, "incident.ack", ref, "support-escalation")
    incident = desk.runtime.intake.services.incidents.get(ref)
    assert incident.owner == LEAD
    await wait_until(lambda: all(m.blocks == [] for m in dms(LEAD)))
    before = len(desk.slack.messages("support-escalation"))
    desk.clock.advance(timedelta(minutes=30))
    await desk.runtime.scheduler.run_once()
    paging = [m for m in desk.slack.messages("support-escalation")[before:] if "paging" in m.text]
    assert paging == []


async def test_update_and_resolve_modals_call_the_incident_service(desk: IncidentDesk):
    await surge(desk, 6)
    ref = desk.incident_ref()
    asked: list[str] = []

    def progress(group_key: str) -> Progress:
        asked.append(group_key)
        return Progress(sent=2, total=6, failed=0)

    desk.notifier.ws.progress = progress
    await desk.press(AGENT, "incident.update", ref, "support-escalation")
    eta = int((desk.clock.now() + timedelta(hours=1)).timestamp())
    values = {
        **select("status", "identified"),
        **text("message", "音频转码服务故障，正在修复"),
        "eta": {"eta": {"type": "datetimepicker", "selected_date_time": eta}},
    }
    await desk.submit_view(AGENT, values)
    incidents = desk.runtime.intake.services.incidents
    (update,) = incidents.updates(ref)
    assert update.status == "identified" and update.eta is not None
    card = desk.cards("support-escalation")[0]
    assert "音频转码服务故障" in json.dumps(card.blocks, ensure_ascii=False)
    assert "update sent to 2 of 6" in json.dumps(card.blocks, ensure_ascii=False)
    assert asked and all(k.startswith("incident-update:") for k in asked)
    # A message is required: the modal answers with the error and nothing changes.
    await desk.press(AGENT, "incident.update", ref, "support-escalation")
    await desk.submit_view(AGENT, select("status", "monitoring"))
    assert len(incidents.updates(ref)) == 1

    await desk.press(AGENT, "incident.resolve", ref, "support-escalation")
    await desk.submit_view(
        AGENT,
        {
            **radio("outcome", "root_fix"),
            **select("cause_class", "server_or_cdn"),
            **text("message", "已修复，请重新进入直播间"),
        },
    )
    assert incidents.get(ref).status == "resolved"
    card = desk.cards("support-escalation", ref)[0]
    assert "incident.resolve" not in json.dumps(card.blocks)


async def test_outsiders_and_non_finance_agents_are_refused(desk: IncidentDesk):
    await surge(desk, 6)
    ref = desk.incident_ref()
    await desk.press(OUTSIDER, "incident.ack", ref, "support-escalation")
    await wait_until(lambda: any("only configured" in e.text for e in desk.slack.ephemerals))
    assert desk.runtime.intake.services.incidents.get(ref).owner is None
    # A finance incident: ordinary agents are refused, finance agents may act.
    fin = []
    for i in range(5):
        fin.append(await desk.report(f"payer{i}", "fin.recharge"))
    finance_ref = next(
        o.incident.ref
        for o in desk.runtime.intake.services.incidents.list_open(finance_agent=True)
        if o.incident.finance
    )
    assert finance_ref is not None
    await desk.press(AGENT, "incident.war_room", finance_ref, "support-finance")
    await wait_until(lambda: any("finance incidents" in e.text for e in desk.slack.ephemerals))
    assert desk.slack.calls_to("conversations.create") == []
    await desk.press(FINANCE_AGENT, "incident.ack", finance_ref, "support-finance")
    assert desk.runtime.intake.services.incidents.get(finance_ref, finance_agent=True).owner == (
        FINANCE_AGENT
    )


async def test_unlink_gives_the_ticket_its_own_card(desk: IncidentDesk):
    refs = await surge(desk, 8)
    ref = desk.incident_ref()
    late = refs[-1]
    assert desk.cards("support-triage", late) == []
    await desk.press(AGENT, "ticket.unlink_incident", ref, "support-escalation")
    await desk.submit_view(AGENT, {**select("ticket", late), **text("reason", "另一个问题")})
    assert desk.runtime.intake.services.incidents.incident_of(late) is None
    (own,) = desk.cards("support-triage", late)
    assert "ticket.actions" in json.dumps(own.blocks)
    # No reason: the modal says so and the ticket stays.
    await desk.press(AGENT, "ticket.unlink_incident", ref, "support-escalation")
    await desk.submit_view(AGENT, select("ticket", refs[-2]))
    assert desk.runtime.intake.services.incidents.incident_of(refs[-2]) is not None


async def test_declare_link_and_merge_from_the_cards(desk: IncidentDesk):
    first = await desk.report("solo1", "av.black_screen")
    second = await desk.report("solo2", "func.gift")
    await desk.press(AGENT, "incident.declare", first, "support-triage")
    incidents = desk.runtime.intake.services.incidents
    black = incidents.incident_of(first)
    assert black is not None and black.ref is not None
    assert len(desk.cards("support-escalation")) == 1
    await desk.press(AGENT, "incident.declare", second, "support-triage")
    gifts = incidents.incident_of(second)
    assert gifts is not None and gifts.ref is not None
    # Declaring again from a linked ticket is refused, ephemerally.
    await desk.press(AGENT, "incident.declare", first, "support-triage")
    await wait_until(lambda: any("already in" in e.text for e in desk.slack.ephemerals))

    third = await desk.report("solo3", "av.stutter")
    await desk.press(AGENT, "ticket.link_incident", third, "support-triage")
    offered = json.dumps(desk.slack.views_opened[-1].view, ensure_ascii=False)
    assert black.ref in offered and gifts.ref in offered and "1 单" in offered
    await desk.submit_view(AGENT, select("incident", black.ref))
    linked = incidents.incident_of(third)
    assert linked is not None and linked.ref == black.ref

    await desk.press(AGENT, "incident.merge", black.ref, "support-escalation")
    await desk.submit_view(AGENT, select("incident", gifts.ref))
    assert incidents.get(gifts.ref).merged_into == black.ref
    assert {t.ref for t in incidents.tickets_of(black.ref)} == {first, second, third}
    merged_card = desk.cards("support-escalation", gifts.ref)
    assert merged_card and "incident.ack" not in json.dumps(merged_card[0].blocks)


async def test_the_war_room_is_created_with_the_people_it_needs(desk: IncidentDesk):
    await surge(desk, 6)
    ref = desk.incident_ref()
    taken = f"inc-{ref.lower().removeprefix('inc-')}-20261205"
    await desk.slack.web_client().conversations_create(name=taken)  # someone's own channel
    await desk.press(AGENT, "incident.war_room", ref, "support-escalation")
    (_theirs, created) = [c for c in desk.slack.calls_to("conversations.create") if c.ok]
    assert created.response["channel"]["name"] == taken + "-2"
    room = created.response["channel"]["id"]
    (invite,) = [c for c in desk.slack.calls_to("conversations.invite") if c.ok]
    invited = set(str(invite.params["users"]).split(","))
    assert {*AGENTS, LEAD} <= invited and OUTSIDER not in invited
    (card,) = desk.cards(room)
    assert ref in card.text
    # Pressed again: the same room, no second channel.
    await desk.press(AGENT, "incident.war_room", ref, "support-escalation")
    assert len([c for c in desk.slack.calls_to("conversations.create") if c.ok]) == 2
