"""Finance tickets in Slack over the real slack-bolt against the fake Slack: who
they may be handed to, who is mentioned when their clocks run, where their values
are masked and how a finance agent sees them (ephemerally, audited).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.slack.notifier import SlackNotifier
from core.sla.scheduler import Fired
from tests.wire.desk_fixtures import AGENTS, FINANCE_AGENT, LEAD, OUTSIDER, Desk, wait_until
from tests.wire.slack_ticket_helpers import (
    ORDER_ID,
    actions_of,
    card_in,
    file_ticket,
    finance_report,
    stutter_report,
    ticket,
)

pytestmark = pytest.mark.wire

AGENT = AGENTS[0]


def shown(message: Any) -> str:
    return f"{message.text} {message.blocks}"


async def open_reassign(desk: Desk, user: str, channel: str, ref: str) -> None:
    opened = len(desk.slack.views_opened)
    card = card_in(desk, channel, ref)
    await desk.slack.send_block_action(user, "ticket.reassign", message_ts=card.ts, channel=channel)
    await wait_until(lambda: len(desk.slack.views_opened) > opened)


def modal_errors(delivery: Any) -> dict[str, str]:
    answer = delivery.response_json() or {}
    assert answer.get("response_action") == "errors", answer
    return dict(answer["errors"])


async def test_the_reassign_modal_takes_known_agents_only(desk: Desk):
    ref = await file_ticket(desk, stutter_report(3201))
    await open_reassign(desk, AGENT, "support-triage", ref)
    for stranger in (OUTSIDER, "U0NOBODY"):
        errors = modal_errors(await desk.submit(AGENT, {"assignee": stranger}))
        assert "agents" in errors["assignee"]
    assert ticket(desk, ref).assignee is None
    await desk.submit(AGENT, {"assignee": LEAD})  # a tier member is an agent
    assert ticket(desk, ref).assignee == LEAD
    await open_reassign(desk, AGENT, "support-triage", ref)
    await desk.submit(AGENT, {"assignee": "U0AGENT2"})  # on-call, through its user group
    assert ticket(desk, ref).assignee == "U0AGENT2"


async def test_a_finance_ticket_is_handed_to_finance_agents_only(desk: Desk):
    ref = await file_ticket(desk, finance_report(3202))
    await open_reassign(desk, FINANCE_AGENT, "support-finance", ref)
    for colleague in (AGENT, LEAD):
        delivery = await desk.submit(FINANCE_AGENT, {"assignee": colleague, "reason": "休假"})
        assert "finance" in modal_errors(delivery)["assignee"]
    assert ticket(desk, ref).assignee is None
    await desk.submit(FINANCE_AGENT, {"assignee": FINANCE_AGENT, "reason": "我来跟进"})
    assert ticket(desk, ref).assignee == FINANCE_AGENT


def notifier(desk: Desk) -> SlackNotifier:
    assert desk.runtime.slack is not None
    return desk.runtime.slack.notifier


def fired(ref: str, kind: str, tier: str) -> Fired:
    now = datetime.now(UTC)
    return Fired(
        timer_id=1,
        ref=ref,
        kind=kind,
        clock="first_response",
        due_at=now + timedelta(minutes=5),
        fired_at=now,
        fraction=0.8 if kind == "warning" else None,
        level=None,
        round=None,
        targets=(),
        priority="P1",
        tier=tier,
        assignee=None,
    )


async def test_sla_notes_on_finance_tickets_mention_the_finance_agents(desk: Desk):
    fin = await file_ticket(desk, finance_report(3203))
    other = await file_ticket(desk, stutter_report(3204))
    warning = fired(fin, "warning", "l2")
    await notifier(desk).sla_fired(warning)
    await notifier(desk).sla_fired(replace(warning, kind="breach", fraction=None))
    await notifier(desk).sla_fired(replace(warning, ref=other))
    finance_notes = [m.text for m in desk.slack.messages("support-finance") if "⏰" in m.text]
    finance_notes += [m.text for m in desk.slack.messages("support-escalation") if fin in m.text]
    assert len(finance_notes) == 2
    assert all(f"<@{FINANCE_AGENT}>" in n and LEAD not in n for n in finance_notes)
    (triage_note,) = [m.text for m in desk.slack.messages("support-triage") if "⏰" in m.text]
    assert f"<@{LEAD}>" in triage_note  # other tickets still go to their tier


async def test_the_escalation_copy_of_a_p0_finance_ticket_is_masked(desk: Desk):
    ref = await file_ticket(desk, finance_report(3205, widespread=True))
    assert ticket(desk, ref).priority == "P0"
    card = card_in(desk, "support-finance", ref)
    assert ORDER_ID in shown(card)  # the finance channel's own card is for finance agents
    copy = next(
        m for m in desk.slack.messages("support-escalation") if "ticket.claim" in str(m.blocks)
    )
    assert ref in copy.text
    assert ORDER_ID not in shown(copy) and "648元" not in shown(copy)
    assert "ticket.reveal_finance" in str(copy.blocks)
    assert "ticket.reveal_finance" not in str(card.blocks)
    page = await desk.slack.wait_for_message(
        "support-escalation", lambda m: "page.ack" in str(m.blocks), timeout=10
    )
    assert ORDER_ID not in shown(page) and "648元" not in shown(page)


async def test_finance_values_are_revealed_to_finance_agents_only_and_audited(desk: Desk):
    ref = await file_ticket(desk, finance_report(3206, widespread=True))
    copy = next(
        m for m in desk.slack.messages("support-escalation") if "ticket.claim" in str(m.blocks)
    )
    for user in (AGENT, OUTSIDER):
        await desk.slack.send_block_action(
            user, "ticket.reveal_finance", message_ts=copy.ts, channel="support-escalation"
        )
    refusals = [e for e in desk.slack.ephemerals if e.user in (AGENT, OUTSIDER)]
    assert len(refusals) == 2 and not any(ORDER_ID in e.text for e in refusals)
    assert "ticket.finance_revealed" not in actions_of(desk, ref)
    await desk.slack.send_block_action(
        FINANCE_AGENT, "ticket.reveal_finance", message_ts=copy.ts, channel="support-escalation"
    )
    (answer,) = [e for e in desk.slack.ephemerals if e.user == FINANCE_AGENT]
    assert ORDER_ID in answer.text and answer.channel == "C0ESC"
    assert actions_of(desk, ref).count("ticket.finance_revealed") == 1


async def test_the_ticket_command_masks_finance_values_for_other_agents(desk: Desk):
    ref = await file_ticket(desk, finance_report(3207))
    await desk.slack.send_slash_command("/livedesk", f"ticket {ref}", AGENT, "C0TRIAGE")
    await wait_until(lambda: len(desk.slack.response_url_posts) >= 1)
    assert ORDER_ID not in str(desk.slack.response_url_posts[-1])
    assert "ticket.finance_revealed" not in actions_of(desk, ref)
    await desk.slack.send_slash_command("/livedesk", f"ticket {ref}", FINANCE_AGENT, "C0FIN")
    await wait_until(lambda: len(desk.slack.response_url_posts) >= 2)
    assert ORDER_ID in str(desk.slack.response_url_posts[-1])
    assert "ticket.finance_revealed" in actions_of(desk, ref)


async def test_app_home_never_shows_finance_values(desk: Desk):
    ref = await file_ticket(desk, finance_report(3208))
    await desk.slack.send_block_action(
        FINANCE_AGENT,
        "ticket.claim",
        message_ts=card_in(desk, "support-finance", ref).ts,
        channel="support-finance",
    )
    assert ticket(desk, ref).assignee == FINANCE_AGENT
    await desk.slack.send_event({"type": "app_home_opened", "user": FINANCE_AGENT, "tab": "home"})
    await wait_until(lambda: FINANCE_AGENT in desk.slack.home_views)
    home = str(desk.slack.home_views[FINANCE_AGENT].view)
    assert ref in home and ORDER_ID not in home


async def test_the_unlink_modal_masks_the_reporters_words_for_other_agents(desk: Desk):
    words = f"直播卡顿，顺便问下订单 {ORDER_ID} 的648元"
    ref = await file_ticket(desk, replace(stutter_report(3209), summary=words))
    card = card_in(desk, "support-triage", ref)
    await desk.slack.send_block_action(
        AGENT, "incident.declare", message_ts=card.ts, channel="support-triage"
    )
    await wait_until(
        lambda: "ticket.unlink_incident" in str(card_in(desk, "support-triage", ref).blocks)
    )
    for user in (AGENT, FINANCE_AGENT):
        await desk.slack.send_block_action(
            user, "ticket.unlink_incident", message_ts=card.ts, channel="support-triage"
        )
    masked, plain = (
        str([v for v in desk.slack.views_opened if v.user == u][-1].view)
        for u in (AGENT, FINANCE_AGENT)
    )
    assert ref in masked and ORDER_ID not in masked
    assert ORDER_ID in plain
