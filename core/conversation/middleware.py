"""What stands in front of the dialogue for every channel: redelivery dedup,
then flood control. Each middleware gets the event, the event's store
(transaction) and `next`, the rest of the chain.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from core.conversation.messages import HandleResult, Inbound, Reply
from core.conversation.store import ConversationStore
from core.i18n import language_of, t

Next = Callable[[Inbound, ConversationStore], HandleResult]
_SWEEP_MIN = 1024  # flood windows kept before quiet users are swept


class Middleware(Protocol):
    def __call__(self, event: Inbound, store: ConversationStore, next: Next) -> HandleResult: ...


def chain(middlewares: Sequence[Middleware], last: Next) -> Next:
    """One callable: the middlewares in order, then `last`."""
    handler = last
    for middleware in reversed(middlewares):
        handler = _link(middleware, handler)
    return handler


def _link(middleware: Middleware, rest: Next) -> Next:
    def call(event: Inbound, store: ConversationStore) -> HandleResult:
        return middleware(event, store, rest)

    return call


class Dedup:
    """A redelivered update changes nothing: its delivery id is claimed in the
    event's own transaction, so the claim and the work commit together.
    First in the chain, so a redelivery never counts toward the flood limit.
    """

    def __call__(self, event: Inbound, store: ConversationStore, next: Next) -> HandleResult:
        if event.delivery_id is not None and not store.claim_delivery(
            event.channel, event.delivery_id, event.at
        ):
            return HandleResult(duplicate=True)
        return next(event, store)


@dataclass
class _Window:
    arrivals: deque[datetime] = field(default_factory=deque)
    noticed_at: datetime | None = None


class FloodControl:
    """A per-user sliding window, so a looping client gets a polite answer
    instead of an endless stream of reports: one notice per window, then
    silence until the user slows down.
    """

    def __init__(self, limit: int, window: timedelta, default_language: str) -> None:
        if limit < 1 or window <= timedelta(0):
            raise ValueError("flood control needs a positive limit and window")
        self.limit = limit
        self.window = window
        self.default_language = default_language
        self._windows: dict[tuple[str, str], _Window] = {}
        self._sweep_at = _SWEEP_MIN

    @property
    def tracked(self) -> int:
        """How many users' windows are kept (memory stays bounded)."""
        return len(self._windows)

    def __call__(self, event: Inbound, store: ConversationStore, next: Next) -> HandleResult:
        window = self._window_of(event)
        if len(window.arrivals) <= self.limit:
            return next(event, store)
        if window.noticed_at is not None and event.at - window.noticed_at <= self.window:
            return HandleResult()
        window.noticed_at = event.at
        # The conversation's language, not the event's: button presses may carry
        # no language code (or the client's, not the one the user chose with /lang).
        conv = store.load_conversation(event.channel, event.user_id)
        lang = conv.language if conv else language_of(event.language, self.default_language)
        return HandleResult([Reply(t(lang, "flood"))])

    def _window_of(self, event: Inbound) -> _Window:
        if len(self._windows) > self._sweep_at:
            # Users quiet for a whole window are forgotten.
            self._windows = {
                k: w
                for k, w in self._windows.items()
                if w.arrivals and event.at - w.arrivals[-1] <= self.window
            }
            self._sweep_at = max(_SWEEP_MIN, 2 * len(self._windows))
        window = self._windows.setdefault((event.channel, event.user_id), _Window())
        arrivals = window.arrivals
        while arrivals and event.at - arrivals[0] > self.window:
            arrivals.popleft()
        arrivals.append(event.at)
        return window
