"""What an authenticated Telegram update must look like before it is handled.

python-telegram-bot trusts the Bot API's shapes: a message without a date, a
date past the year 9999 or a message that is not an object raises deep inside
it. Such an update cannot come from Telegram; it is named here and dropped.
"""

from __future__ import annotations

import logging
from typing import Any

from core.errors import LiveDeskError

log = logging.getLogger(__name__)

# Keys whose value is a message object.
MESSAGE_KEYS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_message",
    "edited_business_message",
)
# Seconds since 1970 that a datetime can hold on every platform (to 2100).
_MAX_DATE = 4_102_444_800
_MAX_ID = 2**63 - 1
_logged: set[str] = set()


class UpdateNotStoredError(LiveDeskError):
    """The update could not be stored for now (the database is away): answered
    503, so that Telegram sends it again."""


def is_update_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _MAX_ID


def _int(value: object, high: int = _MAX_ID) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -_MAX_ID <= value <= high


def _user_problem(user: object, where: str) -> str | None:
    if not isinstance(user, dict):
        return f"{where} is not an object"
    if not _int(user.get("id")):
        return f"{where}.id is not a number"
    for name in ("first_name", "last_name", "username", "language_code"):
        if name in user and not isinstance(user[name], str):
            return f"{where}.{name} is not text"
    return None


def _message_problem(key: str, message: Any) -> str | None:
    if not isinstance(message, dict):
        return f"{key} is not an object"
    if not _int(message.get("message_id")):
        return f"{key}.message_id is missing or not a number"
    if not _int(message.get("date"), _MAX_DATE) or message["date"] < 0:
        return f"{key}.date is missing or out of range"
    chat = message.get("chat")
    if not isinstance(chat, dict) or not _int(chat.get("id")):
        return f"{key}.chat is missing or has no id"
    if "from" in message:
        return _user_problem(message["from"], f"{key}.from")
    return None


def update_problem(update: dict[str, Any]) -> str | None:
    """Why this update cannot be a real one, or None when it may be."""
    for key in MESSAGE_KEYS:
        if key in update and (problem := _message_problem(key, update[key])):
            return problem
    if "callback_query" in update:
        query = update["callback_query"]
        if not isinstance(query, dict) or not isinstance(query.get("id"), str):
            return "callback_query is not an object with an id"
        if problem := _user_problem(query.get("from"), "callback_query.from"):
            return problem
        if "message" in query and (
            problem := _message_problem("callback_query.message", query["message"])
        ):
            return problem
    return None


def log_once(problem: str) -> None:
    """One warning per kind of impossible request, not one per delivery."""
    if problem in _logged or len(_logged) > 1000:
        return
    _logged.add(problem)
    log.warning("request ignored: %s", problem)
