"""The in-memory state behind the fake Telegram: chats, messages, files, queued updates.

Everything runs on one event loop, so plain containers suffice; waiters block on a `Signal`
that is fired whenever something they might be waiting for changes.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

# Update types Telegram leaves out unless they are asked for explicitly.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_COMMAND = re.compile(r"(?<![\w/])/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{5,32})?")
# Real file_ids start with a type-specific prefix; keeping them makes logs look familiar.
_FILE_ID_PREFIX = {"photo": "AgAC", "document": "BQAC", "voice": "AwAC", "video": "BAAC"}
_FOLDER = {"photo": "photos", "document": "documents", "voice": "voice", "video": "videos"}
_DEFAULT_EXTENSION = {"photo": "jpg", "document": "bin", "voice": "oga", "video": "mp4"}


class Signal:
    """Wakes every current waiter when fired; later waiters wait for the next firing."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def fire(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait(self, seconds: float | None) -> None:
        if self._event is None:
            self._event = asyncio.Event()
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            return


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    mime_type: str | None = None
    file_name: str | None = None

    def as_file(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class Webhook:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class Call:
    """One Bot API request as the fake saw it; `status` is the HTTP status it answered."""

    method: str
    params: JSON
    status: int = 0


def update_type(update: JSON) -> str:
    return next(key for key in update if key != "update_id")


def _allows(allowed: list[str] | None, update: JSON) -> bool:
    kind = update_type(update)
    if not allowed:
        return kind not in _OPT_IN_UPDATES
    return kind in allowed


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        if width and height:
            return int(width), int(height)
    return None


def command_entities(text: str) -> list[JSON]:
    """Telegram marks /commands itself, whatever client sent the text."""
    entities = []
    for match in _COMMAND.finditer(text):
        prefix = text[: match.start()]
        entities.append(
            {
                "type": "bot_command",
                "offset": len(prefix.encode("utf-16-le")) // 2,
                "length": len(match.group(0).encode("utf-16-le")) // 2,
            }
        )
    return entities


@dataclass
class TelegramWorld:
    bot_user: JSON
    clock: Callable[[], float]
    strict_chats: bool = True
    next_update_id: int = 10_001
    chats: dict[int, JSON] = field(default_factory=dict)
    messages: dict[tuple[int, int], JSON] = field(default_factory=dict)
    bot_message_ids: dict[int, list[int]] = field(default_factory=dict)
    updates: list[JSON] = field(default_factory=list)
    files: dict[str, StoredFile] = field(default_factory=dict)
    callback_queries: dict[str, JSON] = field(default_factory=dict)
    callback_answers: list[JSON] = field(default_factory=list)
    commands: dict[tuple[str, str], list[JSON]] = field(default_factory=dict)
    chat_actions: list[JSON] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    webhook: Webhook = field(default_factory=Webhook)
    polling_allowed_updates: list[str] | None = None
    duplicate_next: int = 0
    updates_signal: Signal = field(default_factory=Signal)
    output_signal: Signal = field(default_factory=Signal)
    _next_message_id: dict[int, int] = field(default_factory=dict)
    _file_counter: int = 0
    _callback_counter: int = 0

    # -- chats and users ---------------------------------------------------------------------

    def now(self) -> int:
        return int(self.clock())

    def add_chat(
        self,
        chat_id: int,
        *,
        first_name: str = "Tester",
        username: str | None = None,
        title: str | None = None,
    ) -> JSON:
        if chat_id in self.chats:
            return self.chats[chat_id]
        chat: JSON
        if chat_id > 0:
            chat = {"id": chat_id, "type": "private", "first_name": first_name}
            if username:
                chat["username"] = username
        else:
            kind = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
            chat = {"id": chat_id, "type": kind, "title": title or f"Group {-chat_id}"}
        self.chats[chat_id] = chat
        return chat

    def resolve_chat(self, chat_ref: int | str) -> int | None:
        if isinstance(chat_ref, int):
            if chat_ref in self.chats or not self.strict_chats:
                self.add_chat(chat_ref)
                return chat_ref
            return None
        name = chat_ref.removeprefix("@").lower()
        for chat_id, chat in self.chats.items():
            if str(chat.get("username", "")).lower() == name:
                return chat_id
        return None

    def _user(
        self,
        chat_id: int,
        user_id: int | None,
        first_name: str,
        language_code: str | None,
        username: str | None,
    ) -> JSON:
        uid = user_id if user_id is not None else (chat_id if chat_id > 0 else 1_001)
        self.add_chat(chat_id, first_name=first_name, username=username)
        user: JSON = {"id": uid, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    # -- messages ----------------------------------------------------------------------------

    def _new_message(self, chat_id: int, sender: JSON, content: JSON) -> JSON:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        message: JSON = {
            "message_id": message_id,
            "from": dict(sender),
            "chat": dict(self.chats[chat_id]),
            "date": self.now(),
        }
        message.update({key: value for key, value in content.items() if value is not None})
        self.messages[(chat_id, message_id)] = message
        return message

    def bot_message(self, chat_id: int, content: JSON) -> JSON:
        message = self._new_message(chat_id, self.bot_user, content)
        self.bot_message_ids.setdefault(chat_id, []).append(message["message_id"])
        self.output_signal.fire()
        return copy.deepcopy(message)

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        return self.messages.get((chat_id, message_id))

    def is_from_bot(self, message: JSON) -> bool:
        return bool(message["from"]["id"] == self.bot_user["id"])

    def delete_message(self, chat_id: int, message_id: int) -> None:
        del self.messages[(chat_id, message_id)]
        self.output_signal.fire()

    def sent(self, chat_id: int) -> list[JSON]:
        found = (self.messages.get((chat_id, mid)) for mid in self.bot_message_ids.get(chat_id, []))
        return [copy.deepcopy(message) for message in found if message is not None]

    # -- files -------------------------------------------------------------------------------

    def store_file(
        self, kind: str, data: bytes, *, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        self._file_counter += 1
        digest = hashlib.sha256(f"{kind}:{self._file_counter}".encode()).digest()
        opaque = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        unique = base64.urlsafe_b64encode(hashlib.sha256(data).digest()[:12]).decode()
        extension = _DEFAULT_EXTENSION[kind]
        suffix = file_name.rsplit(".", 1)[1] if file_name and "." in file_name else ""
        # Telegram re-encodes photos, voice and video, so only documents keep their suffix.
        if kind == "document" and suffix.isalnum() and len(suffix) <= 8:
            extension = suffix
        stored = StoredFile(
            file_id=f"{_FILE_ID_PREFIX[kind]}{opaque}",
            file_unique_id=f"AQAD{unique}",
            file_path=f"{_FOLDER[kind]}/file_{self._file_counter}.{extension}",
            data=data,
            mime_type=mime_type,
            file_name=file_name,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, file_path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path == file_path), None)

    def media_object(self, kind: str, stored: StoredFile, extra: JSON | None = None) -> Any:
        base: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        extra = extra or {}
        if kind == "photo":
            width, height = _png_size(stored.data) or (800, 600)
            return [base | {"width": width, "height": height}]
        if stored.mime_type:
            base["mime_type"] = stored.mime_type
        if kind == "document":
            return base | {"file_name": stored.file_name or stored.file_path.rsplit("/", 1)[1]}
        if kind == "voice":
            return base | {"duration": int(extra.get("duration") or 1)}
        return base | {
            "width": int(extra.get("width") or 640),
            "height": int(extra.get("height") or 360),
            "duration": int(extra.get("duration") or 1),
        }

    # -- updates -----------------------------------------------------------------------------

    def enqueue(self, kind: str, payload: JSON) -> JSON:
        update = {"update_id": self.next_update_id, kind: payload}
        self.next_update_id += 1
        self.updates.append(update)
        if self.duplicate_next:
            self.duplicate_next -= 1
            self.updates.append(copy.deepcopy(update))
        self.updates_signal.fire()
        return copy.deepcopy(update)

    def confirm(self, offset: int) -> None:
        before = len(self.updates)
        if offset < 0:
            self.updates = self.updates[offset:]
        elif offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if len(self.updates) != before:
            self.updates_signal.fire()

    def pending_for_polling(self, limit: int) -> list[JSON]:
        allowed = self.polling_allowed_updates
        return [copy.deepcopy(u) for u in self.updates if _allows(allowed, u)][:limit]

    def next_for_webhook(self) -> JSON | None:
        while self.updates:
            head = self.updates[0]
            if _allows(self.webhook.allowed_updates, head):
                return head
            # A webhook never sees what it did not ask for, and Telegram does not keep it.
            self.updates.pop(0)
        return None

    def acknowledge(self, update: JSON) -> None:
        for index, queued in enumerate(self.updates):
            if queued is update:
                del self.updates[index]
                self.updates_signal.fire()
                return

    # -- simulated users ---------------------------------------------------------------------

    def user_message(
        self,
        chat_id: int,
        content: JSON,
        *,
        user_id: int | None,
        first_name: str,
        language_code: str | None,
        username: str | None,
    ) -> JSON:
        user = self._user(chat_id, user_id, first_name, language_code, username)
        return self.enqueue("message", self._new_message(chat_id, user, content))

    def user_text(self, text: str) -> JSON:
        entities = command_entities(text)
        return {"text": text, "entities": entities or None}

    def user_file(
        self,
        kind: str,
        data: bytes,
        *,
        caption: str | None,
        file_name: str | None,
        mime_type: str | None,
        extra: JSON | None = None,
    ) -> JSON:
        stored = self.store_file(kind, data, file_name=file_name, mime_type=mime_type)
        return {kind: self.media_object(kind, stored, extra), "caption": caption}

    def user_presses(
        self, chat_id: int, message_id: int, callback_data: str, *, user_id: int | None, check: bool
    ) -> JSON:
        message = self.messages.get((chat_id, message_id))
        if message is None:
            raise LookupError(f"no message {message_id} in chat {chat_id}")
        if check:
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            offered = [b.get("callback_data") for row in rows for b in row]
            if callback_data not in offered:
                raise ValueError(
                    f"message {message_id} offers no button with callback_data "
                    f"{callback_data!r} (it offers {offered})"
                )
        chat = self.chats[chat_id]
        uid = user_id if user_id is not None else (chat_id if chat_id > 0 else 1_001)
        self._callback_counter += 1
        query_id = str(4_000_000_000_000_000_000 + self._callback_counter)
        user: JSON = {"id": uid, "is_bot": False, "first_name": chat.get("first_name", "Tester")}
        query: JSON = {
            "id": query_id,
            "from": user,
            "message": copy.deepcopy(message),
            "chat_instance": str(abs(chat_id) * 7 + 13),
            "data": callback_data,
        }
        self.callback_queries[query_id] = {"answered": False, "chat_id": chat_id}
        return self.enqueue("callback_query", query)
