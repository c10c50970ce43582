"""Issue 17: one article at a time, short, without the steps the user tried."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.conversation.tried import remaining_steps, tried_actions
from tests.fakes import FakeKnowledgeBase, article
from tests.unit.conversation.conftest import Chat

NETWORK_STEPS = (
    "1. 先切换网络：WiFi 和 4G/5G 之间切换一下。看是否好转。\n"
    "2. 完全退出 App 再重新打开。\n"
    "3. 把清晰度调到「流畅」。\n"
    "4. 重启手机。\n"
    "5. 更新到最新版本。\n"
    "6. 清除缓存。\n"
    "7. 还不行就反馈给我们。"
)


@pytest.fixture
def kb() -> FakeKnowledgeBase:
    fake = FakeKnowledgeBase()
    fake.add(
        replace(article("av-stutter-network", "av.stutter"), steps_zh=NETWORK_STEPS),
        replace(article("av-stutter-switch", "av.stutter"), steps_zh="1. 切换网络试试"),
        article("av-stutter-quality", "av.stutter"),
    )
    return fake


def test_the_offer_is_one_article_with_its_steps_short(chat: Chat):
    text = chat.texts(chat.say("看直播一直卡顿，缓冲转圈"))
    assert "标题 av-stutter-network" in text and "标题 av-stutter-switch" not in text
    assert "1. 先切换网络：WiFi 和 4G/5G 之间切换一下。\n" in text  # its first sentence
    assert "4. 重启手机" in text and "5." not in text
    assert chat.buttons() == ["方法1解决了", "换个办法", "还是不行"]


def test_a_step_the_description_says_was_tried_is_not_offered(chat: Chat):
    text = chat.texts(chat.say("换了网络也一样，看直播一直卡顿缓冲"))
    assert "切换网络" not in text
    assert "1. 完全退出 App 再重新打开" in text


def test_typed_steps_tried_move_on_and_are_skipped_later(chat: Chat, stores):
    chat.say("看直播一直卡顿，缓冲转圈")
    following = chat.texts(chat.say("換了網路也一樣"))
    # The article made only of the tried step is passed over for the next one.
    assert "标题 av-stutter-quality" in following
    assert "av-stutter-switch" not in following
    assert "没太明白" not in following
    draft = stores.state.conversations[("telegram", "u1")].draft
    assert draft.tried == ["switch_network"]
    assert "換了網路也一樣" in draft.extra_texts  # kept for the agent
    assert stores.votes()["av-stutter-network"] == {"offers": 1, "not_helped": 1}


def test_words_that_try_nothing_get_the_buttons_again(chat: Chat):
    chat.say("看直播一直卡顿，缓冲转圈")
    assert "没太明白" in chat.texts(chat.say("你们是哪个公司"))


@pytest.mark.parametrize(
    ("text", "actions"),
    [
        ("換了網路也一樣", ["switch_network"]),
        ("wifi换成4g还是卡", ["switch_network"]),
        ("重启过手机了，也清了缓存", ["reboot_device", "clear_cache"]),
        ("I switched to mobile data and restarted the app", ["switch_network", "restart_app"]),
        ("只有声音没有画面", []),
    ],
)
def test_tried_actions(text, actions):
    assert tried_actions(text) == actions


def test_remaining_steps_renumbers():
    assert remaining_steps(NETWORK_STEPS, ["switch_network", "restart_app"], 2) == (
        "1. 把清晰度调到「流畅」。\n2. 重启手机。"
    )
