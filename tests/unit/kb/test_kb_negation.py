"""Issue 17: the matcher respects what the message says works, and money's direction."""

from __future__ import annotations

import pytest

from kb.loader import load_articles
from kb.matcher import Matcher
from kb.memory_feedback import MemoryFeedbackStore
from kb.negation import working_subtypes


@pytest.fixture(scope="module")
def shipped() -> Matcher:
    return Matcher(load_articles(), MemoryFeedbackStore())


def _subtypes(matcher: Matcher, text: str, subtype: str | None) -> set[str]:
    return {s for a in matcher.suggest(text, subtype, 3) for s in a.subtypes}


@pytest.mark.parametrize("subtype", ["av.black_screen", None])
def test_sound_without_picture_gets_no_no_sound_article(shipped: Matcher, subtype) -> None:
    found = _subtypes(shipped, "只有声音没有画面", subtype)
    assert "av.no_audio" not in found
    if subtype is not None:
        assert "av.black_screen" in found


def test_no_sound_still_gets_no_sound_articles(shipped: Matcher) -> None:
    assert "av.no_audio" in _subtypes(shipped, "看直播没有声音", "av.no_audio")


@pytest.mark.parametrize(
    ("text", "working"),
    [
        ("只有声音没有画面", {"av.no_audio"}),
        ("只有聲音沒有畫面", {"av.no_audio"}),
        ("有画面但是没有声音", {"av.black_screen"}),
        ("没有声音", set()),
        ("the picture is fine but there is no sound", {"av.black_screen"}),
    ],
)
def test_what_the_message_says_works(text: str, working: set[str]) -> None:
    assert working_subtypes(text) == working


def test_a_withdrawal_complaint_gets_no_top_up_article(shipped: Matcher) -> None:
    found = _subtypes(shipped, "提现申请了三天还没到账", "fin.withdrawal")
    assert found and "fin.recharge" not in found
