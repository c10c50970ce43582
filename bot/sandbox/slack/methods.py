"""Web API methods of the fake Slack: the same arguments, answers and error codes as slack.com."""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.sandbox.slack.blocks import (
    MESSAGE_MAX_BLOCKS,
    MESSAGE_MAX_TEXT,
    validate_blocks,
    validate_view,
)
from bot.sandbox.slack.config import FakeChannel, FakeUser
from bot.sandbox.slack.records import (
    Ephemeral,
    FakeMessage,
    FakeView,
    JsonDict,
    UploadedFile,
)
from bot.sandbox.slack.store import FakeStore

Handler = Callable[[JsonDict], JsonDict]


class SlackError(Exception):
    """An `{"ok": false, "error": code, ...}` answer."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra


def _invalid(code: str, errors: list[str]) -> SlackError:
    messages = [f"[ERROR] {error}" for error in errors]
    if code == "invalid_blocks":
        return SlackError(code, errors=errors, response_metadata={"messages": messages})
    return SlackError(code, response_metadata={"messages": messages})


def _json_field(params: JsonDict, key: str) -> Any:
    # Form-encoded calls carry blocks/views as JSON strings; JSON calls carry them inline.
    value = params.get(key)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("1", "true"))


def user_object(user: FakeUser, team_id: str) -> JsonDict:
    return {
        "id": user.id,
        "team_id": team_id,
        "name": user.name,
        "deleted": False,
        "real_name": user.real_name,
        "tz": user.tz,
        "is_bot": user.is_bot,
        "is_admin": False,
        "profile": {
            "real_name": user.real_name,
            "display_name": user.display_name,
            "real_name_normalized": user.real_name,
            "display_name_normalized": user.display_name,
            "team": team_id,
        },
    }


CHANNEL_NAME = re.compile(r"[a-z0-9_\-]+")
CHANNEL_NAME_MAX = 80
INVITE_MAX = 1000


def channel_object(channel: FakeChannel) -> JsonDict:
    return {
        "id": channel.id,
        "name": channel.name,
        "name_normalized": channel.name,
        "is_channel": not channel.is_private,
        "is_group": channel.is_private,
        "is_im": False,
        "is_private": channel.is_private,
        "is_archived": False,
        "is_member": channel.bot_is_member,
        "created": 1_700_000_000,
    }


class Methods:
    """Implements each method on top of a FakeStore; `base_url` builds file and socket URLs."""

    def __init__(self, store: FakeStore, base_url: Callable[[], str]) -> None:
        self.store = store
        self.cfg = store.config
        self.base_url = base_url
        self.table: dict[str, Handler] = {
            "auth.test": self.auth_test,
            "chat.postMessage": self.post_message,
            "chat.update": self.update_message,
            "chat.delete": self.delete_message,
            "chat.postEphemeral": self.post_ephemeral,
            "conversations.info": self.conversations_info,
            "conversations.open": self.conversations_open,
            "conversations.replies": self.conversations_replies,
            "conversations.create": self.conversations_create,
            "conversations.invite": self.conversations_invite,
            "chat.getPermalink": self.get_permalink,
            "users.info": self.users_info,
            "usergroups.users.list": self.usergroup_users,
            "views.open": self.views_open,
            "views.push": self.views_open,
            "views.update": self.views_update,
            "views.publish": self.views_publish,
            "files.getUploadURLExternal": self.get_upload_url,
            "files.completeUploadExternal": self.complete_upload,
        }

    # helpers ---------------------------------------------------------------------------

    def _channel(self, ref: Any, *, post: bool = True) -> FakeChannel:
        if post and isinstance(ref, str) and ref in self.store.users:
            # Slack takes a user id as where to post: the app's DM with that user.
            ref = self._direct_message(self.store.users[ref])
        channel = self.store.channel(ref)
        if channel is None:
            raise SlackError("channel_not_found")
        if post and not channel.bot_is_member:
            raise SlackError("not_in_channel")
        return channel

    def _user(self, ref: Any) -> FakeUser:
        user = self.store.users.get(ref) if isinstance(ref, str) else None
        if user is None:
            raise SlackError("user_not_found")
        return user

    def _content(self, params: JsonDict) -> tuple[str, list[JsonDict]]:
        text = params.get("text")
        text = text if isinstance(text, str) else ""
        blocks = _json_field(params, "blocks")
        if blocks is None or blocks == "":
            blocks = []
        elif not isinstance(blocks, list):
            raise SlackError("invalid_blocks_format")
        if not text and not blocks and not params.get("attachments"):
            raise SlackError("no_text")
        if len(text) > MESSAGE_MAX_TEXT:
            raise SlackError("msg_too_long")
        errors = validate_blocks(blocks, "/blocks", max_blocks=MESSAGE_MAX_BLOCKS)
        if errors:
            raise _invalid("invalid_blocks", errors)
        return text, blocks

    def _thread_root(self, channel_id: str, thread_ts: Any) -> str | None:
        if not thread_ts:
            return None
        parent = self.store.find_message(channel_id, str(thread_ts))
        # Replying to a reply lands in the parent's thread, as in Slack.
        if parent is not None and parent.thread_ts is not None:
            return parent.thread_ts
        return str(thread_ts)

    def _own_message(self, params: JsonDict, *, denied: str) -> FakeMessage:
        channel = self._channel(params.get("channel"), post=False)
        message = self.store.find_message(channel.id, str(params.get("ts", "")))
        if message is None:
            raise SlackError("message_not_found")
        if message.user != self.cfg.bot_user_id:
            raise SlackError(denied)
        return message

    def bot_message(
        self, channel: str, text: str, blocks: list[JsonDict], thread_ts: str | None
    ) -> FakeMessage:
        message = FakeMessage(
            channel=channel,
            ts=self.store.ts.next(),
            text=text,
            user=self.cfg.bot_user_id,
            blocks=blocks,
            thread_ts=thread_ts,
            bot_id=self.cfg.bot_id,
        )
        self.store.add_message(message)
        return message

    # auth ------------------------------------------------------------------------------

    def auth_test(self, params: JsonDict) -> JsonDict:
        return {
            "url": f"https://{self.cfg.team_domain}.slack.com/",
            "team": self.cfg.team_domain,
            "user": self.cfg.bot_name,
            "team_id": self.cfg.team_id,
            "user_id": self.cfg.bot_user_id,
            "bot_id": self.cfg.bot_id,
            "is_enterprise_install": False,
        }

    # chat ------------------------------------------------------------------------------

    def post_message(self, params: JsonDict) -> JsonDict:
        channel = self._channel(params.get("channel"))
        text, blocks = self._content(params)
        thread_ts = self._thread_root(channel.id, params.get("thread_ts"))
        message = self.bot_message(channel.id, text, blocks, thread_ts)
        metadata = _json_field(params, "metadata")
        if isinstance(metadata, dict):
            message.metadata = metadata
        return {
            "channel": channel.id,
            "ts": message.ts,
            "message": message.to_api(self.cfg.team_id),
        }

    def update_message(self, params: JsonDict) -> JsonDict:
        message = self._own_message(params, denied="cant_update_message")
        text, blocks = self._content(params)
        if "text" in params:
            message.text = text
        if "blocks" in params:
            message.blocks = blocks
        message.edits += 1
        self.store.notify()
        return {
            "channel": message.channel,
            "ts": message.ts,
            "text": message.text,
            "message": message.to_api(self.cfg.team_id),
        }

    def delete_message(self, params: JsonDict) -> JsonDict:
        message = self._own_message(params, denied="cant_delete_message")
        self.store.history[message.channel].remove(message)
        self.store.deleted.append(message)
        self.store.notify()
        return {"channel": message.channel, "ts": message.ts}

    def post_ephemeral(self, params: JsonDict) -> JsonDict:
        channel = self._channel(params.get("channel"))
        user = self._user(params.get("user"))
        if channel.members and user.id not in channel.members:
            raise SlackError("user_not_in_channel")
        text, blocks = self._content(params)
        ts = self.store.ts.next()
        thread_ts = params.get("thread_ts")
        self.store.ephemerals.append(
            Ephemeral(
                channel=channel.id,
                user=user.id,
                text=text,
                blocks=blocks,
                thread_ts=str(thread_ts) if thread_ts else None,
                message_ts=ts,
            )
        )
        self.store.notify()
        return {"message_ts": ts}

    # conversations and people ----------------------------------------------------------

    def conversations_info(self, params: JsonDict) -> JsonDict:
        return {"channel": channel_object(self._channel(params.get("channel"), post=False))}

    def conversations_open(self, params: JsonDict) -> JsonDict:
        """A direct message with one user: the same D... channel every time."""
        users = [u for u in str(params.get("users") or "").split(",") if u]
        if len(users) != 1:
            raise SlackError("not_enough_users" if not users else "too_many_users")
        user = self._user(users[0])
        channel_id = self._direct_message(user)
        return {"channel": {"id": channel_id, "is_im": True, "user": user.id}}

    def _direct_message(self, user: FakeUser) -> str:
        """The id of the DM with `user`, opened on first use."""
        channel_id = "D" + user.id.removeprefix("U")
        if channel_id not in self.store.channels:
            dm = FakeChannel(id=channel_id, name=user.id, is_private=True, members=(user.id,))
            self.store.channels[channel_id] = dm
            self.store.history[channel_id] = []
        return channel_id

    def conversations_create(self, params: JsonDict) -> JsonDict:
        """A new channel the bot created (and so is in), as Slack names them:
        lowercase letters, digits, hyphens and underscores, at most 80.
        """
        name = params.get("name")
        if not isinstance(name, str) or not name:
            raise SlackError("invalid_name_required")
        if len(name) > CHANNEL_NAME_MAX:
            raise SlackError("invalid_name_maxlength")
        if not CHANNEL_NAME.fullmatch(name):
            raise SlackError("invalid_name_specials")
        if any(c.name == name for c in self.store.channels.values()):
            raise SlackError("name_taken")
        private = _flag(params.get("is_private"))
        channel = FakeChannel(
            id=self.store.new_id("G" if private else "C"),
            name=name,
            is_private=private,
            members=(self.cfg.bot_user_id,),
        )
        self.store.channels[channel.id] = channel
        self.store.history[channel.id] = []
        self.store.notify()
        return {"channel": channel_object(channel)}

    def conversations_invite(self, params: JsonDict) -> JsonDict:
        """Up to 1000 users (comma-separated ids) into a channel the bot is in."""
        channel = self._channel(params.get("channel"))
        users = [u.strip() for u in str(params.get("users") or "").split(",") if u.strip()]
        if not users:
            raise SlackError("no_user")
        if len(users) > INVITE_MAX:
            raise SlackError("too_many_users")
        if self.cfg.bot_user_id in users:
            raise SlackError("cant_invite_self")
        for user in users:
            self._user(user)
        new = [u for u in users if u not in channel.members]
        if channel.members and not new:
            raise SlackError("already_in_channel")
        updated = replace(channel, members=(*channel.members, *new))
        self.store.channels[channel.id] = updated
        self.store.notify()
        return {"channel": channel_object(updated)}

    def get_permalink(self, params: JsonDict) -> JsonDict:
        channel = self._channel(params.get("channel"), post=False)
        ts = str(params.get("message_ts") or "")
        if self.store.find_message(channel.id, ts) is None:
            raise SlackError("message_not_found")
        link = (
            f"https://{self.cfg.team_domain}.slack.com/archives/{channel.id}/p{ts.replace('.', '')}"
        )
        return {"channel": channel.id, "permalink": link}

    def conversations_replies(self, params: JsonDict) -> JsonDict:
        channel = self._channel(params.get("channel"), post=False)
        ts = str(params.get("ts", ""))
        thread = [
            m.to_api(self.cfg.team_id)
            for m in self.store.history[channel.id]
            if m.ts == ts or m.thread_ts == ts
        ]
        if not thread:
            raise SlackError("thread_not_found")
        return {"messages": thread, "has_more": False}

    def users_info(self, params: JsonDict) -> JsonDict:
        return {"user": user_object(self._user(params.get("user")), self.cfg.team_id)}

    def usergroup_users(self, params: JsonDict) -> JsonDict:
        group = params.get("usergroup")
        if not isinstance(group, str) or group not in self.store.usergroups:
            raise SlackError("no_such_subteam")
        return {"users": list(self.store.usergroups[group])}

    # views -----------------------------------------------------------------------------

    def _view_body(self, view: JsonDict, view_id: str) -> JsonDict:
        body: JsonDict = {
            "id": view_id,
            "team_id": self.cfg.team_id,
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "state": {"values": {}},
            "clear_on_close": False,
            "notify_on_close": False,
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self.cfg.app_id,
            "app_installed_team_id": self.cfg.team_id,
            "bot_id": self.cfg.bot_id,
        }
        body.update(view)
        body["id"] = view_id
        body["hash"] = f"{int(time.time())}.{secrets.token_hex(4)}"
        return body

    def _claim_trigger(self, trigger_id: Any) -> str | None:
        trigger = self.store.triggers.get(trigger_id) if isinstance(trigger_id, str) else None
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger.used:
            raise SlackError("exchanged_trigger_id")
        if trigger.expired or self.store.clock() - trigger.issued_at > self.cfg.trigger_ttl:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger.user

    def views_open(self, params: JsonDict) -> JsonDict:
        view = _json_field(params, "view")
        user = self._claim_trigger(params.get("trigger_id"))
        errors = validate_view(view, kind="modal")
        if errors:
            raise _invalid("invalid_arguments", errors)
        view_id = self.store.new_id("V")
        record = FakeView(
            id=view_id,
            user=user,
            view=self._view_body(view, view_id),
            trigger_id=str(params.get("trigger_id")),
        )
        self.store.views[view_id] = record
        self.store.views_opened.append(record)
        self.store.notify()
        return {"view": record.view}

    def views_update(self, params: JsonDict) -> JsonDict:
        view_id, external_id = params.get("view_id"), params.get("external_id")
        record = self.store.views.get(view_id) if isinstance(view_id, str) else None
        if record is None and external_id:
            record = next(
                (v for v in self.store.views.values() if v.view.get("external_id") == external_id),
                None,
            )
        if record is None:
            raise SlackError("not_found")
        expected = params.get("hash")
        if expected and expected != record.view.get("hash"):
            raise SlackError("hash_conflict")
        view = _json_field(params, "view")
        errors = validate_view(view, kind=str(record.view.get("type")))
        if errors:
            raise _invalid("invalid_arguments", errors)
        record.view = self._view_body(view, record.id)
        record.updates += 1
        self.store.notify()
        return {"view": record.view}

    def views_publish(self, params: JsonDict) -> JsonDict:
        user = self._user(params.get("user_id"))
        view = _json_field(params, "view")
        errors = validate_view(view, kind="home")
        if errors:
            raise _invalid("invalid_arguments", errors)
        existing = self.store.home_views.get(user.id)
        expected = params.get("hash")
        if existing is not None and expected and expected != existing.view.get("hash"):
            raise SlackError("hash_conflict")
        view_id = existing.id if existing is not None else self.store.new_id("V")
        record = FakeView(id=view_id, user=user.id, view=self._view_body(view, view_id))
        if existing is not None:
            record.updates = existing.updates + 1
        self.store.home_views[user.id] = record
        self.store.views[view_id] = record
        self.store.notify()
        return {"view": record.view}

    # files -----------------------------------------------------------------------------

    def file_object(self, upload: UploadedFile) -> JsonDict:
        url = f"{self.base_url()}files/{upload.id}/{upload.filename}"
        return {
            "id": upload.id,
            "created": int(time.time()),
            "name": upload.filename,
            "title": upload.title or upload.filename,
            "mimetype": "application/octet-stream",
            "user": self.cfg.bot_user_id,
            "size": upload.length,
            "url_private": url,
            "url_private_download": url,
        }

    def get_upload_url(self, params: JsonDict) -> JsonDict:
        filename, length = params.get("filename"), params.get("length")
        if not filename or length is None or not str(length).isdigit():
            raise SlackError("invalid_arguments")
        file_id = self.store.new_id("F")
        self.store.files[file_id] = UploadedFile(
            id=file_id, filename=str(filename), length=int(str(length))
        )
        return {"upload_url": f"{self.base_url()}upload/v1/{file_id}", "file_id": file_id}

    def complete_upload(self, params: JsonDict) -> JsonDict:
        items = _json_field(params, "files")
        if not isinstance(items, list) or not items:
            raise SlackError("invalid_arguments")
        uploads: list[UploadedFile] = []
        for item in items:
            file_id = item.get("id") if isinstance(item, dict) else None
            upload = self.store.files.get(file_id) if isinstance(file_id, str) else None
            if upload is None or upload.content is None:
                raise SlackError("file_not_found")
            uploads.append(upload)
        channel_ref = params.get("channel_id") or params.get("channels")
        channel = self._channel(str(channel_ref).split(",")[0]) if channel_ref else None
        thread_ts = self._thread_root(channel.id, params.get("thread_ts")) if channel else None
        comment = params.get("initial_comment")
        for item, upload in zip(items, uploads, strict=True):
            upload.title = item.get("title") or upload.filename
            upload.completed = True
            upload.channel = channel.id if channel else None
            upload.thread_ts = thread_ts
            upload.initial_comment = comment if isinstance(comment, str) else None
        objects = [self.file_object(upload) for upload in uploads]
        if channel is not None:
            message = FakeMessage(
                channel=channel.id,
                ts=self.store.ts.next(),
                text=comment if isinstance(comment, str) else "",
                user=self.cfg.bot_user_id,
                thread_ts=thread_ts,
                bot_id=self.cfg.bot_id,
                files=objects,
            )
            self.store.add_message(message)
        return {"files": objects}
