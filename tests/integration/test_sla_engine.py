"""SLA clocks, escalation and paging on a real database with a controllable clock."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

from sqlmodel import col, func, select

from core.clock import FakeClock
from core.config import settings_from_mapping
from core.relay import TicketRelay
from core.sla.scheduler import SlaScheduler
from core.statuses import Outcome
from core.storage.db import Database
from core.storage.tables import AuditEventRow, SlaTimerRow
from core.taxonomy import Priority, Scope
from core.tickets import TicketService
from tests.factories import draft
from tests.fakes import RecordingAgents

CHAIN = {
    "on_call": ["S0ONCALL"],
    "chain": [
        {"targets": ["U1"], "timeout": "5m"},
        {"targets": ["U2"], "timeout": "5m"},
        {"targets": ["U3"], "timeout": "5m"},
    ],
    "repeats": 0,
}


def make(db, clock, **extra):
    settings = settings_from_mapping({"escalation": CHAIN, **extra}, environ={})
    tickets = TicketService(db, settings)
    agents = RecordingAgents()
    scheduler = SlaScheduler(db, tickets, clock, instance="test", agents=agents)
    return tickets, scheduler, agents.fired


def run(scheduler, clock, at: timedelta | None = None):
    if at is not None:
        clock.advance(at)
    asyncio.run(scheduler.run_once())


def kinds(fired):
    return [(f.kind, f.fraction, f.level) for f in fired]


def test_a_p0_pages_at_once_warns_at_half_and_eighty_percent_then_breaches(db, clock):
    tickets, scheduler, fired = make(db, clock)
    t = tickets.create(draft("func.stream_push", Scope.WIDESPREAD), clock.now())
    assert t.priority == "P0"
    run(scheduler, clock)
    assert kinds(fired) == [("page", None, 0)]
    assert fired[0].targets == ("U1",)
    run(scheduler, clock, timedelta(minutes=5))
    assert kinds(fired)[-1] == ("page", None, 1)
    run(scheduler, clock, timedelta(minutes=3))  # 8 min: past 50% of 15 min
    assert ("warning", 0.5, None) in kinds(fired)
    run(scheduler, clock, timedelta(minutes=8))  # 16 min
    assert ("warning", 0.8, None) in kinds(fired)
    assert ("breach", None, None) in kinds(fired)
    actions = [e.action for e in tickets.history(t.ref)]
    assert actions.count("sla.page") == 3 and actions.count("sla.breach") == 1


def test_a_breach_moves_the_ticket_up_one_tier(db, clock):
    tickets, scheduler, fired = make(db, clock)
    t = tickets.create(draft("acct.login"), clock.now())  # P1, tier l2
    run(scheduler, clock, timedelta(hours=1, seconds=1))
    assert fired[-1].kind == "breach"
    assert tickets.get(t.ref).tier == "lead"
    assert fired[-1].tier == "lead"


def test_the_first_public_reply_stops_the_clock_but_claiming_does_not(db, clock):
    tickets, scheduler, fired = make(db, clock)
    t = tickets.create(draft("acct.login"), clock.now())
    tickets.claim(t.ref, "U9", clock.now())
    run(scheduler, clock, timedelta(minutes=31))
    assert kinds(fired) == [("warning", 0.5, None)]
    TicketRelay(db, tickets.planner).agent_reply(t.ref, "Mei", "在查了", clock.now())
    run(scheduler, clock, timedelta(hours=2))
    assert kinds(fired) == [("warning", 0.5, None)]


def test_claiming_a_p0_acknowledges_its_page_and_stops_the_chain(db, clock):
    tickets, scheduler, fired = make(db, clock)
    t = tickets.create(draft("func.stream_push", Scope.WIDESPREAD), clock.now())
    run(scheduler, clock)
    tickets.claim(t.ref, "U1", clock.now() + timedelta(minutes=1))
    run(scheduler, clock, timedelta(minutes=30))
    assert [f.level for f in fired if f.kind == "page"] == [0]


def test_a_chain_acknowledged_at_level_two_never_pages_level_three(db, clock):
    tickets, scheduler, fired = make(db, clock)
    t = tickets.create(draft("func.stream_push", Scope.WIDESPREAD), clock.now())
    run(scheduler, clock)
    run(scheduler, clock, timedelta(minutes=5))
    clock.advance(timedelta(minutes=2))
    tickets.acknowledge_page(t.ref, "U2", clock.now())
    run(scheduler, clock, timedelta(minutes=30))
    assert [f.level for f in fired if f.kind == "page"] == [0, 1]
    assert "page.acknowledged" in [e.action for e in tickets.history(t.ref)]


def test_waiting_for_the_user_pauses_the_clock(db, clock):
    tickets, scheduler, fired = make(db, clock)
    t = tickets.create(draft("acct.login"), clock.now())  # 1 h target
    tickets.claim(t.ref, "U9", clock.now())
    clock.advance(timedelta(minutes=20))
    tickets.request_info(t.ref, "U9", ["account_id"], clock.now())
    run(scheduler, clock, timedelta(hours=3))  # paused all along: no breach
    assert "breach" not in [f.kind for f in fired]
    tickets.user_answered(t.ref, clock.now())
    assert tickets.get(t.ref).first_response_due == t.created_at + timedelta(hours=4)
    run(scheduler, clock, timedelta(minutes=39))
    assert "breach" not in [f.kind for f in fired]
    run(scheduler, clock, timedelta(minutes=2))
    assert "breach" in [f.kind for f in fired]


def test_a_priority_change_recomputes_the_due_time_from_creation(db, clock):
    tickets, scheduler, fired = make(db, clock)
    t = tickets.create(draft("av.stutter"), clock.now())  # P2: 24 h
    clock.advance(timedelta(minutes=20))
    changed = tickets.set_priority(t.ref, "U9", Priority.P0, "many rooms", clock.now())
    assert changed.first_response_due == t.created_at + timedelta(minutes=15)
    run(scheduler, clock)
    assert "breach" in [f.kind for f in fired]  # already past: fires at once


def test_a_reopen_starts_a_new_response_clock(db, clock):
    tickets, scheduler, fired = make(db, clock)
    t = tickets.create(draft("acct.login"), clock.now())
    tickets.claim(t.ref, "U9", clock.now())
    TicketRelay(db, tickets.planner).agent_reply(t.ref, "Mei", "fixed?", clock.now())
    tickets.resolve(
        t.ref, "U9", clock.now(), outcome=Outcome.ROOT_FIX, root_cause="x", cause_class="other"
    )
    clock.advance(timedelta(hours=5))
    reopened = tickets.reopen(t.ref, "user", clock.now(), reason="not fixed")
    assert reopened.first_response_due == clock.now() + timedelta(hours=1)
    run(scheduler, clock, timedelta(minutes=61))
    assert [f.kind for f in fired] == ["warning", "warning", "breach"]


def test_a_reopen_keeps_earlier_waiting_time_out_of_the_resolution_clock(db, clock):
    tickets, scheduler, fired = make(db, clock, sla={"resolution": {"P1": "4h"}})
    t = tickets.create(draft("acct.login"), clock.now())
    tickets.claim(t.ref, "U9", clock.now())
    clock.advance(timedelta(minutes=20))
    tickets.request_info(t.ref, "U9", ["account_id"], clock.now())
    clock.advance(timedelta(hours=2))  # two hours waiting for the user
    tickets.user_answered(t.ref, clock.now())
    TicketRelay(db, tickets.planner).agent_reply(t.ref, "Mei", "fixed?", clock.now())
    tickets.resolve(
        t.ref, "U9", clock.now(), outcome=Outcome.ROOT_FIX, root_cause="x", cause_class="other"
    )
    clock.advance(timedelta(minutes=30))
    tickets.reopen(t.ref, "user", clock.now(), reason="not fixed")
    run(scheduler, clock)
    # Created + 4 h of target + 2 h paused = 6 h: the reopen (at 2 h 50) keeps the pause.
    run(scheduler, clock, timedelta(hours=3, minutes=9))
    assert "breach" not in [f.kind for f in fired if f.clock == "resolution"]
    run(scheduler, clock, timedelta(minutes=2))
    assert "breach" in [f.kind for f in fired if f.clock == "resolution"]


def test_business_hours_apply_to_p2_but_not_p1(db):
    friday_5pm = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai
    clock = FakeClock(friday_5pm)
    calendar = {"sla": {"calendar": {"start": "09:00", "end": "18:00"}}}
    tickets, _, _ = make(db, clock, **calendar)
    p2 = tickets.create(draft("av.stutter"), clock.now())
    # 1 h on Friday, 9 h Monday, 9 h Tuesday, 5 h Wednesday: Wednesday 14:00 local.
    assert p2.first_response_due == datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    p1 = tickets.create(draft("acct.login"), clock.now())
    assert p1.first_response_due == friday_5pm + timedelta(hours=1)


def _seed_timers(db, tickets, clock, total: int, due_now: int) -> str:
    ref = tickets.create(draft("av.stutter"), clock.now()).ref
    with db.session() as s:
        for i in range(total):
            due = clock.now() + (
                timedelta(seconds=-1 - i) if i < due_now else timedelta(hours=1 + i)
            )
            s.add(
                SlaTimerRow(
                    key=f"load:{i}", ticket_ref=ref, kind="warning", fraction=0.5, due_at=due
                )
            )
    return ref


def _fired_counts(db) -> tuple[int, int]:
    with db.session() as s:
        fired = s.exec(
            select(func.count())
            .select_from(SlaTimerRow)
            .where(col(SlaTimerRow.key).startswith("load:"), col(SlaTimerRow.fired_at).is_not(None))
        ).one()
        events = s.exec(
            select(func.count())
            .select_from(AuditEventRow)
            .where(AuditEventRow.action == "sla.warning")
        ).one()
    return int(fired), int(events)


def test_timers_that_fell_due_while_no_instance_ran_fire_once_after_restart(db, clock, settings):
    tickets = TicketService(db, settings)
    _seed_timers(db, tickets, clock, total=1000, due_now=300)
    restarted = SlaScheduler(db, tickets, clock, instance="restarted", batch=64)
    while asyncio.run(restarted.run_once()):
        pass
    assert _fired_counts(db) == (300, 300)
    assert asyncio.run(restarted.run_once()) == 0


def test_three_instances_on_postgres_fire_500_timers_with_no_duplicate_and_none_missed(
    postgres_url, clock, settings
):
    databases = [Database(postgres_url) for _ in range(3)]
    databases[0].upgrade()
    try:
        tickets = TicketService(databases[0], settings)
        _seed_timers(databases[0], tickets, clock, total=600, due_now=500)
        schedulers = [
            SlaScheduler(d, TicketService(d, settings), clock, instance=f"i{n}", batch=20)
            for n, d in enumerate(databases)
        ]
        barrier = threading.Barrier(3)
        counts = [0, 0, 0]

        def work(n: int) -> None:
            barrier.wait()
            while fired := schedulers[n].fire_due(clock.now()):
                counts[n] += len(fired)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert sum(counts) == 500
        assert _fired_counts(databases[0]) == (500, 500)
        assert sum(1 for c in counts if c) >= 2  # the work was really shared
    finally:
        for d in databases:
            d.dispose()


KILLED_CHILD = """
import sys, time
from datetime import datetime, UTC
from core.clock import FakeClock
from core.config import settings_from_mapping
from core.sla.scheduler import SlaScheduler
from core.storage.db import Database
from core.tickets import TicketService
db = Database(sys.argv[1])
settings = settings_from_mapping({}, environ={})
clock = FakeClock(datetime.fromisoformat(sys.argv[2]))
scheduler = SlaScheduler(db, TicketService(db, settings), clock, instance="child", batch=5)
while scheduler.fire_due(clock.now()):
    print("batch", flush=True)
    time.sleep(0.05)
print("done", flush=True)
"""


def test_on_sqlite_an_instance_killed_mid_run_loses_and_repeats_nothing(
    sqlite_url, clock, settings
):
    import subprocess
    import sys

    db = Database(sqlite_url)
    db.upgrade()
    try:
        tickets = TicketService(db, settings)
        _seed_timers(db, tickets, clock, total=300, due_now=200)
        child = subprocess.Popen(
            [sys.executable, "-c", KILLED_CHILD, sqlite_url, clock.now().isoformat()],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        for _ in range(3):
            assert child.stdout.readline().strip() == "batch"
        child.kill()
        child.wait()
        child.stdout.close()
        partial, _ = _fired_counts(db)
        assert 0 < partial < 200
        restarted = SlaScheduler(db, tickets, clock, instance="restarted", batch=7)
        while asyncio.run(restarted.run_once()):
            pass
        assert _fired_counts(db) == (200, 200)
    finally:
        db.dispose()
