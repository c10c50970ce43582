from datetime import UTC, datetime

import pytest

from core.diagnostics import Diagnostics
from core.taxonomy import SUBTYPES, Category, Priority, Scope
from core.triage import Classifier, Verdict, classify

NOW = datetime(2024, 5, 10, 4, 0, tzinfo=UTC)

ONE_PER_SUBTYPE = {
    "av.blur": "看直播画质特别糊，切了蓝光也一样",
    "av.stutter": "直播卡成PPT了，一直转圈",
    "av.desync": "the voice is behind the picture, totally out of sync",
    "av.noise_echo": "主播一开口就炸麦，耳朵要聋了",
    "av.no_audio": "直播间突然没有声音了",
    "av.black_screen": "点进直播间就是黑屏",
    "func.gift": "I sent a gift but the animation never showed",
    "func.danmaku": "又吞弹幕了，我发的别人看不到",
    "func.stream_push": "推流一直失败，开不了播",
    "func.beauty_filter": "美颜和滤镜都没效果了",
    "func.co_host": "连麦的时候对方听不到我说话",
    "func.profile": "昵称改了之后又变回去了",
    "func.notification": "关注的主播开播了我收不到推送",
    "acct.login": "登陆不上，验证码一直不来",
    "acct.stolen": "someone changed my password and I'm locked out of my account",
    "acct.permission": "我被误封了，申诉也没用",
    "fin.recharge": "冲值没到帐，钱已经扣了",
    "fin.refund": "买错了，我要退款",
    "fin.withdrawal": "礼物收益提领失败，三天了",
    "svc.slow_response": "客服到现在都没人回复我，等了一周",
    "svc.attitude": "the support agent was really rude and hung up on me",
    "svc.misunderstood": "客服答非所问，我说的根本不是这个问题",
    "sug.ui": "建议把设置按钮放到首页，现在太难找了",
    "sug.feature": "可以出一个弹幕关键词屏蔽的功能吗",
}


def test_every_subtype_has_a_sample_message() -> None:
    assert set(ONE_PER_SUBTYPE) == set(SUBTYPES)


@pytest.mark.parametrize(("subtype", "text"), sorted(ONE_PER_SUBTYPE.items()))
def test_a_typical_message_gets_its_subtype(subtype: str, text: str) -> None:
    verdict = classify(text, NOW)
    assert verdict.subtype == subtype
    assert verdict.category is SUBTYPES[subtype].category


def test_verdict_is_frozen_and_complete() -> None:
    verdict = classify("直播没声音", NOW)
    assert isinstance(verdict, Verdict)
    assert isinstance(verdict.details, Diagnostics)
    assert 0.0 <= verdict.confidence <= 1.0
    assert len(verdict.alternatives) == 3
    assert verdict.alternatives[0] == (verdict.subtype, verdict.confidence)
    scores = [score for _, score in verdict.alternatives]
    assert scores == sorted(scores, reverse=True)
    with pytest.raises(AttributeError):
        verdict.subtype = "av.blur"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("simplified", "variant"),
    [
        ("直播没声音", "直播沒聲音"),
        ("登录不了", "登入不了"),
        ("连麦断开", "連麥斷開"),
        ("卡成PPT", "卡成ＰＰＴ"),
        ("提现失败", "提領失敗"),
        ("stream keeps freezing", "STREAM KEEPS FREEZNG"),
        ("弹幕发不出去", "彈\u200b幕發不出去"),
    ],
)
def test_traditional_fullwidth_case_and_typo_variants_agree(simplified: str, variant: str) -> None:
    assert classify(variant, NOW).subtype == classify(simplified, NOW).subtype


@pytest.mark.parametrize(
    ("text", "subtype"),
    [
        ("我开播的时候推流老是断", "func.stream_push"),
        ("看直播的时候画面一直卡", "av.stutter"),
        ("PK连麦的时候听不到对方声音", "func.co_host"),
        ("直播间没声音", "av.no_audio"),
        ("有回声还有电流声", "av.noise_echo"),
        ("送礼物没反应，礼物特效也不显示", "func.gift"),
        ("充值的钻石没到账", "fin.recharge"),
        ("礼物收入提现到银行卡一直没到", "fin.withdrawal"),
        ("账号被盗了，有异地登录", "acct.stolen"),
        ("收不到短信验证码", "acct.login"),
        ("被禁言了，发不了弹幕", "acct.permission"),
        ("建议加个防卡顿的极速模式", "sug.feature"),
        ("我提的卡顿工单客服三天没人回复", "svc.slow_response"),
        ("please add a dark mode to the interface", "sug.ui"),
        ("客服的回复跟我的问题完全对不上，能不能换个人跟进", "svc.misunderstood"),
        ("建议把礼物栏做小一点，挡了半个屏幕", "sug.ui"),
        ("一直转圈圈，延迟快一分钟，主播讲的跟聊天室对不上", "av.stutter"),
        ("我开播画面特别糊，码率调到6000了也没用", "av.blur"),
        ("声音比画面慢了两秒，嘴型对不上", "av.desync"),
        ("看直播延迟好严重，主播讲的话十几秒后才出来，留言都对不上", "av.stutter"),
        ("开播的时候一直卡在正在连接，换了手机也不行", "func.stream_push"),
        ("主播提现是不是都卡住了？我的1.2万也卡了一周", "fin.withdrawal"),
        (
            "someone got into my account and changed the password. didnt get a warning",
            "acct.stolen",
        ),
        ("only one streamer's room is black for me, other rooms are fine", "av.black_screen"),
        ("I was charged twice for the same coin pack, please refund one", "fin.refund"),
        ("VIP auto-renew charged me without asking, I want a tuikuan", "fin.refund"),
        ("the help center takes days to answer anything", "svc.slow_response"),
        ("弹幕里大家都说听得很清楚 就我这边一点声音没有", "av.no_audio"),
        ("我是主播 好多粉丝私信说进我直播间是黑屏 可我这边推流显示一切正常", "av.black_screen"),
        ("连麦一连上就卡死然后断开", "func.co_host"),
        ("连击礼物送到一半就卡住了，后面的都没送出去，钻石倒是扣了", "func.gift"),
        ("客服讲话很不客气，一直叫我自己去看说明，完全不想帮忙", "svc.attitude"),
        (
            "the agent closed my ticket but they misread it, my issue was the refund",
            "svc.misunderstood",
        ),
        (
            "the support reply had nothing to do with my question. i asked about refund",
            "svc.misunderstood",
        ),
        ("建议把设定选单整理一下，找个通知开关要点五层", "sug.ui"),
    ],
)
def test_neighbouring_subtypes_are_told_apart(text: str, subtype: str) -> None:
    assert classify(text, NOW).subtype == subtype


@pytest.mark.parametrize(
    "text",
    [
        "大家都没声音吗",
        "很多人都登录不了",
        "所有主播都开不了播",
        "全平台充值不到账",
        "my friends on other phones too, no sound",
        "everyone gets a black screen",
        "all streamers can't go live",
        "the whole app has no audio",
    ],
)
def test_many_users_make_the_scope_widespread(text: str) -> None:
    verdict = classify(text, NOW)
    assert verdict.scope is Scope.WIDESPREAD
    assert verdict.priority is Priority.P0


@pytest.mark.parametrize(
    "text",
    [
        "这个直播间大家都说卡",
        "我的观众都说我直播间画面卡",
        "直播没声音，别人都正常",
        "大家都看不到我发的弹幕",
        "my stream has no sound, my viewers all complain",
    ],
)
def test_one_room_or_one_user_stays_single(text: str) -> None:
    assert classify(text, NOW).scope is Scope.SINGLE


def test_the_widespread_cue_is_listed_so_agents_see_why() -> None:
    verdict = classify("大家都登不上了", NOW)
    assert "大家都" in verdict.cues
    assert verdict.priority is Priority.P0


@pytest.mark.parametrize(
    ("text", "priority"),
    [
        ("画面模糊", Priority.P2),
        ("大家都画面模糊", Priority.P1),
        ("直播间黑屏", Priority.P1),
        ("大家都黑屏了", Priority.P0),
        ("客服回复太慢了", Priority.P2),
        ("大家都说客服回复太慢了", Priority.P2),
        ("建议加个夜间模式", Priority.P3),
        ("大家都希望增加回放功能", Priority.P3),
    ],
)
def test_priority_is_raised_by_scope_except_for_service_and_suggestions(
    text: str, priority: Priority
) -> None:
    assert classify(text, NOW).priority is priority


def test_details_are_attached_to_the_verdict() -> None:
    verdict = classify("iPhone 13 直播间 123456 黑屏", NOW)
    assert verdict.details.device_model == "iPhone 13"
    assert verdict.details.room_id == "123456"


def test_a_classifier_trained_on_custom_examples_uses_them() -> None:
    from core.triage.examples import Example

    # Features seen in one example only are dropped, so each word appears twice.
    examples = [
        Example("zzz qqq", "sug.feature", Scope.SINGLE, "en"),
        Example("qqq zzz", "sug.feature", Scope.SINGLE, "en"),
        Example("xxx yyy", "av.blur", Scope.SINGLE, "en"),
        Example("yyy xxx", "av.blur", Scope.SINGLE, "en"),
    ]
    assert Classifier(examples).classify("xxx", NOW).subtype == "av.blur"
    assert Classifier(examples).classify("qqq", NOW).category is Category.SUGGESTION
