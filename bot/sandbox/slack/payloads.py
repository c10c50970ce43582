"""Payloads Slack sends to an app: Events API envelopes, interactions, slash commands."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from bot.sandbox.slack.records import FakeMessage, JsonDict
from bot.sandbox.slack.store import FakeStore, ResponseTarget


def _wrap_values(values: Mapping[str, Mapping[str, Any]] | None) -> JsonDict:
    # Tests may write {"block": {"action": "text"}}; Slack sends typed state objects.
    wrapped: JsonDict = {}
    for block_id, actions in (values or {}).items():
        wrapped[block_id] = {
            action_id: (
                {"type": "plain_text_input", "value": state}
                if isinstance(state, str) or state is None
                else dict(state)
            )
            for action_id, state in actions.items()
        }
    return wrapped


def _find_element(blocks: list[JsonDict], action_id: str) -> tuple[str | None, JsonDict] | None:
    for block in blocks:
        candidates = list(block.get("elements") or [])
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                candidates.append(block[key])
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return block.get("block_id"), element
    return None


class Payloads:
    def __init__(self, store: FakeStore, base_url: Callable[[], str]) -> None:
        self.store = store
        self.cfg = store.config
        self.base_url = base_url

    # common parts ----------------------------------------------------------------------

    def _team(self) -> JsonDict:
        return {"id": self.cfg.team_id, "domain": self.cfg.team_domain}

    def _user(self, user_id: str) -> JsonDict:
        user = self.store.users.get(user_id)
        name = user.name if user is not None else user_id.lower()
        return {"id": user_id, "username": name, "name": name, "team_id": self.cfg.team_id}

    def _channel(self, channel: str) -> JsonDict:
        found = self.store.channel(channel)
        if found is None:
            return {"id": channel, "name": channel}
        return {"id": found.id, "name": found.name}

    def _response_url(self, channel: str | None, message_ts: str | None, user_id: str) -> str:
        token = self.store.issue_response_token(ResponseTarget(channel, message_ts, user_id))
        return f"{self.base_url()}response/{token}"

    def _channel_id(self, channel: str) -> str:
        found = self.store.channel(channel)
        return found.id if found is not None else channel

    # Events API ------------------------------------------------------------------------

    def event_envelope(self, event: JsonDict, event_id: str | None = None) -> JsonDict:
        return {
            "token": self.cfg.verification_token,
            "team_id": self.cfg.team_id,
            "api_app_id": self.cfg.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{self.store.new_id('')}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.cfg.team_id,
                    "user_id": self.cfg.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{secrets.token_hex(12)}",
        }

    def user_message(
        self,
        channel: str,
        user: str,
        text: str,
        *,
        thread_ts: str | None,
        files: list[JsonDict] | None,
        event_type: str = "message",
    ) -> tuple[JsonDict, FakeMessage]:
        channel_id = self._channel_id(channel)
        ts = self.store.ts.next()
        event: JsonDict = {
            "type": event_type,
            "channel": channel_id,
            "user": user,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "team": self.cfg.team_id,
            "client_msg_id": str(uuid.uuid4()),
        }
        if event_type == "message":
            found = self.store.channel(channel_id)
            event["channel_type"] = "group" if found is not None and found.is_private else "channel"
        if thread_ts is not None:
            event["thread_ts"] = thread_ts
        if files:
            event["subtype"] = "file_share"
            event["files"] = files
            event["upload"] = False
        message = FakeMessage(
            channel=channel_id,
            ts=ts,
            text=text,
            user=user,
            thread_ts=thread_ts,
            files=list(files or []),
            from_app=False,
        )
        return event, message

    # interactivity ---------------------------------------------------------------------

    def block_action(
        self,
        user_id: str,
        action_id: str,
        value: str | None,
        *,
        message_ts: str | None,
        channel: str | None,
        view_id: str | None,
        block_id: str | None,
    ) -> JsonDict:
        payload: JsonDict = {
            "type": "block_actions",
            "user": self._user(user_id),
            "api_app_id": self.cfg.app_id,
            "token": self.cfg.verification_token,
            "trigger_id": self.store.issue_trigger(user_id),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "state": {"values": {}},
        }
        blocks: list[JsonDict] = []
        if view_id is not None:
            view = self.store.views[view_id].view
            blocks = list(view.get("blocks") or [])
            payload["container"] = {"type": "view", "view_id": view_id}
            payload["view"] = view
        if channel is not None:
            channel_id = self._channel_id(channel)
            payload["channel"] = self._channel(channel_id)
            payload["container"] = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
            payload["response_url"] = self._response_url(channel_id, message_ts, user_id)
            message = self.store.find_message(channel_id, message_ts) if message_ts else None
            if message is not None:
                payload["message"] = message.to_api(self.cfg.team_id)
                blocks = message.blocks
        payload["actions"] = [self._action(blocks, action_id, value, block_id)]
        return payload

    def _action(
        self, blocks: list[JsonDict], action_id: str, value: str | None, block_id: str | None
    ) -> JsonDict:
        found = _find_element(blocks, action_id)
        if found is None and blocks:
            raise LookupError(f"no element with action_id {action_id!r} in the target blocks")
        element: JsonDict = found[1] if found else {"type": "button", "action_id": action_id}
        action: JsonDict = {
            "action_id": action_id,
            "block_id": block_id or (found[0] if found else None) or secrets.token_hex(3),
            "type": element.get("type", "button"),
            "action_ts": self.store.ts.next(),
        }
        chosen = value if value is not None else element.get("value")
        if action["type"] == "button":
            action["text"] = element.get("text") or {"type": "plain_text", "text": action_id}
            if chosen is not None:
                action["value"] = chosen
        else:
            options = {o.get("value"): o for o in element.get("options") or []}
            action["selected_option"] = options.get(
                chosen, {"text": {"type": "plain_text", "text": chosen}, "value": chosen}
            )
        return action

    def view_submission(
        self,
        user_id: str,
        view_id: str | None,
        *,
        callback_id: str | None,
        values: Mapping[str, Mapping[str, Any]] | None,
        private_metadata: str | None,
    ) -> JsonDict:
        record = self.store.views.get(view_id) if view_id else None
        if view_id is not None and record is None:
            raise LookupError(f"no view {view_id!r} was opened")
        view: JsonDict = (
            dict(record.view)
            if record is not None
            else {
                "id": self.store.new_id("V"),
                "team_id": self.cfg.team_id,
                "type": "modal",
                "title": {"type": "plain_text", "text": "Modal"},
                "blocks": [],
                "private_metadata": "",
                "callback_id": "",
                "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
                "app_id": self.cfg.app_id,
                "bot_id": self.cfg.bot_id,
            }
        )
        if callback_id is not None:
            view["callback_id"] = callback_id
        if private_metadata is not None:
            view["private_metadata"] = private_metadata
        view["state"] = {"values": _wrap_values(values)}
        return {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user_id),
            "api_app_id": self.cfg.app_id,
            "token": self.cfg.verification_token,
            "trigger_id": self.store.issue_trigger(user_id),
            "view": view,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def slash_command(self, command: str, text: str, user_id: str, channel: str) -> dict[str, str]:
        channel_id = self._channel_id(channel)
        return {
            "token": self.cfg.verification_token,
            "team_id": self.cfg.team_id,
            "team_domain": self.cfg.team_domain,
            "channel_id": channel_id,
            "channel_name": self._channel(channel_id)["name"],
            "user_id": user_id,
            "user_name": self._user(user_id)["name"],
            "command": command,
            "text": text,
            "api_app_id": self.cfg.app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url(channel_id, None, user_id),
            "trigger_id": self.store.issue_trigger(user_id),
        }

    def shortcut(
        self, callback_id: str, user_id: str, *, channel: str | None, message_ts: str | None
    ) -> JsonDict:
        payload: JsonDict = {
            "type": "shortcut",
            "token": self.cfg.verification_token,
            "action_ts": self.store.ts.next(),
            "team": self._team(),
            "user": self._user(user_id),
            "callback_id": callback_id,
            "trigger_id": self.store.issue_trigger(user_id),
            "is_enterprise_install": False,
            "enterprise": None,
        }
        if channel is None or message_ts is None:
            return payload
        channel_id = self._channel_id(channel)
        message = self.store.find_message(channel_id, message_ts)
        payload.update(
            {
                "type": "message_action",
                "channel": self._channel(channel_id),
                "message_ts": message_ts,
                "message": message.to_api(self.cfg.team_id) if message else {"ts": message_ts},
                "response_url": self._response_url(channel_id, message_ts, user_id),
            }
        )
        return payload
