"""Masking of finance fields for anyone who is not a finance agent."""

from __future__ import annotations

from typing import Any

from core.diagnostics import FINANCE_FIELDS


def mask_value(value: object) -> str:
    text = str(value)
    if len(text) <= 4:
        return "****"
    return "*" * (len(text) - 4) + text[-4:]


def mask_diagnostics(data: dict[str, Any], *, finance_viewer: bool) -> dict[str, Any]:
    if finance_viewer:
        return dict(data)
    return {
        k: ("***" if k == "amount" else mask_value(v)) if k in FINANCE_FIELDS else v
        for k, v in data.items()
    }
