from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from core.conversation import Inbound, IntakeSettings
from core.conversation.engine import ConversationFlow
from core.triage import classify
from tests.fakes import FakeKnowledgeBase, MemoryAttachmentStore, article
from tests.unit.conversation.memory_store import MemoryStores


@pytest.fixture
def kb() -> FakeKnowledgeBase:
    fake = FakeKnowledgeBase()
    fake.add(
        article("av-stutter-network", "av.stutter"),
        article("av-stutter-quality", "av.stutter"),
        article("fin-recharge-wait", "fin.recharge"),
        article("svc-how-handled", "svc.slow_response", kind="info"),
    )
    return fake


@pytest.fixture
def files() -> MemoryAttachmentStore:
    return MemoryAttachmentStore()


@pytest.fixture
def stores() -> MemoryStores:
    """The conversations and tickets, in memory: no database in these tests."""
    return MemoryStores()


@pytest.fixture
def make_engine(stores, kb, files):
    def build(**overrides) -> ConversationFlow:
        intake = IntakeSettings(timezone=ZoneInfo("Asia/Shanghai"), **overrides)
        return ConversationFlow(stores, kb, classify, files, intake)

    return build


@pytest.fixture
def engine(make_engine):
    return make_engine()


class Chat:
    """Say a line, read the replies: the harness for conversation tests."""

    def __init__(self, engine, clock, user="u1", language="zh-hans", channel="telegram"):
        self.engine, self.clock = engine, clock
        self.user, self.language, self.channel = user, language, channel
        self.last = None
        self.turns = 0

    def send(self, **fields):
        self.clock.advance(timedelta(seconds=5))
        base = {
            "channel": self.channel,
            "user_id": self.user,
            "chat_id": self.user,
            "display_name": "Lin",
            "language": self.language,
            "at": self.clock.now(),
        }
        base.update(fields)
        result = self.engine.handle(Inbound(**base))
        self.turns += 1
        if result.replies:
            self.last = result
        return result

    def say(self, text, **kw):
        return self.send(text=text, **kw)

    def press(self, label_part):
        """Press the button of the latest prompt whose label contains `label_part`."""
        for reply in reversed(self.last.replies):
            for choice in reply.choices:
                if label_part in choice.label:
                    return self.send(choice=choice.id)
        raise AssertionError(f"no button {label_part!r} in {self.texts()}")

    def texts(self, result=None):
        return "\n".join(r.text for r in (result or self.last).replies)

    def buttons(self):
        return [c.label for r in self.last.replies for c in r.choices]


@pytest.fixture
def chat(engine, clock):
    return Chat(engine, clock)
