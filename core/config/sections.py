"""The sections of the configuration: one typed model per TOML table.

Durations read as '30s', '15m', '1h', '2d'. Every section forbids unknown keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from core.taxonomy import Category, Priority

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
_SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(value: object) -> timedelta:
    """'15m', '1h', '24h', '2d', '30s' (or a number of seconds) to a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    if isinstance(value, str) and (m := _DURATION.match(value)):
        return timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
    raise ValueError(f"not a duration: {value!r} (use e.g. '30s', '15m', '1h', '2d')")


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StorageSettings(_Section):
    data_dir: str = "data"
    # Empty means a SQLite file inside data_dir.
    url: str = ""

    def resolved_url(self) -> str:
        return self.url or f"sqlite:///{Path(self.data_dir) / 'livedesk.db'}"


class TelegramSettings(_Section):
    enabled: bool = False
    mode: Literal["polling", "webhook"] = "polling"
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    webhook_url: str = ""
    # The outbox's pace for this bot. Telegram takes about 30 messages a second
    # from one bot; 25 leaves room. In any one second at most rate + burst go out.
    max_messages_per_second: float = Field(default=25, gt=0)
    burst: int = Field(default=5, ge=1)


class SlackSettings(_Section):
    enabled: bool = False
    mode: Literal["http", "socket"] = "http"
    api_url: str = "https://slack.com/api/"
    triage_channel: str = "support-triage"
    finance_channel: str = "support-finance"
    escalation_channel: str = "support-escalation"
    agents: list[str] = Field(default_factory=list)
    finance_agents: list[str] = Field(default_factory=list)
    # The name users see for an agent (Slack user id -> name); agents not listed
    # appear under the first name of their Slack profile. The table is also how a
    # complaint about "Mia" is traced back to the agent.
    agent_display_names: dict[str, str] = Field(default_factory=dict)

    @field_validator("agent_display_names")
    @classmethod
    def _display_names(cls, value: dict[str, str]) -> dict[str, str]:
        cleaned = {}
        for user_id, name in value.items():
            if not _SLACK_USER_ID.fullmatch(user_id):
                raise ValueError(f"not a Slack user id: {user_id!r} (expected like U0123ABC)")
            if not name.strip() or len(name.strip()) > 64:
                raise ValueError(f"display name for {user_id} must be 1-64 characters")
            cleaned[user_id] = name.strip()
        return cleaned


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    # The conversation engine in a worker process of its own (a second core);
    # false keeps it in threads of the main process.
    engine_process: bool = True


def _default_first_response() -> dict[Priority, timedelta]:
    return {
        Priority.P0: timedelta(minutes=15),
        Priority.P1: timedelta(hours=1),
        Priority.P2: timedelta(hours=24),
        Priority.P3: timedelta(hours=24),
    }


class CalendarSettings(_Section):
    """Business hours for P2/P3 clocks; P0 and P1 always run around the clock."""

    timezone: str = ""  # empty: [i18n] timezone
    days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])  # 0 = Monday
    start: dt_time = dt_time(9, 0)
    end: dt_time = dt_time(18, 0)
    holidays: list[date] = Field(default_factory=list)

    @field_validator("days")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if not value or any(d not in range(7) for d in value):
            raise ValueError("days are weekday numbers 0 (Monday) to 6 (Sunday), at least one")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if value:
            I18nSettings._known_zone(value)
        return value

    @model_validator(mode="after")
    def _opening_before_closing(self) -> CalendarSettings:
        if self.end <= self.start:
            raise ValueError("end must be later than start")
        return self


class SlaSettings(_Section):
    first_response: dict[Priority, Duration] = Field(default_factory=_default_first_response)
    # Empty: no resolution targets.
    resolution: dict[Priority, Duration] = Field(default_factory=dict)
    warn_at: list[float] = Field(default_factory=lambda: [0.5, 0.8])
    pause_while_waiting_user: bool = True
    calendar: CalendarSettings | None = None

    @field_validator("warn_at")
    @classmethod
    def _fractions(cls, value: list[float]) -> list[float]:
        if any(not 0 < f < 1 for f in value):
            raise ValueError("warning fractions must be between 0 and 1, e.g. [0.5, 0.8]")
        return sorted(set(value))

    @field_validator("first_response", mode="before")
    @classmethod
    def _defaults_for_the_rest(cls, value: object) -> object:
        # A deployment may override one priority without restating the others.
        if isinstance(value, Mapping):
            return {**_default_first_response(), **value}
        return value

    @field_validator("first_response")
    @classmethod
    def _positive(cls, value: dict[Priority, timedelta]) -> dict[Priority, timedelta]:
        if any(d <= timedelta(0) for d in value.values()):
            raise ValueError("durations must be positive")
        return value


class ChainLevelSettings(_Section):
    targets: list[str]  # Slack user ids (U...) or user group ids (S...)
    timeout: Duration = timedelta(minutes=5)


class EscalationSettings(_Section):
    # Mentioned with every P0 page in the escalation channel.
    on_call: list[str] = Field(default_factory=list)
    # Levels paged by direct message, one after another until someone acknowledges.
    chain: list[ChainLevelSettings] = Field(default_factory=list)
    repeats: int = Field(default=1, ge=0, le=10)
    # How often the scheduler looks for due clocks when nothing wakes it earlier.
    poll_interval: Duration = timedelta(seconds=30)


class KbSettings(_Section):
    # Empty means the articles shipped with the package.
    path: str = ""


class I18nSettings(_Section):
    default_language: Literal["zh", "zh-Hant", "en"] = "zh"
    timezone: str = "Asia/Shanghai"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _default_tiers() -> dict[Priority, str]:
    return {Priority.P0: "lead", Priority.P1: "l2", Priority.P2: "l1", Priority.P3: "l1"}


class RoutingSettings(_Section):
    channels: dict[Category, str] = Field(default_factory=dict)
    tiers: dict[Priority, str] = Field(default_factory=_default_tiers)
    tier_members: dict[str, list[str]] = Field(default_factory=dict)


class FollowupSettings(_Section):
    auto_close_after: Duration = timedelta(hours=48)
    # A "not fixed" this soon after a ticket closed reopens it; later it is a new report.
    reopen_within: Duration = timedelta(days=7)


class IncidentSettings(_Section):
    """When similar reports from different users become one incident (docs/incidents.md)."""

    # Reports of related subtypes from this many different users within the window.
    surge_reports: int = Field(default=5, ge=2)
    surge_window: Duration = timedelta(minutes=10)
    # The "reports per minute" of an incident's breakdown looks this far back.
    rate_window: Duration = timedelta(minutes=5)

    @field_validator("surge_window", "rate_window")
    @classmethod
    def _positive_window(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("the window must be positive")
        return value


# The settings of the per-ticket surge rule the incident rule replaced: an old
# `[surge]` section still loads, its keys read as these of `[incidents]`.
class AuditSettings(_Section):
    """Where audit anchors are kept, outside the database, and how often."""

    # Empty: `audit-anchors.txt` in the data directory. Better on another disk or host.
    anchor_file: str = ""
    anchor_every: Duration = timedelta(hours=24)

    def anchor_path(self, data_dir: str) -> Path:
        return Path(self.anchor_file) if self.anchor_file else Path(data_dir) / "audit-anchors.txt"


class IntakeLimits(_Section):
    """How the conversation takes reports in (core.conversation.IntakeSettings)."""

    # Below this classifier confidence the user picks the type from buttons.
    confidence_threshold: float = Field(default=0.45, gt=0, lt=1)
    # Knowledge-base articles offered at most (one button each).
    kb_limit: int = Field(default=3, ge=1, le=9)
    max_message_chars: int = Field(default=4000, ge=100, le=100_000)
    # Telegram bots cannot download larger files anyway.
    max_attachment_mb: int = Field(default=20, ge=1, le=2000)
    max_attachments: int = Field(default=10, ge=0, le=100)  # per report
    # More messages than this within the window get one notice, then silence.
    flood_messages: int = Field(default=20, ge=1)
    flood_window: Duration = timedelta(minutes=1)

    @field_validator("flood_window")
    @classmethod
    def _positive_window(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("the flood window must be positive")
        return value


class OutboxSettings(_Section):
    """The durable outbox every message to a user goes through (docs/outbox.md)."""

    # Messages one dispatcher claims at once.
    batch: int = Field(default=50, ge=1, le=1000)
    # How long a claim holds; a dispatcher that died is replaced after this.
    lease: Duration = timedelta(minutes=2)
    # How often to look for due messages when nothing was enqueued meanwhile.
    poll_interval: Duration = timedelta(seconds=5)
    # Passing failures (network, 5xx) before a message is given up.
    max_attempts: int = Field(default=8, ge=1, le=100)
    # Wait after the first passing failure, doubled each time up to max_retry_backoff.
    retry_backoff: Duration = timedelta(seconds=2)
    max_retry_backoff: Duration = timedelta(minutes=5)
    # A message not sent within this time is expired instead of sent late.
    expire_after: Duration = timedelta(hours=24)
    # Sent, failed and expired messages are deleted this long after they were queued.
    keep_finished: Duration = timedelta(days=30)

    @field_validator(
        "lease",
        "poll_interval",
        "retry_backoff",
        "max_retry_backoff",
        "expire_after",
        "keep_finished",
    )
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be a positive duration")
        return value

    @model_validator(mode="after")
    def _backoff_within_cap(self) -> OutboxSettings:
        if self.retry_backoff > self.max_retry_backoff:
            raise ValueError("retry_backoff must not exceed max_retry_backoff")
        return self
