"""Issue 17: the conversation keeps what the user said and never asks it again."""

from __future__ import annotations

from core.conversation import Attachment
from tests.unit.conversation.conftest import Chat


def tickets_of(stores):
    return list(stores.state.tickets.values())


def _until_summary(chat: Chat, answer: str = "跳过") -> list[str]:
    """Answer every question the same way until the summary; the questions asked."""
    asked = []
    while "请确认" not in chat.texts():
        assert chat.turns < 12, chat.texts()
        asked.append(chat.texts())
        if "跳过" in chat.buttons():
            chat.say(answer)
        else:
            chat.press("没有了")
    return asked


def test_payment_time_and_os_the_text_gave_are_not_asked(chat, stores):
    chat.say("我的小米13充值648，微信已经扣款了但钻石没到账，已经5天了")
    chat.press("只有我")
    chat.press("还是不行")
    asked = "\n".join(_until_summary(chat))
    assert "订单号" in asked  # the one thing the message did not say
    assert "用什么方式支付" not in asked and "什么时候" not in asked
    draft = chat.engine.stores.state.conversations[("telegram", "u1")].draft
    assert draft.details.payment_channel == "wechat"
    assert draft.details.device_model == "Xiaomi 13" and draft.details.os == "Android"
    assert draft.details.occurred_at is not None
    assert (chat.clock.now() - draft.details.occurred_at).days == 5


def test_a_phone_model_answers_which_os(chat):
    chat.say("看直播没有声音，小米13")
    asked = chat.texts(chat.press("只有我"))
    assert "系统" not in asked  # a Xiaomi runs Android
    assert "直播间" in asked


def test_a_screenshot_sent_before_the_description_is_not_asked_for_again(chat, stores):
    chat.send(attachment=Attachment("photo", "shot.png", "image/png", b"\x89PNGdata"))
    chat.say("直播间 8848 一直卡成PPT，iPhone 13，用的WiFi，刚刚开始的")
    chat.press("还是不行")
    asked = _until_summary(chat)
    assert not any("截图" in text for text in asked)
    assert "附件：1" in chat.texts() or "1 个" in chat.texts()
    chat.press("提交")
    (ticket,) = tickets_of(stores)
    assert [a.file_name for a in ticket.attachments] == ["shot.png"]


def test_typed_answers_are_kept_in_the_summary_and_the_ticket(chat, stores):
    chat.say("看直播卡顿，iPhone 13，WiFi，房间 8848")
    chat.press("还是不行")
    assert "什么时候" in chat.texts()
    chat.say("今天早上")
    _until_summary(chat)
    assert "今天早上" in chat.texts()
    chat.press("提交")
    (ticket,) = tickets_of(stores)
    assert "今天早上" in ticket.draft.summary
    assert ticket.draft.diagnostics.occurred_at is not None


def test_an_answer_about_others_is_kept_in_the_ticket(chat, stores):
    chat.say("看直播没有声音，iPhone 13")
    chat.say("所有直播间都没声音")
    (ticket,) = tickets_of(stores)  # others too: P0, filed at once
    assert ticket.view.priority == "P0"
    assert "所有直播间都没声音" in ticket.draft.summary


def test_a_friend_saying_the_same_is_not_recorded_as_only_me(chat, stores):
    result = chat.say("看直播没声音，我朋友也说他那边也没声音，iPhone 13")
    text = chat.texts(result)
    assert "其他用户也遇到" not in text  # the user already said
    (ticket,) = tickets_of(stores)
    assert ticket.view.priority == "P0"
    assert ticket.draft.diagnostics.extras["affected"] == "others_too"
    assert "只有我" not in text


def test_last_night_around_ten_is_ten_pm(chat, stores):
    chat.say("看直播卡顿，iPhone 13，WiFi，房间 8848，昨天晚上大概十点多开始的")
    draft = chat.engine.stores.state.conversations[("telegram", "u1")].draft
    local = draft.details.occurred_at.astimezone(chat.engine.settings.timezone)
    assert local.hour == 22


def test_a_time_typed_where_the_ticket_asks_the_device_is_kept_and_the_question_stays(chat, stores):
    chat.say("看直播没有声音")
    chat.say("所有直播间都没声音")  # others too: P0, filed, then the device is asked
    (ticket,) = tickets_of(stores)
    assert "设备" in chat.texts()
    result = chat.say("今天早上")
    assert ticket.draft.diagnostics.device_model is None
    assert stores.ticket(ticket.ref).draft.diagnostics.occurred_at is not None
    assert [m[1] for m in stores.ticket(ticket.ref).messages] == ["今天早上"]
    assert "设备" in chat.texts(result)  # asked again
    # The phone names its OS: the next question is the room, not the system.
    following = chat.texts(chat.say("小米13"))
    assert "系统" not in following and "直播间" in following
    assert stores.ticket(ticket.ref).draft.diagnostics.os == "Android"


def test_skip_at_an_offer_goes_on_to_the_details(chat):
    chat.say("看直播一直卡顿，缓冲转圈")
    assert "直播间" in chat.texts(chat.say("跳过")) or "网络" in chat.texts()


def test_no_more_typed_at_a_question_is_not_taken_as_its_answer(chat, stores):
    chat.say("充值648没到账，微信付的，刚刚")
    chat.press("只有我")
    chat.press("还是不行")
    assert "订单号" in chat.texts()
    chat.say("没有了")
    draft = stores.state.conversations[("telegram", "u1")].draft
    assert "order_id" not in draft.details.extras and draft.details.order_id is None
