"""The structured diagnostic details a ticket carries.

Triage extracts them from free text; the conversation asks for what is
missing; agents read them on the ticket card.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

# Fields that are personal or financial and must be masked for non-finance staff.
FINANCE_FIELDS = frozenset({"order_id", "amount", "currency", "payment_channel"})
# The extras key where the conversation notes what the knowledge-base search gave:
# "offered" (articles were proposed) or "none_found"; absent when it was skipped.
KB_SEARCH = "kb_search"


@dataclass(frozen=True, slots=True)
class Diagnostics:
    occurred_at: datetime | None = None
    device_model: str | None = None
    os: str | None = None
    os_version: str | None = None
    app_version: str | None = None
    network: str | None = None
    room_id: str | None = None
    steps: str | None = None
    order_id: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    payment_channel: str | None = None
    account_id: str | None = None
    extras: dict[str, str] = field(default_factory=dict)

    def merged(self, newer: Diagnostics) -> Diagnostics:
        """Values from `newer` win where it has one; extras are combined."""
        changes: dict[str, Any] = {
            f.name: getattr(newer, f.name)
            for f in fields(self)
            if f.name != "extras" and getattr(newer, f.name) is not None
        }
        changes["extras"] = {**self.extras, **newer.extras}
        return replace(self, **changes)

    def known(self) -> set[str]:
        return {
            f.name for f in fields(self) if f.name != "extras" and getattr(self, f.name) is not None
        }

    def to_json(self) -> dict[str, Any]:
        """JSON-safe dict without empty fields."""
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if value is None or value == {}:
                continue
            if isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value)
            out[key] = value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Diagnostics:
        kwargs: dict[str, Any] = {}
        names = {f.name for f in fields(cls)}
        for key, value in data.items():
            if key not in names or value is None:
                continue
            if key == "occurred_at":
                value = datetime.fromisoformat(value)
            elif key == "amount":
                value = Decimal(value)
            elif key == "extras":
                value = dict(value)
            kwargs[key] = value
        return cls(**kwargs)
