"""Neutral chat types: what adapters hand to the engine and get back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Attachment:
    kind: str  # "photo", "video", "document" or "voice"
    file_name: str
    mime: str
    data: bytes
    # The size the platform announced; set when the file was too large to fetch.
    declared_size: int | None = None
    # Where the attachment store keeps the bytes (agents' files to users): a
    # reply in the outbox carries this path, never the bytes, and the sender
    # reads them back. `data` is empty in a reply read from the outbox.
    stored: str | None = None

    @property
    def size(self) -> int:
        return max(len(self.data), self.declared_size or 0)


@dataclass(frozen=True, slots=True)
class ReplyQueue:
    """Where the engine stores a turn's replies, in the turn's own transaction:
    the outbox rows keyed `<key>:<n>` for `chat_id`. A crash after the commit
    then delays the replies (the dispatcher sends them) instead of losing them.
    """

    key: str
    chat_id: str
    language: str
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Inbound:
    """One thing a user did: a message, a button press, a command or a file."""

    channel: str
    user_id: str
    chat_id: str
    at: datetime
    display_name: str = ""
    language: str | None = None  # the client's language code, if it says
    text: str | None = None
    choice: str | None = None  # the id of a pressed button
    command: str | None = None  # "start", "new", "status"...: core.conversation.commands
    attachment: Attachment | None = None
    delivery_id: str | None = None  # for deduplication of redelivered updates
    # Set by an adapter that sends through the outbox; None: replies are returned only.
    queue: ReplyQueue | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    id: str  # at most 64 bytes: it travels as Telegram callback data
    label: str


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    choices: tuple[Choice, ...] = ()
    request_file: bool = False
    attachment: Attachment | None = None  # a file to send with the text (agents' files)


@dataclass(frozen=True, slots=True)
class TicketCreated:
    ref: str


@dataclass(frozen=True, slots=True)
class UserAddedToTicket:
    ref: str
    message_id: int


@dataclass(frozen=True, slots=True)
class SelfServiceResolved:
    subtype: str
    article_id: str


@dataclass(frozen=True, slots=True)
class ArticlesOffered:
    subtype: str
    article_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TicketChanged:
    """The user changed a ticket: "confirmed", "reopened", "rated", "commented",
    "user_answered". Agents' views of the ticket need refreshing.
    """

    ref: str
    what: str


DomainEvent = (
    TicketCreated | UserAddedToTicket | SelfServiceResolved | TicketChanged | ArticlesOffered
)


@dataclass(frozen=True, slots=True)
class HandleResult:
    replies: list[Reply] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)
    duplicate: bool = False
    queued: bool = False  # the replies are in the outbox already (Inbound.queue)
