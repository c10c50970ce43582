"""Verdict-level behaviour of the learned classifier: asking instead of
guessing, a second problem, scope that respects quoting, safety rules.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from core.taxonomy import Priority, Scope, can_be_p0
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


WIDE_STUTTER = "全平台的直播都卡得要命，好多人都在说，换了网络也一样"


def test_a_widespread_verdict_that_cannot_page_names_the_outage_it_may_be() -> None:
    never, always = _with(urgent_ask_at=1.01), _with(urgent_ask_at=0.0)
    assert never.classify(WIDE_STUTTER, NOW).maybe_urgent is None
    verdict = always.classify(WIDE_STUTTER, NOW)
    assert (verdict.subtype, verdict.scope, verdict.priority) == (
        "av.stutter",
        Scope.WIDESPREAD,
        Priority.P1,
    )
    assert verdict.maybe_urgent is not None
    assert can_be_p0(verdict.maybe_urgent)
    assert verdict.maybe_urgent in verdict.offered_types()
    assert verdict.asks_type(confidence_threshold=0.0)


@pytest.mark.parametrize(
    "text",
    [
        "我这边直播一直卡，别人好像没事",  # one user: no outage to miss
        "全平台直播间都黑屏了，好多主播都在群里说",  # already a P0
    ],
)
def test_no_outage_is_offered_when_the_verdict_could_not_miss_one(text: str) -> None:
    verdict = _with(urgent_ask_at=0.0).classify(text, NOW)
    assert verdict.priority is Priority.P0 or verdict.scope is Scope.SINGLE
    assert verdict.maybe_urgent is None


def test_the_offered_types_keep_the_verdict_first_and_make_room_for_both_doubts() -> None:
    base = classify(WIDE_STUTTER, NOW)
    alternatives = [("av.stutter", 0.6), ("av.blur", 0.2), ("av.desync", 0.1)]
    plain = replace(base, subtype="av.stutter", alternatives=alternatives)
    assert plain.offered_types() == ["av.stutter", "av.blur", "av.desync"]
    urgent = replace(plain, maybe_urgent="av.black_screen")
    assert urgent.offered_types() == ["av.stutter", "av.blur", "av.black_screen"]
    both = replace(urgent, maybe_info="svc.slow_response")
    assert both.offered_types() == ["av.stutter", "av.black_screen", "svc.slow_response"]
    # Already a runner-up: offered once, in its place.
    listed = replace(plain, maybe_urgent="av.blur")
    assert listed.offered_types() == ["av.stutter", "av.blur", "av.desync"]
