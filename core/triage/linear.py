"""Run-time side of the learned triage models: load a model file, score a message.

Pure Python on purpose: the weights are a flat int16 array and a message only
touches the rows of its own features (about 150), so summing those rows costs
less than converting them to numpy would, and no numerical library is loaded.
Training (`core.triage.train`, scikit-learn) writes the file; nothing here
imports it.
"""

from __future__ import annotations

import base64
import json
import math
import sys
from array import array
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from core.triage.features import features

FORMAT = 1
# The scope head is one extra column after the subtype labels.
WIDESPREAD = "scope:widespread"


class ModelFileError(ValueError):
    """A model file that is missing, unreadable or not in this format."""


@dataclass(frozen=True, slots=True)
class Scores:
    """Calibrated probabilities for one message."""

    labels: dict[str, float]  # subtype (and "vague") -> probability, summing to 1
    widespread: float  # probability that many users are affected


@dataclass(frozen=True, slots=True)
class LinearModel:
    labels: tuple[str, ...]
    rows: dict[str, int]
    # Row-major (feature x column) int16 weights; a column's real weight is
    # the stored integer times `scales[column]`. A flat array keeps the
    # garbage collector away from thousands of small containers.
    weights: array[int]
    scales: tuple[float, ...]
    bias: tuple[float, ...]
    temperature: float
    scope_temperature: float
    training: dict[str, Any]
    # The widespread probability from which a report counts as widespread,
    # chosen by cross-validation (files from before it was recorded: 0.5).
    widespread_at: float = 0.5
    # The service-or-suggestion probability from which a fault verdict asks the
    # user to pick the type rather than offer fix steps. Older files: never.
    info_ask_at: float = 1.01
    # The probability of the subtypes that can be P0 from which a widespread
    # verdict whose own subtype cannot asks the user to pick the type, so that
    # an outage is not filed as P1 on a misread subtype. Older files: never.
    urgent_ask_at: float = 1.01

    @property
    def width(self) -> int:
        return len(self.labels) + 1

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> LinearModel:
        try:
            if raw["format"] != FORMAT:
                raise ModelFileError(f"model format {raw['format']!r}, expected {FORMAT}")
            labels = tuple(raw["labels"])
            vocab = raw["vocab"]
            weights = array("h")
            weights.frombytes(base64.b64decode(raw["weights"]))
            if sys.byteorder != "little":
                weights.byteswap()
            model = cls(
                labels=labels,
                rows={feature: i for i, feature in enumerate(vocab)},
                weights=weights,
                scales=tuple(float(s) for s in raw["scales"]),
                bias=tuple(float(b) for b in raw["bias"]),
                temperature=float(raw["temperature"]),
                scope_temperature=float(raw["scope_temperature"]),
                training=dict(raw.get("training", {})),
                widespread_at=float(raw.get("widespread_at", 0.5)),
                info_ask_at=float(raw.get("info_ask_at", 1.01)),
                urgent_ask_at=float(raw.get("urgent_ask_at", 1.01)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ModelFileError):
                raise
            raise ModelFileError(f"not a triage model file: {exc!r}") from None
        width = model.width
        if len(model.scales) != width or len(model.bias) != width:
            raise ModelFileError("model file: scales or bias do not match the labels")
        if len(weights) != len(vocab) * width:
            raise ModelFileError("model file: weight matrix does not match the vocabulary")
        return model

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        try:
            raw = json.loads(path.read_text("utf-8"))
        except OSError as exc:
            raise ModelFileError(f"cannot read model file {path}: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise ModelFileError(f"model file {path} is not JSON: {exc.msg}") from None
        if not isinstance(raw, dict):
            raise ModelFileError(f"model file {path} is not a JSON object")
        return cls.from_json(raw)

    def raw_scores(self, normalized: str) -> list[float]:
        """Linear scores per column (labels, then the scope head), uncalibrated."""
        width, weights, get = self.width, self.weights, self.rows.get
        starts = [row * width for row in map(get, features(normalized)) if row is not None]
        if not starts:
            return list(self.bias)
        sums = map(sum, zip(*(weights[s : s + width] for s in starts), strict=True))
        # Binary features scaled to unit length, as in training.
        norm = 1.0 / math.sqrt(len(starts))
        return [
            b + total * scale * norm
            for b, total, scale in zip(self.bias, sums, self.scales, strict=True)
        ]

    def predict(self, normalized: str) -> Scores:
        raw = self.raw_scores(normalized)
        return Scores(
            labels=dict(zip(self.labels, softmax(raw[:-1], self.temperature), strict=True)),
            widespread=sigmoid(raw[-1] / self.scope_temperature),
        )


def softmax(scores: list[float], temperature: float) -> list[float]:
    top = max(scores)
    exps = [math.exp((s - top) / temperature) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def shipped_model_path() -> Path:
    return Path(str(resources.files("core.triage").joinpath("model", "subtype.json")))


@lru_cache(maxsize=4)
def load_model(path: Path) -> LinearModel:
    return LinearModel.load(path)
