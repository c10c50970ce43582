"""Network helpers the adapters share."""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import urlsplit


def is_loopback(url: str) -> bool:
    """True when the URL's host is this machine (a local fake or proxy-free endpoint).

    Clients must not route such URLs through HTTP(S)_PROXY from the environment.
    """
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False
