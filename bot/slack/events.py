"""Events from Slack: thread replies to relay, App Home, and deduplication."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.net import is_loopback
from bot.slack.cards import ticket_for_thread
from bot.slack.notifier import SlackNotifier
from bot.slack.texts import agent_text
from bot.slack.workspace import Workspace
from core.conversation.messages import Attachment
from core.ports import UserNotifier
from core.storage.inbox import claim_delivery

log = logging.getLogger(__name__)

NOTE_PREFIXES = ("note:", "note：", "备注:", "备注：")
IGNORED_SUBTYPES = frozenset(
    {"bot_message", "message_changed", "message_deleted", "channel_join", "channel_leave"}
)
MAX_FILE_BYTES = 20 * 1024 * 1024


class SlackEvents:
    def __init__(self, ws: Workspace, notifier: SlackNotifier, users: UserNotifier) -> None:
        self.ws = ws
        self.notifier = notifier
        self.users = users

    def register(self) -> None:
        self.ws.app.middleware(self.deduplicate)
        self.ws.app.event("message")(self.on_message)

    async def deduplicate(self, req: AsyncBoltRequest, resp: BoltResponse, next: Any) -> Any:
        """An event already handled is acknowledged and dropped: Slack retries key
        on the event id, whatever the retry header says.
        """
        body = req.body
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            fresh = await self.ws.run(self._claim, str(event_id))
            if not fresh:
                return await req.context.ack()
        return await next()

    def _claim(self, event_id: str) -> bool:
        with self.ws.db.session() as s:
            return claim_delivery(s, "slack", event_id, self.ws.clock.now())

    async def on_message(self, event: dict[str, Any]) -> None:
        thread_ts = event.get("thread_ts")
        if (
            not thread_ts
            or event.get("subtype") in IGNORED_SUBTYPES
            or event.get("bot_id")
            or event.get("user") in (None, self.ws.bot_user_id)
        ):
            return  # not an agent's reply in a ticket thread; never our own messages
        with self.ws.db.session(read_only=True) as s:
            ref = ticket_for_thread(s, event.get("channel", ""), thread_ts)
        if ref is None:
            return
        user, text = event["user"], (event.get("text") or "").strip()
        if not await self.ws.is_agent(user):
            return  # only agents speak for the team
        name = await self.ws.display_name(user)
        now = self.ws.clock.now()
        if text.lower().startswith(NOTE_PREFIXES):
            await self.ws.run(self.ws.relay.note, ref, name, text, now)
            return
        files = event.get("files") or []
        try:
            if text:
                out = await self.ws.run(self.ws.relay.agent_reply, ref, name, text, now)
                await self.users.deliver(out)
            for file in files:
                attachment = await self._download(file)
                out = await self.ws.run(self.ws.relay.agent_reply, ref, name, "", now, attachment)
                await self.users.deliver(out)
        except Exception as err:
            log.exception("relaying an agent reply failed", extra={"ticket": ref})
            await self.notifier.thread(ref, agent_text("delivery_failed", error=err))
            return
        await self.notifier.refresh(ref)

    async def _download(self, file: dict[str, Any]) -> Attachment:
        url = file.get("url_private_download") or file.get("url_private") or ""
        token = self.ws.client.token or ""
        async with (
            aiohttp.ClientSession(trust_env=not is_loopback(url)) as http,
            http.get(url, headers={"Authorization": f"Bearer {token}"}) as response,
        ):
            response.raise_for_status()
            data = await response.content.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ValueError(f"file {file.get('name')} is larger than {MAX_FILE_BYTES} bytes")
        return Attachment(
            kind="document",
            file_name=str(file.get("name") or "file"),
            mime=str(file.get("mimetype") or "application/octet-stream"),
            data=data,
        )
