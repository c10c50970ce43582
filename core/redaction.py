"""Removing secrets and finance fields from anything that is logged."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from core.diagnostics import FINANCE_FIELDS

REDACTED = "[redacted]"

# Shapes of credentials even when their exact value is not known to us.
_TOKEN_SHAPES = [
    re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}\b"),  # Telegram bot token
    re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{8,}"),  # Slack bot/user tokens
    re.compile(r"\bxapp-[A-Za-z0-9-]{8,}"),  # Slack app-level token
]
_FINANCE_KV = re.compile(
    r"(?P<key>\b(?:" + "|".join(sorted(FINANCE_FIELDS)) + r")\b[\"']?\s*[:=]\s*)"
    r"(?P<value>\"[^\"]*\"|'[^']*'|[^\s,;}\)]+)",
    re.IGNORECASE,
)


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret containing another is removed whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        for shape in _TOKEN_SHAPES:
            text = shape.sub(REDACTED, text)
        return _FINANCE_KV.sub(lambda m: m.group("key") + REDACTED, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record before any handler sees it: the message with its
    arguments, and finance fields passed as `extra`.
    """

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redact = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._redact(record.getMessage())
        record.args = None
        for key in FINANCE_FIELDS & record.__dict__.keys():
            setattr(record, key, REDACTED)
        return True


class RedactingFormatter(logging.Formatter):
    """Also covers what is added at format time: tracebacks and stack info."""

    def __init__(self, redactor: Redactor, fmt: str | None = None) -> None:
        super().__init__(fmt)
        self._redact = redactor

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))
