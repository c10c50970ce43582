"""A local fake of the Telegram Bot API that real clients (python-telegram-bot) talk to over HTTP.

Wire format as on api.telegram.org: `POST {base_url}{token}/{method}` with a query string, a
urlencoded or multipart form, or a JSON body; answers `{"ok": true, "result": ...}` or
`{"ok": false, "error_code": N, "description": ...}` with the same HTTP status. Files are
served at `{base_file_url}{token}/{file_path}`.

Tests drive it from the other side: simulated users (`user_sends`, `user_presses`, ...), output
inspection (`sent`, `wait_for_sent`, `calls`) and fault injection (`fail_next`,
`too_many_requests`, `slow`, `drop_connection_next`, `duplicate_next_delivery`).

Known simplifications: webhooks may be plain HTTP; Markdown parse modes are not parsed (text is
stored as sent); text length is counted in code points; one webhook delivery at a time.

Standalone: `python -m bot.sandbox.telegram --port 8081`; then POST JSON to
`/_sandbox/user_sends` (chat_id, text) or `/_sandbox/user_presses` (chat_id, message_id,
callback_data), and GET `/_sandbox/sent/{chat_id}` to see what the bot said.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import re
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self

import aiohttp
from aiohttp import web

from bot.sandbox.telegram.api import METHODS
from bot.sandbox.telegram.params import JSON, ApiError, Params, Upload, bad_request
from bot.sandbox.telegram.webhook import WebhookDeliverer
from bot.sandbox.telegram.world import Call, Signal, TelegramWorld

DEFAULT_TOKEN = "123456789:AAFakeTokenForLiveDeskSandbox-0123456"
_TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")
_POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass(frozen=True)
class _Fault:
    kind: str  # "fail" or "drop"
    error: ApiError | None = None
    after_processing: bool = False


class _DroppedConnection(Exception):
    """Raised inside a handler to hang up without answering."""


def _error_response(error: ApiError) -> web.Response:
    return _json_response(error.payload(), error.status)


def _json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(text=json.dumps(body), status=status, content_type="application/json")


async def _read_params(request: web.Request) -> Params:
    raw: JSON = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method != "POST" or not request.body_exists:
        return Params(raw)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise bad_request("can't parse JSON object") from exc
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON object")
        raw.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                with value.file:
                    data = value.file.read()
                uploads[name] = Upload(value.filename, value.content_type, data)
            else:
                raw[name] = value
    return Params(raw, uploads)


class FakeTelegram:
    """The fake server plus the test-side controls. Use `async with FakeTelegram() as fake:`."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_first_name: str = "LiveDesk Sandbox Bot",
        bot_username: str = "livedesk_sandbox_bot",
        strict_chats: bool = True,
        webhook_retry_delay: float = 0.05,
        webhook_max_retry_delay: float = 2.0,
        webhook_timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not _TOKEN_SHAPE.fullmatch(token):
            raise ValueError("a bot token looks like '123456:ABC-def'")
        self.token = token
        self._host, self._port = host, port
        bot_user = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.world = TelegramWorld(bot_user=bot_user, clock=clock, strict_chats=strict_chats)
        self.calls: list[Call] = []
        self._calls_signal = Signal()
        self._faults: dict[str, deque[_Fault]] = {}
        self._slow: dict[str, float] = {}
        self._throttled: dict[str, tuple[float, int | None]] = {}
        self.throttled_calls = 0  # calls answered 429 by `too_many_requests`
        self._webhook_settings = (webhook_retry_delay, webhook_max_retry_delay, webhook_timeout)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._delivery: asyncio.Task[None] | None = None
        self._deliverer: WebhookDeliverer | None = None
        self._poller: asyncio.Future[None] | None = None
        self._stopping = asyncio.Event()

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_post("/_sandbox/{action}", self._handle_control)
        app.router.add_get("/_sandbox/sent/{chat_id}", self._handle_sent)
        # handler_cancellation: a client that hangs up mid long-poll must not keep it alive.
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self._session = aiohttp.ClientSession()
        retry_delay, max_retry_delay, timeout = self._webhook_settings
        self._deliverer = WebhookDeliverer(
            self.world,
            self._session,
            on_reply=self._run_webhook_reply,
            retry_delay=retry_delay,
            max_retry_delay=max_retry_delay,
            timeout=timeout,
        )
        self._delivery = asyncio.create_task(self._deliverer.run(), name="fake-telegram-webhook")

    async def stop(self) -> None:
        self._stopping.set()
        self.world.updates_signal.fire()
        if self._delivery is not None:
            self._delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery
            self._delivery = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self._port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # -- simulated users ----------------------------------------------------------------------

    def add_chat(
        self, chat_id: int, *, first_name: str = "Tester", title: str | None = None
    ) -> JSON:
        """Makes a chat known, as if its user had pressed Start earlier."""
        return dict(self.world.add_chat(chat_id, first_name=first_name, title=title))

    def user_sends(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        first_name: str = "Tester",
        username: str | None = None,
        language_code: str | None = "zh-hans",
    ) -> JSON:
        return self.world.user_message(
            chat_id,
            self.world.user_text(text),
            user_id=user_id,
            first_name=first_name,
            language_code=language_code,
            username=username,
        )

    def user_sends_command(self, chat_id: int, command: str, **user: Any) -> JSON:
        if not command.startswith("/"):
            raise ValueError("a command starts with '/'")
        return self.user_sends(chat_id, command, **user)

    def user_sends_photo(
        self, chat_id: int, data: bytes, caption: str | None = None, **user: Any
    ) -> JSON:
        content = self.world.user_file(
            "photo", data, caption=caption, file_name=None, mime_type=None
        )
        return self._from_user(chat_id, content, user)

    def user_sends_document(
        self,
        chat_id: int,
        data: bytes,
        file_name: str = "document.txt",
        mime_type: str = "text/plain",
        caption: str | None = None,
        **user: Any,
    ) -> JSON:
        content = self.world.user_file(
            "document", data, caption=caption, file_name=file_name, mime_type=mime_type
        )
        return self._from_user(chat_id, content, user)

    def user_sends_voice(
        self,
        chat_id: int,
        data: bytes,
        duration: int = 1,
        mime_type: str = "audio/ogg",
        caption: str | None = None,
        **user: Any,
    ) -> JSON:
        content = self.world.user_file(
            "voice",
            data,
            caption=caption,
            file_name=None,
            mime_type=mime_type,
            extra={"duration": duration},
        )
        return self._from_user(chat_id, content, user)

    def _from_user(self, chat_id: int, content: JSON, user: dict[str, Any]) -> JSON:
        return self.world.user_message(
            chat_id,
            content,
            user_id=user.get("user_id"),
            first_name=user.get("first_name", "Tester"),
            language_code=user.get("language_code", "zh-hans"),
            username=user.get("username"),
        )

    def user_presses(
        self,
        chat_id: int,
        message_id: int,
        callback_data: str,
        *,
        user_id: int | None = None,
        check: bool = True,
    ) -> JSON:
        """Presses an inline button; `check=False` allows pressing one that is no longer shown."""
        return self.world.user_presses(
            chat_id, message_id, callback_data, user_id=user_id, check=check
        )

    def user_blocks_bot(self, chat_id: int) -> None:
        """Later sends to this chat fail with 403, as after a user blocks the bot."""
        self.world.blocked.add(chat_id)

    # -- inspection ---------------------------------------------------------------------------

    def sent(self, chat_id: int) -> list[JSON]:
        """Messages the bot sent to the chat and has not deleted, with edits applied."""
        return self.world.sent(chat_id)

    async def wait_for_sent(
        self,
        chat_id: int,
        predicate: Callable[[JSON], bool] | None = None,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test-facing name; a deadline is kept inside
    ) -> list[JSON]:
        """Waits until at least `count` sent messages match; returns all that match."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            matching = [m for m in self.sent(chat_id) if predicate is None or predicate(m)]
            if len(matching) >= count:
                return matching
            remaining = deadline - loop.time()
            if remaining <= 0:
                texts = [m.get("text", m.get("caption")) for m in self.sent(chat_id)]
                raise TimeoutError(
                    f"chat {chat_id}: wanted {count} matching message(s), the bot sent {texts}"
                )
            await self.world.output_signal.wait(remaining)

    @property
    def callback_answers(self) -> list[JSON]:
        return list(self.world.callback_answers)

    @property
    def commands(self) -> list[JSON]:
        """The default-scope, no-language command list (what most bots set)."""
        return list(self.world.commands.get(("default", ""), []))

    def commands_for(self, scope: str = "default", language_code: str = "") -> list[JSON]:
        return list(self.world.commands.get((scope, language_code), []))

    @property
    def chat_actions(self) -> list[JSON]:
        return list(self.world.chat_actions)

    def calls_to(self, method: str) -> list[JSON]:
        return [call.params for call in self.calls if call.method.lower() == method.lower()]

    async def wait_for_call(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors wait_for_sent
    ) -> list[JSON]:
        """Waits until `method` has been called `count` times (the call may still be running,
        e.g. a long poll); returns the parameters of every call so far."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(found := self.calls_to(method)) < count:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"{method} called {len(found)} time(s), wanted {count}")
            await self._calls_signal.wait(remaining)
        return found

    @property
    def pending_update_count(self) -> int:
        """Updates neither confirmed by getUpdates nor accepted by the webhook yet."""
        return len(self.world.updates)

    async def wait_until_delivered(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors wait_for_sent
    ) -> None:
        """Waits until every queued update is confirmed or accepted by the webhook."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.world.updates:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"{len(self.world.updates)} update(s) still pending")
            await self.world.updates_signal.wait(remaining)

    @property
    def webhook_deliveries(self) -> int:
        """Webhook POSTs attempted so far, failed ones included."""
        return self._deliverer.deliveries if self._deliverer else 0

    @property
    def webhook_server_errors(self) -> int:
        """Webhook POSTs the bot answered with 5xx (Telegram delivers those again)."""
        return self._deliverer.server_errors if self._deliverer else 0

    def file_bytes(self, file_id: str) -> bytes:
        return self.world.files[file_id].data

    # -- faults -------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int | None = None,
        *,
        description: str | None = None,
        times: int = 1,
    ) -> None:
        """The next `times` calls of `method` answer with this error instead of running."""
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = _DEFAULT_DESCRIPTIONS.get(status, HTTPStatus(status).phrase)
        error = ApiError(status, description, retry_after=retry_after)
        queue = self._faults.setdefault(method.lower(), deque())
        queue.extend(_Fault("fail", error) for _ in range(times))

    def too_many_requests(
        self, method: str, seconds: float, retry_after: int | None = None
    ) -> None:
        """For the next `seconds`, every call of `method` answers 429, as Telegram does
        while a bot is over its budget. `retry_after` is what the answer asks for; by
        default the whole seconds left of the stretch (at least 1), so a client that
        waits as told gets through when it ends."""
        until = asyncio.get_running_loop().time() + seconds
        self._throttled[method.lower()] = (until, retry_after)

    def drop_connection_next(self, method: str, *, after_processing: bool = False) -> None:
        """The next call of `method` gets no answer; with `after_processing` it still takes
        effect first (the message is sent but the bot never learns it was)."""
        fault = _Fault("drop", after_processing=after_processing)
        self._faults.setdefault(method.lower(), deque()).append(fault)

    def slow(self, method: str, seconds: float) -> None:
        """Every call of `method` waits `seconds` before it runs; 0 removes the delay."""
        if seconds > 0:
            self._slow[method.lower()] = seconds
        else:
            self._slow.pop(method.lower(), None)

    def duplicate_next_delivery(self, times: int = 1) -> None:
        """The next update is delivered twice with the same update_id."""
        self.world.duplicate_next += times

    # -- HTTP ---------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if not _TOKEN_SHAPE.fullmatch(token):
            return _error_response(ApiError(404, "Not Found"))
        if token != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        try:
            params = await _read_params(request)
        except ApiError as error:
            return _error_response(error)
        call = self._log_call(method, params)
        try:
            result = await self._call(method, params)
        except ApiError as error:
            call.status = error.status
            return _error_response(error)
        except _DroppedConnection:
            call.status = -1
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=204)
        call.status = 200
        return _json_response({"ok": True, "result": result})

    async def _call(self, method: str, params: Params) -> Any:
        key = method.lower()
        delay = self._slow.get(key)
        if delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)
        self._raise_if_throttled(key)
        faults = self._faults.get(key)
        fault = faults.popleft() if faults else None
        if fault is not None and fault.error is not None:
            raise fault.error
        if fault is not None and not fault.after_processing:
            raise _DroppedConnection
        result = await self._get_updates(params) if key == "getupdates" else self._run(key, params)
        if fault is not None:
            raise _DroppedConnection
        return result

    def _raise_if_throttled(self, key: str) -> None:
        stretch = self._throttled.get(key)
        if stretch is None:
            return
        left = stretch[0] - asyncio.get_running_loop().time()
        if left <= 0:
            del self._throttled[key]
            return
        retry_after = stretch[1] if stretch[1] is not None else max(1, math.ceil(left))
        self.throttled_calls += 1
        raise ApiError(
            429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
        )

    def _log_call(self, method: str, params: Params) -> Call:
        call = Call(method, params.log_view())
        self.calls.append(call)
        self._calls_signal.fire()
        return call

    def _run(self, key: str, params: Params) -> Any:
        handler = METHODS.get(key)
        if handler is None:
            raise ApiError(404, "Not Found")
        return handler(self.world, params)

    async def _get_updates(self, params: Params) -> list[JSON]:
        world = self.world
        if world.webhook.url:
            raise ApiError(409, _WEBHOOK_CONFLICT)
        limit = min(max(params.integer("limit", default=100), 1), 100)
        timeout = max(params.number("timeout", default=0.0), 0.0)
        allowed = params.structure("allowed_updates", what="allowed_updates")
        if isinstance(allowed, list):
            world.polling_allowed_updates = [str(kind) for kind in allowed]
        world.confirm(params.integer("offset", default=0))
        # Telegram lets the newest long poll win and ends the older one with 409.
        if self._poller is not None and not self._poller.done():
            self._poller.set_result(None)
            world.updates_signal.fire()
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._poller = mine
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                if mine.done():
                    raise ApiError(409, _POLL_CONFLICT)
                if world.webhook.url:
                    raise ApiError(409, _WEBHOOK_CONFLICT)
                batch = world.pending_for_polling(limit)
                remaining = deadline - loop.time()
                if batch or remaining <= 0 or self._stopping.is_set():
                    return batch
                await world.updates_signal.wait(remaining)
        finally:
            if self._poller is mine:
                self._poller = None

    async def _run_webhook_reply(self, reply: JSON) -> None:
        method = str(reply.pop("method"))
        params = Params(reply)
        call = self._log_call(method, params)
        try:
            self._run(method.lower(), params)
            call.status = 200
        except ApiError as error:
            call.status = error.status

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        stored = self.world.file_by_path(request.match_info["path"])
        if request.match_info["token"] != self.token or stored is None:
            return _error_response(ApiError(404, "Not Found"))
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _handle_control(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        action = request.match_info["action"]
        try:
            if action == "user_sends":
                update = self.user_sends(int(body["chat_id"]), str(body["text"]))
            elif action == "user_presses":
                update = self.user_presses(
                    int(body["chat_id"]), int(body["message_id"]), str(body["callback_data"])
                )
            else:
                return _json_response({"error": f"unknown action {action}"}, 404)
        except (KeyError, ValueError, LookupError) as exc:
            return _json_response({"error": str(exc)}, 400)
        return _json_response(update)

    async def _handle_sent(self, request: web.Request) -> web.StreamResponse:
        return _json_response(self.sent(int(request.match_info["chat_id"])))


async def _serve(args: argparse.Namespace) -> None:
    async with FakeTelegram(args.token, host=args.host, port=args.port) as fake:
        sys.stdout.write(
            f"fake Telegram on {fake.url}\n"
            f"  base_url={fake.base_url}  base_file_url={fake.base_file_url}\n"
            f"  token={fake.token}\n"
        )
        sys.stdout.flush()
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.sandbox.telegram", description="Local fake of the Telegram Bot API"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
