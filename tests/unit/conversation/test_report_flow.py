"""Whole reports through the conversation engine."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from core.conversation import (
    IntakeSettings,
    SelfServiceResolved,
    TicketChanged,
    TicketCreated,
    UserAddedToTicket,
)
from core.conversation.engine import ConversationFlow
from core.statuses import Status
from core.taxonomy import SUBTYPES, Category
from tests.unit.conversation.conftest import Chat
from tests.unit.conversation.scripted import Scripted


def tickets_of(stores):
    return list(stores.state.tickets.values())


def test_a_complaint_naming_device_and_network_becomes_a_ticket_in_at_most_five_turns(chat, stores):
    chat.say("直播间 8848 一直卡成PPT，iPhone 13，用的WiFi")
    assert "卡顿" in chat.texts()
    assert "标题 av-stutter-network" in chat.texts()
    assert "标题 av-stutter-quality" not in chat.texts()  # one article at a time
    chat.press("还是不行")
    assert "什么时候" in chat.texts()  # only the detail the message did not give
    chat.press("刚刚")
    assert "截图" in chat.texts()
    chat.press("没有了")
    summary = chat.texts()
    assert "iPhone 13" in summary and "8848" in summary
    result = chat.press("提交")
    assert chat.turns <= 5  # including the knowledge-base offer
    (ticket,) = tickets_of(stores)
    assert ticket.ref in chat.texts(result)
    assert "24 小时" in chat.texts(result)
    assert result.events == [TicketCreated(ticket.ref)]
    assert ticket.draft.subtype == "av.stutter"
    assert ticket.draft.diagnostics.room_id == "8848"
    assert ticket.draft.diagnostics.network == "wifi"
    assert ticket.draft.diagnostics.occurred_at is not None
    assert ticket.draft.kb_tried == ("av-stutter-network",)


def test_an_english_user_is_answered_in_english(engine, clock, stores):
    chat = Chat(engine, clock, language="en-US")
    chat.say("I topped up 30 USD with Google Play but the coins never arrived, order GPA.3321-5521")
    assert "top-up" in chat.texts().lower()
    assert "never ask for your password" in chat.texts()
    chat.press("Only me")  # a top-up fault for many would be P0: asked first
    chat.press("Still broken")
    while "confirm your report" not in chat.texts():
        assert chat.turns < 10, chat.texts()
        chat.press("Skip") if "Skip" in chat.buttons() else chat.press("No more")
    chat.press("Submit")
    (ticket,) = tickets_of(stores)
    assert SUBTYPES[ticket.draft.subtype].category is Category.FINANCE
    assert ticket.draft.language == "en"
    assert "within 1 hour" in chat.texts()


def test_a_case_the_knowledge_base_solved_is_a_self_service_resolution(chat, stores):
    chat.say("看直播一直卡顿，缓冲转圈")
    assert "方法2解决了" not in chat.buttons()
    following = chat.press("换个办法")
    assert "标题 av-stutter-quality" in chat.texts(following)
    assert "标题 av-stutter-network" not in chat.texts(following)
    assert "换个办法" not in chat.buttons()  # no third article
    result = chat.press("方法2解决了")
    assert "解决" in chat.texts(result)
    assert result.events == [SelfServiceResolved("av.stutter", "av-stutter-quality")]
    assert tickets_of(stores) == []
    assert stores.state.self_service == [("telegram", "u1", "av.stutter", "av-stutter-quality")]
    assert stores.votes() == {
        "av-stutter-network": {"offers": 1, "not_helped": 1},
        "av-stutter-quality": {"offers": 1, "helped": 1},
    }


def test_still_broken_is_recorded_as_feedback_for_every_shown_article(chat, stores):
    chat.say("看直播一直卡顿，缓冲转圈")
    chat.say("还是不行")
    # The second article was never shown: no vote either way.
    assert stores.votes() == {"av-stutter-network": {"offers": 1, "not_helped": 1}}


def test_when_unsure_the_user_picks_the_type_with_buttons(stores, kb, files, clock):
    text = "手机上看直播很烫"
    scripted = Scripted()
    scripted.when(text, [("av.blur", 0.39), ("av.no_audio", 0.37), ("av.stutter", 0.06)])
    intake = IntakeSettings(timezone=ZoneInfo("Asia/Shanghai"))
    chat = Chat(ConversationFlow(stores, kb, scripted, files, intake), clock)
    chat.say(text)
    assert chat.buttons(), chat.texts()
    assert "都不是" in chat.buttons()
    chat.press("都不是")
    assert "大类" in chat.texts()
    chat.press("财务")
    assert "充值未到账" in chat.texts()


def test_a_restart_in_the_middle_of_a_report_loses_nothing(chat, make_engine, clock, stores):
    chat.say("直播间 8848 一直卡成PPT，iPhone 13，用的WiFi")
    chat.press("还是不行")
    restarted = Chat(make_engine(), clock)
    restarted.last = chat.last
    restarted.press("刚刚")
    restarted.press("没有了")
    restarted.press("提交")
    assert len(tickets_of(stores)) == 1


def test_a_duplicate_delivery_changes_nothing(chat, stores):
    first = chat.send(text="直播一直卡", delivery_id="update-1")
    before = stores.state.conversations[("telegram", "u1")]
    again = chat.send(text="直播一直卡", delivery_id="update-1")
    assert first.replies and again.duplicate and not again.replies
    assert stores.state.conversations[("telegram", "u1")] == before


def test_a_stale_button_gets_a_polite_answer(chat):
    chat.say("看直播一直卡顿，缓冲转圈")
    old = chat.last
    chat.press("还是不行")
    chat.last = old
    result = chat.press("方法1解决了")
    assert "过期" in chat.texts(result)


def test_a_button_from_another_chat_is_refused(chat):
    chat.say("看直播一直卡顿，缓冲转圈")
    choice = chat.last.replies[-1].choices[0].id
    result = chat.send(choice=choice, chat_id="someone-else")
    assert "过期" in chat.texts(result)


def test_typed_words_and_numbers_work_like_buttons(chat, stores):
    chat.say("直播间 8848 一直卡成PPT，iPhone 13，用的WiFi")
    chat.say("还是不行")
    chat.say("1")  # "just now"
    chat.say("没有了")
    chat.say("确认")
    assert len(tickets_of(stores)) == 1


def test_unknown_input_gets_a_helpful_answer(chat):
    chat.say("看直播一直卡顿，缓冲转圈")
    result = chat.say("🤔🤔")
    assert "按钮" in chat.texts(result)
    assert result.replies[-1].choices


def test_free_text_answers_are_understood_and_extracted(chat, stores):
    chat.say("直播间一直卡顿")
    chat.press("还是不行")
    chat.say("用的5G")  # network
    chat.say("小米13")  # device
    assert "直播间" in chat.texts()
    chat.say("房间号 556677")
    chat.say("昨晚8点")
    chat.press("没有了")
    chat.press("提交")
    (t,) = tickets_of(stores)
    found = t.draft.diagnostics
    assert found.network == "5g"
    assert "小米" in (found.device_model or "") or "Xiaomi" in (found.device_model or "")
    assert found.room_id == "556677"


def test_every_question_can_be_skipped(chat, stores):
    chat.say("直播间一直卡顿")
    chat.press("还是不行")
    for _ in range(6):
        if "跳过" not in chat.buttons():
            break
        chat.press("跳过")
    chat.press("没有了")
    chat.press("提交")
    assert len(tickets_of(stores)) == 1


def test_a_stolen_account_gets_the_safe_steps_at_once(chat):
    result = chat.say("我的账号被盗了，有人在异地登录还改了密码")
    text = chat.texts(result)
    assert "修改密码" in text
    assert "绝不会向你索要密码或验证码" in text
    # One person's stolen account: "is anyone else affected?" would only puzzle them.
    assert "其他用户也遇到" not in text
    assert "账号 ID" in text  # the account id at once
    # Already talking to support: told what happens next, not to "contact support".
    assert "不用另找渠道" in text and "联系客服" not in text


def test_finance_cases_ask_for_order_amount_and_channel(engine, clock):
    chat = Chat(engine, clock)
    chat.say("充值没到账")
    chat.press("只有我")
    chat.press("还是不行")
    asked = []
    for _ in range(6):
        asked.append(chat.texts())
        if "跳过" not in chat.buttons():
            break
        chat.press("跳过")
    joined = "\n".join(asked)
    assert "订单号" in joined and "金额" in joined and "支付" in joined


def test_talk_to_a_person_skips_the_knowledge_base(chat, stores):
    chat.send(command="human")
    result = chat.say("看直播一直卡顿，缓冲转圈")
    assert "方法1" not in chat.texts(result)
    assert stores.votes() == {}


def test_service_complaints_get_information_not_workarounds(chat, stores):
    result = chat.say("客服三天都不回复我，太慢了")
    text = chat.texts(result)
    assert "相关说明" in text
    assert "解决了" not in " ".join(chat.buttons())


def test_after_the_ticket_messages_and_files_go_to_it(chat, stores, files):
    chat.say("直播间 8848 一直卡成PPT，iPhone 13，用的WiFi")
    chat.press("还是不行")
    chat.press("刚刚")
    chat.press("没有了")
    chat.press("提交")
    (ticket,) = tickets_of(stores)
    result = chat.say("刚才又卡了一次")
    assert ticket.ref in chat.texts(result)
    assert isinstance(result.events[0], UserAddedToTicket)
    from core.conversation import Attachment

    photo = chat.send(attachment=Attachment("photo", "shot.jpg", "image/jpeg", b"\xff\xd8jpeg"))
    assert isinstance(photo.events[0], UserAddedToTicket)
    messages = stores.ticket(ticket.ref).messages
    assert [(author, text) for author, text, _ in messages] == [
        ("Lin", "刚才又卡了一次"),
        ("Lin", ""),
    ]
    sent = messages[1][2]
    assert sent is not None and files.files[sent.stored_path] == b"\xff\xd8jpeg"


def test_attachments_during_the_report_are_linked_to_the_new_ticket(chat, stores):
    from core.conversation import Attachment

    chat.say("直播间 8848 一直卡成PPT，iPhone 13，用的WiFi")
    chat.press("还是不行")
    chat.press("刚刚")
    chat.send(attachment=Attachment("video", "rec.mp4", "video/mp4", b"mp4data"))
    assert "rec.mp4" in chat.texts()
    chat.press("没有了")
    assert "附件：1" in chat.texts()
    chat.press("提交")
    (row,) = stores.ticket().attachments
    assert (row.kind, row.file_name) == ("video", "rec.mp4")


def test_an_oversized_attachment_is_refused_clearly(make_engine, clock):
    from core.conversation import Attachment

    chat = Chat(make_engine(max_attachment_bytes=10), clock)
    result = chat.send(attachment=Attachment("document", "big.log", "text/plain", b"x" * 11))
    assert "太大" in chat.texts(result)


def test_my_tickets_lists_status(chat, stores):
    chat.send(command="mytickets")
    assert "还没有工单" in chat.texts()
    chat.send(command="human")
    chat.say("充值没到账")
    while "提交" not in chat.buttons():
        chat.press("跳过") if "跳过" in chat.buttons() else chat.press("没有了")
    chat.press("提交")
    (ticket,) = tickets_of(stores)
    stores.set_status(ticket.ref, Status.DIAGNOSING)
    chat.send(command="mytickets")
    assert f"{ticket.ref}" in chat.texts() and "处理中" in chat.texts()


def test_cancel_drops_the_report(chat, stores):
    chat.say("直播一直卡顿")
    assert "取消" in chat.texts(chat.send(command="cancel"))
    assert "没有进行中" in chat.texts(chat.send(command="cancel"))
    assert tickets_of(stores) == []


def test_the_language_can_be_switched(chat):
    chat.send(command="lang")
    result = chat.press("English")
    assert "Switched to English" in chat.texts(result)
    assert "Please describe" in chat.texts(chat.send(command="new"))


def test_traditional_chinese_is_understood_and_answered_in_traditional(engine, clock, stores):
    chat = Chat(engine, clock, language="zh-hant")
    result = chat.say("直播一直卡頓，緩衝轉圈圈，iPhone 13，WiFi，房間 8848")
    text = chat.texts(result)
    assert "卡頓、延遲、緩衝" in text and "卡顿" not in text
    assert chat.buttons()[-1] == "還是不行"
    chat.say("還是不行")  # typed traditional works like the button
    assert "什麼時候" in chat.texts()
    chat.press("剛剛")
    chat.press("沒有了")
    assert "請確認" in chat.texts()
    submitted = chat.texts(chat.press("提交"))
    assert "工單號" in submitted
    (ticket,) = tickets_of(stores)
    assert ticket.draft.language == "zh-Hant"


def test_traditional_chinese_regions_and_the_language_button(engine, clock):
    from core.i18n import language_of

    assert [language_of(c, "zh") for c in ("zh-TW", "zh-Hant-HK", "zh_HK", "zh-Hans-TW")] == [
        "zh-Hant",
        "zh-Hant",
        "zh-Hant",
        "zh",
    ]
    chat = Chat(engine, clock)
    chat.send(command="lang")
    assert "繁體中文" in chat.buttons()
    assert "已切換" in chat.texts(chat.press("繁體中文"))
    assert "直接描述問題" in chat.texts(chat.send(command="help"))


def test_bad_input_gets_a_clear_answer_and_is_not_lost(chat):
    assert "空" in chat.texts(chat.say("   "))
    assert "太长" in chat.texts(chat.say("卡" * 4001))
    assert "没有这个命令" in chat.texts(chat.send(command="frobnicate"))
    result = chat.say("直播\x00一直卡顿，缓冲转圈")
    assert "卡顿" in chat.texts(result)


def test_a_one_user_fault_that_would_be_p0_for_many_asks_who_else_is_affected(chat, stores):
    first = chat.texts(chat.say("直播没有声音，iPhone 13，iOS 17"))
    assert "P1" in first and "其他用户也遇到" in first  # before any article
    assert chat.buttons()[:3] == ["别人也有", "只有我", "不确定"]
    paged = chat.press("别人也有")
    # P0 now: the ticket exists at once (its clock pages), no confirmation first.
    (ticket,) = tickets_of(stores)
    assert ticket.view.priority == "P0" and ticket.draft.scope == "widespread"
    assert ticket.ref in chat.texts(paged) and "15 分钟" in chat.texts(paged)
    assert paged.events == [TicketCreated(ticket.ref)]
    assert ticket.draft.diagnostics.extras["affected"] == "others_too"
    assert "reporter: others are affected too" in ticket.draft.cues
    # The remaining detail (device and OS were said) is asked after, for the ticket.
    assert "直播间" in chat.texts(paged)
    answered = chat.say("房间号 8848")
    assert ticket.draft.diagnostics.room_id == "8848"
    assert answered.events == [TicketChanged(ticket.ref, "details_added")]
    assert ticket.ref in chat.texts(answered)
    assert chat.buttons() == []
    assert stores.state.audit[-1][0] == "ticket.details_added"


def test_a_typed_answer_about_others_is_read_like_a_complaint(chat, stores):
    chat.say("直播黑屏，看不了")
    past_the_knowledge_base(chat)
    assert "P0" in chat.texts(chat.say("我老婆的手机也一样，小米13"))
    assert "什么网络" in chat.texts()
    assert "什么手机或设备" not in chat.texts(chat.press("WiFi"))  # the device was kept


def test_only_me_keeps_the_priority_and_is_not_asked_again(chat, stores):
    chat.say("直播没有声音")
    past_the_knowledge_base(chat)
    after = chat.texts(chat.press("只有我"))
    assert "P0" not in after and "其他用户也遇到" not in after


def test_reports_already_widespread_or_never_p0_are_not_asked(chat):
    chat.say("直播没有声音，大家都这样")
    past_the_knowledge_base(chat)
    assert "其他用户也遇到" not in chat.texts()
    chat.say("/new")
    chat.say("看直播一直卡顿，缓冲转圈")
    past_the_knowledge_base(chat)
    assert "其他用户也遇到" not in chat.texts()


def past_the_knowledge_base(chat):
    if "还是不行" in chat.buttons():
        chat.press("还是不行")


def test_yes_to_who_else_is_affected_raises_an_english_report(engine, clock):
    chat = Chat(engine, clock, language="en-US")
    chat.say("I can't log in, the verification code never arrives")
    if "Still broken" in chat.buttons():
        chat.press("Still broken")
    assert "anyone else" in chat.texts()
    assert "P0" in chat.texts(chat.say("yes"))


def test_a_report_that_says_only_me_is_not_asked_who_else_is_affected(chat):
    chat.say("直播没有声音，家里其他人的手机都正常，就我的不行")
    past_the_knowledge_base(chat)
    assert "其他用户也遇到" not in chat.texts()


def test_a_forged_article_number_is_a_stale_button_not_a_crash(chat):
    chat.say("看直播一直卡顿，缓冲转圈")
    fixed = next(c.id for r in chat.last.replies for c in r.choices if ":fixed:" in c.id)
    step = fixed.split(":")[0]
    for forged in ("²", "9" * 5000, "-1"):
        result = chat.send(choice=f"{step}:fixed:{forged}")
        assert "过期" in chat.texts(result) or "没太明白" in chat.texts(result)
