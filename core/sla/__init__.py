"""Service-level rules: business calendar, clocks and the paging chain. Pure, no I/O."""

from core.sla.calendar import BusinessCalendar
from core.sla.chain import (
    ChainLevel,
    EscalationChain,
    Page,
    next_page,
    page_schedule,
    pages_before,
)
from core.sla.rules import (
    Clock,
    Pause,
    SlaPolicy,
    due_at,
    elapsed,
    first_response_clock,
    fraction_used,
    moment_at,
    next_tier,
    recomputed_for_priority,
    resolution_clock,
    warnings,
)

__all__ = [
    "BusinessCalendar",
    "ChainLevel",
    "Clock",
    "EscalationChain",
    "Page",
    "Pause",
    "SlaPolicy",
    "due_at",
    "elapsed",
    "first_response_clock",
    "fraction_used",
    "moment_at",
    "next_page",
    "next_tier",
    "page_schedule",
    "pages_before",
    "recomputed_for_priority",
    "resolution_clock",
    "warnings",
]
