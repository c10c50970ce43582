"""HTTP side of the fake Slack: /api/<method>, file upload and download URLs, response_urls."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.sandbox.slack.methods import Methods, SlackError
from bot.sandbox.slack.records import (
    ApiCall,
    Ephemeral,
    FakeMessage,
    JsonDict,
    ResponseUrlPost,
)
from bot.sandbox.slack.store import FakeStore, Fault

# Methods that only accept the app-level (xapp-) token.
_APP_TOKEN_METHODS = frozenset({"apps.connections.open"})


async def read_params(request: web.Request) -> JsonDict:
    """Query string, form body and JSON body merged, like Slack accepts them."""
    params: JsonDict = dict(request.query)
    if request.method != "POST" or not request.can_read_body:
        return params
    if request.content_type == "application/json":
        body: Any = await request.json()
        if isinstance(body, dict):
            params.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


class WebApi:
    def __init__(
        self, store: FakeStore, base_url: Callable[[], str], ws_url: Callable[[], str]
    ) -> None:
        self.store = store
        self.cfg = store.config
        self.methods = Methods(store, base_url)
        self.ws_url = ws_url

    def routes(self) -> list[web.RouteDef]:
        return [
            web.route("*", "/api/{method}", self.api),
            web.post("/upload/v1/{file_id}", self.upload),
            web.get("/files/{file_id}/{name}", self.download),
            web.post("/response/{token}", self.response_url),
        ]

    # /api ------------------------------------------------------------------------------

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await read_params(request)
        token = _bearer(request) or params.pop("token", None)
        params.pop("token", None)
        fault = self.store.take_fault(method)
        if fault is not None:
            return self._fault(method, params, token, fault)
        try:
            self._check_token(method, token)
            handler = (
                self._connections_open
                if method in _APP_TOKEN_METHODS
                else self.methods.table.get(method)
            )
            if handler is None:
                raise SlackError("unknown_method")
            body: JsonDict = {"ok": True, **handler(params)}
        except SlackError as error:
            body = {"ok": False, "error": error.code, **error.extra}
        self.store.calls.append(ApiCall(method, params, token, 200, body))
        return web.json_response(body)

    def _fault(
        self, method: str, params: JsonDict, token: str | None, fault: Fault
    ) -> web.Response:
        body: JsonDict = {"ok": False, "error": fault.error}
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        self.store.calls.append(ApiCall(method, params, token, fault.status, body))
        return web.json_response(body, status=fault.status, headers=headers)

    def _check_token(self, method: str, token: str | None) -> None:
        if not token:
            raise SlackError("not_authed")
        if token not in (self.cfg.bot_token, self.cfg.app_token):
            raise SlackError("invalid_auth")
        wants_app = method in _APP_TOKEN_METHODS
        if (token == self.cfg.app_token) != wants_app:
            raise SlackError("not_allowed_token_type")

    def _connections_open(self, params: JsonDict) -> JsonDict:
        ticket = secrets.token_urlsafe(16)
        self.store.socket_tickets.add(ticket)
        return {"url": f"{self.ws_url()}?ticket={ticket}&app_id={self.cfg.app_id}"}

    # files -----------------------------------------------------------------------------

    async def upload(self, request: web.Request) -> web.Response:
        upload = self.store.files.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="file_not_found", content_type="text/plain")
        if request.content_type == "multipart/form-data":
            form = await request.post()
            field = form.get("file") or form.get("filename")
            content = field.file.read() if isinstance(field, web.FileField) else b""
        else:
            content = await request.read()
        upload.content = content
        return web.Response(text=f"OK - {len(content)}", content_type="text/plain")

    async def download(self, request: web.Request) -> web.Response:
        if _bearer(request) != self.cfg.bot_token:
            # Slack answers unauthenticated file fetches with its login page, not the bytes.
            return web.Response(status=302, headers={"Location": "/signin"})
        file_id = request.match_info["file_id"]
        upload = self.store.files.get(file_id)
        if upload is not None and upload.content is not None:
            return web.Response(body=upload.content, content_type="application/octet-stream")
        if file_id in self.store.user_files:
            meta, content = self.store.user_files[file_id]
            return web.Response(body=content, content_type=str(meta["mimetype"]))
        return web.Response(status=404)

    # response_url ----------------------------------------------------------------------

    async def response_url(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        target = self.store.response_targets.get(token)
        if target is None:
            return web.Response(status=404, text="invalid_token", content_type="text/plain")
        try:
            body = json.loads(await request.text())
        except ValueError:
            return web.Response(status=400, text="invalid_payload", content_type="text/plain")
        if not isinstance(body, dict):
            return web.Response(status=400, text="invalid_payload", content_type="text/plain")
        self.store.response_url_posts.append(
            ResponseUrlPost(token, body, target.channel, target.message_ts)
        )
        self._apply_response(body, target.channel, target.message_ts, target.user)
        self.store.notify()
        return web.json_response({"ok": True})

    def _apply_response(
        self, body: JsonDict, channel: str | None, message_ts: str | None, user: str
    ) -> None:
        original = self.store.find_message(channel, message_ts) if channel and message_ts else None
        if _truthy(body.get("delete_original")) and original is not None:
            self.store.history[original.channel].remove(original)
            self.store.deleted.append(original)
            return
        text = body.get("text") if isinstance(body.get("text"), str) else ""
        blocks = body.get("blocks") if isinstance(body.get("blocks"), list) else []
        if _truthy(body.get("replace_original")) and original is not None:
            original.text, original.blocks = str(text), list(blocks or [])
            original.edits += 1
            return
        if channel is None:
            return
        if body.get("response_type") == "in_channel":
            thread_ts = body.get("thread_ts")
            self.store.add_message(
                FakeMessage(
                    channel=channel,
                    ts=self.store.ts.next(),
                    text=str(text),
                    user=self.cfg.bot_user_id,
                    blocks=list(blocks or []),
                    thread_ts=str(thread_ts) if thread_ts else None,
                    bot_id=self.cfg.bot_id,
                )
            )
            return
        self.store.ephemerals.append(
            Ephemeral(
                channel=channel,
                user=user,
                text=str(text),
                blocks=list(blocks or []),
                thread_ts=None,
                message_ts=self.store.ts.next(),
            )
        )


def _truthy(value: Any) -> bool:
    return value is True or value in ("true", "1", 1)
