"""Every card button and modal of a ticket over the real slack-bolt against the
fake Slack: reopen, priority, request info, escalate, reassign, send an article
and the resolve modal's checks, each with its refusals.
"""

from __future__ import annotations

from typing import Any

import pytest

from core.statuses import Status
from tests.wire.desk_fixtures import AGENTS, FINANCE_AGENT, LEAD, OUTSIDER, Desk, wait_until
from tests.wire.slack_ticket_helpers import (
    actions_of,
    card_in,
    file_ticket,
    finance_report,
    stutter_report,
    texts_sent_to,
    ticket,
)

pytestmark = pytest.mark.wire

AGENT = AGENTS[0]
TRIAGE, FINANCE = "support-triage", "support-finance"
RESOLUTION = {
    "outcome": "root_fix",
    "cause_class": "server_or_cdn",
    "root_cause": "CDN 节点故障",
    "message": "已切换 CDN 节点，请再试试",
}


async def press(
    desk: Desk, user: str, action: str, ref: str, channel: str = TRIAGE, value: str | None = None
) -> Any:
    card = card_in(desk, channel, ref)
    return await desk.slack.send_block_action(
        user, action, value, message_ts=card.ts, channel=channel
    )


async def opens_modal(desk: Desk, user: str, action: str, ref: str, **kw: Any) -> dict[str, Any]:
    before = len(desk.slack.views_opened)
    await press(desk, user, action, ref, **kw)
    await wait_until(lambda: len(desk.slack.views_opened) > before)
    return dict(desk.slack.views_opened[-1].view)


def errors_of(delivery: Any) -> set[str]:
    answer = delivery.response_json() or {}
    assert answer.get("response_action") == "errors", answer
    return set(answer["errors"])


def refusals(desk: Desk, user: str) -> list[str]:
    return [e.text for e in desk.slack.ephemerals if e.user == user]


def thread_texts(desk: Desk, ref: str, channel: str = TRIAGE) -> list[str]:
    return [m.text for m in desk.slack.thread(channel, card_in(desk, channel, ref).ts)]


async def resolved(desk: Desk, user: str, ref: str, channel: str = TRIAGE, **extra: str) -> None:
    await opens_modal(desk, user, "ticket.resolve", ref, channel=channel)
    await desk.submit(user, {**RESOLUTION, **extra})
    assert ticket(desk, ref).status == Status.FIXED


async def test_the_resolve_modal_checks_its_fields_and_who_submits(desk: Desk):
    ref = await file_ticket(desk, stutter_report(3301))
    await press(desk, OUTSIDER, "ticket.resolve", ref)
    assert "only configured" in refusals(desk, OUTSIDER)[0]
    assert not [v for v in desk.slack.views_opened if v.user == OUTSIDER]
    await opens_modal(desk, AGENT, "ticket.resolve", ref)
    missing = errors_of(await desk.submit(AGENT, {}))
    assert missing == {"outcome", "cause_class", "root_cause", "message"}
    assert errors_of(await desk.submit(AGENT, {**RESOLUTION, "message": ""})) == {"message"}
    assert ticket(desk, ref).status != Status.FIXED
    await desk.submit(AGENT, RESOLUTION)
    assert ticket(desk, ref).status == Status.FIXED

    fin = await file_ticket(desk, finance_report(3302))
    await press(desk, AGENT, "ticket.resolve", fin, channel=FINANCE)
    assert "finance" in refusals(desk, AGENT)[-1]
    await opens_modal(desk, FINANCE_AGENT, "ticket.resolve", fin, channel=FINANCE)
    assert errors_of(await desk.submit(FINANCE_AGENT, RESOLUTION)) == {"reason"}
    await desk.submit(FINANCE_AGENT, {**RESOLUTION, "reason": "渠道已补单"})
    assert ticket(desk, fin).status == Status.FIXED


async def test_reopen_by_button_and_for_finance_with_a_reason(desk: Desk):
    ref = await file_ticket(desk, stutter_report(3303))
    await resolved(desk, AGENT, ref)
    await press(desk, OUTSIDER, "ticket.reopen", ref)
    assert refusals(desk, OUTSIDER) and ticket(desk, ref).status == Status.FIXED
    await press(desk, AGENT, "ticket.reopen", ref)
    assert ticket(desk, ref).status == Status.DIAGNOSING
    assert any("reopened the ticket" in t for t in thread_texts(desk, ref))

    fin = await file_ticket(desk, finance_report(3304))
    await resolved(desk, FINANCE_AGENT, fin, channel=FINANCE, reason="渠道已补单")
    await press(desk, AGENT, "ticket.reopen", fin, channel=FINANCE)
    assert "finance" in refusals(desk, AGENT)[-1]
    await opens_modal(desk, FINANCE_AGENT, "ticket.reopen", fin, channel=FINANCE)
    assert errors_of(await desk.submit(FINANCE_AGENT, {})) == {"reason"}
    assert ticket(desk, fin).status == Status.FIXED
    await desk.submit(FINANCE_AGENT, {"reason": "用户说还没到账"})
    assert ticket(desk, fin).status == Status.DIAGNOSING


async def test_a_priority_change_needs_a_reason(desk: Desk):
    ref = await file_ticket(desk, stutter_report(3305))
    current = ticket(desk, ref).priority
    target = "P1" if current != "P1" else "P2"
    before = len(desk.slack.views_opened)
    await press(desk, AGENT, "ticket.priority", ref, value=current)  # no change: no modal
    await press(desk, OUTSIDER, "ticket.priority", ref, value=target)
    assert len(desk.slack.views_opened) == before and refusals(desk, OUTSIDER)
    view = await opens_modal(desk, AGENT, "ticket.priority", ref, value=target)
    assert target in str(view["blocks"])
    assert errors_of(await desk.submit(AGENT, {})) == {"reason"}
    assert ticket(desk, ref).priority == current
    await desk.submit(AGENT, {"reason": "大主播直播间"})
    assert ticket(desk, ref).priority == target
    assert any("大主播直播间" in t for t in thread_texts(desk, ref))


async def test_request_info_asks_the_user_for_the_chosen_details(desk: Desk):
    ref = await file_ticket(desk, stutter_report(3306))
    await opens_modal(desk, AGENT, "ticket.request_info", ref)
    assert errors_of(await desk.submit(AGENT, {"fields": []})) == {"fields"}
    await desk.submit(AGENT, {"fields": ["app_version", "room_id"], "note": "截图也请发一下"})
    assert ticket(desk, ref).status == Status.WAITING_USER
    await wait_until(lambda: any("截图也请发一下" in t for t in texts_sent_to(desk, 3306)))
    assert "ticket.info_requested" in actions_of(desk, ref)

    fin = await file_ticket(desk, finance_report(3307))
    await press(desk, AGENT, "ticket.request_info", fin, channel=FINANCE)
    assert "finance" in refusals(desk, AGENT)[-1]
    assert ticket(desk, fin).status != Status.WAITING_USER


async def test_escalate_needs_a_reason_and_mentions_the_next_tier(desk: Desk):
    ref = await file_ticket(desk, stutter_report(3308))
    tier = ticket(desk, ref).tier
    await press(desk, OUTSIDER, "ticket.escalate", ref)
    assert refusals(desk, OUTSIDER)
    await opens_modal(desk, AGENT, "ticket.escalate", ref)
    assert errors_of(await desk.submit(AGENT, {})) == {"reason"}
    assert ticket(desk, ref).tier == tier
    await desk.submit(AGENT, {"reason": "需要服务端排查"})
    escalated = ticket(desk, ref)
    assert escalated.tier != tier
    members = desk.settings.routing.tier_members[escalated.tier]
    (note,) = [t for t in thread_texts(desk, ref) if "需要服务端排查" in t]
    assert all(m in note for m in members)

    fin = await file_ticket(desk, finance_report(3309))
    await opens_modal(desk, FINANCE_AGENT, "ticket.escalate", fin, channel=FINANCE)
    await desk.submit(FINANCE_AGENT, {"reason": "金额较大"})
    (note,) = [t for t in thread_texts(desk, fin, FINANCE) if "金额较大" in t]
    assert f"<@{FINANCE_AGENT}>" in note and LEAD not in note


async def test_reassign_hands_over_or_unclaims_and_refuses_what_cannot_be(desk: Desk):
    ref = await file_ticket(desk, stutter_report(3310))
    await opens_modal(desk, AGENT, "ticket.reassign", ref)
    assert errors_of(await desk.submit(AGENT, {})) == {"assignee"}
    await desk.submit(AGENT, {"unclaim": ["unclaim"]})  # nobody holds it: refused
    # A modal has no channel: the refusal comes as a direct message.
    assert "did not work" in desk.slack.messages("D0AGENT1")[-1].text
    await desk.submit(AGENT, {"assignee": "U0AGENT2"})
    assert ticket(desk, ref).assignee == "U0AGENT2"
    assert any("handed the ticket to <@U0AGENT2>" in t for t in thread_texts(desk, ref))
    await opens_modal(desk, AGENT, "ticket.reassign", ref)
    await desk.submit(AGENT, {"unclaim": ["unclaim"]})
    assert ticket(desk, ref).assignee is None

    fin = await file_ticket(desk, finance_report(3311))
    await press(desk, AGENT, "ticket.reassign", fin, channel=FINANCE)
    assert "finance" in refusals(desk, AGENT)[-1]
    await opens_modal(desk, FINANCE_AGENT, "ticket.reassign", fin, channel=FINANCE)
    delivery = await desk.submit(FINANCE_AGENT, {"assignee": FINANCE_AGENT})
    assert errors_of(delivery) == {"reason"}
    assert ticket(desk, fin).assignee is None


async def test_send_article_sends_the_chosen_article_to_the_user(desk: Desk):
    ref = await file_ticket(desk, stutter_report(3312))
    await press(desk, OUTSIDER, "ticket.send_article", ref)
    assert refusals(desk, OUTSIDER)
    view = await opens_modal(desk, AGENT, "ticket.send_article", ref)
    (block,) = [b for b in view["blocks"] if b.get("block_id") == "article"]
    first = block["element"]["options"][0]["value"]
    assert errors_of(await desk.submit(AGENT, {"article": "no-such-article"})) == {"article"}
    await desk.submit(AGENT, {"article": first})
    assert desk.runtime.slack is not None
    title = desk.runtime.slack.workspace.kb.get(first)
    assert title is not None
    await wait_until(lambda: any(title.title_zh in t for t in texts_sent_to(desk, 3312)))
    assert any(title.title_zh in t for t in thread_texts(desk, ref))
    assert ticket(desk, ref).first_response_at is not None
