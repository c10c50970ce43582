"""Ports: the small interfaces the core needs and the adapters implement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from core.conversation.messages import DomainEvent
    from core.relay import Outbound
    from core.sla.scheduler import Fired


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""
        ...


@dataclass(frozen=True, slots=True)
class ArticleSuggestion:
    """One knowledge-base article proposed for a message."""

    article_id: str
    title_zh: str
    title_en: str
    kind: str  # "workaround", "root_fix" or "info"
    subtypes: tuple[str, ...]
    score: float  # 0-100, higher is better
    steps_zh: str
    steps_en: str

    def title(self, lang: str) -> str:
        return self.title_zh if lang.startswith("zh") else self.title_en

    def steps(self, lang: str) -> str:
        return self.steps_zh if lang.startswith("zh") else self.steps_en


@dataclass(frozen=True, slots=True)
class FeedbackCounts:
    offers: int = 0
    helped: int = 0
    not_helped: int = 0


class FeedbackStore(Protocol):
    """The "this helped" / "did not help" counts per article, for ranking. The
    conversation records votes in its own transaction (core.storage.feedback).
    """

    def counts(self) -> dict[str, FeedbackCounts]: ...


class KnowledgeBase(Protocol):
    def suggest(
        self, text: str, subtype: str | None = None, limit: int = 3
    ) -> list[ArticleSuggestion]:
        """Ranked suggestions above the relevance cutoff; empty when nothing fits."""
        ...

    def get(self, article_id: str) -> ArticleSuggestion | None: ...


@dataclass(frozen=True, slots=True)
class StoredFile:
    path: str  # where the store keeps it, relative to the store's root
    size: int


class AttachmentStore(Protocol):
    """Keeps the files users send: a directory by default, a shared location
    when several instances run.
    """

    def save(self, data: bytes, original_name: str, mime: str) -> StoredFile: ...

    def open(self, path: str) -> bytes: ...


class UserNotifier(Protocol):
    """Reaches a ticket's reporter on the channel the report came from: an agent's
    reply, a request for details, the "is it fixed?" follow-up question.
    """

    async def deliver(self, outbound: Outbound) -> None: ...


class AgentNotifier(Protocol):
    """Reaches the agents: announces new tickets and what users add to them,
    updates a ticket's cards, posts SLA warnings and breaches, pages on-call.
    """

    async def announce(self, events: Sequence[DomainEvent]) -> None: ...

    async def refresh(self, ref: str) -> None:
        """Show the ticket's current state wherever it was announced."""
        ...

    async def sla_fired(self, fired: Fired) -> None: ...
