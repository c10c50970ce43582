"""Configuration of the fake Slack workspace: tokens, channels, users, user groups, timings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class FakeChannel:
    id: str
    name: str
    is_private: bool = False
    # The bot must be invited before it can post; False reproduces Slack's not_in_channel.
    bot_is_member: bool = True
    # Empty means "everyone is a member" so ephemerals to any known user are accepted.
    members: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FakeUser:
    id: str
    name: str
    real_name: str = ""
    display_name: str = ""
    is_bot: bool = False
    tz: str = "Asia/Shanghai"


def _default_channels() -> tuple[FakeChannel, ...]:
    return (
        FakeChannel(id="C0TICKETS", name="livedesk-tickets"),
        FakeChannel(id="C0ESCALATE", name="livedesk-escalations", is_private=True),
        FakeChannel(id="C0NOBOT", name="no-bot-here", bot_is_member=False),
    )


def _default_users() -> tuple[FakeUser, ...]:
    return (
        FakeUser(id="U0AGENT1", name="alice", real_name="Alice Agent", display_name="alice"),
        FakeUser(id="U0AGENT2", name="bob", real_name="Bob Agent", display_name="bob"),
        FakeUser(id="U0LEAD", name="carol", real_name="Carol Lead", display_name="carol"),
    )


def _default_usergroups() -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({"S0ONCALL": ("U0AGENT1", "U0AGENT2"), "S0LEADS": ("U0LEAD",)})


@dataclass(frozen=True, slots=True)
class FakeSlackConfig:
    bot_token: str = "xoxb-0000-fake-bot-token"
    app_token: str = "xapp-1-A0FAKEAPP-0000-fake-app-token"
    signing_secret: str = "fake-signing-secret-0123456789abcdef"
    # Deprecated by Slack but still sent in payloads; bolt ignores it.
    verification_token: str = "fake-verification-token"
    team_id: str = "T0LIVEDESK"
    team_domain: str = "livedesk-sandbox"
    app_id: str = "A0FAKEAPP"
    bot_user_id: str = "U0BOT"
    bot_id: str = "B0BOT"
    bot_name: str = "livedesk"
    channels: tuple[FakeChannel, ...] = field(default_factory=_default_channels)
    users: tuple[FakeUser, ...] = field(default_factory=_default_users)
    usergroups: Mapping[str, tuple[str, ...]] = field(default_factory=_default_usergroups)
    host: str = "127.0.0.1"
    port: int = 0
    # Where HTTP-mode payloads go; None means Socket Mode (or set FakeSlack.app_url later).
    app_url: str | None = None
    # Slack waits 3 s for a 2xx before it retries an event (up to 3 times).
    retry_timeout: float = 3.0
    max_event_retries: int = 3
    # Seconds before retry 1, 2, 3 (the last value repeats). Real Slack retries at
    # once, then after a minute, then after five; the default retries at once, and
    # a soak test that kills the app sets a shortened schedule so a restart fits in.
    retry_delays: tuple[float, ...] = (0.0,)
    # A trigger_id is only good for 3 s and only once.
    trigger_ttl: float = 3.0
