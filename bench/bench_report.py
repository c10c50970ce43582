"""Benchmark of the complaint report over a busy week.

Run: .venv/bin/python bench/bench_report.py

SQLite in a temp directory. 50,000 tickets and 20,000 self-service reports
spread over 14 days (the reported week and the week before), a third of the
tickets answered, resolved and rated, 2,000 reopenings. Prints the time that
`load_report` takes for the last 7 days, and the Python memory it allocates.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from core.analytics import load_report
from core.storage.db import Database
from core.storage.tables import AuditEventRow, SelfServiceRow, TicketRow
from core.taxonomy import SUBTYPES, Scope, priority_for

TICKETS = 50_000
SELF_SERVED = 20_000
REOPENED = 2_000
UNTIL = datetime(2026, 11, 25, tzinfo=UTC)
SPAN = timedelta(days=14)


def seed(db: Database, rng: random.Random) -> None:
    """Rows written with bulk inserts: building 70,000 ORM objects would time the seeding."""
    subtypes = list(SUBTYPES)
    start = UNTIL - SPAN
    tickets = []
    for i in range(TICKETS):
        sid = rng.choice(subtypes)
        scope = Scope.WIDESPREAD if rng.random() < 0.05 else Scope.SINGLE
        created = start + SPAN * rng.random()
        done = rng.random() < 0.33
        tickets.append(
            {
                "ref": f"LD-{100_000 + i}",
                "channel": "telegram",
                "external_user_id": str(i),
                "chat_id": str(i),
                "display_name": "u",
                "language": "zh",
                "category": SUBTYPES[sid].category.value,
                "subtype": sid,
                "scope": scope.value,
                "priority": priority_for(sid, scope).value,
                "confidence": 0.9,
                "summary": "bench",
                "diagnostics": {},
                "cues": [],
                "kb_tried": [] if rng.random() < 0.2 else ["a"],
                "status": "workaround" if done and rng.random() < 0.3 else "diagnosing",
                "team": "t",
                "tier": "L1",
                "created_at": created,
                "updated_at": created,
                "first_response_due": created + timedelta(hours=1),
                "first_response_at": created + timedelta(minutes=rng.randint(1, 120))
                if done
                else None,
                "resolved_at": created + timedelta(hours=rng.randint(1, 48)) if done else None,
                "outcome": rng.choice(["root_fix", "workaround"]) if done else None,
                "cause_class": "app_bug" if done else None,
                "satisfaction": rng.randint(1, 5) if done else None,
                "sla_pauses": [],
                "version": 0,
            }
        )
    served = [
        {
            "channel": "telegram",
            "user_id": str(i),
            "subtype": rng.choice(subtypes),
            "article_id": "a",
            "created_at": start + SPAN * rng.random(),
        }
        for i in range(SELF_SERVED)
    ]
    reopened = [
        {
            "seq": i + 1,
            "ticket_ref": f"LD-{100_000 + rng.randrange(TICKETS)}",
            "actor": "user",
            "action": "ticket.reopened",
            "at": UNTIL - timedelta(days=7) * rng.random(),
            "payload": "{}",
            "prev_hash": f"p{i}",
            "hash": f"h{i}",
        }
        for i in range(REOPENED)
    ]
    with db.session() as s:
        for table, rows in (
            (TicketRow, tickets),
            (SelfServiceRow, served),
            (AuditEventRow, reopened),
        ):
            s.execute(insert(table), rows)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        db.upgrade()
        seed(db, random.Random(7))
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            report = load_report(db, UNTIL - timedelta(days=7), UNTIL)
            timings.append(time.perf_counter() - started)
        tracemalloc.start()
        load_report(db, UNTIL - timedelta(days=7), UNTIL)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        db.dispose()
    print(f"tickets in the week: {report.tickets}, self-served: {report.self_served}")
    print(f"load_report, 7 of 14 days: best {min(timings):.2f} s, worst {max(timings):.2f} s")
    print(f"peak Python memory allocated by one report: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
