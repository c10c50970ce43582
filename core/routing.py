"""Support tiers: who answers first, and where an escalation goes next."""

from __future__ import annotations

TIER_ORDER = ("l1", "l2", "lead")


def next_tier(tier: str) -> str:
    """One tier up; the top tier stays where it is."""
    if tier not in TIER_ORDER:
        return TIER_ORDER[-1]
    return TIER_ORDER[min(TIER_ORDER.index(tier) + 1, len(TIER_ORDER) - 1)]
