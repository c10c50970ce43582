"""What a new ticket is made from, its reference, and the shared ticket vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.diagnostics import Diagnostics
from core.storage.tables import TicketRow
from core.taxonomy import Category, Priority, Scope

REF_PREFIX = "LD-"
REF_OFFSET = 1000

CAUSE_CLASSES = (
    "client_network",
    "device_or_os",
    "app_bug",
    "server_or_cdn",
    "payment_provider",
    "user_error",
    "other",
)


@dataclass(frozen=True, slots=True)
class TicketDraft:
    """What the conversation hands over once the user confirmed the report."""

    channel: str
    external_user_id: str
    chat_id: str
    display_name: str
    language: str
    subtype: str
    scope: Scope
    summary: str
    confidence: float = 0.0
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    cues: tuple[str, ...] = ()
    kb_tried: tuple[str, ...] = ()
    priority: Priority | None = None  # None: computed by the taxonomy rule


def ref_for(ticket_id: int) -> str:
    return f"{REF_PREFIX}{REF_OFFSET + ticket_id}"


def is_finance(ticket: TicketRow) -> bool:
    return ticket.category == Category.FINANCE.value
