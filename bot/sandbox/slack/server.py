"""A local fake Slack that speaks the real wire protocols, for tests and demos.

The real slack_sdk / slack-bolt talk to it unchanged: point `AsyncWebClient(base_url=
fake.api_url)` at it, let it sign and POST events to the app (HTTP mode) or connect over
Socket Mode via apps.connections.open. Everything it saw is inspectable afterwards.

    async with FakeSlack() as fake:
        fake.app_url = "http://127.0.0.1:3000/slack/events"
        await fake.send_message("livedesk-tickets", "U0AGENT1", "hello")
        reply = await fake.wait_for_message("livedesk-tickets")

Standalone: `python -m bot.sandbox.slack --port 8082 --app-url http://...`; other
processes drive it through the /_fake/* endpoints (see bot.sandbox.slack.control).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from aiohttp import web

from bot.sandbox.slack.config import FakeChannel, FakeSlackConfig, FakeUser
from bot.sandbox.slack.control import ControlApi
from bot.sandbox.slack.payloads import Payloads
from bot.sandbox.slack.records import (
    ApiCall,
    Attempt,
    Delivery,
    Ephemeral,
    FakeMessage,
    FakeView,
    JsonDict,
    ResponseUrlPost,
    SocketAck,
    UploadedFile,
)
from bot.sandbox.slack.sender import HttpSender, slack_signature
from bot.sandbox.slack.socket_mode import WS_PATH, SocketHub
from bot.sandbox.slack.store import FakeStore, Fault
from bot.sandbox.slack.web import WebApi

if TYPE_CHECKING:
    from slack_sdk.web.async_client import AsyncWebClient

__all__ = [
    "ApiCall",
    "Attempt",
    "Delivery",
    "Ephemeral",
    "FakeChannel",
    "FakeMessage",
    "FakeSlack",
    "FakeSlackConfig",
    "FakeUser",
    "FakeView",
    "ResponseUrlPost",
    "SocketAck",
    "UploadedFile",
    "slack_signature",
]

MessagePredicate = Callable[[FakeMessage], bool]


class FakeSlack:
    def __init__(
        self, config: FakeSlackConfig | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config or FakeSlackConfig()
        self.store = FakeStore(self.config, clock)
        self.app_url: str | None = self.config.app_url
        self.retry_timeout = self.config.retry_timeout
        self.retry_delays: tuple[float, ...] = self.config.retry_delays
        self._web = WebApi(self.store, lambda: self.base_url, lambda: self.ws_url)
        self._payloads = Payloads(self.store, lambda: self.base_url)
        self._sockets = SocketHub(self.store)
        self._sender = HttpSender(self.config.signing_secret)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # lifecycle -------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.add_routes(self._web.routes() + self._sockets.routes() + ControlApi(self).routes())
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=5)
        await runner.setup()
        site = web.TCPSite(runner, self.config.host, self.config.port)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        await self._sender.open()
        return self

    async def stop(self) -> None:
        await self._sockets.close()
        await self._sender.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the fake Slack is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self.config.host}:{self.port}/"

    @property
    def api_url(self) -> str:
        """What to pass as slack_sdk's base_url."""
        return f"{self.base_url}api/"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.config.host}:{self.port}{WS_PATH}"

    def web_client(self, token: str | None = None) -> AsyncWebClient:
        """A real AsyncWebClient wired to this fake, immune to HTTP(S)_PROXY variables."""
        from slack_sdk.web.async_client import AsyncWebClient

        client = AsyncWebClient(token=token or self.config.bot_token, base_url=self.api_url)
        # slack_sdk copies HTTPS_PROXY into .proxy itself and ignores NO_PROXY.
        client.proxy = None
        return client

    # knobs -----------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int | None = 1,
        *,
        error: str | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` fail like Slack does (429 + Retry-After)."""
        code = error or ("ratelimited" if status == 429 else "internal_error")
        after = retry_after if status == 429 else None
        self.store.faults.setdefault(method, []).extend(
            Fault(status=status, error=code, retry_after=after) for _ in range(times)
        )

    def issue_trigger_id(self, user: str | None = None) -> str:
        """A fresh trigger_id, as if `user` had just clicked something."""
        return self.store.issue_trigger(user)

    def expire_trigger_ids(self) -> None:
        """Age every trigger_id issued so far past Slack's 3-second window."""
        for trigger in self.store.triggers.values():
            trigger.expired = True

    def add_user_file(
        self, name: str, content: bytes, *, mimetype: str = "image/png", user: str = "U0AGENT1"
    ) -> JsonDict:
        """A file a user shared; pass the returned object in `send_message(files=[...])`."""
        file_id = self.store.new_id("F")
        url = f"{self.base_url}files/{file_id}/{name}"
        meta: JsonDict = {
            "id": file_id,
            "name": name,
            "title": name,
            "mimetype": mimetype,
            "filetype": name.rsplit(".", 1)[-1] if "." in name else "binary",
            "user": user,
            "size": len(content),
            "url_private": url,
            "url_private_download": url,
        }
        self.store.user_files[file_id] = (meta, content)
        return meta

    # Slack -> app ----------------------------------------------------------------------

    async def sign_and_post(
        self,
        app_url: str,
        payload: JsonDict | str | bytes,
        *,
        content_type: str | None = None,
        kind: str = "raw",
        forge_signature: bool = False,
        stale_timestamp: bool = False,
        max_retries: int = 0,
        event_id: str | None = None,
    ) -> Delivery:
        """POST `payload` signed with the signing secret (dicts go as JSON)."""
        if isinstance(payload, dict):
            body = json.dumps(payload).encode()
            content_type = content_type or "application/json"
            recorded = payload
        else:
            body = payload.encode() if isinstance(payload, str) else payload
            content_type = content_type or "application/x-www-form-urlencoded"
            recorded = {"raw": body.decode(errors="replace")}
        delivery = Delivery(kind, "http", app_url, recorded, event_id=event_id)
        self.store.deliveries.append(delivery)
        return await self._sender.deliver(
            delivery,
            body,
            content_type,
            max_retries=max_retries,
            ack_seconds=self.retry_timeout,
            forge=forge_signature,
            stale=stale_timestamp,
        )

    async def _dispatch(
        self,
        kind: str,
        payload: JsonDict,
        *,
        envelope: str,
        form: Mapping[str, str] | None = None,
        event_id: str | None = None,
        retries: int = 0,
        accepts_response_payload: bool = False,
        forge_signature: bool = False,
        stale_timestamp: bool = False,
    ) -> Delivery:
        if self.app_url is None:
            delivery = Delivery(kind, "socket", self.ws_url, payload, event_id=event_id)
            self.store.deliveries.append(delivery)
            return await self._sockets.deliver(
                delivery,
                envelope,
                accepts_response_payload=accepts_response_payload,
                max_retries=retries,
                ack_seconds=self.retry_timeout,
            )
        body = urlencode(form) if form is not None else json.dumps(payload)
        content_type = "application/x-www-form-urlencoded" if form else "application/json"
        delivery = Delivery(kind, "http", self.app_url, payload, event_id=event_id)
        self.store.deliveries.append(delivery)
        return await self._sender.deliver(
            delivery,
            body.encode(),
            content_type,
            max_retries=retries,
            ack_seconds=self.retry_timeout,
            forge=forge_signature,
            stale=stale_timestamp,
            delays=self.retry_delays,
        )

    async def send_event(
        self,
        event: JsonDict,
        *,
        event_id: str | None = None,
        retries: bool = True,
        forge_signature: bool = False,
        stale_timestamp: bool = False,
    ) -> Delivery:
        """An Events API `event_callback`; unacknowledged events are retried like Slack."""
        envelope = self._payloads.event_envelope(event, event_id)
        delivery = await self._dispatch(
            "event",
            envelope,
            envelope="events_api",
            event_id=envelope["event_id"],
            retries=self.config.max_event_retries if retries else 0,
            forge_signature=forge_signature,
            stale_timestamp=stale_timestamp,
        )
        self.store.sent_events[envelope["event_id"]] = delivery
        return delivery

    async def send_message(
        self,
        channel: str,
        user: str,
        text: str,
        *,
        thread_ts: str | None = None,
        files: Sequence[JsonDict] | None = None,
        mention: bool = False,
        retries: bool = True,
        forge_signature: bool = False,
        stale_timestamp: bool = False,
    ) -> Delivery:
        """A user posts in a channel or thread; it lands in history and goes to the app."""
        event, message = self._payloads.user_message(
            channel,
            user,
            text,
            thread_ts=thread_ts,
            files=list(files or []),
            event_type="app_mention" if mention else "message",
        )
        self.store.add_message(message)
        return await self.send_event(
            event,
            retries=retries,
            forge_signature=forge_signature,
            stale_timestamp=stale_timestamp,
        )

    async def retry_event(self, event_id: str, times: int = 1) -> Delivery:
        """Resend an event already sent, with the next X-Slack-Retry-Num values."""
        delivery = self.store.sent_events[event_id]
        for _ in range(times):
            retry_num = len(delivery.attempts)
            if delivery.transport == "socket":
                await self._sockets.deliver(
                    delivery,
                    "events_api",
                    accepts_response_payload=False,
                    max_retries=0,
                    ack_seconds=self.retry_timeout,
                )
                continue
            await self._sender.attempt(
                delivery,
                json.dumps(delivery.payload).encode(),
                "application/json",
                retry_num=retry_num,
                retry_reason="http_timeout",
                ack_seconds=self.retry_timeout,
            )
        return delivery

    async def send_block_action(
        self,
        user_id: str,
        action_id: str,
        value: str | None = None,
        message_ts: str | None = None,
        channel: str | None = None,
        *,
        view_id: str | None = None,
        block_id: str | None = None,
        **options: Any,
    ) -> Delivery:
        payload = self._payloads.block_action(
            user_id,
            action_id,
            value,
            message_ts=message_ts,
            channel=channel,
            view_id=view_id,
            block_id=block_id,
        )
        return await self._interactive("block_actions", payload, **options)

    async def send_view_submission(
        self,
        user_id: str,
        view_id: str | None = None,
        *,
        callback_id: str | None = None,
        values: Mapping[str, Mapping[str, Any]] | None = None,
        private_metadata: str | None = None,
        **options: Any,
    ) -> Delivery:
        """Submit a modal; a `response_action` of update/clear in the answer is applied."""
        payload = self._payloads.view_submission(
            user_id,
            view_id,
            callback_id=callback_id,
            values=values,
            private_metadata=private_metadata,
        )
        delivery = await self._interactive(
            "view_submission", payload, accepts_response_payload=True, **options
        )
        self._apply_response_action(view_id, delivery.response_json())
        return delivery

    async def send_slash_command(
        self, command: str, text: str, user_id: str, channel_id: str, **options: Any
    ) -> Delivery:
        form = self._payloads.slash_command(command, text, user_id, channel_id)
        return await self._dispatch(
            "slash_command",
            dict(form),
            envelope="slash_commands",
            form=form,
            accepts_response_payload=True,
            **options,
        )

    async def send_shortcut(
        self,
        callback_id: str,
        user_id: str,
        *,
        channel: str | None = None,
        message_ts: str | None = None,
        **options: Any,
    ) -> Delivery:
        payload = self._payloads.shortcut(
            callback_id, user_id, channel=channel, message_ts=message_ts
        )
        return await self._interactive(str(payload["type"]), payload, **options)

    async def _interactive(
        self,
        kind: str,
        payload: JsonDict,
        *,
        accepts_response_payload: bool = False,
        **options: Any,
    ) -> Delivery:
        # Interactions are never retried: Slack shows the user an error instead.
        return await self._dispatch(
            kind,
            payload,
            envelope="interactive",
            form={"payload": json.dumps(payload)},
            accepts_response_payload=accepts_response_payload,
            **options,
        )

    def _apply_response_action(self, view_id: str | None, answer: JsonDict | None) -> None:
        if not answer or view_id is None or view_id not in self.store.views:
            return
        record = self.store.views[view_id]
        action = answer.get("response_action")
        if action == "update" and isinstance(answer.get("view"), dict):
            record.view = {**record.view, **answer["view"]}
            record.updates += 1
        elif action == "clear":
            self.store.views.pop(view_id, None)
        self.store.notify()

    async def disconnect_sockets(self, reason: str = "refresh_requested") -> None:
        await self._sockets.disconnect_all(reason)

    async def wait_for_socket(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until an app holds a Socket Mode connection."""
        await self._sockets.wait_connected(timeout)

    # inspection ------------------------------------------------------------------------

    def messages(self, channel: str, *, include_users: bool = False) -> list[FakeMessage]:
        """Messages in `channel` (id or name), oldest first, with updates applied.

        By default only what the app posted; `include_users=True` adds user posts.
        """
        history = self.store.history.get(self.store.channel_id(channel), [])
        return [m for m in history if include_users or m.from_app]

    def thread(self, channel: str, ts: str) -> list[FakeMessage]:
        """The parent message and every reply, from users and the app alike."""
        history = self.store.history.get(self.store.channel_id(channel), [])
        return [m for m in history if m.ts == ts or m.thread_ts == ts]

    async def wait_for_message(
        self,
        channel: str,
        predicate: MessagePredicate | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the documented test-helper signature
    ) -> FakeMessage:
        """The first app message in `channel` matching `predicate`, waiting if needed."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    for message in self.messages(channel):
                        if predicate is None or predicate(message):
                            return message
                    await self.store.changed.wait()
        except TimeoutError:
            seen = [m.text for m in self.messages(channel)]
            raise TimeoutError(
                f"no matching message in {channel} within {timeout}s: {seen}"
            ) from None

    @property
    def ephemerals(self) -> list[Ephemeral]:
        return self.store.ephemerals

    @property
    def views_opened(self) -> list[FakeView]:
        return self.store.views_opened

    @property
    def home_views(self) -> dict[str, FakeView]:
        return self.store.home_views

    @property
    def uploaded_files(self) -> list[UploadedFile]:
        return [f for f in self.store.files.values() if f.completed]

    @property
    def response_url_posts(self) -> list[ResponseUrlPost]:
        return self.store.response_url_posts

    @property
    def calls(self) -> list[ApiCall]:
        return self.store.calls

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.store.calls if call.method == method]

    @property
    def deliveries(self) -> list[Delivery]:
        return self.store.deliveries

    @property
    def socket_acks(self) -> list[SocketAck]:
        return self.store.socket_acks

    @property
    def deleted_messages(self) -> list[FakeMessage]:
        return self.store.deleted


# standalone --------------------------------------------------------------------------


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    defaults = FakeSlackConfig()
    parser = argparse.ArgumentParser(
        prog="python -m bot.sandbox.slack", description="Run a local fake Slack."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--app-url", default=None, help="where to POST events (HTTP mode)")
    parser.add_argument("--signing-secret", default=defaults.signing_secret)
    parser.add_argument("--bot-token", default=defaults.bot_token)
    parser.add_argument("--app-token", default=defaults.app_token)
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    config = FakeSlackConfig(
        host=args.host,
        port=args.port,
        app_url=args.app_url,
        signing_secret=args.signing_secret,
        bot_token=args.bot_token,
        app_token=args.app_token,
    )
    async with FakeSlack(config) as fake:
        sys.stdout.write(
            f"fake Slack Web API at {fake.api_url}\n"
            f"  SLACK_BOT_TOKEN={config.bot_token}\n"
            f"  SLACK_APP_TOKEN={config.app_token}\n"
            f"  SLACK_SIGNING_SECRET={config.signing_secret}\n"
            f"  channels: {', '.join(f'{c.id}=#{c.name}' for c in config.channels)}\n"
        )
        sys.stdout.flush()
        await asyncio.Event().wait()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
