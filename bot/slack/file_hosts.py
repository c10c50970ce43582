"""Where the bot token may be sent to fetch a file an agent shared.

A `files` entry in an event names its own URL; the download sends the bot token
with it, so only Slack's file hosts (over HTTPS) and the configured Web API host
(the local fake in development) are trusted with it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

SLACK_FILE_DOMAINS = ("slack.com", "slack-files.com")


def _origin(url: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or parts.scheme not in ("http", "https"):
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    return parts.scheme, host, port or default


def file_host_allowed(url: str, api_url: str) -> bool:
    """True when `url` is on a Slack file host, or on the configured API's origin."""
    origin = _origin(url)
    if origin is None:
        return False
    scheme, host, _port = origin
    if scheme == "https" and any(
        host == domain or host.endswith("." + domain) for domain in SLACK_FILE_DOMAINS
    ):
        return True
    return origin == _origin(api_url)
