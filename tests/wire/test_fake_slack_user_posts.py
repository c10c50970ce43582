"""The fake Slack takes a user id as where to post, as Slack does: the app's DM."""

# Fixtures imported from fake_slack_fixtures are injected by parameter name.

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

from bot.sandbox.slack.server import FakeSlack
from tests.wire.fake_slack_fixtures import fake_slack, loopback_only  # noqa: F401

pytestmark = pytest.mark.wire


async def test_a_post_to_a_user_id_lands_in_the_direct_message(fake_slack: FakeSlack):  # noqa: F811
    client = fake_slack.web_client()
    answer = await client.chat_postMessage(channel="U0AGENT1", text="你好 / hello")
    opened = await client.conversations_open(users="U0AGENT1")
    assert answer["channel"] == opened["channel"]["id"] == "D0AGENT1"
    assert [m.text for m in fake_slack.messages("D0AGENT1")] == ["你好 / hello"]
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.chat_postMessage(channel="U0NOBODY", text="hello")
