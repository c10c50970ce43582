"""Decoding of Bot API request parameters and the API's error shape.

Telegram accepts the same parameters as a query string, a urlencoded or multipart form, or a
JSON body. Forms carry every value as a string (python-telegram-bot JSON-encodes nested values),
so values are normalised once here by field name and every method sees the same Python types.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]

_INT_FIELDS = frozenset(
    {
        "cache_time",
        "duration",
        "from_chat_id",
        "height",
        "limit",
        "max_connections",
        "message_id",
        "message_thread_id",
        "offset",
        "reply_to_message_id",
        "user_id",
        "width",
    }
)
_FLOAT_FIELDS = frozenset({"timeout"})
_BOOL_FIELDS = frozenset(
    {
        "allow_sending_without_reply",
        "disable_notification",
        "disable_web_page_preview",
        "drop_pending_updates",
        "protect_content",
        "show_alert",
        "has_spoiler",
        "supports_streaming",
        "disable_content_type_detection",
    }
)
_JSON_FIELDS = frozenset(
    {
        "allowed_updates",
        "caption_entities",
        "commands",
        "entities",
        "link_preview_options",
        "reply_markup",
        "reply_parameters",
        "scope",
    }
)


class ApiError(Exception):
    """A Bot API failure: rendered as `{"ok": false, ...}` with `status` as the HTTP status."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


def _normalise(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if name in _INT_FIELDS or (name == "chat_id" and value.lstrip("-").isdigit()):
            return int(value)
        if name in _FLOAT_FIELDS:
            number = float(value)
            return int(number) if number.is_integer() else number
    except ValueError:
        return value
    if name in _BOOL_FIELDS:
        return value.strip().lower() in {"true", "1"}
    if name in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class Params:
    """Normalised parameters of one call, with getters that fail the way Telegram does."""

    def __init__(self, raw: Mapping[str, Any], uploads: Mapping[str, Upload] | None = None) -> None:
        self.values: JSON = {name: _normalise(name, value) for name, value in raw.items()}
        self.uploads: dict[str, Upload] = dict(uploads or {})

    def log_view(self) -> JSON:
        """What `FakeTelegram.calls` shows: the values plus a summary of each uploaded file."""
        view = dict(self.values)
        for name, upload in self.uploads.items():
            view[name] = {"filename": upload.filename, "size": len(upload.data)}
        return view

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def text(self, name: str, *, required: bool = False, empty_reason: str | None = None) -> str:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(empty_reason or f"{name} is empty")
            return ""
        if not isinstance(value, str):
            return json.dumps(value) if isinstance(value, dict | list) else str(value)
        return value

    def optional_text(self, name: str) -> str | None:
        return self.text(name) if self.has(name) else None

    def integer(self, name: str, *, default: int | None = None) -> int:
        value = self.values.get(name)
        if value is None or value == "":
            if default is None:
                raise bad_request(f"{name} is empty")
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad_request(f"invalid {name} specified")
        return value

    def number(self, name: str, *, default: float) -> float:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad_request(f"invalid {name} specified")
        return float(value)

    def flag(self, name: str) -> bool:
        return bool(self.values.get(name))

    def structure(self, name: str, *, what: str) -> Any:
        """A JSON-typed field; `what` names it in Telegram's "can't parse" message."""
        value = self.values.get(name)
        if isinstance(value, str):
            raise bad_request(f"can't parse {what} JSON object")
        return value
