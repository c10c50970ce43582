"""The agent workspace over the real slack-bolt and python-telegram-bot, against both fakes."""

from __future__ import annotations

import asyncio

import pytest

from core.audit import verify_chain
from core.statuses import Status
from core.storage.audit_store import iter_links
from tests.wire.desk_fixtures import (
    FINANCE_AGENT,
    LEAD,
    OUTSIDER,
    Desk,
    report,
    wait_until,
)

pytestmark = pytest.mark.wire

STUTTER = "直播间 8848 一直卡成PPT，iPhone 13，用的WiFi"


async def test_a_new_ticket_is_posted_as_a_card_to_its_channel(desk: Desk):
    _, ref = await report(desk, 2001, STUTTER)
    card = await desk.slack.wait_for_message("support-triage", lambda m: ref in m.text)
    shown = str(card.blocks)
    assert "ticket.claim" in shown and "卡顿" in shown and "8848" in shown
    assert desk.slack.messages("support-escalation") == []


async def test_finance_tickets_go_to_the_finance_channel_and_p0_also_to_escalation(desk: Desk):
    _, fin = await report(desk, 2002, "充值648元没到账，订单号 ORD20261125001，用的支付宝")
    card = await desk.slack.wait_for_message("support-finance", lambda m: fin in m.text)
    assert "ORD20261125001" in str(card.blocks)  # finance agents see the order id
    _, p0 = await report(desk, 2003, "所有主播都推不上流，全平台都开不了播")
    await desk.slack.wait_for_message("support-triage", lambda m: p0 in m.text)
    copy = await desk.slack.wait_for_message(
        "support-escalation", lambda m: p0 in m.text and "ticket.claim" in str(m.blocks)
    )
    assert "P0" in str(copy.blocks)


async def test_twenty_concurrent_claims_have_one_winner(desk: Desk):
    _, ref = await report(desk, 2004, STUTTER)
    await desk.slack.wait_for_message("support-triage", lambda m: ref in m.text)
    agents = ["U0AGENT1", "U0AGENT2", LEAD] * 7
    await asyncio.gather(*(desk.act(a, "ticket.claim") for a in agents[:20]))
    await wait_until(lambda: len(desk.slack.ephemerals) >= 19)
    (ticket,) = desk.tickets()
    assert ticket.assignee in {"U0AGENT1", "U0AGENT2", LEAD}
    refusals = [e for e in desk.slack.ephemerals if "already claimed" in e.text]
    assert len(refusals) == 19
    claims = [
        e for e in desk.runtime.intake.services.tickets.history(ref) if e.action == "ticket.claimed"
    ]
    assert len(claims) == 1


async def test_non_agents_are_refused_and_nothing_changes(desk: Desk):
    _, ref = await report(desk, 2005, STUTTER)
    await desk.slack.wait_for_message("support-triage", lambda m: ref in m.text)
    await desk.act(OUTSIDER, "ticket.claim")
    await wait_until(lambda: bool(desk.slack.ephemerals))
    assert "only configured" in desk.slack.ephemerals[0].text
    assert desk.tickets()[0].assignee is None
    _, fin = await report(desk, 2006, "充值648元没到账，订单号 ORD20261125001，用的支付宝")
    await desk.slack.wait_for_message("support-finance", lambda m: fin in m.text)
    await desk.act("U0AGENT1", "ticket.claim", channel="support-finance")
    await wait_until(lambda: any("finance" in e.text for e in desk.slack.ephemerals))
    await desk.act(FINANCE_AGENT, "ticket.claim", channel="support-finance")
    await wait_until(
        lambda: desk.runtime.intake.services.tickets.get(fin).assignee == FINANCE_AGENT
    )


async def test_replies_relay_both_ways_and_notes_stay_internal(desk: Desk):
    user, ref = await report(desk, 2007, STUTTER)
    card = await desk.slack.wait_for_message("support-triage", lambda m: ref in m.text)
    await desk.slack.send_message(
        "support-triage", "U0AGENT1", "请切换到 4G 再试一次", thread_ts=card.ts
    )
    await user.expect("客服 Alice：请切换到 4G 再试一次")
    assert desk.runtime.intake.services.tickets.get(ref).first_response_at is not None
    await desk.slack.send_message(
        "support-triage", "U0AGENT1", "note: 可能是 CDN 节点问题", thread_ts=card.ts
    )
    file = desk.slack.add_user_file("guide.txt", b"step 1: restart")
    await desk.slack.send_message("support-triage", "U0AGENT1", "", thread_ts=card.ts, files=[file])
    await desk.tg.wait_for_call("sendDocument")
    assert not any("CDN" in m.get("text", "") for m in desk.tg.sent(2007))
    await user.says("还是卡，截图发你", expect=ref)
    await desk.slack.wait_for_message(
        "support-triage", lambda m: m.thread_ts == card.ts and "还是卡" in m.text
    )
    desk.tg.user_sends_photo(2007, b"\x89PNG screenshot")
    await user.expect(ref)
    await wait_until(lambda: bool(desk.slack.uploaded_files))
    assert desk.slack.uploaded_files[0].content == b"\x89PNG screenshot"


async def test_resolve_follow_up_reopen_resolve_rate_and_close(desk: Desk):
    user, ref = await report(desk, 2008, STUTTER)
    await desk.slack.wait_for_message("support-triage", lambda m: ref in m.text)
    await desk.act("U0AGENT1", "ticket.claim")
    await wait_until(lambda: desk.tickets()[0].assignee == "U0AGENT1")

    async def resolve(outcome: str) -> None:
        await desk.act("U0AGENT1", "ticket.resolve")
        await wait_until(lambda: bool(desk.slack.views_opened))
        await desk.submit(
            "U0AGENT1",
            {
                "outcome": outcome,
                "cause_class": "server_or_cdn",
                "root_cause": "CDN 节点故障",
                "message": "已切换 CDN 节点，请再试试",
            },
        )

    await resolve("root_fix")
    await user.expect("问题解决了吗")
    await user.presses("还没解决", expect="重新打开")
    await wait_until(lambda: desk.tickets()[0].status == Status.DIAGNOSING)
    thread = desk.slack.thread("support-triage", desk.card().ts)
    await wait_until(
        lambda: any(
            "not fixed" in m.text for m in desk.slack.thread("support-triage", desk.card().ts)
        )
    )
    await resolve("root_fix")
    await user.expect("问题解决了吗")
    await user.presses("解决了", expect="打分")
    await user.presses("⭐⭐⭐⭐⭐", expect="谢谢")
    await wait_until(lambda: desk.tickets()[0].status == Status.CLOSED)
    assert desk.tickets()[0].satisfaction == 5
    assert thread
    with desk.runtime.intake.services.db.session() as s:
        assert verify_chain(iter_links(s)).ok


async def test_forged_and_stale_requests_get_401_and_change_nothing(desk: Desk):
    _, ref = await report(desk, 2009, STUTTER)
    await desk.slack.wait_for_message("support-triage", lambda m: ref in m.text)
    card = desk.card()
    forged = await desk.slack.send_block_action(
        "U0AGENT1",
        "ticket.claim",
        message_ts=card.ts,
        channel="support-triage",
        forge_signature=True,
    )
    stale = await desk.slack.send_block_action(
        "U0AGENT1",
        "ticket.claim",
        message_ts=card.ts,
        channel="support-triage",
        stale_timestamp=True,
    )
    assert (forged.status, stale.status) == (401, 401)
    assert desk.tickets()[0].assignee is None


async def test_an_event_retried_three_times_is_handled_once(desk: Desk):
    user, ref = await report(desk, 2010, STUTTER)
    card = await desk.slack.wait_for_message("support-triage", lambda m: ref in m.text)
    delivery = await desk.slack.send_message(
        "support-triage", "U0AGENT1", "收到，在查", thread_ts=card.ts
    )
    await user.expect("收到，在查")
    assert delivery.event_id is not None
    await desk.slack.retry_event(delivery.event_id, times=3)
    assert all(a.status == 200 for a in delivery.attempts)
    await asyncio.sleep(0)
    relayed = [m for m in desk.tg.sent(2010) if "收到，在查" in m.get("text", "")]
    assert len(relayed) == 1


async def test_a_twenty_thousand_character_message_is_shown_within_slack_limits(desk: Desk):
    runtime = desk.runtime
    from datetime import UTC, datetime

    from core.conversation import Inbound

    engine = runtime.intake.engine
    base = {"channel": "telegram", "user_id": "2011", "chat_id": "2011", "at": datetime.now(UTC)}
    await asyncio.to_thread(engine.handle, Inbound(**base, command="human"))
    long_text = "直播卡顿" + "😀卡" * 9_998
    # The engine refuses texts over its limit; a ticket can still hold one (20,000 chars).
    from tests.factories import draft

    ticket = runtime.intake.services.tickets.create(
        draft(summary=long_text[:20_000]), datetime.now(UTC)
    )
    await runtime.slack.notifier.ticket_created(ticket.ref)
    card = await desk.slack.wait_for_message("support-triage", lambda m: ticket.ref in m.text)
    assert len(str(card.blocks)) < 40_000


async def test_slash_command_answers_ephemerally(desk: Desk):
    _, ref = await report(desk, 2012, STUTTER)
    await desk.slack.wait_for_message("support-triage", lambda m: ref in m.text)
    delivery = await desk.slack.send_slash_command("/livedesk", "queue", "U0AGENT1", "C0TRIAGE")
    assert delivery.status == 200
    await wait_until(lambda: bool(desk.slack.response_url_posts))
    assert ref in str(desk.slack.response_url_posts[-1])
    await desk.slack.send_slash_command("/livedesk", f"ticket {ref}", "U0AGENT1", "C0TRIAGE")
    await wait_until(lambda: len(desk.slack.response_url_posts) >= 2)
    await desk.slack.send_slash_command("/livedesk", "stats", "U0AGENT1", "C0TRIAGE")
    await wait_until(lambda: len(desk.slack.response_url_posts) >= 3)
    assert "CSAT" in str(desk.slack.response_url_posts[-1])
    await desk.slack.send_slash_command("/livedesk", "report 7", "U0AGENT1", "C0TRIAGE")
    await wait_until(lambda: len(desk.slack.response_url_posts) >= 4)
    answer = str(desk.slack.response_url_posts[-1])
    assert "Most reported" in answer and "av.stutter" in answer


async def test_socket_mode_works_like_http_mode(tmp_path, monkeypatch):
    from tests.wire.desk_fixtures import running_desk

    async with running_desk(tmp_path, monkeypatch, mode="socket") as socket_desk:
        _, ref = await report(socket_desk, 2013, STUTTER)
        await socket_desk.slack.wait_for_message("support-triage", lambda m: ref in m.text)
        delivery = await socket_desk.act("U0AGENT1", "ticket.claim")
        assert delivery.transport == "socket"
        await wait_until(lambda: socket_desk.tickets()[0].assignee == "U0AGENT1")


async def test_proxy_variables_do_not_break_calls_to_local_servers(tmp_path, monkeypatch):
    from tests.wire.desk_fixtures import running_desk

    async with running_desk(tmp_path, monkeypatch, proxy="http://127.0.0.1:9") as proxied:
        _, ref = await report(proxied, 2014, STUTTER)
        await proxied.slack.wait_for_message("support-triage", lambda m: ref in m.text)
        await proxied.slack.send_slash_command("/livedesk", "queue", "U0AGENT1", "C0TRIAGE")
        await wait_until(lambda: bool(proxied.slack.response_url_posts))


async def test_rate_limited_web_api_calls_are_retried(desk: Desk):
    desk.slack.fail_next("chat.postMessage", status=429, retry_after=1)
    _, ref = await report(desk, 2015, STUTTER)
    await desk.slack.wait_for_message("support-triage", lambda m: ref in m.text, timeout=10)


async def test_the_add_note_shortcut_saves_an_internal_note(desk: Desk):
    _, ref = await report(desk, 2016, STUTTER)
    card = await desk.slack.wait_for_message("support-triage", lambda m: ref in m.text)
    delivery = await desk.slack.send_shortcut(
        "ticket.add_note", "U0AGENT1", channel="support-triage", message_ts=card.ts
    )
    assert delivery.status == 200, delivery.body
    await wait_until(lambda: bool(desk.slack.views_opened))
    await desk.submit("U0AGENT1", {"reason": "用户是大主播，优先处理"})
    await wait_until(
        lambda: any(
            e.action == "ticket.noted" for e in desk.runtime.intake.services.tickets.history(ref)
        )
    )
    assert not any("大主播" in m.get("text", "") for m in desk.tg.sent(2016))


async def test_app_home_shows_the_agents_claimed_tickets(desk: Desk):
    _, ref = await report(desk, 2017, STUTTER)
    await desk.slack.wait_for_message("support-triage", lambda m: ref in m.text)
    await desk.act("U0AGENT1", "ticket.claim")
    await wait_until(lambda: desk.tickets()[0].assignee == "U0AGENT1")
    await desk.slack.send_event({"type": "app_home_opened", "user": "U0AGENT1", "tab": "home"})
    await wait_until(lambda: "U0AGENT1" in desk.slack.home_views)
    assert ref in str(desk.slack.home_views["U0AGENT1"].view)


async def test_a_p0_report_pages_the_escalation_channel_and_the_on_call_at_once(desk: Desk):
    _, ref = await report(desk, 2018, "所有主播都推不上流，全平台都开不了播")
    page = await desk.slack.wait_for_message(
        "support-escalation", lambda m: "page.ack" in str(m.blocks) and ref in str(m.blocks)
    )
    assert "S0ONCALL" in page.text
    await wait_until(lambda: "D0AGENT1" in desk.slack.store.channels)  # the DM was opened
    dm = await desk.slack.wait_for_message("D0AGENT1", lambda m: "page.ack" in str(m.blocks))
    await desk.slack.send_block_action(
        "U0AGENT1", "page.ack", message_ts=page.ts, channel="support-escalation"
    )
    await wait_until(lambda: desk.tickets()[0].page_acked_at is not None)
    await wait_until(
        lambda: "page.ack" not in str(desk.slack.messages("support-escalation")[-1].blocks)
    )
    assert dm
    history = [e.action for e in desk.runtime.intake.services.tickets.history(ref)]
    assert "sla.page" in history and "page.acknowledged" in history


async def test_a_users_file_name_and_words_reach_the_thread_made_safe(desk: Desk):
    user, ref = await report(desk, 2031, STUTTER)
    card = await desk.slack.wait_for_message("support-triage", lambda m: ref in m.text)
    desk.tg.user_sends_document(
        2031,
        b"not a png",
        file_name="<!channel> ../../etc/passwd\u202egnp.exe",
        mime_type="image/png",
    )
    await user.expect(ref)
    await wait_until(lambda: any(f.completed for f in desk.slack.uploaded_files))
    [upload] = desk.slack.uploaded_files
    assert upload.filename == "!channel_ .._.._etc_passwd_gnp.exe"
    assert "<!channel>" not in (upload.initial_comment or "")
    await user.says("<!channel> 还是卡 <@U0LEAD>", expect=ref)
    said = await desk.slack.wait_for_message(
        "support-triage", lambda m: m.thread_ts == card.ts and "还是卡" in m.text
    )
    assert "&lt;!channel&gt; 还是卡 &lt;@U0LEAD&gt;" in said.text  # shown, not a ping
