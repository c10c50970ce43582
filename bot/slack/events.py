"""Events from Slack: thread replies to relay, and App Home.

Slack redelivers an event it got no answer for. Each effect of a message (its
text, each file, a note) records the event as handled in the transaction that
makes it (`TicketRelay`'s `delivery`), so a redelivery after a crash redoes what
was lost and one after success changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import Any

import aiohttp
from sqlmodel import select

from bot.net import is_loopback
from bot.slack.cards import ticket_for_thread
from bot.slack.file_hosts import file_host_allowed
from bot.slack.notifier import SlackNotifier
from bot.slack.texts import agent_text
from bot.slack.workspace import Workspace
from core.conversation.messages import Attachment
from core.errors import StorageUnavailableError
from core.ports import UserNotifier
from core.relay import AlreadyHandledError, Delivery
from core.storage.tables import ProcessedDeliveryRow, TicketRow

log = logging.getLogger(__name__)

NOTE_PREFIXES = ("note:", "note：", "备注:", "备注：")
IGNORED_SUBTYPES = frozenset(
    {"bot_message", "message_changed", "message_deleted", "channel_join", "channel_leave"}
)
MAX_FILE_BYTES = 20 * 1024 * 1024
SOURCE = "slack"


# A thread under a message this young may be a card whose post is not recorded yet.
FRESH_CARD_SECONDS = 30.0
# Looked for again after these pauses (1.5 s in all; Slack waits 3 s for an answer).
CARD_WAITS = (0.1, 0.2, 0.4, 0.8)


def _age(ts: str) -> float:
    """Seconds since the Slack message `ts` ("1733430011.000100", wall-clock)."""
    try:
        return time.time() - float(ts)
    except ValueError:
        return float("inf")


class CardNotRecordedError(Exception):
    """A reply under a message a moment old that no ticket card is known for yet."""


class FileRefusedError(Exception):
    """A shared file whose URL is not on a Slack file host: never fetched."""


class SlackEvents:
    def __init__(self, ws: Workspace, notifier: SlackNotifier, users: UserNotifier) -> None:
        self.ws = ws
        self.notifier = notifier
        self.users = users

    def register(self) -> None:
        self.ws.app.event("message")(self.on_message)

    async def on_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        thread_ts = event.get("thread_ts")
        if (
            not thread_ts
            or event.get("subtype") in IGNORED_SUBTYPES
            or event.get("bot_id")
            or event.get("user") in (None, self.ws.bot_user_id)
        ):
            return  # not an agent's reply in a ticket thread; never our own messages
        channel = event.get("channel", "")
        ticket = await self._thread_ticket(channel, thread_ts, event.get("parent_user_id"))
        if ticket is None or ticket.ref is None:
            return
        ref = ticket.ref
        user, text = event["user"], (event.get("text") or "").strip()
        if not await self.ws.may_act(user, ticket):
            # Nothing is relayed or noted; only the writer is told why.
            key = "not_finance" if ticket.category == "finance" else "not_agent"
            await self.ws.client.chat_postEphemeral(
                channel=channel, user=user, text=agent_text(key), thread_ts=thread_ts
            )
            return
        event_id = str(body.get("event_id") or "")
        name = await self.ws.display_name(user)
        now = self.ws.clock.now()
        if text.lower().startswith(NOTE_PREFIXES):
            await self._once(self.ws.relay.note, ref, name, text, now, delivery=self._id(event_id))
            return
        files = event.get("files") or []
        try:
            if text:
                out = await self._once(
                    self.ws.relay.agent_reply, ref, name, text, now, delivery=self._id(event_id)
                )
                if out is not None:
                    await self.users.deliver(out)
            for i, file in enumerate(files):
                delivery = self._id(event_id, f"file/{i}")
                if delivery is not None and await self.ws.run(self._handled, delivery):
                    continue  # relayed by an earlier delivery of this event
                attachment = await self._store(await self._download(file))
                out = await self._once(
                    self.ws.relay.agent_reply, ref, name, "", now, attachment, delivery=delivery
                )
                if out is not None:
                    await self.users.deliver(out)
        except StorageUnavailableError:
            # Nothing of this effect was recorded: an error answer makes Slack send
            # the event again, where a "failed" note would lose the agent's reply.
            log.warning("database away while relaying an agent reply; Slack will retry")
            raise
        except Exception as err:
            log.exception("relaying an agent reply failed", extra={"ticket": ref})
            await self.notifier.thread(ref, agent_text("delivery_failed", error=err))
            return
        await self.notifier.refresh(ref)

    def _ticket_of(self, channel: str, thread_ts: str) -> TicketRow | None:
        with self.ws.db.session(read_only=True) as s:
            ref = ticket_for_thread(s, channel, thread_ts)
            return s.exec(select(TicketRow).where(TicketRow.ref == ref)).first() if ref else None

    async def _thread_ticket(
        self, channel: str, thread_ts: str, parent_user: str | None
    ) -> TicketRow | None:
        """The ticket whose card heads the thread. A card is recorded just after
        Slack has posted it, so a reply to a card a moment old may come first:
        it is looked for again for a moment, then left to Slack's retry."""
        if parent_user is not None and parent_user != self.ws.bot_user_id:
            return None  # not under one of our messages
        # A little ahead is clock skew; far ahead (or not a number) is no card of ours.
        fresh = -5.0 <= _age(thread_ts) < FRESH_CARD_SECONDS
        for delay in (*CARD_WAITS, None):
            ticket = await self.ws.run(self._ticket_of, channel, thread_ts)
            if ticket is not None or not fresh:
                return ticket
            if delay is not None:
                await asyncio.sleep(delay)
        # An error answer: Slack sends the event again, by when the card is known.
        raise CardNotRecordedError(f"no ticket (yet) for the thread {thread_ts} in {channel}")

    @staticmethod
    def _id(event_id: str, part: str = "") -> Delivery | None:
        """The delivery id of one effect of the event (none for an event without id)."""
        if not event_id:
            return None
        return SOURCE, f"{event_id}/{part}" if part else event_id

    async def _once(self, func: Any, *args: Any, delivery: Delivery | None) -> Any:
        """Run a relay change claiming `delivery`; None when it was done before."""
        try:
            return await self.ws.run(func, *args, delivery=delivery)
        except AlreadyHandledError:
            log.info("a redelivered Slack event was already handled", extra={"event": delivery})
            return None

    def _handled(self, delivery: Delivery) -> bool:
        with self.ws.db.session(read_only=True) as s:
            row = s.get(ProcessedDeliveryRow, delivery)
            return row is not None

    async def _store(self, attachment: Attachment) -> Attachment:
        """Into the attachment store before the relay: the reply then carries the
        file's path into the outbox, in the transaction that records it, and a
        crash after that commit delays the file instead of losing it.
        """
        save = self.notifier.attachments.save
        saved = await self.ws.run(save, attachment.data, attachment.file_name, attachment.mime)
        return replace(attachment, stored=saved.path)

    async def _download(self, file: dict[str, Any]) -> Attachment:
        url = str(file.get("url_private_download") or file.get("url_private") or "")
        if not file_host_allowed(url, self.ws.settings.slack.api_url):
            # The bot token goes only to Slack's own file hosts (or the configured
            # API host): a URL elsewhere in an event is never fetched.
            log.warning("refused to fetch a shared file from %r: not a Slack file host", url)
            raise FileRefusedError(f"file {file.get('name')} is not on a Slack file host")
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
