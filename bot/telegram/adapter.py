"""The Telegram adapter: python-telegram-bot updates in, the engine's replies out.

It only translates: an update becomes a neutral `Inbound`, the engine decides,
and each `Reply` is rendered as messages with inline keyboards. The engine runs
in a worker thread so database commits never stall the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from telegram import BotCommand, Message, Update
from telegram.error import Conflict, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.http.metrics import Metrics
from bot.http.updates import UpdateNotStoredError, log_once, update_problem
from bot.net import is_loopback
from bot.telegram.chats import ChatQueues, HeldChats
from bot.telegram.direct import DirectSender
from bot.telegram.polling import UpdatePoller
from bot.telegram.queued import ReplyOutbox
from bot.telegram.render import MAX_CALLBACK_BYTES, media_of
from bot.worker import ThreadWorker, WorkerDiedError, WorkerProcess
from core.config import Settings
from core.conversation import Attachment, ConversationEngine, HandleResult, Inbound, Reply
from core.conversation.answers import clean
from core.errors import StorageUnavailableError
from core.i18n import language_of, t
from core.ports import AgentNotifier, Clock
from core.relay import Outbound

log = logging.getLogger(__name__)

CHANNEL = "telegram"
SEND_CONNECTIONS = 8
# Seconds between attempts while the database or the conversation worker is
# away: about 15 s in all, then the update is left unsettled and Telegram has
# it again later (polling fetches it again; the webhook answers 503).
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)
# Shorter behind the webhook: Telegram waits for the answer, and sends the
# update again after a 503 anyway.
WEBHOOK_RETRY_DELAYS = (0.5, 1.0, 2.0)
ALLOWED_UPDATES = ("message", "callback_query")
COMMANDS = (
    ("start", "开始 / Start"),
    ("new", "新的反馈 / New report"),
    ("mytickets", "我的工单 / My tickets"),
    ("cancel", "取消当前反馈 / Cancel this report"),
    ("lang", "切换语言 / Language"),
    ("human", "转人工 / Talk to a person"),
    ("status", "平台故障状态 / Known problems"),
    ("help", "帮助 / Help"),
)


@dataclass(slots=True)
class _Settling:
    """How the handling of one update went, filled in by `_handle`."""

    retry_delays: tuple[float, ...]
    stored: bool = True


# What _run_engine answers while the database or the worker stays away.
_NOT_STORED = object()
# The update being settled in this task (PTB awaits blocking handlers in the caller's task).
_SETTLING: ContextVar[_Settling | None] = ContextVar("telegram_settling", default=None)


class TelegramAdapter:
    def __init__(
        self,
        settings: Settings,
        engine: ConversationEngine,
        token: str,
        *,
        clock: Clock,
        agents: AgentNotifier | None = None,
        max_attachment_bytes: int | None = None,
        metrics: Metrics | None = None,
        runner: ThreadWorker | WorkerProcess | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.engine = engine
        self.runner = runner or ThreadWorker(engine)
        self.clock = clock
        self.agents = agents
        self.webhook = settings.telegram.mode == "webhook"
        self.max_attachment_bytes = max_attachment_bytes or engine.settings.max_attachment_bytes
        self._chats = ChatQueues()
        self._held = HeldChats()
        self._poller: UpdatePoller | None = None
        # The runtime sets it when an outbox dispatcher runs for Telegram.
        self.outbox: ReplyOutbox | None = None
        # Proxy variables must not send calls to a local Bot API server through a proxy.
        local = is_loopback(settings.telegram.base_url)
        request_kwargs: dict[str, Any] = {"httpx_kwargs": {"trust_env": not local}}
        builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder()
            .token(token)
            .base_url(settings.telegram.base_url)
            .base_file_url(settings.telegram.base_file_url)
            # Telegram takes about 30 messages a second from one bot, which a few
            # connections carry; httpcore scans the whole pool on every request,
            # so a large pool only costs CPU (64 connections: a third fewer turns/s).
            .request(HTTPXRequest(connection_pool_size=SEND_CONNECTIONS, **request_kwargs))
            .get_updates_request(HTTPXRequest(read_timeout=40, **request_kwargs))
            .concurrent_updates(64)
        )
        # No PTB Updater: polling is UpdatePoller's (see bot/telegram/polling.py).
        builder = builder.updater(None)
        self.app: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.direct = DirectSender(self.app.bot, metrics)
        self.app.add_handler(CallbackQueryHandler(self._on_callback))
        self.app.add_handler(MessageHandler(filters.COMMAND, self._on_command))
        attachments = filters.PHOTO | filters.VIDEO | filters.Document.ALL | filters.VOICE
        self.app.add_handler(MessageHandler(attachments, self._on_file))
        self.app.add_handler(MessageHandler(filters.TEXT, self._on_text))
        self.app.add_error_handler(self._on_error)

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self, *, poll_timeout: float = 30.0) -> None:
        await self.app.initialize()
        await self.app.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS])
        if self.webhook:
            secret = self.settings.secrets.telegram_webhook_secret
            await self.app.bot.set_webhook(
                self.settings.telegram.webhook_url,
                secret_token=secret.get_secret_value() if secret else None,
                allowed_updates=list(ALLOWED_UPDATES),
            )
        else:
            # A webhook left behind by an earlier run would refuse getUpdates (409).
            await self.app.bot.delete_webhook()
        await self.app.start()
        if not self.webhook:
            self._poller = UpdatePoller(
                self.app.bot,
                self.settle_update,
                timeout=poll_timeout,
                allowed_updates=ALLOWED_UPDATES,
                on_error=self._polling_error,
            )
            self._poller.start()

    async def stop(self) -> None:
        if self._poller is not None:
            await self._poller.stop()
            self._poller = None
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    def _polling_error(self, error: TelegramError) -> None:
        # Polling goes on with back-off; network trouble must not stop the bot.
        if isinstance(error, Conflict):
            log.error(
                "another process is polling this bot token (409 Conflict): Telegram allows one "
                "poller per token; stop the other one, or run several instances in webhook mode"
            )
            return
        log.warning("telegram polling error: %s", error.__class__.__name__)

    async def process_webhook(self, body: dict[str, Any]) -> None:
        """Handle one update POSTed to /telegram; returns once it is settled.
        Raises UpdateNotStoredError when it could not be stored: the webhook then
        answers 503 and Telegram sends it again.
        """
        if not await self.settle_update(body, WEBHOOK_RETRY_DELAYS):
            raise UpdateNotStoredError(f"telegram update {body.get('update_id')} not stored")

    async def settle_update(
        self, body: dict[str, Any], retry_delays: tuple[float, ...] | None = None
    ) -> bool:
        """Handle one raw update. True once it is settled: handled, or skipped
        for good because it cannot be handled (an impossible shape, a bug);
        False when it could not be stored for now and must come again.
        """
        problem = update_problem(body)
        if problem is not None:
            log_once(problem)
            return True
        try:
            update = Update.de_json(body, self.app.bot)
        except Exception as err:
            # Skipped, said once per kind: sent again it would fail again.
            log_once(f"python-telegram-bot cannot read it ({type(err).__name__})")
            return True
        settling = _Settling(RETRY_DELAYS if retry_delays is None else retry_delays)
        token = _SETTLING.set(settling)
        try:
            await self.app.process_update(update)
        except Exception:
            log.exception("telegram update %s could not be processed", update.update_id)
        finally:
            _SETTLING.reset(token)
        return settling.stored

    # -- inbound ----------------------------------------------------------------------------

    def _base(self, update: Update) -> dict[str, Any] | None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or user.is_bot:
            return None
        return {
            "channel": CHANNEL,
            "user_id": str(user.id),
            "chat_id": str(chat.id),
            # Telegram's JSON may carry lone surrogates ("\ud800") in names and texts;
            # no database takes them, so every message of that user would fail.
            "display_name": clean(user.full_name),
            "language": clean(user.language_code) if user.language_code else None,
            "at": self.clock.now(),
            "delivery_id": str(update.update_id),
        }

    async def _on_text(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        base = self._base(update)
        if base is None or update.message is None:
            return
        await self._handle(Inbound(**base, text=clean(update.message.text or "")))

    async def _on_command(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        base = self._base(update)
        if base is None or update.message is None or not update.message.text:
            return
        command = clean(update.message.text).split()[0].lstrip("/").split("@")[0]
        await self._handle(Inbound(**base, command=command))

    async def _on_callback(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        base = self._base(update)
        if query is None or base is None:
            return
        # Answer at once so the client stops its spinner, whatever comes next.
        await self._quietly(query.answer())
        message = query.message
        if message is None or not query.data or len(query.data.encode()) > MAX_CALLBACK_BYTES:
            base["chat_id"] = ""  # not from a chat we sent buttons to: the engine calls it stale
        else:
            base["chat_id"] = str(message.chat.id)
        await self._handle(Inbound(**base, choice=clean(query.data or "")))

    async def _on_file(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        base = self._base(update)
        message = update.message
        if base is None or message is None:
            return
        attachment = await self._download(message)
        caption = clean(message.caption) if message.caption is not None else None
        await self._handle(Inbound(**base, attachment=attachment, text=caption))

    async def _download(self, message: Message) -> Attachment:
        kind, media, name, mime = media_of(message)
        size = media.file_size or 0
        name, mime = clean(name), clean(mime)
        if size > self.max_attachment_bytes:
            return Attachment(kind, name, mime, b"", declared_size=size)
        try:
            file = await media.get_file()
            data = bytes(await file.download_as_bytearray())
        except TelegramError as err:
            log.warning("telegram file download failed: %s", err.__class__.__name__)
            data = b""
        return Attachment(kind, name, mime, data)

    async def _handle(self, event: Inbound) -> None:
        chat_id = int(event.chat_id or event.user_id)
        # A monotonic timer, not the clock: it measures handling time for the metric
        # and must not jump with the wall clock (nor stand still with a test's clock).
        started = time.perf_counter()
        if self.metrics is not None:
            self.metrics.messages_in.labels(CHANNEL).inc()
        settling = _SETTLING.get() or _Settling(RETRY_DELAYS)
        update_id = int(event.delivery_id or 0)
        lang = language_of(event.language, self.engine.settings.default_language)
        key = f"reply:{CHANNEL}:{event.delivery_id}"
        if self.outbox is not None and event.delivery_id is not None:
            # The engine stores the replies with the turn: none lost to a crash between.
            event = replace(event, queue=self.outbox.route(str(chat_id), lang, key))
        async with self._chats.turn(chat_id):
            if self._held.blocks(chat_id, update_id):
                # An earlier update of this chat is waiting to be stored: this one
                # comes again after it.
                settling.stored = False
                return
            result = await self._run_engine(event, settling.retry_delays)
            if result is _NOT_STORED:
                settling.stored = False
                self._held.hold(chat_id, update_id)
                return
            self._held.release(chat_id, update_id)
            if result is None:
                await self.send(
                    chat_id, [Reply(t(lang, "error"))], key=f"{key}:error", language=lang
                )
                return
            assert isinstance(result, HandleResult)
            if result.queued and self.outbox is not None:
                self.outbox.wake()
            else:
                await self.send(chat_id, result.replies, key=key, language=lang)
        if self.metrics is not None:
            self.metrics.handler_seconds.labels(CHANNEL).observe(time.perf_counter() - started)
        if self.agents is not None and result.events:
            await self.agents.announce(result.events)

    async def _run_engine(
        self, event: Inbound, retry_delays: tuple[float, ...]
    ) -> HandleResult | object | None:
        """The engine's result; None once it failed for good (a bug: the update
        would fail again); _NOT_STORED while the database or the worker stays
        away (the update comes again). A short absence is waited for, and this
        chat's later updates wait their turn meanwhile.
        """
        for delay in (*retry_delays, None):
            try:
                return await self.runner.handle(event)
            except (StorageUnavailableError, WorkerDiedError) as err:
                if delay is None:
                    log.error("conversation engine unavailable; update left for later: %s", err)
                    return _NOT_STORED
                log.warning("conversation engine unavailable (%s); retrying in %.1f s", err, delay)
                await asyncio.sleep(delay)
            except Exception:
                log.exception("conversation engine failed for a telegram update")
                return None
        return None

    # -- outbound -----------------------------------------------------------------------------

    async def deliver(self, outbound: Outbound) -> None:
        """UserNotifier: an agent's replies to the reporter's chat."""
        if outbound.queued:
            # Stored with the agent's reply by the relay; the dispatcher sends them.
            if self.outbox is not None:
                self.outbox.wake()
            return
        # An agent's message has no delivery id: each one is new.
        key = f"relay:{CHANNEL}:{outbound.ref}:{uuid.uuid4().hex}"
        await self.send(outbound.chat_id, outbound.replies, key=key)

    async def send(
        self,
        chat_id: int | str,
        replies: Sequence[Reply],
        *,
        key: str,
        language: str | None = None,
    ) -> None:
        """Replies to a chat: stored in the outbox when the runtime gave one (it
        sends them, retrying, in order), else sent at once. `key` names the
        turn, so that the replies of a redelivered update are stored once.
        """
        if self.outbox is None:
            await self.direct.send(chat_id, replies)
            return
        queued: list[Reply] = []
        for reply in replies:
            if reply.attachment is not None:
                # File bytes stay out of the queue table (docs/outbox.md): the
                # file goes now, its text through the queue.
                await self.direct.send_file(chat_id, reply.attachment)
                reply = replace(reply, attachment=None)
            queued.append(reply)
        if not queued:
            return
        lang = language or self.engine.settings.default_language
        if not await self.outbox.put(str(chat_id), lang, queued, key):
            await self.direct.send(chat_id, queued)

    @staticmethod
    async def _quietly(call: Any) -> None:
        try:
            await call
        except TelegramError as err:
            log.info("telegram call failed: %s", err.__class__.__name__)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram handler error: %r", context.error)
