"""The labelled examples shipped with the classifier (core/triage/data)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from core.taxonomy import SUBTYPES, Scope


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    subtype: str
    scope: Scope
    lang: str


def parse_examples(lines: list[str]) -> tuple[Example, ...]:
    out: list[Example] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["subtype"] not in SUBTYPES:
            raise ValueError(f"example line {number}: unknown subtype {row['subtype']!r}")
        out.append(Example(row["text"], row["subtype"], Scope(row["scope"]), row.get("lang", "")))
    return tuple(out)


# The first set covers every subtype; the others add scope phrasings,
# complaints about support or suggestions that name a fault, six personas'
# voices, outage reports where "one user or many" is the hard part, and near
# misses between subtypes.
EXAMPLE_FILES = (
    "examples.jsonl",
    "examples_scope.jsonl",
    "examples_probes.jsonl",
    "examples_voices.jsonl",
    "examples_outages.jsonl",
    "examples_general.jsonl",
)


@lru_cache(maxsize=1)
def bundled_examples() -> tuple[Example, ...]:
    data = resources.files("core.triage").joinpath("data")
    lines = [
        line
        for name in EXAMPLE_FILES
        for line in data.joinpath(name).read_text("utf-8").splitlines()
    ]
    return parse_examples(lines)
