"""A fired SLA warning carries its clock's deadline, not the warning's own moment."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from core.config import settings_from_mapping
from core.sla.scheduler import SlaScheduler
from core.tickets import TicketService
from tests.factories import draft
from tests.fakes import RecordingAgents


def test_a_warning_names_the_first_response_deadline(db, clock):
    tickets = TicketService(db, settings_from_mapping({}, environ={}))
    agents = RecordingAgents()
    scheduler = SlaScheduler(db, tickets, clock, instance="test", agents=agents)
    t = tickets.create(draft("acct.login"), clock.now())  # P1: 60 minutes
    clock.advance(timedelta(minutes=31))
    asyncio.run(scheduler.run_once())
    (warning,) = agents.fired
    assert warning.kind == "warning"
    assert warning.due_at < t.first_response_due
    assert warning.clock_due_at == t.first_response_due
    clock.advance(timedelta(minutes=30))
    asyncio.run(scheduler.run_once())
    breach = agents.fired[-1]
    assert breach.kind == "breach" and breach.clock_due_at == breach.due_at
