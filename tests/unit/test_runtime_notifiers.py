"""Where the chat side and the agent side meet: replies routed by channel, and
what the agents are told, counted in the metrics."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client import Counter

from bot.http.metrics import Metrics
from bot.runtime import AgentDesk, ReporterChannels
from core.config import settings_from_mapping
from core.conversation import ArticlesOffered, Reply, SelfServiceResolved
from core.relay import Outbound
from core.sla.scheduler import Fired
from core.storage.db import Database
from core.tickets import TicketService
from tests.fakes import RecordingAgents, RecordingUsers

AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def outbound(channel: str) -> Outbound:
    return Outbound("LD-00001", channel, "42", (Reply("hello"),))


def fired(kind: str) -> Fired:
    return Fired(
        timer_id=1,
        ref="LD-00001",
        kind=kind,
        clock="first_response",
        due_at=AT,
        fired_at=AT,
        fraction=0.5,
        level=None,
        round=None,
        targets=(),
        priority="P1",
        tier="l1",
        assignee=None,
    )


def total(counter: Counter, **labels: str) -> float:
    """A counter's count, over the samples with these labels."""
    (family,) = counter.collect()
    return sum(
        sample.value
        for sample in family.samples
        if sample.name.endswith("_total")
        and all(sample.labels.get(k) == v for k, v in labels.items())
    )


@pytest.fixture
def desk_parts(tmp_path: Path) -> tuple[TicketService, Metrics]:
    settings = settings_from_mapping({}, environ={})
    db = Database(f"sqlite:///{tmp_path / 'unused.db'}")
    return TicketService(db, settings), Metrics(db)


async def test_a_reply_goes_to_the_adapter_of_the_reports_channel() -> None:
    telegram, other = RecordingUsers(), RecordingUsers()
    await ReporterChannels({"telegram": telegram, "other": other}).deliver(outbound("telegram"))
    assert [o.chat_id for o in telegram.delivered] == ["42"]
    assert other.delivered == []


async def test_a_reply_for_a_channel_without_adapter_is_kept_and_logged(caplog) -> None:
    telegram = RecordingUsers()
    with caplog.at_level(logging.WARNING, logger="bot.runtime"):
        await ReporterChannels({"telegram": telegram}).deliver(outbound("console"))
    assert telegram.delivered == []
    assert "no adapter for channel console" in caplog.text


async def test_the_agents_hear_every_event_and_each_is_counted(desk_parts) -> None:
    tickets, metrics = desk_parts
    agents = RecordingAgents()
    desk = AgentDesk(tickets, metrics, agents)
    events = [ArticlesOffered("av.stutter", ("a1", "a2")), SelfServiceResolved("av.stutter", "a1")]
    await desk.announce(events)
    await desk.sla_fired(fired("breach"))
    await desk.refresh("LD-00001")
    assert agents.events == events
    assert [f.kind for f in agents.fired] == ["breach"]
    assert agents.refreshed == ["LD-00001"]
    assert total(metrics.kb_offers) == 2
    assert total(metrics.self_service) == 1
    assert total(metrics.sla_events, kind="breach") == 1


async def test_without_an_agents_workspace_events_are_still_counted(desk_parts) -> None:
    tickets, metrics = desk_parts
    desk = AgentDesk(tickets, metrics, None)
    await desk.announce([ArticlesOffered("av.stutter", ("a1",))])
    await desk.sla_fired(fired("page"))
    await desk.refresh("LD-00001")
    assert total(metrics.kb_offers) == 1
    assert total(metrics.sla_events, kind="page") == 1
