"""The name an agent goes by with users: the configured display name, else the first
name of the Slack profile. Users never see a Slack handle or full name; the
configuration's table (and the log line below) trace a name back to the agent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)


def first_name(profile: Mapping[str, Any]) -> str:
    """The profile's first name; else the first word of its real or display name."""
    for key in ("first_name", "real_name", "display_name"):
        value = profile.get(key)
        if isinstance(value, str) and value.split():
            return value.split()[0]
    return ""


def public_name(
    user_id: str, configured: Mapping[str, str], profile: Mapping[str, Any] | None
) -> str:
    """What a user reads as the agent's name; the user id only when nothing else is known."""
    name = configured.get(user_id) or (first_name(profile) if profile else "") or user_id
    log.info("agent %s appears to users as %r", user_id, name)
    return name
