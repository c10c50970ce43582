"""Agent names for users, and the configuration table behind them."""

from __future__ import annotations

import pytest

from bot.slack.agent_names import first_name, public_name
from core.config import settings_from_mapping
from core.errors import ConfigError


def test_the_configured_name_wins_then_the_first_name():
    profile = {"real_name": "Mia Chen", "display_name": "mia.c"}
    assert public_name("U1", {"U1": "Xiao Mi"}, profile) == "Xiao Mi"
    assert public_name("U1", {}, profile) == "Mia"
    assert public_name("U1", {}, {"first_name": "Lan", "real_name": "Lan Zhou"}) == "Lan"
    assert public_name("U1", {}, {}) == "U1"
    assert first_name({"real_name": "  ", "display_name": "王小明"}) == "王小明"


def test_display_names_are_checked():
    ok = settings_from_mapping({"slack": {"agent_display_names": {"U0AB": " Mia "}}}, environ={})
    assert ok.slack.agent_display_names == {"U0AB": "Mia"}
    with pytest.raises(ConfigError, match="Slack user id"):
        settings_from_mapping({"slack": {"agent_display_names": {"mia": "Mia"}}}, environ={})
    with pytest.raises(ConfigError, match="1-64"):
        settings_from_mapping({"slack": {"agent_display_names": {"U0AB": " "}}}, environ={})


def test_the_rude_agent_article_asks_for_the_name_users_see():
    from pathlib import Path

    import kb
    from kb.loader import read_article

    path = Path(kb.__file__).parent / "articles" / "svc-attitude-report-agent.md"
    article, problems = read_article(path)
    assert article is not None and not problems
    zh, en = article.steps("zh"), article.steps("en")
    assert "工号" not in zh and "客服 Mia" in zh
    assert "ID" not in en and "as it appears in their replies" in en
