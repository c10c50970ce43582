"""What the fake Slack remembers: messages, views, files, calls, deliveries, socket traffic."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]


@dataclass(slots=True)
class FakeMessage:
    """A message in a channel, as the latest chat.update left it."""

    channel: str
    ts: str
    text: str
    user: str
    blocks: list[JsonDict] = field(default_factory=list)
    thread_ts: str | None = None
    bot_id: str | None = None
    files: list[JsonDict] = field(default_factory=list)
    from_app: bool = True
    edits: int = 0
    metadata: JsonDict | None = None

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_api(self, team_id: str) -> JsonDict:
        body: JsonDict = {
            "type": "message",
            "user": self.user,
            "text": self.text,
            "ts": self.ts,
            "team": team_id,
        }
        if self.bot_id is not None:
            body["bot_id"] = self.bot_id
        if self.blocks:
            body["blocks"] = self.blocks
        if self.thread_ts is not None:
            body["thread_ts"] = self.thread_ts
        if self.files:
            body["files"] = self.files
            body["upload"] = False
        if self.edits:
            body["edited"] = {"user": self.user, "ts": self.ts}
        if self.metadata is not None:
            body["metadata"] = self.metadata
        return body


@dataclass(frozen=True, slots=True)
class Ephemeral:
    channel: str
    user: str
    text: str
    blocks: list[JsonDict]
    thread_ts: str | None
    message_ts: str


@dataclass(slots=True)
class FakeView:
    """A modal or home tab; `view` is the body Slack would return, kept current by updates."""

    id: str
    user: str | None
    view: JsonDict
    trigger_id: str | None = None
    updates: int = 0


@dataclass(slots=True)
class UploadedFile:
    id: str
    filename: str
    length: int
    content: bytes | None = None
    title: str | None = None
    channel: str | None = None
    thread_ts: str | None = None
    initial_comment: str | None = None
    completed: bool = False


@dataclass(frozen=True, slots=True)
class ApiCall:
    method: str
    params: JsonDict
    token: str | None
    http_status: int
    response: JsonDict

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        error = self.response.get("error")
        return error if isinstance(error, str) else None


@dataclass(frozen=True, slots=True)
class ResponseUrlPost:
    token: str
    body: JsonDict
    channel: str | None
    message_ts: str | None


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try at handing a payload to the app (an HTTP POST or a Socket Mode envelope)."""

    retry_num: int
    retry_reason: str | None
    acked: bool
    status: int | None = None
    body: str = ""
    timed_out: bool = False
    error: str | None = None
    envelope_id: str | None = None


@dataclass(frozen=True, slots=True)
class SocketAck:
    envelope_id: str
    payload: JsonDict | None


@dataclass(slots=True)
class Delivery:
    """Everything the fake sent for one payload: the first try plus Slack-style retries."""

    kind: str
    transport: str  # "http" or "socket"
    target: str
    payload: JsonDict
    event_id: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    ack: SocketAck | None = None

    @property
    def last(self) -> Attempt:
        return self.attempts[-1]

    @property
    def status(self) -> int | None:
        return self.last.status if self.attempts else None

    @property
    def body(self) -> str:
        return self.last.body if self.attempts else ""

    @property
    def acked(self) -> bool:
        return any(attempt.acked for attempt in self.attempts)

    @property
    def retries(self) -> int:
        return max(0, len(self.attempts) - 1)

    def response_json(self) -> JsonDict | None:
        """The app's answer: the HTTP response body or the Socket Mode ack payload."""
        if self.transport == "socket":
            return self.ack.payload if self.ack is not None else None
        try:
            parsed = json.loads(self.body) if self.body else None
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None


class TsClock:
    """Issues Slack-style message timestamps ("1700000000.000100"), strictly increasing."""

    def __init__(self) -> None:
        self._last_micros = 0

    def next(self) -> str:
        micros = max(int(time.time() * 1_000_000), self._last_micros + 1)
        self._last_micros = micros
        seconds, fraction = divmod(micros, 1_000_000)
        return f"{seconds}.{fraction:06d}"
