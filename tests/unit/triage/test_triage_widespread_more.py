"""More ways users say that a failure is everyone's, not theirs alone.

`data/scope_sentences.jsonl` holds 97 sentences written one by one for the
phrase rules that the learned scope replaced (groups, counted people, outside
reports, official notices; the writer's own devices, what support said,
others being fine). They are measured as a set: single sentences are what
training examples teach, not what a test should pin. The floor sits a little
under the measured 88 of 97 (see docs/benchmarks.md).
"""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.taxonomy import Priority, Scope, priority_for
from core.triage import classify

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SENTENCES = Path(__file__).parent / "data" / "scope_sentences.jsonl"


def test_sentences_written_for_the_old_scope_rules_keep_their_measured_scope() -> None:
    import json

    rows = [json.loads(line) for line in SENTENCES.read_text("utf-8").splitlines() if line]
    assert len(rows) == 97
    verdicts = [classify(r["text"], NOW) for r in rows]
    right = sum(str(v.scope) == r["scope"] for r, v in zip(rows, verdicts, strict=True))
    # Priority follows scope through the taxonomy rule, never on its own.
    assert all(v.priority is priority_for(v.subtype, v.scope) or v.vague for v in verdicts)
    assert right >= 85


@pytest.mark.parametrize(
    ("text", "subtype"),
    [
        ("你们客服是不是集体放假了，我们群里十几个人提的工单没一个有回音", "svc.slow_response"),
        ("今晚随便点开几个直播间主播都在骂连麦连不上，我自己也连不上", "func.co_host"),
    ],
)
def test_no_reply_is_not_an_echo_and_users_cursing_is_not_support_rudeness(text, subtype):
    assert classify(text, NOW).subtype == subtype


def test_many_users_with_a_p0_fault_make_it_p0() -> None:
    verdict = classify("整个app的直播都没声音了，大家都一样", NOW)
    assert verdict.scope is Scope.WIDESPREAD
    assert verdict.priority is Priority.P0
