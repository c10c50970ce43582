"""The intake's limits come from the configuration, with today's values as defaults."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from core.config import load_settings, settings_from_mapping
from core.conversation import IntakeSettings
from core.errors import ConfigError


def test_the_defaults_are_the_engines_own():
    limits = load_settings(None, environ={}).intake
    engine = IntakeSettings(timezone=ZoneInfo("Asia/Shanghai"))
    assert limits.confidence_threshold == engine.confidence_threshold == 0.45
    assert limits.kb_limit == engine.kb_limit == 3
    assert limits.max_message_chars == engine.max_message_chars == 4000
    assert limits.max_attachment_mb * 1024 * 1024 == engine.max_attachment_bytes
    assert limits.max_attachments == engine.max_attachments == 10
    assert limits.flood_messages == engine.flood_messages == 20
    assert limits.flood_window == engine.flood_window == timedelta(minutes=1)


def test_each_limit_can_be_set():
    limits = settings_from_mapping(
        {"intake": {"confidence_threshold": 0.6, "kb_limit": 2, "flood_window": "30s"}},
        environ={},
    ).intake
    assert (limits.confidence_threshold, limits.kb_limit) == (0.6, 2)
    assert limits.flood_window == timedelta(seconds=30)
    assert limits.flood_messages == 20


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"confidence_threshold": 1.5}, "intake.confidence_threshold"),
        ({"kb_limit": 0}, "intake.kb_limit"),
        ({"flood_messages": 0}, "intake.flood_messages"),
        ({"flood_window": "0s"}, "intake.flood_window"),
        ({"max_attachment_mb": -1}, "intake.max_attachment_mb"),
        ({"max_mesage_chars": 10}, "intake.max_mesage_chars: unknown key"),
    ],
)
def test_bad_limits_name_the_key(values, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        settings_from_mapping({"intake": values}, environ={})
