"""One event being handled: the conversation, its report and what to answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core.conversation.draft import Draft
from core.conversation.messages import Choice, DomainEvent, Inbound, Reply
from core.conversation.settings import IntakeSettings
from core.conversation.store import Conversation, ConversationStore
from core.i18n import t
from core.ports import AttachmentStore, KnowledgeBase
from core.triage import Verdict

Classify = Callable[[str, datetime], Verdict]


class ConvState(StrEnum):
    IDLE = "idle"
    DESCRIBE = "describe"
    # The words do not say what is wrong: asked, with the categories as buttons.
    ASK_WHAT = "ask_what"
    # Two different problems in one message: report both, or choose one.
    TWO_PROBLEMS = "two_problems"
    CHOOSE_TYPE = "choose_type"
    CHOOSE_CATEGORY = "choose_category"
    KB_OFFER = "kb_offer"
    ASK_DETAIL = "ask_detail"
    ATTACH = "attach"
    CONFIRM = "confirm"
    # The ticket exists (fast paths): the details still wanted are asked for it.
    TICKET_DETAIL = "ticket_detail"


@dataclass(frozen=True, slots=True)
class Deps:
    """What the handlers use besides storage."""

    kb: KnowledgeBase
    classify: Classify
    attachments: AttachmentStore
    settings: IntakeSettings


@dataclass
class Turn:
    store: ConversationStore
    conv: Conversation
    event: Inbound
    deps: Deps
    replies: list[Reply] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)

    @property
    def draft(self) -> Draft:
        return self.conv.draft

    @draft.setter
    def draft(self, value: Draft) -> None:
        self.conv.draft = value

    @property
    def settings(self) -> IntakeSettings:
        return self.deps.settings

    @property
    def lang(self) -> str:
        return self.conv.language

    @property
    def now(self) -> datetime:
        return self.event.at

    @property
    def state(self) -> ConvState:
        return ConvState(self.conv.state)

    def say(self, key: str, **values: object) -> None:
        self.replies.append(Reply(t(self.lang, key, **values)))

    def enter(self, state: ConvState) -> None:
        """A new prompt: buttons of earlier prompts become stale."""
        self.conv.state = state.value
        self.conv.step += 1

    def choice(self, action: str, label: str) -> Choice:
        return Choice(id=f"{self.conv.step}:{action}", label=label)

    def reset(self) -> None:
        """Forget the report in progress."""
        self.draft = Draft()
        self.enter(ConvState.IDLE)
