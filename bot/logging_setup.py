"""Logging is configured here and nowhere else."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from sqlalchemy.engine import make_url

from core.config import Settings
from core.redaction import RedactingFilter, RedactingFormatter, Redactor

# These log full request URLs at INFO/DEBUG, and the Telegram token is in them.
# slack_bolt's RequestVerification logs the whole body of a request whose signature
# fails: after a signing-secret rotation those are real events, with users' phone
# numbers and e-mails in them (the HTTP server says that it refused them instead).
QUIET_LOGGERS = (
    "httpx",
    "httpcore",
    "urllib3",
    "aiohttp.access",
    "telegram.ext",
    "slack_sdk",
    "slack_bolt.RequestVerification",
)

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class JsonFormatter(RedactingFormatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return self._redact(json.dumps(data, ensure_ascii=False, default=str))


def _no_refused_bodies(record: logging.LogRecord) -> bool:
    """slack-bolt sets its own loggers' levels from the app's, so a quiet level alone
    does not hold: the body of a badly signed request is cut here, on the handler."""
    if record.name == "slack_bolt.RequestVerification":
        record.msg, record.args = "invalid request signature (body not logged)", None
    return True


def configure_logging(
    settings: Settings, *, level: int = logging.INFO, json_lines: bool = False, stream: Any = None
) -> logging.Handler:
    secrets = settings.secrets.values()
    password = make_url(settings.database_url()).password
    if password:
        secrets.append(str(password))
    redactor = Redactor(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(_no_refused_bodies)
    handler.addFilter(RedactingFilter(redactor))
    formatter: logging.Formatter = (
        JsonFormatter(redactor)
        if json_lines
        else RedactingFormatter(redactor, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
