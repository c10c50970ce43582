from __future__ import annotations

import json

from kb.evaluate import ASK, category_of, evaluate
from kb.matcher import Matcher


def _lines(*rows: object) -> list[str]:
    return [json.dumps(r, ensure_ascii=False) if not isinstance(r, str) else r for r in rows]


def test_top1_and_top3_count_fault_messages_only(matcher: Matcher) -> None:
    report = evaluate(
        matcher,
        _lines(
            {"text": "充值了金币没到账", "subtype": "fin.recharge", "category": "finance"},
            {"text": "今天天气不错", "subtype": "av.blur", "category": "av_quality"},
            {"text": "客服态度很差", "subtype": "svc.attitude", "category": "service"},
        ),
    )
    assert report.fault_messages == 2
    assert report.top1_hits == 1
    assert report.top3_hits == 1
    assert report.empty_answers == 1
    assert report.info_messages == 1
    assert report.info_with_fix == 0
    assert "50.0%" in report.summary()


def test_the_classifier_subtype_is_passed_to_the_matcher(matcher: Matcher) -> None:
    seen: list[str] = []

    def classify(text: str) -> str | None:
        seen.append(text)
        return "svc.slow_response"

    report = evaluate(
        matcher,
        _lines({"text": "客服不理我，充值也没到账", "subtype": "svc.slow_response"}),
        classify,
    )
    assert seen == ["客服不理我，充值也没到账"]
    assert report.info_with_fix == 0


def test_bad_lines_are_counted_and_skipped(matcher: Matcher) -> None:
    report = evaluate(matcher, _lines("not json", '{"no_text": 1}', "[1, 2]", "", "{}"))
    assert report.bad_lines == [1, 2, 3, 5]


def test_category_comes_from_the_subtype_or_a_category_name() -> None:
    assert category_of({"subtype": "fin.refund"}) == "finance"
    assert category_of({"category": "svc"}) == "service"
    assert category_of({"category": "suggestion"}) == "suggestion"
    assert category_of({"text": "x"}) is None


def test_messages_the_conversation_asks_about_first_are_offered_nothing(matcher: Matcher) -> None:
    def classify(text: str) -> str | None:
        return ASK if "希望" in text else "fin.recharge"

    report = evaluate(
        matcher,
        _lines(
            {"text": "希望充值页面能显示到账时间", "subtype": "sug.feature"},
            {"text": "希望充值到账快一点，充值没到账", "subtype": "fin.recharge"},
            {"text": "充值了金币没到账", "subtype": "svc.slow_response"},
        ),
        classify,
    )
    assert (report.info_messages, report.info_asked, report.info_with_fix) == (2, 1, 1)
    assert (report.fault_messages, report.fault_asked) == (0, 1)
    assert "asked to pick the type before any article: 1 service/suggestion, 1 fault" in (
        report.summary()
    )
