"""Builders for test data."""

from __future__ import annotations

from decimal import Decimal

from core.diagnostics import Diagnostics
from core.taxonomy import Scope
from core.tickets import TicketDraft


def draft(
    subtype: str = "av.stutter", scope: Scope = Scope.SINGLE, **overrides: object
) -> TicketDraft:
    values: dict[str, object] = {
        "channel": "telegram",
        "external_user_id": "42",
        "chat_id": "42",
        "display_name": "Lin",
        "language": "zh",
        "subtype": subtype,
        "scope": scope,
        "summary": "直播一直卡顿",
        "confidence": 0.9,
        "diagnostics": Diagnostics(network="wifi", device_model="iPhone 13"),
    }
    values.update(overrides)
    return TicketDraft(**values)  # type: ignore[arg-type]


def finance_draft() -> TicketDraft:
    return draft(
        "fin.recharge",
        summary="充值648没到账",
        diagnostics=Diagnostics(order_id="ORD20261125001", amount=Decimal("648"), currency="CNY"),
    )
