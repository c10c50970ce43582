"""The example loader: optional fields, vague records, clear errors."""

from __future__ import annotations

import json

import pytest

from core.taxonomy import Scope
from core.triage.examples import VAGUE, example_files, parse_examples


def _lines(*rows: object) -> list[str]:
    return [json.dumps(r, ensure_ascii=False) for r in rows]


def test_optional_fields_and_vague_records_are_read() -> None:
    hard, vague = parse_examples(
        _lines(
            {
                "text": "充值没到账，直播还卡",
                "subtype": "fin.recharge",
                "scope": "single",
                "lang": "zh",
                "hard": True,
                "second_subtype": "av.stutter",
            },
            {"text": "it doesn't work", "vague": True, "lang": "en"},
        )
    )
    assert hard.hard and hard.second_subtype == "av.stutter" and not hard.vague
    assert vague.vague and vague.subtype == VAGUE and vague.scope is Scope.SINGLE


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"text": "x", "subtype": "nope", "scope": "single"}, "unknown subtype 'nope'"),
        ({"text": "x", "subtype": "av.blur", "scope": "all"}, "unknown scope 'all'"),
        ({"text": "", "subtype": "av.blur"}, "'text' must be a non-empty string"),
        (
            {"text": "x", "subtype": "av.blur", "second_subtype": "nope"},
            "unknown subtype 'nope'",
        ),
        (["not", "an", "object"], "not a JSON object"),
    ],
)
def test_bad_records_name_the_file_and_line(row: object, message: str) -> None:
    with pytest.raises(ValueError, match=f"f.jsonl line 2: {message}"):
        parse_examples(["", json.dumps(row)], "f.jsonl")


def test_every_jsonl_file_in_the_data_folder_is_training_material() -> None:
    files = example_files()
    assert files == sorted(files)
    assert "examples.jsonl" in files and "examples_vague_seed.jsonl" in files
