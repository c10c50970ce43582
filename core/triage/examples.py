"""The labelled examples shipped with the classifier (core/triage/data/*.jsonl).

Every `.jsonl` file there is training material, so a new file dropped in is
picked up by the next `livedesk triage train`. Records are either labelled
complaints ({"text", "subtype", "scope", "lang"}, optionally "hard" and
"second_subtype") or vague messages ({"text", "vague": true, "lang"}) that do
not say what is wrong; those train the vagueness signal, not the subtype.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from core.taxonomy import SUBTYPES, Scope

# The label vague records train; never a subtype a verdict reports.
VAGUE = "vague"


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    subtype: str  # a taxonomy id, or VAGUE
    scope: Scope
    lang: str
    hard: bool = False
    second_subtype: str | None = None

    @property
    def vague(self) -> bool:
        return self.subtype == VAGUE


def _subtype(value: object, where: str) -> str:
    if not isinstance(value, str) or value not in SUBTYPES:
        raise ValueError(f"{where}: unknown subtype {value!r}")
    return value


def parse_example(row: object, where: str) -> Example:
    """One record; `where` names it in errors ("examples.jsonl line 3")."""
    if not isinstance(row, dict):
        raise ValueError(f"{where}: not a JSON object")
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{where}: 'text' must be a non-empty string")
    lang = str(row.get("lang", ""))
    if row.get("vague") is True:
        return Example(text, VAGUE, Scope.SINGLE, lang)
    second = row.get("second_subtype")
    try:
        scope = Scope(row.get("scope", Scope.SINGLE))
    except ValueError:
        raise ValueError(f"{where}: unknown scope {row.get('scope')!r}") from None
    return Example(
        text=text,
        subtype=_subtype(row.get("subtype"), where),
        scope=scope,
        lang=lang,
        hard=row.get("hard") is True,
        second_subtype=None if second is None else _subtype(second, where),
    )


def parse_examples(lines: list[str], source: str = "example") -> tuple[Example, ...]:
    out: list[Example] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{source} line {number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}: not JSON ({exc.msg})") from None
        out.append(parse_example(row, where))
    return tuple(out)


def example_files() -> list[str]:
    """Names of the bundled example files, sorted so training order is stable."""
    data = resources.files("core.triage").joinpath("data")
    return sorted(p.name for p in data.iterdir() if p.name.endswith(".jsonl"))


def example_lines() -> list[tuple[str, list[str]]]:
    data = resources.files("core.triage").joinpath("data")
    return [(name, data.joinpath(name).read_text("utf-8").splitlines()) for name in example_files()]


@lru_cache(maxsize=1)
def bundled_examples() -> tuple[Example, ...]:
    """All bundled records, vague ones included."""
    return tuple(e for name, lines in example_lines() for e in parse_examples(lines, name))


def labelled_examples() -> tuple[Example, ...]:
    """The bundled records that carry a subtype."""
    return tuple(e for e in bundled_examples() if not e.vague)
