"""The ticket workflow: creation, claim, transitions, priority and resolution.

Split by concern (`creation`, `actions`, `followup`, over the shared `base`);
everything callers imported from `core.tickets` is still importable from here.
"""

from __future__ import annotations

from core.tickets.actions import AgentActions
from core.tickets.creation import CreatedTicket, TicketCreation
from core.tickets.drafts import (
    CAUSE_CLASSES,
    REF_OFFSET,
    REF_PREFIX,
    TicketDraft,
    is_finance,
    ref_for,
)
from core.tickets.followup import FollowUp
from core.tickets.reclassify import Reclassification


class TicketService(TicketCreation, AgentActions, Reclassification, FollowUp):
    """Every ticket operation, each in one transaction with its audit event."""


__all__ = [
    "CAUSE_CLASSES",
    "REF_OFFSET",
    "REF_PREFIX",
    "CreatedTicket",
    "TicketDraft",
    "TicketService",
    "is_finance",
    "ref_for",
]
