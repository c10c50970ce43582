"""The fake workspace's mutable state, shared by the Web API, the sender and the inspectors."""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.sandbox.slack.config import FakeChannel, FakeSlackConfig, FakeUser
from bot.sandbox.slack.records import (
    ApiCall,
    Delivery,
    Ephemeral,
    FakeMessage,
    FakeView,
    JsonDict,
    ResponseUrlPost,
    SocketAck,
    TsClock,
    UploadedFile,
)


@dataclass(slots=True)
class Trigger:
    issued_at: float
    user: str | None = None
    used: bool = False
    expired: bool = False


@dataclass(frozen=True, slots=True)
class ResponseTarget:
    """What a response_url points back at: where the interaction happened."""

    channel: str | None
    message_ts: str | None
    user: str


@dataclass(frozen=True, slots=True)
class Fault:
    status: int
    error: str
    retry_after: int | None


class FakeStore:
    def __init__(self, config: FakeSlackConfig, clock: Callable[[], float] = time.monotonic):
        self.config = config
        self.clock = clock
        self.ts = TsClock()
        self.channels: dict[str, FakeChannel] = {c.id: c for c in config.channels}
        self.users: dict[str, FakeUser] = {u.id: u for u in config.users}
        self.usergroups: dict[str, tuple[str, ...]] = dict(config.usergroups)
        self.history: dict[str, list[FakeMessage]] = {c.id: [] for c in config.channels}
        self.deleted: list[FakeMessage] = []
        self.ephemerals: list[Ephemeral] = []
        self.views: dict[str, FakeView] = {}
        self.views_opened: list[FakeView] = []
        self.home_views: dict[str, FakeView] = {}
        self.files: dict[str, UploadedFile] = {}
        self.user_files: dict[str, tuple[JsonDict, bytes]] = {}
        self.calls: list[ApiCall] = []
        self.faults: dict[str, list[Fault]] = {}
        self.triggers: dict[str, Trigger] = {}
        self.response_targets: dict[str, ResponseTarget] = {}
        self.response_url_posts: list[ResponseUrlPost] = []
        self.deliveries: list[Delivery] = []
        self.socket_acks: list[SocketAck] = []
        self.sent_events: dict[str, Delivery] = {}
        self.socket_tickets: set[str] = set()
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()

    # ids -------------------------------------------------------------------------------

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}{secrets.token_hex(3).upper()}"

    def issue_trigger(self, user: str | None) -> str:
        trigger_id = f"{int(time.time())}.{next(self._ids)}.{secrets.token_hex(16)}"
        self.triggers[trigger_id] = Trigger(issued_at=self.clock(), user=user)
        return trigger_id

    def issue_response_token(self, target: ResponseTarget) -> str:
        token = secrets.token_urlsafe(18)
        self.response_targets[token] = target
        return token

    # lookups ---------------------------------------------------------------------------

    def channel(self, ref: object) -> FakeChannel | None:
        if not isinstance(ref, str) or not ref:
            return None
        if ref in self.channels:
            return self.channels[ref]
        name = ref.removeprefix("#")
        return next((c for c in self.channels.values() if c.name == name), None)

    def channel_id(self, ref: str) -> str:
        channel = self.channel(ref)
        if channel is None:
            raise KeyError(f"unknown channel {ref!r}")
        return channel.id

    def find_message(self, channel_id: str, ts: str) -> FakeMessage | None:
        return next((m for m in self.history.get(channel_id, []) if m.ts == ts), None)

    # changes ---------------------------------------------------------------------------

    def add_message(self, message: FakeMessage) -> None:
        self.history.setdefault(message.channel, []).append(message)
        self.notify()

    def notify(self) -> None:
        # Waiters hold the old event; swapping wakes them all and arms the next round.
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    @property
    def changed(self) -> asyncio.Event:
        return self._changed

    def take_fault(self, method: str) -> Fault | None:
        queue = self.faults.get(method)
        return queue.pop(0) if queue else None
