"""The intake's limits, as the composition root reads them from the configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from core.taxonomy import Priority


def _first_response() -> Mapping[Priority, timedelta]:
    # The defaults of [sla.first_response]; the composition root passes the configured ones.
    return {
        Priority.P0: timedelta(minutes=15),
        Priority.P1: timedelta(hours=1),
        Priority.P2: timedelta(hours=24),
        Priority.P3: timedelta(hours=24),
    }


@dataclass(frozen=True, slots=True)
class IntakeSettings:
    timezone: ZoneInfo
    default_language: str = "zh"
    # Below this classifier confidence the user picks the type with buttons.
    confidence_threshold: float = 0.45
    kb_limit: int = 3  # knowledge-base articles offered at most
    max_message_chars: int = 4000
    max_attachment_bytes: int = 20 * 1024 * 1024
    max_attachments: int = 10  # per report
    # More messages than this within the window get one polite notice, then silence.
    flood_messages: int = 20
    flood_window: timedelta = timedelta(minutes=1)
    # "Not fixed" this soon after a ticket closed reopens it ([followup] reopen_within).
    reopen_within: timedelta = timedelta(days=7)
    # What the user is promised: [sla.first_response], per priority.
    first_response: Mapping[Priority, timedelta] = field(default_factory=_first_response)
