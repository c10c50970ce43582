from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.diagnostics import Diagnostics
from core.triage import extract_details

# 12:00 in Shanghai.
NOW = datetime(2024, 5, 10, 4, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def details(text: str, tz: ZoneInfo = SHANGHAI) -> Diagnostics:
    return extract_details(text, NOW, tz)


@pytest.mark.parametrize(
    ("text", "device"),
    [
        ("用的iPhone 13", "iPhone 13"),
        ("iphone15 pro max卡", "iPhone 15 Pro Max"),
        ("小米13闪退", "Xiaomi 13"),
        ("OPPO Reno10 没声音", "OPPO Reno10"),
        ("Galaxy S23 black screen", "Galaxy S23"),
        ("华为 Mate60 推流失败", "Huawei Mate60"),
        ("Redmi Note 12 卡", "Redmi Note 12"),
        ("vivo X90 黑屏", "vivo X90"),
        ("ipad上看直播", "iPad"),
    ],
)
def test_device_models_are_recognised(text: str, device: str) -> None:
    assert details(text).device_model == device


@pytest.mark.parametrize(
    ("text", "os", "version"),
    [
        ("iOS 17.2 上没声音", "iOS", "17.2"),
        ("安卓14", "Android", "14"),
        ("Android 13 phone", "Android", "13"),
        ("鸿蒙4.0系统", "HarmonyOS", "4.0"),
        ("on Windows 11", "Windows", "11"),
        ("macOS 14 app", "macOS", "14"),
    ],
)
def test_operating_system_and_version_are_recognised(text: str, os: str, version: str) -> None:
    found = details(text)
    assert (found.os, found.os_version) == (os, version)


def test_an_iphone_implies_ios() -> None:
    assert details("iPhone 12 黑屏").os == "iOS"


@pytest.mark.parametrize(
    ("text", "version"),
    [("版本5.2.1", "5.2.1"), ("app v5.3 crashes", "5.3"), ("updated to 5.4.0 today", "5.4.0")],
)
def test_app_version_is_recognised(text: str, version: str) -> None:
    assert details(text).app_version == version


def test_an_os_version_is_not_an_app_version() -> None:
    assert details("iOS 17.2.1 卡顿").app_version is None


@pytest.mark.parametrize(
    ("text", "network"),
    [
        ("用的WiFi", "wifi"),
        ("连的无线", "wifi"),
        ("4G网络下卡", "4g"),
        ("5G也卡", "5g"),
        ("有线网络", "wired"),
        ("用流量看的", "4g"),
    ],
)
def test_network_is_normalised(text: str, network: str) -> None:
    assert details(text).network == network


def test_five_g_is_a_network_not_a_version() -> None:
    found = details("5G 网络 卡顿")
    assert found.network == "5g"
    assert found.app_version is None


@pytest.mark.parametrize(
    ("text", "room"),
    [("直播间 123456 黑屏", "123456"), ("房间号:8848", "8848"), ("room 8848 lags", "8848")],
)
def test_room_ids_are_found_and_are_not_amounts(text: str, room: str) -> None:
    found = details(text)
    assert found.room_id == room
    assert found.amount is None


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("充了648元没到账", Decimal("648"), "CNY"),
        ("付了¥30", Decimal("30"), "CNY"),
        ("paid $9.99 for coins", Decimal("9.99"), "USD"),
        ("charged 30 USD", Decimal("30"), "USD"),
        ("扣了100块", Decimal("100"), "CNY"),
    ],
)
def test_amounts_carry_their_currency(text: str, amount: Decimal, currency: str) -> None:
    found = details(text)
    assert (found.amount, found.currency) == (amount, currency)


def test_order_ids_keep_their_letter_case() -> None:
    assert details("订单号：A1b2C3d4E5 没到账").order_id == "A1b2C3d4E5"
    assert details("order no. 2024050112345 missing").order_id == "2024050112345"


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("用支付宝付的", "alipay"),
        ("微信支付成功", "wechat"),
        ("App Store扣款了", "apple"),
        ("bought through Google Play", "google_play"),
        ("信用卡扣了钱", "card"),
    ],
)
def test_payment_channels_are_normalised(text: str, channel: str) -> None:
    assert details(text).payment_channel == channel


def test_wechat_login_is_not_a_payment_channel() -> None:
    assert details("微信登录不了").payment_channel is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("刚才直播断了", NOW),
        ("just now the stream froze", NOW),
        ("10分钟前开始卡", NOW - timedelta(minutes=10)),
        ("2 hours ago", NOW - timedelta(hours=2)),
        ("半小时前", NOW - timedelta(minutes=30)),
        # 昨晚8点 in Shanghai is 12:00 UTC the day before.
        ("昨晚8点开始没声音", datetime(2024, 5, 9, 12, 0, tzinfo=UTC)),
        ("今天下午3点充值的", datetime(2024, 5, 10, 7, 0, tzinfo=UTC)),
        ("yesterday around 9pm", datetime(2024, 5, 9, 13, 0, tzinfo=UTC)),
        ("昨天晚上十点半", datetime(2024, 5, 9, 14, 30, tzinfo=UTC)),
    ],
)
def test_times_are_resolved_against_now_in_the_users_timezone(
    text: str, expected: datetime
) -> None:
    found = details(text).occurred_at
    assert found == expected
    assert found is not None and found.utcoffset() == timedelta(0)


def test_the_users_timezone_changes_the_resolved_time() -> None:
    found = details("昨晚8点", ZoneInfo("Europe/London")).occurred_at
    # 20:00 BST on 9 May is 19:00 UTC.
    assert found == datetime(2024, 5, 9, 19, 0, tzinfo=UTC)


def test_a_message_without_details_yields_empty_diagnostics() -> None:
    assert details("直播好卡").known() == set()
