"""Audit anchors kept outside the database: one line per anchor in a file.

An anchor is the chain's latest (seq, hash) at a moment. Whoever can write to
the database can rewrite every event after the last anchor kept elsewhere, so
anchors are taken on a schedule and at shutdown, and `audit verify` checks
against the latest one by default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from core.storage.audit_store import latest_hash
from core.storage.db import Database


@dataclass(frozen=True, slots=True)
class Anchor:
    at: datetime
    seq: int
    hash: str

    def line(self) -> str:
        return f"{self.at.isoformat()} {self.seq} {self.hash}"


class AnchorFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, anchor: Anchor) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(anchor.line() + "\n")
            f.flush()
            # An anchor that a crash can take back is no anchor.
            os.fsync(f.fileno())

    def latest(self) -> Anchor | None:
        """The last well-formed line; a torn last line (a crash mid-write) is skipped."""
        if not self.path.exists():
            return None
        found: Anchor | None = None
        for raw in self.path.read_text(encoding="utf-8").splitlines():
            parts = raw.split()
            if len(parts) != 3 or not parts[1].isdigit() or len(parts[2]) != 64:
                continue
            try:
                at = datetime.fromisoformat(parts[0])
            except ValueError:
                continue
            if at.tzinfo is not None:
                found = Anchor(at, int(parts[1]), parts[2])
        return found


def take_anchor(db: Database, anchors: AnchorFile, now: datetime) -> Anchor:
    """Append the chain's latest (seq, hash) to the anchor file."""
    with db.session(read_only=True) as s:
        seq, digest = latest_hash(s)
    anchor = Anchor(now, seq, digest)
    anchors.append(anchor)
    return anchor


def anchor_due(anchors: AnchorFile, every: timedelta, now: datetime) -> bool:
    latest = anchors.latest()
    return latest is None or now - latest.at >= every
