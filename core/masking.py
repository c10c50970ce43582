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


def mask_text(text: str, diagnostics: dict[str, Any], *, finance_viewer: bool) -> str:
    """The user's own words with the finance values they contain masked: order
    ids and amounts appear in the words as well as in the fields.
    """
    if finance_viewer:
        return text
    for key in sorted(FINANCE_FIELDS):
        value = diagnostics.get(key)
        if value is None:
            continue
        raw = str(value)
        shown = "***" if key == "amount" else mask_value(raw)
        candidates = {raw, raw.removesuffix(".00"), raw.split(".")[0] if key == "amount" else raw}
        for candidate in sorted(candidates, key=len, reverse=True):
            if len(candidate) >= 2:
                text = text.replace(candidate, shown)
    return text
