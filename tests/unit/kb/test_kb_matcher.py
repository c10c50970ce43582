from __future__ import annotations

import pytest

from core.ports import FeedbackCounts, KnowledgeBase
from kb.matcher import Matcher
from kb.memory_feedback import MemoryFeedbackStore
from kb.model import Article


def _top(matcher: Matcher, text: str, subtype: str | None = None) -> str:
    found = matcher.suggest(text, subtype=subtype)
    assert found, f"nothing for {text!r}"
    return found[0].article_id


def test_the_matcher_is_a_knowledge_base(matcher: Matcher) -> None:
    kb: KnowledgeBase = matcher
    assert kb.get("av-stutter-switch-network") is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("直播老是卡，一直在缓冲", "av-stutter-switch-network"),
        ("the stream keeps freezing and buffering", "av-stutter-switch-network"),
        ("收不到验证码，登录不了", "acct-login-code"),
        ("my account was hacked", "acct-stolen-secure"),
        ("充值了金币没到账", "fin-recharge-not-credited"),
    ],
)
def test_messages_find_the_article_for_their_problem(
    matcher: Matcher, text: str, expected: str
) -> None:
    assert _top(matcher, text) == expected


def test_traditional_chinese_and_full_width_text_match_like_simplified(matcher: Matcher) -> None:
    simplified = matcher.suggest("直播间黑屏，画面全黑")
    traditional = matcher.suggest("直播間黑屏，畫面全黑")
    full_width = matcher.suggest("ＢＬＡＣＫ　ＳＣＲＥＥＮ in the room")
    assert traditional == simplified
    assert traditional[0].article_id == "av-black-screen-reload"
    assert full_width[0].article_id == "av-black-screen-reload"


def test_english_typos_still_match(matcher: Matcher) -> None:
    assert _top(matcher, "video keeps bufferring and stuttring") == "av-stutter-switch-network"


@pytest.mark.parametrize("text", ["hello", "今天天气不错", "asdfgh", "", "   ", "🙂", "thanks!"])
def test_unrelated_text_gets_no_article(matcher: Matcher, text: str) -> None:
    assert matcher.suggest(text) == []


def test_unrelated_text_gets_no_article_even_with_a_subtype(matcher: Matcher) -> None:
    assert matcher.suggest("hello", subtype="av.stutter") == []


def test_the_classifier_subtype_breaks_ties_towards_its_articles(matcher: Matcher) -> None:
    text = "画面卡顿而且很模糊"
    assert _top(matcher, text, "av.blur") != _top(matcher, text, "av.stutter")
    assert "av.blur" in matcher.suggest(text, subtype="av.blur")[0].subtypes
    assert "av.stutter" in matcher.suggest(text, subtype="av.stutter")[0].subtypes


def test_articles_of_other_categories_are_demoted(matcher: Matcher) -> None:
    text = "礼物送不出去，充值的钱也没到账"
    plain = {s.article_id: s.score for s in matcher.suggest(text, limit=5)}
    steered = {s.article_id: s.score for s in matcher.suggest(text, "fin.recharge", limit=5)}
    assert steered["fin-recharge-not-credited"] > plain["fin-recharge-not-credited"]
    assert steered.get("func-gift-send-failed", 0.0) < plain["func-gift-send-failed"]


@pytest.mark.parametrize("subtype", ["svc.slow_response", "sug.feature"])
def test_service_and_suggestion_subtypes_never_get_fix_steps(
    matcher: Matcher, subtype: str
) -> None:
    found = matcher.suggest("客服不理我，我的充值还没到账，直播也卡", subtype=subtype, limit=10)
    assert found
    assert all(s.kind == "info" for s in found)


def test_a_complaint_about_support_gets_no_fix_steps_without_a_subtype(matcher: Matcher) -> None:
    found = matcher.suggest("客服态度太差了，问了三天都不回复", limit=5)
    assert found
    assert all(s.kind == "info" for s in found)


def test_limit_caps_the_answer(matcher: Matcher) -> None:
    assert len(matcher.suggest("直播卡顿 画面模糊 没声音", limit=1)) == 1
    assert matcher.suggest("直播卡顿", limit=0) == []


def test_scores_are_ordered_and_within_0_to_100(matcher: Matcher) -> None:
    scores = [s.score for s in matcher.suggest("直播卡顿 画面模糊 没声音", limit=5)]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 100 for s in scores)


def test_get_returns_the_article_and_none_for_unknown_ids(matcher: Matcher) -> None:
    found = matcher.get("fin-refund-request")
    assert found is not None
    assert found.kind == "info"
    assert found.title("zh") == "如何申请退款"
    assert "Follow the advice" in found.steps("en")
    assert matcher.get("no-such-article") is None


def test_one_vote_moves_a_score_a_little_and_a_clear_record_reorders(
    fixture_articles: list[Article],
) -> None:
    text = "视频一直卡顿缓冲"
    base = Matcher(fixture_articles, MemoryFeedbackStore()).suggest(text, limit=2)
    (first, first_score), (second, _) = [(s.article_id, s.score) for s in base]
    one_vote = MemoryFeedbackStore()
    one_vote.record_feedback([first], helped=False)
    after_one = Matcher(fixture_articles, one_vote).suggest(text, limit=2)
    moved = next(s.score for s in after_one if s.article_id == first)
    assert 0.9 * first_score < moved < first_score

    record = MemoryFeedbackStore(
        {
            first: FeedbackCounts(offers=60, helped=2, not_helped=50),
            second: FeedbackCounts(offers=60, helped=50, not_helped=2),
        }
    )
    after_many = Matcher(fixture_articles, record).suggest(text, limit=2)
    assert after_many[0].article_id == second


def test_feedback_does_not_make_irrelevant_articles_relevant(
    fixture_articles: list[Article],
) -> None:
    store = MemoryFeedbackStore(
        {a.id: FeedbackCounts(offers=100, helped=100) for a in fixture_articles}
    )
    assert Matcher(fixture_articles, store).suggest("今天天气不错") == []


def test_a_later_article_with_the_same_id_replaces_the_earlier(
    fixture_articles: list[Article],
) -> None:
    from dataclasses import replace

    original = next(a for a in fixture_articles if a.id == "fin-refund-request")
    draft = replace(original, title_en="Refunds, revised", source="db")
    matcher = Matcher([*fixture_articles, draft], MemoryFeedbackStore())
    found = matcher.get("fin-refund-request")
    assert found is not None
    assert found.title_en == "Refunds, revised"
    assert len(matcher.articles) == len(fixture_articles)
