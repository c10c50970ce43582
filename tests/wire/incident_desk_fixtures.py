"""The running LiveDesk for the incident desk's wire tests: the whole runtime
against the fake Telegram and the fake Slack, a fake clock, and the throttle of
the incident card's updates on a manual timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.slack.notifier import SlackNotifier
from bot.slack.throttle import Throttle
from core.clock import FakeClock
from core.conversation import TicketCreated
from core.diagnostics import Diagnostics
from tests.factories import draft
from tests.wire.desk_fixtures import Desk, running_desk

INTERVAL = 10.0


class ManualTime:
    """Monotonic time that moves only when the test says: the throttle's timer."""

    def __init__(self) -> None:
        self.t = 0.0
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def monotonic(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.t + seconds, future))
        await future

    def advance(self, seconds: float) -> None:
        self.t += seconds
        for when, future in list(self._sleepers):
            if when <= self.t and not future.done():
                future.set_result(None)
        self._sleepers = [(w, f) for w, f in self._sleepers if not f.done()]


class IncidentDesk(Desk):
    clock: FakeClock
    time: ManualTime

    @property
    def notifier(self) -> SlackNotifier:
        assert self.runtime.slack is not None
        return self.runtime.slack.notifier

    async def report(self, user: str, subtype: str = "av.no_audio", **diag: Any) -> str:
        d = draft(
            subtype,
            external_user_id=user,
            chat_id=user,
            summary="所有直播都没有声音",
            diagnostics=Diagnostics(**diag),
        )
        tickets = self.runtime.intake.services.tickets
        created = await asyncio.to_thread(tickets.create_report, d, self.clock.now())
        ref = created.ticket.ref
        assert ref is not None
        await self.runtime.agents.announce([TicketCreated(ref)])
        return ref

    def incident_ref(self) -> str:
        (incident,) = self.runtime.intake.services.incidents.list_open(finance_agent=True)
        assert incident.incident.ref is not None
        return incident.incident.ref

    def cards(self, channel: str, marker: str = "incident.actions") -> list[Any]:
        return [
            m
            for m in self.slack.messages(channel)
            if m.thread_ts is None and marker in json.dumps(m.blocks)
        ]

    def thread(self, channel: str, ts: str) -> list[Any]:
        return [m for m in self.slack.messages(channel) if m.thread_ts == ts]

    async def press(self, user: str, action_id: str, value: str, channel: str) -> None:
        await self.slack.send_block_action(user, action_id, value=value, channel=channel)

    async def submit_view(self, user: str, values: dict[str, dict[str, Any]]) -> None:
        view = [v for v in self.slack.views_opened if v.user == user][-1]
        await self.slack.send_view_submission(
            user, view.id, values=values, private_metadata=view.view.get("private_metadata")
        )


@contextlib.asynccontextmanager
async def incident_desk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[IncidentDesk]:
    """The whole runtime with the fake Slack and Telegram; the card throttle on a manual timer."""
    clock = FakeClock(datetime(2026, 12, 5, 12, 0, tzinfo=UTC))
    async with running_desk(tmp_path, monkeypatch, clock=clock) as desk:
        running = IncidentDesk(desk.tg, desk.slack, desk.runtime, desk.settings)
        running.clock, running.time = clock, ManualTime()
        notifier = running.notifier
        notifier.incidents.throttle = Throttle(
            notifier.incidents._flush,
            INTERVAL,
            monotonic=running.time.monotonic,
            sleep=running.time.sleep,
        )
        yield running
