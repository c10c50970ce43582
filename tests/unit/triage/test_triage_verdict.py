"""Verdict-level behaviour of the learned classifier: asking instead of
guessing, a second problem, scope that respects quoting, safety rules.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from core.taxonomy import Priority, Scope
from core.triage import classify, others_affected
from core.triage.classifier import Classifier, default_classifier
from core.triage.scope import writer_text

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["it doesn't work", "用不了了", "出问题了，怎么回事"])
def test_a_message_that_does_not_say_what_is_wrong_is_vague_and_not_urgent(text: str) -> None:
    verdict = classify(text, NOW)
    assert verdict.vague
    assert verdict.priority in (Priority.P2, Priority.P3)


def test_a_clear_complaint_is_not_vague() -> None:
    verdict = classify("直播间黑屏了，刷新也没用", NOW)
    assert not verdict.vague
    assert verdict.subtype == "av.black_screen"


def test_alternatives_are_the_top_three_with_probabilities() -> None:
    verdict = classify("送礼物失败了，钱也扣了", NOW)
    assert len(verdict.alternatives) == 3
    assert len({s for s, _ in verdict.alternatives}) == 3
    assert sum(p for _, p in verdict.alternatives) <= 1.0 + 1e-6


def test_two_named_problems_give_a_second_subtype() -> None:
    verdict = classify("直播间一直没声音，而且昨天充值的钻石到现在也没到账", NOW)
    assert {verdict.subtype, verdict.second_subtype} == {"av.no_audio", "fin.recharge"}


def test_one_problem_gives_no_second_subtype() -> None:
    assert classify("看直播一直卡顿转圈", NOW).second_subtype is None


@pytest.mark.parametrize(
    ("text", "writer"),
    [
        ('support chat says "all our streamers are busy" again', "support chat says again"),
        ("error: everyone is offline. cannot log in", "cannot log in"),
        ("提示大家都在排队，请稍后", "，请稍后"),
    ],
)
def test_quoted_and_reported_text_is_not_the_writers_claim(text: str, writer: str) -> None:
    assert " ".join(writer_text(text.casefold()).replace("。", " ").split()).strip(" .") == writer


@pytest.mark.parametrize(
    "text",
    [
        'the support chat only says "All our streamers are busy", I cannot log in',
        "my friends watching the same stream also hear the echo",
        "我和朋友在同一个直播间，都没声音",
    ],
)
def test_quotes_and_one_streams_audience_stay_single(text: str) -> None:
    assert classify(text, NOW).scope is Scope.SINGLE


def test_a_stolen_account_cue_is_not_outvoted() -> None:
    verdict = classify("my account got hacked and now I can't log in", NOW)
    assert verdict.subtype == "acct.stolen"
    assert verdict.priority in (Priority.P0, Priority.P1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("大家都这样", True), ("只有我这样，别人都正常", False), ("昨晚开始的", None)],
)
def test_others_affected_reads_an_answer(text: str, expected: bool | None) -> None:
    assert others_affected(text) is expected


def _with(**cuts: float) -> Classifier:
    return Classifier(model=replace(default_classifier().model, **cuts))


def test_a_fault_verdict_that_may_be_a_wish_names_the_wish() -> None:
    text = "would be nice if the chat didn't scroll so fast during big streams"
    never, always = _with(info_ask_at=1.01), _with(info_ask_at=0.0)
    assert never.classify(text, NOW).maybe_info is None
    verdict = always.classify("直播间黑屏了，刷新也没用", NOW)
    assert verdict.subtype == "av.black_screen"
    assert verdict.maybe_info is not None and verdict.maybe_info[:4] in ("svc.", "sug.")


def test_a_service_or_suggestion_verdict_is_never_asked_about() -> None:
    verdict = _with(info_ask_at=0.0).classify("希望能加一个直播回放功能", NOW)
    assert verdict.subtype.startswith("sug.") and verdict.maybe_info is None
