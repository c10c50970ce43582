"""What a signed Slack request must look like before slack-bolt reads it.

slack-bolt trusts Slack's shapes: a body that is not UTF-8, a JSON body that is
not an object, or an interactive payload without its user or actions raises
inside it and comes back as a 500, which Slack then retries. Such a request
cannot come from Slack; it is named here and answered 400.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

_INTERACTIVE_NEEDS = {
    "block_actions": ("actions",),
    "view_submission": ("view",),
    "view_closed": ("view",),
}


def _user_ok(payload: dict[str, Any]) -> bool:
    user = payload.get("user")
    return isinstance(user, dict) and isinstance(user.get("id"), str) and bool(user["id"])


def _state_ok(state: object) -> bool:
    """A view's state, when there is one, holds its values as an object."""
    if state is None:
        return True
    return isinstance(state, dict) and isinstance(state.get("values", {}), dict)


def _payload_problem(raw: str) -> str | None:
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):
        return "payload is not JSON"
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        return "payload is not an object with a type"
    try:
        # "\ud800" escapes decode to lone surrogates, which nothing can store.
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return "payload holds an unpaired surrogate"
    kind = payload["type"]
    interactive = kind in _INTERACTIVE_NEEDS or kind in ("shortcut", "message_action")
    if interactive and not _user_ok(payload):
        return f"{kind} payload without a user id"
    for key in _INTERACTIVE_NEEDS.get(kind, ()):
        value = payload.get(key)
        if key == "actions":
            if not isinstance(value, list) or not value:
                return "block_actions payload without actions"
            if not all(isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in value):
                return "block_actions payload with an odd action"
        elif not isinstance(value, dict):
            return f"{kind} payload without a {key}"
        elif key == "view" and not _state_ok(value.get("state")):
            return f"{kind} payload with an odd state"
    if kind in ("shortcut", "message_action") and not isinstance(payload.get("callback_id"), str):
        return f"{kind} payload without a callback id"
    return None


def slack_body_problem(body: bytes, content_type: str) -> str | None:
    """Why this body cannot be a Slack request, or None when it may be."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "body is not UTF-8"
    if content_type.startswith("application/json"):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return "body is not JSON"
        return None if isinstance(data, dict) else "JSON body is not an object"
    form = parse_qs(text, keep_blank_values=True)
    if "payload" in form:
        return _payload_problem(form["payload"][0])
    return None
