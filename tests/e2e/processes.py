"""What the end-to-end tests give the real `livedesk` processes."""

from __future__ import annotations

import os

from bot.sandbox.slack.server import FakeSlack
from bot.sandbox.telegram.server import FakeTelegram

TRIAGE, ESCALATION = "livedesk-tickets", "livedesk-escalations"


def process_env(tg: FakeTelegram, slack: FakeSlack, **extra: str) -> dict[str, str]:
    """This environment without proxies (the fakes are local), plus the fakes' secrets."""
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env.pop("LIVEDESK_DATABASE_URL", None)
    env.update(
        LIVEDESK_TELEGRAM_TOKEN=tg.token,
        LIVEDESK_SLACK_BOT_TOKEN=slack.config.bot_token,
        LIVEDESK_SLACK_SIGNING_SECRET=slack.config.signing_secret,
        PTB_TIMEDELTA="1",
    )
    env.update(extra)
    return env


def desk_sections(slack: FakeSlack, port: int) -> str:
    """The configuration both end-to-end setups share: Slack, the server and paging."""
    return f"""
[slack]
enabled = true
api_url = "{slack.api_url}"
triage_channel = "{TRIAGE}"
finance_channel = "{TRIAGE}"
escalation_channel = "{ESCALATION}"
agents = ["S0ONCALL"]

[server]
port = {port}

[escalation]
on_call = ["S0ONCALL"]
poll_interval = "1s"
"""
