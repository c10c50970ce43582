"""Fakes of the core's own ports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.ports import ArticleSuggestion, StoredFile

if TYPE_CHECKING:
    from core.conversation.messages import DomainEvent
    from core.relay import Outbound
    from core.sla.scheduler import Fired


def article(article_id: str, subtype: str, kind: str = "workaround") -> ArticleSuggestion:
    return ArticleSuggestion(
        article_id=article_id,
        title_zh=f"标题 {article_id}",
        title_en=f"Title {article_id}",
        kind=kind,
        subtypes=(subtype,),
        score=80.0,
        steps_zh="1. 第一步\n2. 第二步",
        steps_en="1. First\n2. Second",
    )


@dataclass
class FakeKnowledgeBase:
    """Suggests the articles registered for the subtype."""

    by_subtype: dict[str, list[ArticleSuggestion]] = field(default_factory=dict)

    def add(self, *articles: ArticleSuggestion) -> None:
        for a in articles:
            for s in a.subtypes:
                self.by_subtype.setdefault(s, []).append(a)

    def suggest(
        self, text: str, subtype: str | None = None, limit: int = 3
    ) -> list[ArticleSuggestion]:
        return list(self.by_subtype.get(subtype or "", []))[:limit]

    def get(self, article_id: str) -> ArticleSuggestion | None:
        for articles in self.by_subtype.values():
            for a in articles:
                if a.article_id == article_id:
                    return a
        return None


@dataclass
class MemoryAttachmentStore:
    files: dict[str, bytes] = field(default_factory=dict)

    def save(self, data: bytes, original_name: str, mime: str) -> StoredFile:
        path = f"f{len(self.files)}"
        self.files[path] = data
        return StoredFile(path=path, size=len(data))

    def open(self, path: str) -> bytes:
        return self.files[path]


@dataclass
class RecordingAgents:
    """An AgentNotifier that keeps what it was told."""

    events: list[DomainEvent] = field(default_factory=list)
    refreshed: list[str] = field(default_factory=list)
    fired: list[Fired] = field(default_factory=list)

    async def announce(self, events: Sequence[DomainEvent]) -> None:
        self.events.extend(events)

    async def refresh(self, ref: str) -> None:
        self.refreshed.append(ref)

    async def sla_fired(self, fired: Fired) -> None:
        self.fired.append(fired)


@dataclass
class RecordingUsers:
    """A UserNotifier that keeps what it was asked to deliver."""

    delivered: list[Outbound] = field(default_factory=list)

    async def deliver(self, outbound: Outbound) -> None:
        self.delivered.append(outbound)
