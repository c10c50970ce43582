from datetime import timedelta

import pytest

from core.config import settings_from_mapping
from core.errors import ConfigError


def test_the_defaults_are_five_reporters_in_ten_minutes():
    s = settings_from_mapping({}, environ={})
    assert (s.incidents.surge_reports, s.incidents.surge_window) == (5, timedelta(minutes=10))


def test_the_incidents_section_sets_the_surge_rule():
    s = settings_from_mapping({"incidents": {"surge_reports": 8, "surge_window": "5m"}}, environ={})
    assert (s.incidents.surge_reports, s.incidents.surge_window) == (8, timedelta(minutes=5))


def test_an_old_surge_section_still_loads_as_the_incident_rule():
    s = settings_from_mapping({"surge": {"reports": 3, "window": "15m"}}, environ={})
    assert (s.incidents.surge_reports, s.incidents.surge_window) == (3, timedelta(minutes=15))


def test_an_old_surge_section_and_the_new_one_may_agree():
    s = settings_from_mapping(
        {"surge": {"reports": 3}, "incidents": {"surge_reports": 3, "surge_window": "2m"}},
        environ={},
    )
    assert (s.incidents.surge_reports, s.incidents.surge_window) == (3, timedelta(minutes=2))


def test_an_old_surge_section_contradicting_the_new_one_is_an_error():
    with pytest.raises(ConfigError, match=r"surge\.reports and incidents\.surge_reports disagree"):
        settings_from_mapping(
            {"surge": {"reports": 3}, "incidents": {"surge_reports": 4}}, environ={}
        )


def test_unknown_keys_of_the_old_section_are_errors():
    with pytest.raises(ConfigError, match=r"surge\.treshold: unknown key"):
        settings_from_mapping({"surge": {"treshold": 3}}, environ={})


def test_the_old_limits_still_apply_through_the_new_keys():
    with pytest.raises(ConfigError, match=r"incidents\.surge_reports"):
        settings_from_mapping({"surge": {"reports": 1}}, environ={})
    with pytest.raises(ConfigError, match=r"incidents\.surge_window"):
        settings_from_mapping({"incidents": {"surge_window": "0s"}}, environ={})
