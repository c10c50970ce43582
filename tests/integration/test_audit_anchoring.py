"""The runtime keeps audit anchors outside the database: on schedule and at stop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.bootstrap import build_runtime
from core.clock import FakeClock
from core.config import settings_from_mapping
from core.storage.anchors import AnchorFile
from core.storage.audit_store import latest_hash
from core.storage.db import Database
from tests.factories import draft


async def test_anchors_are_taken_when_due_and_at_stop(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    settings = settings_from_mapping(
        {
            "storage": {"data_dir": str(tmp_path / "data")},
            "audit": {
                "anchor_file": str(tmp_path / "elsewhere" / "anchors.txt"),
                "anchor_every": "6h",
            },
            "server": {"engine_process": False},
        },
        environ={},
    )
    Database(settings.database_url()).upgrade()
    runtime = build_runtime(settings, clock=clock)
    anchors = AnchorFile(tmp_path / "elsewhere" / "anchors.txt")
    tickets = runtime.intake.services.tickets
    tickets.create(draft(), clock.now())
    await runtime.sweep_once()
    first = anchors.latest()
    assert first is not None and first.seq == 1

    tickets.create(draft(), clock.now())
    clock.advance(timedelta(hours=5))
    await runtime.sweep_once()
    assert anchors.latest() == first  # not due yet
    clock.advance(timedelta(hours=1))
    await runtime.sweep_once()
    due = anchors.latest()
    assert due is not None and due.seq == 2

    tickets.create(draft(), clock.now())
    with runtime.intake.services.db.session() as s:
        head = latest_hash(s)
    await runtime.stop()
    last = anchors.latest()
    assert last is not None and (last.seq, last.hash) == head
