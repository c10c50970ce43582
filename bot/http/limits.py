"""Request size limits, applied before a body is read.

A route's handler reads its body whole (signature checks need all of it), so
an unsigned 50 MB post would be held in memory before anyone looked at it.
This layer answers 413 from the Content-Length alone, and stops a body sent
without one (chunked) as soon as it passes the limit.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Telegram updates and Slack payloads are a few kilobytes; these leave room.
ROUTE_LIMITS = {"/telegram": 1024 * 1024, "/slack/events": 512 * 1024}
DEFAULT_LIMIT = 64 * 1024


class BodyLimit:
    def __init__(
        self, app: ASGIApp, limits: Mapping[str, int] = ROUTE_LIMITS, default: int = DEFAULT_LIMIT
    ) -> None:
        self.app = app
        self.limits = dict(limits)
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], self.default)
        declared = _content_length(scope)
        if declared == -1:
            await _answer(send, 400, b"bad Content-Length")
            return
        if declared is not None and declared > limit:
            await _answer(send, 413, b"request body too large")
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, "request body too large")
            return message

        await self.app(scope, limited, send)


def _content_length(scope: Scope) -> int | None:
    """The declared length; -1 when the header is there but not a number."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            # Bounded: never convert an unbounded digit string.
            return int(text) if text.isdigit() and len(text) <= 15 else -1
    return None


async def _answer(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})
