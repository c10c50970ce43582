"""The conversation engine: one flow for every chat channel."""

from core.conversation.engine import ConversationEngine, IntakeSettings
from core.conversation.messages import (
    ArticlesOffered,
    Attachment,
    Choice,
    HandleResult,
    Inbound,
    Reply,
    SelfServiceResolved,
    TicketChanged,
    TicketCreated,
    UserAddedToTicket,
)

__all__ = [
    "ArticlesOffered",
    "Attachment",
    "Choice",
    "ConversationEngine",
    "HandleResult",
    "Inbound",
    "IntakeSettings",
    "Reply",
    "SelfServiceResolved",
    "TicketChanged",
    "TicketCreated",
    "UserAddedToTicket",
]
