"""Agents' thread replies over the real slack-bolt against the fake Slack: a reply
survives a crash mid-handling, files are fetched only from Slack's hosts, and
finance tickets hear only from finance agents.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

import bot.slack.events
import core.relay
from bot.slack.file_hosts import file_host_allowed
from core.errors import StorageUnavailableError
from tests.wire.desk_fixtures import AGENTS, FINANCE_AGENT, OUTSIDER, Desk, wait_until
from tests.wire.slack_ticket_helpers import (
    ORDER_ID,
    agent_messages,
    card_in,
    file_ticket,
    finance_report,
    stutter_report,
    texts_sent_to,
)

pytestmark = pytest.mark.wire

AGENT = AGENTS[0]


class Crash(Exception):
    """Stands for the process dying in the middle of the reply's transaction."""


def fail_once(monkeypatch: pytest.MonkeyPatch, error: Exception) -> list[Exception]:
    """The relay's next audit append raises `error` (inside the reply's
    transaction, so nothing of it is kept); the list is empty once it has."""
    real_append = core.relay.append_event
    pending = [error]

    def failing_append(*args: Any, **kwargs: Any) -> Any:
        if pending:
            raise pending.pop()
        return real_append(*args, **kwargs)

    monkeypatch.setattr(core.relay, "append_event", failing_append)
    return pending


async def test_a_reply_whose_handling_died_after_the_claim_takes_effect_once_on_redelivery(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
):
    ref = await file_ticket(desk, stutter_report(3101))
    card = card_in(desk, "support-triage", ref)
    crashes = fail_once(monkeypatch, Crash("died while recording the reply"))
    delivery = await desk.slack.send_message(
        "support-triage", AGENT, "请重启一下 App 再试", thread_ts=card.ts
    )
    assert delivery.event_id is not None and not crashes
    assert agent_messages(desk, ref) == []
    assert not any("请重启" in t for t in texts_sent_to(desk, 3101))

    await desk.slack.retry_event(delivery.event_id)
    await wait_until(lambda: any("请重启" in t for t in texts_sent_to(desk, 3101)))
    await desk.slack.retry_event(delivery.event_id, times=2)  # after success: nothing changes
    assert [m.text for m in agent_messages(desk, ref)] == ["请重启一下 App 再试"]
    assert sum("请重启" in t for t in texts_sent_to(desk, 3101)) == 1


async def test_a_note_redelivered_after_success_is_kept_once(desk: Desk):
    ref = await file_ticket(desk, stutter_report(3102))
    card = card_in(desk, "support-triage", ref)
    delivery = await desk.slack.send_message(
        "support-triage", AGENT, "note: 可能是 CDN 问题", thread_ts=card.ts
    )
    assert delivery.event_id is not None
    await desk.slack.retry_event(delivery.event_id, times=2)
    assert [m.direction for m in agent_messages(desk, ref)] == ["note"]


@contextlib.asynccontextmanager
async def hostile_server() -> AsyncIterator[tuple[str, list[dict[str, str]]]]:
    """A server that is not Slack, recording the headers of every request it gets."""
    seen: list[dict[str, str]] = []

    async def grab(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.Response(body=b"stolen")

    app = web.Application()
    app.router.add_get("/{tail:.*}", grab)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/files/F1/guide.txt", seen
    finally:
        await runner.cleanup()


async def test_a_file_on_a_foreign_host_is_never_fetched_with_the_token(desk: Desk):
    ref = await file_ticket(desk, stutter_report(3103))
    card = card_in(desk, "support-triage", ref)
    async with hostile_server() as (url, seen):
        file = {"id": "F1", "name": "guide.txt", "url_private_download": url, "url_private": url}
        await desk.slack.send_message("support-triage", AGENT, "", thread_ts=card.ts, files=[file])
        await wait_until(
            lambda: any(
                "could not be delivered" in m.text
                for m in desk.slack.thread("support-triage", card.ts)
            )
        )
        assert seen == []
    assert agent_messages(desk, ref) == []
    # A file on the configured API host (the fake) still goes through.
    good = desk.slack.add_user_file("steps.txt", b"step 1: restart")
    delivery = await desk.slack.send_message(
        "support-triage", AGENT, "", thread_ts=card.ts, files=[good]
    )
    await desk.tg.wait_for_call("sendDocument")
    assert delivery.event_id is not None
    await desk.slack.retry_event(delivery.event_id)  # after success: not sent again
    assert len(desk.tg.calls_to("sendDocument")) == 1
    assert len(agent_messages(desk, ref)) == 1


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://files.slack.com/files-pri/T1-F1/a.png", True),
        ("https://acme.enterprise.slack.com/files/a.png", True),
        ("https://slack-files.com/T1-F1-abc", True),
        ("http://127.0.0.1:8123/files/F1/a.png", True),  # the configured API host
        ("http://files.slack.com/a.png", False),  # no token in clear text
        ("https://files.slack.com.evil.example/a.png", False),
        ("https://files.slack.com@evil.example/a.png", False),
        ("https://evil.example/files.slack.com/a.png", False),
        ("https://notslack.com/a.png", False),
        ("http://127.0.0.1:9999/files/F1/a.png", False),  # another local port
        ("file:///etc/passwd", False),
        ("", False),
        ("https://[::1/a", False),
    ],
)
def test_only_slack_file_hosts_get_the_token(url: str, allowed: bool):
    assert file_host_allowed(url, "http://127.0.0.1:8123/api/") is allowed


async def test_a_non_finance_agent_cannot_reply_on_a_finance_ticket(desk: Desk):
    ref = await file_ticket(desk, finance_report(3104))
    card = card_in(desk, "support-finance", ref)
    for text in ("我来看看这个充值", "note: 先查一下订单"):
        await desk.slack.send_message("support-finance", AGENT, text, thread_ts=card.ts)
    await desk.slack.send_message("support-finance", OUTSIDER, "你好", thread_ts=card.ts)
    refusals = [e for e in desk.slack.ephemerals if e.user in (AGENT, OUTSIDER)]
    assert len(refusals) == 3
    assert all("finance" in e.text for e in refusals if e.user == AGENT)
    assert agent_messages(desk, ref) == []
    assert texts_sent_to(desk, 3104) == []
    await desk.slack.send_message(
        "support-finance", FINANCE_AGENT, f"订单 {ORDER_ID} 已补发", thread_ts=card.ts
    )
    await wait_until(lambda: any("已补发" in t for t in texts_sent_to(desk, 3104)))


async def test_a_reply_met_by_a_database_outage_is_retried_by_slack_not_dropped(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
):
    ref = await file_ticket(desk, stutter_report(3106))
    card = card_in(desk, "support-triage", ref)
    outages = fail_once(monkeypatch, StorageUnavailableError("the database is unavailable"))
    await desk.slack.send_message("support-triage", AGENT, "正在排查，稍等", thread_ts=card.ts)
    # The error answer made Slack send the event again; no one pressed anything.
    await wait_until(lambda: any("正在排查" in t for t in texts_sent_to(desk, 3106)))
    assert not outages
    assert [m.text for m in agent_messages(desk, ref)] == ["正在排查，稍等"]
    assert sum("正在排查" in t for t in texts_sent_to(desk, 3106)) == 1


async def test_a_reply_to_a_card_not_yet_recorded_waits_for_it(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
):
    """Slack has posted the card; LiveDesk records it a moment later. An agent
    quick enough to reply in between is relayed, not silently dropped."""
    ref = await file_ticket(desk, stutter_report(3107))
    card = card_in(desk, "support-triage", ref)
    real = bot.slack.events.ticket_for_thread
    unknown_for = [1, 2]  # the first two look-ups: the post row is not there yet

    def not_yet(*args: Any) -> str | None:
        if unknown_for:
            unknown_for.pop()
            return None
        return real(*args)

    monkeypatch.setattr(bot.slack.events, "ticket_for_thread", not_yet)
    await desk.slack.send_message("support-triage", AGENT, "马上处理", thread_ts=card.ts)
    await wait_until(lambda: any("马上处理" in t for t in texts_sent_to(desk, 3107)))
    assert [m.text for m in agent_messages(desk, ref)] == ["马上处理"]


@pytest.mark.parametrize("age", [3600.0, -3600.0, None])
async def test_a_reply_under_a_message_that_cannot_be_a_new_card_is_ignored_at_once(
    desk: Desk, age: float | None
):
    # An hour old, an hour ahead, or no time at all ("9" * 300).
    thread_ts = "9" * 300 if age is None else f"{time.time() - age:.6f}"
    delivery = await desk.slack.send_message(
        "support-triage", AGENT, "random chat", thread_ts=thread_ts
    )
    assert len(delivery.attempts) == 1  # answered 200 at once: nothing to retry
