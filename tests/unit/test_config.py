from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from core.config import load_settings, parse_duration, settings_from_mapping
from core.errors import ConfigError
from core.taxonomy import Priority

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_file_loads_and_matches_the_defaults():
    example = load_settings(ROOT / "config.example.toml", environ={})
    defaults = load_settings(None, environ={})
    assert example.model_dump() == defaults.model_dump()


def test_first_response_defaults_follow_the_process():
    s = load_settings(None, environ={})
    assert s.sla.first_response[Priority.P0] == timedelta(minutes=15)
    assert s.sla.first_response[Priority.P1] == timedelta(hours=1)
    assert s.sla.first_response[Priority.P3] == timedelta(hours=24)


def test_one_priority_can_be_overridden_alone():
    s = settings_from_mapping({"sla": {"first_response": {"P0": "5m"}}}, environ={})
    assert s.sla.first_response[Priority.P0] == timedelta(minutes=5)
    assert s.sla.first_response[Priority.P2] == timedelta(hours=24)


def test_unknown_keys_are_errors_naming_the_key():
    with pytest.raises(ConfigError, match=r"slack\.chanel: unknown key"):
        settings_from_mapping({"slack": {"chanel": "x"}}, environ={})


def test_bad_values_name_the_key_and_the_reason():
    with pytest.raises(ConfigError) as err:
        settings_from_mapping(
            {"telegram": {"mode": "pigeon"}, "i18n": {"timezone": "Mars/Base"}}, environ={}
        )
    assert "telegram.mode" in str(err.value)
    assert "unknown time zone" in str(err.value)


def test_secrets_come_from_the_environment_only():
    with pytest.raises(ConfigError, match="environment"):
        settings_from_mapping({"secrets": {"telegram_token": "x"}}, environ={})
    s = settings_from_mapping({}, environ={"LIVEDESK_TELEGRAM_TOKEN": "123:abc"})
    assert s.secrets.telegram_token is not None
    assert s.secrets.telegram_token.get_secret_value() == "123:abc"
    assert "123:abc" not in repr(s)


def test_database_url_from_the_environment_overrides_the_file():
    s = settings_from_mapping(
        {"storage": {"url": "sqlite:///a.db"}}, environ={"LIVEDESK_DATABASE_URL": "sqlite:///b.db"}
    )
    assert s.database_url() == "sqlite:///b.db"


def test_enabled_adapters_report_their_missing_secrets():
    s = settings_from_mapping(
        {"telegram": {"enabled": True, "mode": "webhook"}, "slack": {"enabled": True}}, environ={}
    )
    missing = dict(s.missing_secrets())
    assert "LIVEDESK_TELEGRAM_TOKEN" in missing
    assert "LIVEDESK_TELEGRAM_WEBHOOK_SECRET" in missing
    assert "telegram.webhook_url" in missing
    assert "LIVEDESK_SLACK_SIGNING_SECRET" in missing


@pytest.mark.parametrize("text", ["15m", "1h", " 2d ", "30s", 90])
def test_durations_parse(text):
    assert parse_duration(text) > timedelta(0)


@pytest.mark.parametrize("text", ["15", "1 hour", "-5m", "", True])
def test_bad_durations_are_refused(text):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_config_check_prints_each_problem_with_its_key(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("LIVEDESK_TELEGRAM_TOKEN", raising=False)
    bad = tmp_path / "bad.toml"
    bad.write_text('[server]\nport = "eighty"\nhost = "0.0.0.0"\ncolour = "blue"\n')
    assert main(["config", "check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "server.port" in out
    assert "server.colour: unknown key" in out


def test_config_check_accepts_the_example(capsys):
    assert main(["config", "check", str(ROOT / "config.example.toml")]) == 0
    assert "ok" in capsys.readouterr().out


def test_config_check_reports_broken_toml(tmp_path, capsys):
    bad = tmp_path / "broken.toml"
    bad.write_text("[server\nport = 1\n")
    assert main(["config", "check", str(bad)]) == 1
    assert "not valid TOML" in capsys.readouterr().out
