"""The fake Slack against the real slack_sdk and slack-bolt clients."""

# Fixtures imported from fake_slack_fixtures are injected by parameter name.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import types
from typing import Any

import pytest
from aiohttp import ClientSession
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_async_handlers
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.slack import sender
from bot.sandbox.slack.server import FakeSlack, slack_signature
from tests.wire.fake_slack_fixtures import (  # noqa: F401 - fixtures are used by name
    bolt_app,
    fake_slack,
    loopback_only,
    make_bolt_app,
    serve_bolt,
    socket_mode_client,
)
from tests.wire.telegram_intake_fixtures import free_port

pytestmark = pytest.mark.wire

TICKETS = "C0TICKETS"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _button(text: str, action_id: str = "claim", value: str = "T-1") -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": "ticket_actions",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": text},
                "action_id": action_id,
                "value": value,
            }
        ],
    }


def _modal(blocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "ticket_form",
        "title": {"type": "plain_text", "text": "Ticket"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": blocks if blocks is not None else [_section("Describe the problem")],
    }


# Web API ---------------------------------------------------------------------------------


async def test_auth_test_returns_the_configured_bot_identity(fake_slack: FakeSlack) -> None:
    response = await fake_slack.web_client().auth_test()

    assert response["user_id"] == "U0BOT"
    assert response["bot_id"] == "B0BOT"
    assert response["team_id"] == "T0LIVEDESK"


async def test_a_wrong_token_is_rejected_with_invalid_auth(fake_slack: FakeSlack) -> None:
    client = fake_slack.web_client(token="xoxb-not-the-right-one")

    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel=TICKETS, text="hi")

    assert raised.value.response["error"] == "invalid_auth"


async def test_a_bot_token_cannot_open_a_socket_mode_connection(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as raised:
        await fake_slack.web_client().apps_connections_open(app_token=fake_slack.config.bot_token)

    assert raised.value.response["error"] == "not_allowed_token_type"


async def test_a_posted_message_is_updated_and_replied_to_in_its_thread(
    fake_slack: FakeSlack,
) -> None:
    client = fake_slack.web_client()

    posted = await client.chat_postMessage(
        channel="livedesk-tickets", text="New ticket", blocks=[_section("*New ticket*")]
    )
    await client.chat_update(channel=TICKETS, ts=posted["ts"], text="Ticket claimed by alice")
    reply = await client.chat_postMessage(channel=TICKETS, text="on it", thread_ts=posted["ts"])

    assert posted["channel"] == TICKETS
    assert posted["message"]["blocks"] == [_section("*New ticket*")]
    parent, answer = fake_slack.thread(TICKETS, posted["ts"])
    assert (parent.text, parent.edits, parent.blocks) == (
        "Ticket claimed by alice",
        1,
        [_section("*New ticket*")],
    )
    assert (answer.ts, answer.thread_ts, answer.text) == (reply["ts"], posted["ts"], "on it")


async def test_deleting_a_message_removes_it_from_the_channel(fake_slack: FakeSlack) -> None:
    client = fake_slack.web_client()
    posted = await client.chat_postMessage(channel=TICKETS, text="oops")

    await client.chat_delete(channel=TICKETS, ts=posted["ts"])

    assert fake_slack.messages(TICKETS) == []
    assert [m.text for m in fake_slack.deleted_messages] == ["oops"]


@pytest.mark.parametrize(
    ("channel", "error"),
    [("C0MISSING", "channel_not_found"), ("no-bot-here", "not_in_channel")],
)
async def test_posting_where_the_bot_cannot_post_fails_like_slack(
    fake_slack: FakeSlack, channel: str, error: str
) -> None:
    with pytest.raises(SlackApiError) as raised:
        await fake_slack.web_client().chat_postMessage(channel=channel, text="hi")

    assert raised.value.response["error"] == error


@pytest.mark.parametrize(
    ("blocks", "detail"),
    [
        (
            [_section("x" * 3001)],
            "must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
        ),
        (
            [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            "must be less than 151 characters [json-pointer:/blocks/0/text/text]",
        ),
        (
            [_button("b" * 76)],
            "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]",
        ),
        (
            [_button("ok", action_id="a" * 256)],
            "must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]",
        ),
        (
            [_button("ok", value="v" * 2001)],
            "must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]",
        ),
        ([{"type": "divider"}] * 51, "no more than 50 items allowed [json-pointer:/blocks]"),
    ],
    ids=["section-text", "header-text", "button-text", "action-id", "button-value", "51-blocks"],
)
async def test_block_limits_surface_as_invalid_blocks_with_slacks_detail(
    fake_slack: FakeSlack, blocks: list[dict[str, Any]], detail: str
) -> None:
    with pytest.raises(SlackApiError) as raised:
        await fake_slack.web_client().chat_postMessage(channel=TICKETS, text="t", blocks=blocks)

    body = raised.value.response.data
    assert isinstance(body, dict)
    assert body["error"] == "invalid_blocks"
    assert body["errors"] == [detail]
    assert body["response_metadata"]["messages"] == [f"[ERROR] {detail}"]
    assert fake_slack.messages(TICKETS) == []


async def test_text_over_40000_characters_is_rejected_as_msg_too_long(
    fake_slack: FakeSlack,
) -> None:
    with pytest.raises(SlackApiError) as raised:
        await fake_slack.web_client().chat_postMessage(channel=TICKETS, text="x" * 40_001)

    assert raised.value.response["error"] == "msg_too_long"


async def test_a_rate_limited_call_is_retried_by_the_sdk_rate_limit_handler(
    fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The handler sleeps Retry-After plus up to 1 s of jitter; drop the jitter.
    monkeypatch.setattr(builtin_async_handlers, "random", types.SimpleNamespace(random=lambda: 0))
    client = fake_slack.web_client()
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=0)

    response = await client.chat_postMessage(channel=TICKETS, text="after the storm")

    assert response["ok"]
    assert [c.http_status for c in fake_slack.calls_to("chat.postMessage")] == [429, 200]
    assert [m.text for m in fake_slack.messages(TICKETS)] == ["after the storm"]


async def test_a_rate_limit_without_a_retry_handler_shows_retry_after(
    fake_slack: FakeSlack,
) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=7)

    with pytest.raises(SlackApiError) as raised:
        await fake_slack.web_client().chat_postMessage(channel=TICKETS, text="x")

    assert raised.value.response.status_code == 429
    assert raised.value.response["error"] == "ratelimited"
    assert raised.value.response.headers["Retry-After"] == "7"


async def test_an_injected_server_error_fails_only_the_next_call(fake_slack: FakeSlack) -> None:
    client = fake_slack.web_client()
    fake_slack.fail_next("chat.postMessage", status=500)

    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel=TICKETS, text="first")
    second = await client.chat_postMessage(channel=TICKETS, text="second")

    assert raised.value.response.status_code == 500
    assert second["ok"]


async def test_files_upload_v2_stores_the_bytes_and_shares_them_in_the_thread(
    fake_slack: FakeSlack,
) -> None:
    client = fake_slack.web_client()
    parent = await client.chat_postMessage(channel=TICKETS, text="ticket")

    response = await client.files_upload_v2(
        channel=TICKETS,
        thread_ts=parent["ts"],
        content=b"PNG-bytes",
        filename="screenshot.png",
        title="Buffering screenshot",
        initial_comment="log attached",
    )

    [upload] = fake_slack.uploaded_files
    assert (upload.content, upload.title, upload.thread_ts) == (
        b"PNG-bytes",
        "Buffering screenshot",
        parent["ts"],
    )
    assert response["file"]["id"] == upload.id
    [_, shared] = fake_slack.thread(TICKETS, parent["ts"])
    assert (shared.text, shared.files[0]["id"]) == ("log attached", upload.id)
    assert [c.method for c in fake_slack.calls] == [
        "chat.postMessage",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]


async def test_a_user_file_is_downloadable_only_with_the_bot_token(
    fake_slack: FakeSlack,
) -> None:
    meta = fake_slack.add_user_file("crash.log", b"trace", mimetype="text/plain")
    client = fake_slack.web_client()

    async with ClientSession(trust_env=False) as session:
        authorised = await session.get(
            meta["url_private"], headers={"Authorization": f"Bearer {client.token}"}
        )
        anonymous = await session.get(meta["url_private"], allow_redirects=False)
        content = await authorised.read()

    assert (authorised.status, content) == (200, b"trace")
    assert anonymous.status == 302


async def test_a_trigger_id_opens_one_modal_and_only_while_fresh(fake_slack: FakeSlack) -> None:
    client = fake_slack.web_client()
    trigger = fake_slack.issue_trigger_id("U0AGENT1")
    stale = fake_slack.issue_trigger_id("U0AGENT1")
    fake_slack.expire_trigger_ids()
    fresh = fake_slack.issue_trigger_id("U0AGENT2")

    opened = await client.views_open(trigger_id=fresh, view=_modal())
    errors = []
    for trigger_id in (fresh, stale, trigger, "bogus"):
        with pytest.raises(SlackApiError) as raised:
            await client.views_open(trigger_id=trigger_id, view=_modal())
        errors.append(raised.value.response["error"])

    assert errors == [
        "exchanged_trigger_id",
        "expired_trigger_id",
        "expired_trigger_id",
        "invalid_trigger_id",
    ]
    [view] = fake_slack.views_opened
    assert (view.id, view.user, view.view["callback_id"]) == (
        opened["view"]["id"],
        "U0AGENT2",
        "ticket_form",
    )


async def test_a_modal_with_101_blocks_is_rejected_as_invalid_arguments(
    fake_slack: FakeSlack,
) -> None:
    trigger = fake_slack.issue_trigger_id("U0AGENT1")

    with pytest.raises(SlackApiError) as raised:
        await fake_slack.web_client().views_open(
            trigger_id=trigger, view=_modal([{"type": "divider"}] * 101)
        )

    assert raised.value.response["error"] == "invalid_arguments"
    assert raised.value.response["response_metadata"]["messages"] == [
        "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]"
    ]


async def test_views_update_and_publish_keep_the_latest_view(fake_slack: FakeSlack) -> None:
    client = fake_slack.web_client()
    opened = await client.views_open(
        trigger_id=fake_slack.issue_trigger_id("U0AGENT1"), view=_modal()
    )
    home = {"type": "home", "blocks": [_section("Your open tickets: 3")]}

    await client.views_update(view_id=opened["view"]["id"], view=_modal([_section("Thanks!")]))
    await client.views_publish(user_id="U0AGENT1", view=home)

    assert fake_slack.views_opened[0].view["blocks"] == [_section("Thanks!")]
    assert fake_slack.home_views["U0AGENT1"].view["blocks"] == home["blocks"]


async def test_directory_lookups_answer_from_the_configured_workspace(
    fake_slack: FakeSlack,
) -> None:
    client = fake_slack.web_client()

    user = await client.users_info(user="U0AGENT1")
    channel = await client.conversations_info(channel=TICKETS)
    group = await client.usergroups_users_list(usergroup="S0ONCALL")
    with pytest.raises(SlackApiError) as raised:
        await client.users_info(user="U0NOBODY")

    assert user["user"]["profile"]["display_name"] == "alice"
    assert channel["channel"]["name"] == "livedesk-tickets"
    assert group["users"] == ["U0AGENT1", "U0AGENT2"]
    assert raised.value.response["error"] == "user_not_found"


async def test_ephemeral_messages_are_recorded_for_their_user(fake_slack: FakeSlack) -> None:
    response = await fake_slack.web_client().chat_postEphemeral(
        channel=TICKETS, user="U0AGENT2", text="only you can see this"
    )

    [ephemeral] = fake_slack.ephemerals
    assert (ephemeral.user, ephemeral.text, ephemeral.message_ts) == (
        "U0AGENT2",
        "only you can see this",
        response["message_ts"],
    )


async def test_proxy_variables_do_not_divert_the_fakes_web_client(
    fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")

    naive = AsyncWebClient(base_url=fake_slack.api_url)
    response = await fake_slack.web_client().auth_test()

    # slack_sdk adopts the proxy by itself, NO_PROXY notwithstanding.
    assert naive.proxy == "http://127.0.0.1:9"
    assert response["ok"]


# Slack -> app over HTTP ------------------------------------------------------------------


def test_the_signature_is_the_one_slack_sdk_verifies() -> None:
    verifier = SignatureVerifier("secret")
    body = b'{"type":"event_callback"}'

    assert slack_signature("secret", "1700000000", body) == verifier.generate_signature(
        timestamp="1700000000", body=body
    )


async def test_a_signed_message_event_reaches_bolt_and_its_reply_lands_in_the_thread(
    fake_slack: FakeSlack, bolt_app: AsyncApp
) -> None:
    seen: list[dict[str, Any]] = []

    @bolt_app.event("message")
    async def on_message(event: dict[str, Any], say: Any) -> None:
        seen.append(event)
        await say(text=f"Got it: {event['text']}", thread_ts=event["ts"])

    delivery = await fake_slack.send_message(
        "livedesk-tickets", "U0AGENT1", "stream keeps buffering", files=[]
    )

    assert delivery.status == 200
    [event] = seen
    assert (event["user"], event["channel"], event["type"]) == ("U0AGENT1", TICKETS, "message")
    reply = await fake_slack.wait_for_message(TICKETS, lambda m: m.thread_ts == event["ts"])
    assert reply.text == "Got it: stream keeps buffering"
    assert [m.text for m in fake_slack.thread(TICKETS, event["ts"])] == [
        "stream keeps buffering",
        "Got it: stream keeps buffering",
    ]


async def test_a_thread_reply_event_carries_thread_ts_and_files(
    fake_slack: FakeSlack, bolt_app: AsyncApp
) -> None:
    seen: list[dict[str, Any]] = []

    @bolt_app.event("message")
    async def on_message(event: dict[str, Any]) -> None:
        seen.append(event)

    parent = await fake_slack.web_client().chat_postMessage(channel=TICKETS, text="ticket #7")
    screenshot = fake_slack.add_user_file("lag.png", b"\x89PNG")
    await fake_slack.send_message(
        TICKETS, "U0AGENT2", "see screenshot", thread_ts=parent["ts"], files=[screenshot]
    )

    [event] = seen
    assert (event["thread_ts"], event["subtype"]) == (parent["ts"], "file_share")
    assert event["files"][0]["url_private"] == screenshot["url_private"]


async def test_a_block_action_is_acked_in_time_and_its_trigger_opens_a_modal(
    fake_slack: FakeSlack, bolt_app: AsyncApp
) -> None:
    @bolt_app.action("claim")
    async def on_claim(
        ack: Any, body: dict[str, Any], client: AsyncWebClient, respond: Any
    ) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=_modal())
        await respond(replace_original=True, text=f"Claimed by <@{body['user']['id']}>")

    posted = await fake_slack.web_client().chat_postMessage(
        channel=TICKETS, text="New ticket", blocks=[_button("Claim")]
    )

    delivery = await fake_slack.send_block_action(
        "U0AGENT1", "claim", message_ts=posted["ts"], channel=TICKETS
    )

    assert [(a.status, a.timed_out) for a in delivery.attempts] == [(200, False)]
    assert delivery.payload["actions"][0]["value"] == "T-1"
    assert fake_slack.views_opened[0].user == "U0AGENT1"
    [message] = fake_slack.messages(TICKETS)
    assert message.text == "Claimed by <@U0AGENT1>"


async def test_a_slash_command_gets_its_ack_text_and_its_response_url_post(
    fake_slack: FakeSlack, bolt_app: AsyncApp
) -> None:
    @bolt_app.command("/ticket")
    async def on_ticket(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        await ack(text="On it")
        await respond(text=f"Opened a ticket: {command['text']}")

    delivery = await fake_slack.send_slash_command("/ticket", "stream lag", "U0AGENT1", TICKETS)

    # bolt answers a text-only ack as a plain-text body, which Slack shows as-is.
    assert (delivery.status, delivery.body) == (200, "On it")
    [post] = fake_slack.response_url_posts
    assert post.body["text"] == "Opened a ticket: stream lag"
    assert fake_slack.ephemerals[0].user == "U0AGENT1"


async def test_a_view_submission_can_answer_with_field_errors(
    fake_slack: FakeSlack, bolt_app: AsyncApp
) -> None:
    @bolt_app.view("ticket_form")
    async def on_submit(ack: Any, view: dict[str, Any]) -> None:
        summary = view["state"]["values"]["summary"]["input"]["value"]
        await ack(response_action="errors", errors={"summary": f"too short: {summary!r}"})

    delivery = await fake_slack.send_view_submission(
        "U0AGENT1", callback_id="ticket_form", values={"summary": {"input": "lag"}}
    )

    assert delivery.response_json() == {
        "response_action": "errors",
        "errors": {"summary": "too short: 'lag'"},
    }


async def test_a_message_shortcut_reaches_bolt_with_the_message(
    fake_slack: FakeSlack, bolt_app: AsyncApp
) -> None:
    seen: list[dict[str, Any]] = []

    @bolt_app.shortcut("escalate")
    async def on_escalate(ack: Any, shortcut: dict[str, Any]) -> None:
        await ack()
        seen.append(shortcut)

    posted = await fake_slack.web_client().chat_postMessage(channel=TICKETS, text="VIP outage")
    await fake_slack.send_shortcut("escalate", "U0LEAD", channel=TICKETS, message_ts=posted["ts"])

    [shortcut] = seen
    assert (shortcut["type"], shortcut["message"]["text"]) == ("message_action", "VIP outage")


@pytest.mark.parametrize("forgery", ["forged signature", "stale timestamp"])
async def test_a_badly_signed_event_is_refused_with_401(
    fake_slack: FakeSlack, bolt_app: AsyncApp, forgery: str
) -> None:
    seen: list[dict[str, Any]] = []

    @bolt_app.event("message")
    async def on_message(event: dict[str, Any]) -> None:
        seen.append(event)

    delivery = await fake_slack.send_message(
        TICKETS,
        "U0AGENT1",
        "hi",
        forge_signature=forgery == "forged signature",
        stale_timestamp=forgery == "stale timestamp",
    )

    # Slack keeps retrying non-2xx answers, each time with a fresh (still bad) signature.
    assert [a.status for a in delivery.attempts] == [401, 401, 401, 401]
    assert [a.retry_reason for a in delivery.attempts] == [
        None,
        "http_error",
        "http_error",
        "http_error",
    ]
    assert seen == []


async def test_a_slow_event_handler_is_retried_with_retry_headers(fake_slack: FakeSlack) -> None:
    fake_slack.retry_timeout = 0.2
    app = make_bolt_app(fake_slack)
    first_attempt_released = asyncio.Event()
    retry_headers: list[tuple[str, str]] = []

    @app.event("message")
    async def slow(request: Any) -> None:
        num = request.headers.get("x-slack-retry-num", ["0"])[0]
        reason = request.headers.get("x-slack-retry-reason", [""])[0]
        retry_headers.append((num, reason))
        if num == "0":
            # Stall the first delivery until Slack has given up on it and retried.
            await first_attempt_released.wait()
        else:
            first_attempt_released.set()

    async with serve_bolt(app, fake_slack):
        delivery = await fake_slack.send_message(TICKETS, "U0AGENT1", "anyone there?")

    assert retry_headers == [("0", ""), ("1", "http_timeout")]
    assert [(a.retry_num, a.timed_out, a.status) for a in delivery.attempts] == [
        (0, True, None),
        (1, False, 200),
    ]


async def test_retry_event_resends_with_the_next_retry_numbers(
    fake_slack: FakeSlack, bolt_app: AsyncApp
) -> None:
    retry_nums: list[str] = []

    @bolt_app.event("message")
    async def on_message(request: Any) -> None:
        retry_nums.append(request.headers.get("x-slack-retry-num", ["0"])[0])

    first = await fake_slack.send_message(TICKETS, "U0AGENT1", "dup?")
    assert first.event_id is not None
    again = await fake_slack.retry_event(first.event_id, times=2)

    assert retry_nums == ["0", "1", "2"]
    assert again is first
    assert {a.retry_reason for a in again.attempts[1:]} == {"http_timeout"}


async def test_event_retries_wait_as_the_configured_schedule_says(
    fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An app that is down: every attempt fails to connect, so Slack retries three times,
    # waiting before each retry as scheduled (the last delay repeats).
    waited: list[float] = []

    async def no_wait(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(sender, "pause", no_wait)
    fake_slack.app_url = f"http://127.0.0.1:{free_port()}/slack/events"
    fake_slack.retry_delays = (1.0, 60.0)

    delivery = await fake_slack.send_message(TICKETS, "U0AGENT1", "is anyone up?")

    assert waited == [1.0, 60.0, 60.0]
    assert [a.retry_reason for a in delivery.attempts] == [
        None,
        "connection_failed",
        "connection_failed",
        "connection_failed",
    ]
    assert not any(a.acked for a in delivery.attempts)


async def test_the_control_api_sends_a_message_and_lists_the_reply(
    fake_slack: FakeSlack, bolt_app: AsyncApp
) -> None:
    @bolt_app.event("message")
    async def on_message(event: dict[str, Any], say: Any) -> None:
        await say(text="pong", thread_ts=event["ts"])

    async with ClientSession(trust_env=False) as session:
        sent = await session.post(
            f"{fake_slack.base_url}_fake/send/message",
            json={"channel": TICKETS, "user": "U0AGENT1", "text": "ping"},
        )
        delivery = await sent.json()
        listed = await session.get(f"{fake_slack.base_url}_fake/messages?channel={TICKETS}")
        messages = await listed.json()

    assert delivery["acked"] is True
    assert [(m["text"], m["from_app"]) for m in messages] == [("ping", False), ("pong", True)]


async def test_sending_with_no_app_url_and_no_socket_client_fails_clearly(
    fake_slack: FakeSlack,
) -> None:
    fake_slack.retry_timeout = 0.05

    with pytest.raises(TimeoutError, match="no Socket Mode client connected"):
        await fake_slack.send_message(TICKETS, "U0AGENT1", "anyone?")


# Socket Mode -----------------------------------------------------------------------------


async def test_socket_mode_client_receives_an_envelope_and_its_ack_is_recorded(
    fake_slack: FakeSlack, socket_mode_client: SocketModeClient
) -> None:
    received: list[SocketModeRequest] = []

    async def on_request(client: Any, request: SocketModeRequest) -> None:
        received.append(request)
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))

    socket_mode_client.socket_mode_request_listeners.append(on_request)
    await socket_mode_client.connect()

    delivery = await fake_slack.send_message(TICKETS, "U0AGENT1", "over the socket")

    [request] = received
    assert (request.type, request.payload["event"]["text"]) == ("events_api", "over the socket")
    assert delivery.transport == "socket"
    assert delivery.ack is not None
    assert delivery.ack.envelope_id == request.envelope_id
    assert [ack.envelope_id for ack in fake_slack.socket_acks] == [request.envelope_id]
    assert [c.method for c in fake_slack.calls] == ["apps.connections.open"]


async def test_an_unacknowledged_socket_event_is_resent_with_a_retry_attempt(
    fake_slack: FakeSlack, socket_mode_client: SocketModeClient
) -> None:
    fake_slack.retry_timeout = 0.2
    attempts: list[int | None] = []

    async def ack_only_retries(client: Any, request: SocketModeRequest) -> None:
        attempts.append(request.retry_attempt)
        if request.retry_attempt:
            await client.send_socket_mode_response(
                SocketModeResponse(envelope_id=request.envelope_id)
            )

    socket_mode_client.socket_mode_request_listeners.append(ack_only_retries)
    await socket_mode_client.connect()

    delivery = await fake_slack.send_message(TICKETS, "U0AGENT1", "hello?")

    assert attempts == [0, 1]
    assert [a.acked for a in delivery.attempts] == [False, True]
