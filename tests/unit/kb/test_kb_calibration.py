"""The relevance cutoff, checked on the hand-written calibration messages
(tests/unit/kb/data/calibration.jsonl; see docs/kb-matching.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb.evaluate import evaluate
from kb.loader import load_articles
from kb.matcher import Matcher
from kb.memory_feedback import MemoryFeedbackStore
from tests.unit.kb.kb_helpers import DATA, FIXTURE_ARTICLES

CALIBRATION = DATA / "calibration.jsonl"


def test_the_calibration_file_has_every_subtype_in_both_languages_and_unrelated_text() -> None:
    rows = [json.loads(line) for line in CALIBRATION.read_text(encoding="utf-8").splitlines()]
    subtypes = {r["subtype"] for r in rows if r["subtype"]}
    assert len(subtypes) == 24
    assert sum(1 for r in rows if r["subtype"] is None) >= 20
    assert any(not r["text"].isascii() for r in rows)
    assert any(r["text"].isascii() for r in rows if r["subtype"])


@pytest.mark.parametrize("directory", [FIXTURE_ARTICLES, None], ids=["fixtures", "real"])
def test_the_cutoff_separates_relevant_from_unrelated_messages(directory: Path | None) -> None:
    matcher = Matcher(load_articles(directory), MemoryFeedbackStore())
    with CALIBRATION.open(encoding="utf-8") as lines:
        report = evaluate(matcher, lines)
    assert report.other_answered == 0
    assert report.empty_answers <= 1
    assert report.top1 >= 0.9
    assert report.top3 >= 0.95
    assert report.info_with_fix == 0
