"""The one typed configuration of LiveDesk.

Loaded from a TOML file (unknown keys are errors), with secrets taken only
from the environment so that no token ever lives in a file of the repository.
The sections (one model per TOML table) are in `core.config.sections`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from core.config.sections import (
    AuditSettings,
    CalendarSettings,
    ChainLevelSettings,
    Duration,
    EscalationSettings,
    FollowupSettings,
    I18nSettings,
    IncidentSettings,
    IntakeLimits,
    KbSettings,
    OutboxSettings,
    RoutingSettings,
    ServerSettings,
    SlackSettings,
    SlaSettings,
    StorageSettings,
    TelegramSettings,
    _Section,
    parse_duration,
)
from core.errors import ConfigError

__all__ = [
    "DATABASE_URL_ENV",
    "SECRET_ENV",
    "TRIAGE_MODEL_DIR_ENV",
    "AuditSettings",
    "CalendarSettings",
    "ChainLevelSettings",
    "Duration",
    "EscalationSettings",
    "FollowupSettings",
    "I18nSettings",
    "IncidentSettings",
    "IntakeLimits",
    "KbSettings",
    "OutboxSettings",
    "RoutingSettings",
    "Secrets",
    "ServerSettings",
    "Settings",
    "SlaSettings",
    "SlackSettings",
    "StorageSettings",
    "TelegramSettings",
    "load_settings",
    "parse_duration",
    "settings_from_mapping",
    "triage_model_dir",
]

_LEGACY_SURGE_KEYS = {"reports": "surge_reports", "window": "surge_window"}


def _fold_legacy_surge(data: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(data)
    legacy = out.pop("surge", None)
    if legacy is None:
        return out
    if not isinstance(legacy, Mapping):
        raise ConfigError("surge: must be a table (it is the old name of [incidents])")
    unknown = sorted(set(legacy) - set(_LEGACY_SURGE_KEYS))
    if unknown:
        raise ConfigError(f"surge.{unknown[0]}: unknown key")
    incidents = dict(out.get("incidents") or {})
    for old, new in _LEGACY_SURGE_KEYS.items():
        if old not in legacy:
            continue
        if new in incidents and incidents[new] != legacy[old]:
            raise ConfigError(
                f"surge.{old} and incidents.{new} disagree: keep only incidents.{new}"
            )
        incidents[new] = legacy[old]
    out["incidents"] = incidents
    return out


class Secrets(BaseModel):
    """Taken only from the environment; never from the file."""

    model_config = ConfigDict(frozen=True)

    telegram_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None

    def values(self) -> list[str]:
        return [
            s.get_secret_value()
            for s in (
                self.telegram_token,
                self.telegram_webhook_secret,
                self.slack_bot_token,
                self.slack_signing_secret,
                self.slack_app_token,
            )
            if s is not None and s.get_secret_value()
        ]


SECRET_ENV = {
    "telegram_token": "LIVEDESK_TELEGRAM_TOKEN",
    "telegram_webhook_secret": "LIVEDESK_TELEGRAM_WEBHOOK_SECRET",
    "slack_bot_token": "LIVEDESK_SLACK_BOT_TOKEN",
    "slack_signing_secret": "LIVEDESK_SLACK_SIGNING_SECRET",
    "slack_app_token": "LIVEDESK_SLACK_APP_TOKEN",
}
DATABASE_URL_ENV = "LIVEDESK_DATABASE_URL"


class Settings(_Section):
    storage: StorageSettings = StorageSettings()
    telegram: TelegramSettings = TelegramSettings()
    slack: SlackSettings = SlackSettings()
    server: ServerSettings = ServerSettings()
    sla: SlaSettings = SlaSettings()
    kb: KbSettings = KbSettings()
    i18n: I18nSettings = I18nSettings()
    routing: RoutingSettings = RoutingSettings()
    followup: FollowupSettings = FollowupSettings()
    incidents: IncidentSettings = IncidentSettings()
    intake: IntakeLimits = IntakeLimits()
    escalation: EscalationSettings = EscalationSettings()
    audit: AuditSettings = AuditSettings()
    outbox: OutboxSettings = OutboxSettings()
    secrets: Secrets = Field(default_factory=Secrets, exclude=True)

    def database_url(self) -> str:
        return self.storage.resolved_url()

    def missing_secrets(self) -> list[tuple[str, str]]:
        """(environment variable, reason) for each secret an enabled adapter lacks."""
        need: list[tuple[str, str]] = []
        s = self.secrets
        if self.telegram.enabled:
            if s.telegram_token is None:
                need.append((SECRET_ENV["telegram_token"], "telegram is enabled"))
            if self.telegram.mode == "webhook" and s.telegram_webhook_secret is None:
                need.append((SECRET_ENV["telegram_webhook_secret"], "telegram mode is webhook"))
            if self.telegram.mode == "webhook" and not self.telegram.webhook_url:
                need.append(("telegram.webhook_url", "telegram mode is webhook"))
        if self.slack.enabled:
            if s.slack_bot_token is None:
                need.append((SECRET_ENV["slack_bot_token"], "slack is enabled"))
            if self.slack.mode == "http" and s.slack_signing_secret is None:
                need.append((SECRET_ENV["slack_signing_secret"], "slack mode is http"))
            if self.slack.mode == "socket" and s.slack_app_token is None:
                need.append((SECRET_ENV["slack_app_token"], "slack mode is socket"))
        return need


def _format_errors(err: ValidationError, source: str) -> str:
    lines = [f"{source}: invalid configuration"]
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"]) or "(top level)"
        reason = "unknown key" if e["type"] == "extra_forbidden" else e["msg"]
        lines.append(f"  {key}: {reason}")
    return "\n".join(lines)


def _secrets_from(environ: Mapping[str, str]) -> Secrets:
    values = {field: environ.get(var) for field, var in SECRET_ENV.items()}
    return Secrets(**{k: SecretStr(v) for k, v in values.items() if v})


def settings_from_mapping(
    data: Mapping[str, Any], environ: Mapping[str, str] | None = None, source: str = "config"
) -> Settings:
    environ = os.environ if environ is None else environ
    if "secrets" in data:
        raise ConfigError(f"{source}: secrets: set them in the environment, not in the file")
    try:
        settings = Settings.model_validate(_fold_legacy_surge(data))
    except ValidationError as err:
        raise ConfigError(_format_errors(err, source)) from None
    updates: dict[str, Any] = {"secrets": _secrets_from(environ)}
    if url := environ.get(DATABASE_URL_ENV):
        updates["storage"] = settings.storage.model_copy(update={"url": url})
    return settings.model_copy(update=updates)


def load_settings(path: str | Path | None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read `path` if it exists; built-in defaults otherwise."""
    data: dict[str, Any] = {}
    source = "built-in defaults"
    if path is not None and Path(path).exists():
        source = str(path)
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise ConfigError(f"{source}: not valid TOML: {err}") from None
    return settings_from_mapping(data, environ, source)


TRIAGE_MODEL_DIR_ENV = "LIVEDESK_TRIAGE_MODEL_DIR"


def triage_model_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """Where `livedesk triage activate` keeps the active triage model; read by
    every process that classifies (the bot and the CLI) so that they agree.
    """
    environ = os.environ if environ is None else environ
    value = environ.get(TRIAGE_MODEL_DIR_ENV, "").strip()
    return Path(value) if value else None
