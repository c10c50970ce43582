"""Masking of finance fields for anyone who is not a finance agent."""

from __future__ import annotations

import unicodedata
from typing import Any

from core.diagnostics import FINANCE_FIELDS
from core.triage.extract import finance_spans


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
    text = _mask_spans(text)
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


def _mask_spans(text: str) -> str:
    """Amounts, order and card numbers and payment channels the words state,
    whether or not the extractor kept them as fields (it keeps one of each).
    """
    # The patterns read NFKC text (full-width digits, ￥); the spans are mapped
    # back so that everything else keeps the user's own characters.
    pieces = [unicodedata.normalize("NFKC", ch) for ch in text]
    origin = [i for i, piece in enumerate(pieces) for _ in piece]
    found = finance_spans("".join(pieces))
    spans = sorted(
        ((origin[a], origin[b - 1] + 1, kind) for a, b, kind in found if b > a),
        key=lambda span: (span[0], -span[1]),
    )
    out, at = [], 0
    for start, end, kind in spans:
        if start < at:
            continue  # inside a span already masked
        out.append(text[at:start])
        out.append(mask_value(text[start:end]) if kind == "id" else "***")
        at = end
    out.append(text[at:])
    return "".join(out)
