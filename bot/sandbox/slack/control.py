"""/_fake/* endpoints: drive and inspect a standalone fake Slack from another process.

POST /_fake/send/message        {"channel", "user", "text", "thread_ts"?}
POST /_fake/send/block_action   {"user_id", "action_id", "value"?, "message_ts"?, "channel"?}
POST /_fake/send/slash_command  {"command", "text", "user_id", "channel_id"}
POST /_fake/send/view_submission {"user_id", "view_id"?, "callback_id"?, "values"?}
POST /_fake/send/shortcut       {"callback_id", "user_id", "channel"?, "message_ts"?}
POST /_fake/fail_next           {"method", "status"?, "retry_after"?}
GET  /_fake/messages?channel=C0TICKETS
GET  /_fake/state
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox.slack.records import Delivery, JsonDict

if TYPE_CHECKING:
    from bot.sandbox.slack.server import FakeSlack


def _delivery(delivery: Delivery) -> JsonDict:
    return {
        "kind": delivery.kind,
        "transport": delivery.transport,
        "event_id": delivery.event_id,
        "acked": delivery.acked,
        "attempts": [dataclasses.asdict(a) for a in delivery.attempts],
    }


class ControlApi:
    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/_fake/send/{kind}", self.send),
            web.post("/_fake/fail_next", self.fail_next),
            web.get("/_fake/messages", self.messages),
            web.get("/_fake/state", self.state),
        ]

    async def send(self, request: web.Request) -> web.Response:
        args: Any = await request.json()
        if not isinstance(args, dict):
            raise web.HTTPBadRequest(text="expected a JSON object")
        senders = {
            "message": self.fake.send_message,
            "block_action": self.fake.send_block_action,
            "slash_command": self.fake.send_slash_command,
            "view_submission": self.fake.send_view_submission,
            "shortcut": self.fake.send_shortcut,
        }
        sender: Any = senders.get(request.match_info["kind"])
        if sender is None:
            raise web.HTTPNotFound(text=f"no sender for {request.match_info['kind']!r}")
        try:
            delivery = await sender(**args)
        except (TypeError, LookupError, TimeoutError) as error:
            raise web.HTTPBadRequest(text=repr(error)) from error
        return web.json_response(_delivery(delivery))

    async def fail_next(self, request: web.Request) -> web.Response:
        args: Any = await request.json()
        if not isinstance(args, dict) or not isinstance(args.get("method"), str):
            raise web.HTTPBadRequest(text='expected {"method": ...}')
        self.fake.fail_next(
            args["method"],
            status=int(args.get("status", 429)),
            retry_after=int(args.get("retry_after", 1)),
        )
        return web.json_response({"ok": True})

    async def messages(self, request: web.Request) -> web.Response:
        channel = request.query.get("channel", "")
        try:
            found = self.fake.messages(channel, include_users=True)
        except KeyError as error:
            raise web.HTTPNotFound(text=str(error)) from error
        return web.json_response([dataclasses.asdict(m) for m in found])

    async def state(self, request: web.Request) -> web.Response:
        fake = self.fake
        return web.json_response(
            {
                "messages": {
                    cid: [dataclasses.asdict(m) for m in history]
                    for cid, history in fake.store.history.items()
                },
                "ephemerals": [dataclasses.asdict(e) for e in fake.ephemerals],
                "views_opened": [dataclasses.asdict(v) for v in fake.views_opened],
                "home_views": {u: dataclasses.asdict(v) for u, v in fake.home_views.items()},
                "uploaded_files": [
                    {**dataclasses.asdict(f), "content": None} for f in fake.uploaded_files
                ],
                "response_url_posts": [dataclasses.asdict(p) for p in fake.response_url_posts],
                "calls": [{"method": c.method, "status": c.http_status} for c in fake.calls],
                "deliveries": [_delivery(d) for d in fake.deliveries],
            }
        )
