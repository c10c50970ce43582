"""The Telegram adapter: python-telegram-bot updates in, the engine's replies out.

It only translates: an update becomes a neutral `Inbound`, the engine decides,
and each `Reply` is rendered as messages with inline keyboards. The engine runs
in a worker thread so database commits never stall the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
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
from bot.net import is_loopback
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
MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
SEND_ATTEMPTS = 4
SEND_CONNECTIONS = 8
# Seconds between attempts while the database or the conversation worker is
# away: about 15 s in all before the user is told to send the message again.
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)
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


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most `limit` characters, cut at line breaks where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= limit // 2:
            cut = limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    pieces.append(text)
    return pieces


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    rows = [
        [InlineKeyboardButton(c.label[:64], callback_data=c.id)]
        for c in reply.choices
        if len(c.id.encode()) <= MAX_CALLBACK_BYTES
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def _seconds(retry_after: int | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


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
        self._chats = _ChatQueues()
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
        if self.webhook:
            builder = builder.updater(None)
        self.app: Application[Any, Any, Any, Any, Any, Any] = builder.build()
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
                allowed_updates=["message", "callback_query"],
            )
        await self.app.start()
        if not self.webhook:
            assert self.app.updater is not None
            await self.app.updater.start_polling(
                poll_interval=0,
                timeout=timedelta(seconds=poll_timeout),
                allowed_updates=["message", "callback_query"],
                error_callback=self._polling_error,
            )

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    def _polling_error(self, error: TelegramError) -> None:
        # PTB keeps polling with back-off; network trouble must not stop the bot.
        if isinstance(error, Conflict):
            log.error(
                "another process is polling this bot token (409 Conflict): Telegram allows one "
                "poller per token; stop the other one, or run several instances in webhook mode"
            )
            return
        log.warning("telegram polling error: %s", error.__class__.__name__)

    async def process_webhook(self, body: dict[str, Any]) -> None:
        """Handle one update POSTed to /telegram; returns once it is handled."""
        update = Update.de_json(body, self.app.bot)
        await self.app.process_update(update)

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
        kind, media, name, mime = _media_of(message)
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
        async with self._chats.turn(chat_id):
            result = await self._run_engine(event)
            if result is None:
                lang = language_of(event.language, self.engine.settings.default_language)
                await self.send(chat_id, [Reply(t(lang, "error"))])
                return
            await self.send(chat_id, result.replies)
        if self.metrics is not None:
            self.metrics.handler_seconds.labels(CHANNEL).observe(time.perf_counter() - started)
        if self.agents is not None and result.events:
            await self.agents.announce(result.events)

    async def _run_engine(self, event: Inbound) -> HandleResult | None:
        """The engine's result; None once it failed for good. A database or
        worker that is briefly away is waited for, so the update is not lost:
        in polling mode Telegram will not send it again, and this chat's later
        updates wait their turn meanwhile.
        """
        for delay in (*RETRY_DELAYS, None):
            try:
                return await self.runner.handle(event)
            except (StorageUnavailableError, WorkerDiedError) as err:
                if delay is None:
                    log.error("conversation engine unavailable; update given up: %s", err)
                    return None
                log.warning("conversation engine unavailable (%s); retrying in %.1f s", err, delay)
                await asyncio.sleep(delay)
            except Exception:
                log.exception("conversation engine failed for a telegram update")
                return None
        return None

    # -- outbound -----------------------------------------------------------------------------

    async def deliver(self, outbound: Outbound) -> None:
        """UserNotifier: an agent's replies to the reporter's chat."""
        await self.send(outbound.chat_id, outbound.replies)

    async def send(self, chat_id: int | str, replies: Sequence[Reply]) -> None:
        for reply in replies:
            if reply.attachment is not None:
                document = InputFile(reply.attachment.data, filename=reply.attachment.file_name)
                send_file = partial(self.app.bot.send_document, chat_id, document)
                await self._with_retries(send_file)
            pieces = split_text(reply.text)
            for i, piece in enumerate(pieces):
                markup = keyboard(reply) if i == len(pieces) - 1 else None
                send = partial(self.app.bot.send_message, chat_id, piece, reply_markup=markup)
                await self._with_retries(send)
                if self.metrics is not None:
                    self.metrics.messages_out.labels(CHANNEL).inc()

    async def _with_retries(self, call: Callable[[], Any]) -> None:
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                await call()
                return
            except RetryAfter as err:
                if attempt == SEND_ATTEMPTS:
                    raise
                await asyncio.sleep(_seconds(err.retry_after))
            except (TimedOut, NetworkError) as err:
                if isinstance(err, BadRequest) or attempt == SEND_ATTEMPTS:
                    raise
                await asyncio.sleep(0.2 * 2**attempt)
            except Forbidden:
                log.info("telegram user blocked the bot; reply dropped")
                return

    @staticmethod
    async def _quietly(call: Any) -> None:
        try:
            await call
        except TelegramError as err:
            log.info("telegram call failed: %s", err.__class__.__name__)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram handler error: %r", context.error)


class _ChatQueues:
    """One chat's updates are handled in the order they came; a chat's lock is
    dropped when nothing waits on it, so memory does not grow with every chat
    ever seen.
    """

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, list[int]]] = {}

    @contextlib.asynccontextmanager
    async def turn(self, chat_id: int) -> AsyncIterator[None]:
        lock, users = self._locks.setdefault(chat_id, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[chat_id]

    def __len__(self) -> int:
        return len(self._locks)


def _media_of(message: Message) -> tuple[str, Any, str, str]:
    if message.photo:
        photo = message.photo[-1]  # the largest size
        return "photo", photo, f"photo_{photo.file_unique_id}.jpg", "image/jpeg"
    if message.video:
        v = message.video
        return "video", v, v.file_name or "video.mp4", v.mime_type or "video/mp4"
    if message.voice:
        return "voice", message.voice, "voice.ogg", message.voice.mime_type or "audio/ogg"
    doc = message.document
    assert doc is not None
    return "document", doc, doc.file_name or "file", doc.mime_type or "application/octet-stream"
