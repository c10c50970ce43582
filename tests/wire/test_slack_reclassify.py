"""Agents correct triage from the card; the correction becomes a training example."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.storage.corrections import correction_lines
from core.triage.train import training_set
from tests.wire.desk_fixtures import FINANCE_AGENT, Desk, report, wait_until

pytestmark = pytest.mark.wire

STUTTER = "直播间 8848 一直卡成PPT，iPhone 13，用的WiFi"


async def _reclassify(desk: Desk, user: str, values: dict[str, str], channel: str) -> Any:
    opened = len(desk.slack.views_opened)
    await desk.act(user, "ticket.reclassify", channel=channel)
    await wait_until(lambda: len(desk.slack.views_opened) > opened)
    return await desk.submit(user, values)


async def test_a_reclassification_reaches_the_card_and_the_training_set(desk: Desk):
    _, ref = await report(desk, 3101, STUTTER)
    await desk.slack.wait_for_message("support-triage", lambda m: ref in m.text)
    await _reclassify(
        desk,
        "U0AGENT1",
        {"subtype": "av.desync", "priority": "P1", "reason": "声音和画面对不上"},
        "support-triage",
    )
    await wait_until(lambda: desk.tickets()[0].subtype == "av.desync")
    assert desk.tickets()[0].priority == "P1"
    await wait_until(lambda: "av.desync" in str(desk.card().blocks))
    await wait_until(
        lambda: any(
            "reclassified" in m.text for m in desk.slack.thread("support-triage", desk.card().ts)
        )
    )
    with desk.runtime.intake.services.db.session() as s:
        lines = correction_lines(s)
    (record,) = [json.loads(line) for line in lines]
    assert record["subtype"] == "av.desync" and "8848" in record["text"]
    _, examples = training_set([("corrections", lines)])
    assert any(e.subtype == "av.desync" and "8848" in e.text for e in examples)


async def test_a_subtype_must_be_picked_and_a_reason_given(desk: Desk):
    _, ref = await report(desk, 3102, STUTTER)
    await desk.slack.wait_for_message("support-triage", lambda m: ref in m.text)
    answer = await _reclassify(desk, "U0AGENT1", {"subtype": "av.desync"}, "support-triage")
    assert set(answer.response_json()["errors"]) == {"reason"}
    assert desk.tickets()[0].subtype == "av.stutter"


async def test_only_finance_agents_move_a_ticket_into_finance(desk: Desk):
    _, ref = await report(desk, 3103, STUTTER)
    await desk.slack.wait_for_message("support-triage", lambda m: ref in m.text)
    values = {"subtype": "fin.recharge", "reason": "其实是充值问题"}
    answer = await _reclassify(desk, "U0AGENT1", values, "support-triage")
    assert "finance" in answer.response_json()["errors"]["subtype"]
    assert desk.tickets()[0].subtype == "av.stutter"
    await _reclassify(desk, FINANCE_AGENT, values, "support-triage")
    await wait_until(lambda: desk.tickets()[0].category == "finance")
    card = await desk.slack.wait_for_message("support-finance", lambda m: ref in m.text)
    assert "ticket.claim" in str(card.blocks)
    # Now a finance ticket: other agents can no longer reclassify it back.
    await desk.act("U0AGENT1", "ticket.reclassify", channel="support-finance")
    await wait_until(lambda: any("finance" in e.text for e in desk.slack.ephemerals))
