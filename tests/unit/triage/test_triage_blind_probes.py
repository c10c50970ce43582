"""A held-out check on phrasings nobody tuned on.

`data/probes_blind13.jsonl` (200 messages, 48 of them P0) was written by
someone who saw neither the lexicon, the training files nor the evaluation
file, from the taxonomy's own definitions. Do not tune on it: when a change
needs it, write a new blind set and move this one into `core/triage/data` as
training material (as was done with the eleven sets before it, now in
`examples_probes.jsonl`). Two of its texts had also been in the training
files; they were removed from there. The floors sit a little under what the
learned model measured (subtype 99.5%, scope 99.0%, P0 recall 47 of 48, no
false P0; the phrase rules before it: 97.0%, 96.0%, 42 of 48, none).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from core.taxonomy import Priority, priority_for
from core.triage import classify
from core.triage.examples import parse_examples

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PROBES = Path(__file__).parent / "data" / "probes_blind13.jsonl"


def test_unseen_phrasings_keep_their_measured_accuracy() -> None:
    probes = parse_examples(PROBES.read_text(encoding="utf-8").splitlines())
    verdicts = [classify(p.text, NOW) for p in probes]
    pairs = list(zip(probes, verdicts, strict=True))
    subtype = sum(v.subtype == p.subtype for p, v in pairs) / len(pairs)
    scope = sum(v.scope == p.scope for p, v in pairs) / len(pairs)
    p0 = [(p, v) for p, v in pairs if priority_for(p.subtype, p.scope) is Priority.P0]
    recall = sum(v.priority is Priority.P0 for _, v in p0) / len(p0)
    false_p0 = sum(
        v.priority is Priority.P0 and priority_for(p.subtype, p.scope) is not Priority.P0
        for p, v in pairs
    )
    assert len(probes) == 200
    assert subtype >= 0.97
    assert scope >= 0.96
    assert recall >= 0.9
    assert false_p0 <= 1


def test_no_sound_and_black_screen_reports_get_their_scope() -> None:
    """100 no-sound / black-screen reports written for the scope rules (60 from
    many users). Kept out of training: two subtypes only would skew the
    model's priors. Measured 96% with the phrase rules written for these very
    reports, 88% with the first learned scope, 81% once the real-style examples
    joined the training data (16 of the 60 many-user reports read as one user's;
    the conversation then asks whether others are affected, and a surge of them
    opens an incident).
    """
    path = Path(__file__).parent / "data" / "scope_audio.jsonl"
    reports = parse_examples(path.read_text(encoding="utf-8").splitlines())
    scope = sum(classify(r.text, NOW).scope == r.scope for r in reports) / len(reports)
    assert scope >= 0.80
