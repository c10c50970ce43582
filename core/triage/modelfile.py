"""The model file's content: trained weights packed as int16 columns, and the
self-check recorded in it (the shipped model's own predictions on its
training examples, which a test compares after every load).
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from array import array
from collections.abc import Sequence
from typing import Any

from core.text import normalize
from core.triage.examples import Example
from core.triage.linear import FORMAT, LinearModel
from core.triage.typos import fix_typos


def pack(
    labels: list[str],
    vocab: list[str],
    columns: list[list[float]],
    bias: list[float],
    temperature: float,
    scope_temperature: float,
) -> dict[str, Any]:
    width = len(labels) + 1
    scales = []
    for j in range(width):
        top = max((abs(row[j]) for row in columns), default=0.0)
        # Rounded so that the scale itself prints the same everywhere.
        scales.append(float(f"{(top or 1.0) / 32767:.9e}"))
    weights = array("h", [round(row[j] / scales[j]) for row in columns for j in range(width)])
    if sys.byteorder != "little":
        weights.byteswap()
    return {
        "format": FORMAT,
        "labels": labels,
        "vocab": vocab,
        "scales": scales,
        "bias": [round(b, 9) for b in bias],
        "temperature": temperature,
        "scope_temperature": scope_temperature,
        "weights": base64.b64encode(weights.tobytes()).decode("ascii"),
    }


def predictions_hash(model: LinearModel, examples: Sequence[Example]) -> tuple[str, float]:
    """Digest of the shipped model's own top label per example, and its accuracy."""
    digest = hashlib.sha256()
    right = 0
    for e in examples:
        probs = model.predict(fix_typos(normalize(e.text))).labels
        top = max(sorted(probs), key=probs.__getitem__)
        digest.update(top.encode() + b"\n")
        right += top == e.subtype
    return digest.hexdigest(), right / len(examples)


def self_check(raw: dict[str, Any], examples: Sequence[Example]) -> dict[str, Any]:
    model = LinearModel.from_json(raw)
    digest, accuracy = predictions_hash(model, examples)
    return {"predictions_sha256": digest, "training_accuracy": round(accuracy, 4)}


def dumps(raw: dict[str, Any]) -> str:
    return json.dumps(raw, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
