"""Diagnostic details (device, versions, network, ids, money, time) from free text."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from core.diagnostics import Diagnostics
from core.text import to_simplified
from core.triage.prefilter import compile_cues
from core.triage.when import resolve_time

_I = re.IGNORECASE

# (pattern, brand shown to agents); the model part is group "m".
_DEVICES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (compile_cues(p, _I), brand)
    for p, brand in (
        (r"iphone\s*(?P<m>\d{1,2}\s*(pro\s*max|pro|plus|max|mini)?|x[rs]?\s*(max)?|se)?", "iPhone"),
        (r"苹果\s*(?P<m>\d{1,2}\s*(pro\s*max|pro|plus|max|mini)?)(?!\s*[元块])", "iPhone"),
        (r"ipad\s*(?P<m>pro|air|mini)?(\s*\d{1,2})?", "iPad"),
        (r"(?:红米|redmi)\s*(?P<m>(note|k)?\s*\d{1,2}\s*(pro\+?|ultra|turbo)?)", "Redmi"),
        (r"(?:小米|xiaomi|\bmi)\s*(?P<m>\d{1,2}\s*(pro|ultra|s)?)", "Xiaomi"),
        (
            r"oppo\s*(?P<m>(reno|find\s*x|find\s*n|a|k)\s*\d{1,2}\s*(pro\+?|ultra)?)?",
            "OPPO",
        ),
        (r"(?<![a-z])vivo\s*(?P<m>(x|s|y|iqoo)\s*\d{1,3}\s*(pro\+?|ultra)?)?", "vivo"),
        (r"iqoo\s*(?P<m>(neo)?\s*\d{1,2}\s*(pro)?)", "iQOO"),
        (
            r"(?:三星|samsung|galaxy)\s*(?:galaxy\s*)?(?P<m>(s|a|note|z\s*fold|z\s*flip)\s*\d{1,2}"
            r"\s*(ultra|\+|plus|fe)?)?",
            "Galaxy",
        ),
        (r"(?:华为|huawei)\s*(?P<m>(mate|p|nova|pura)\s*\d{1,3}\s*(pro\+?|rs)?)?", "Huawei"),
        (r"(?:荣耀|honor)\s*(?P<m>(magic)?\s*\d{1,2}\s*(pro)?)", "Honor"),
        (r"(?:一加|oneplus)\s*(?P<m>\d{1,2}\s*(pro|t|r)?)", "OnePlus"),
        (r"(?:google\s*)?pixel\s*(?P<m>\d{1,2}\s*(pro|a)?)", "Pixel"),
    )
)
# A phone's brand names its system: nobody needs to be asked which OS a Xiaomi runs.
# Huawei phones sold in China since 2019 run HarmonyOS; Honor left Huawei and ships Android.
_BRAND_OS = {
    "iPhone": "iOS",
    "iPad": "iOS",
    "Huawei": "HarmonyOS",
    **dict.fromkeys(
        ("Xiaomi", "Redmi", "OPPO", "vivo", "iQOO", "Galaxy", "Honor", "OnePlus", "Pixel"),
        "Android",
    ),
}
# Every device pattern starts with one of these words: one search of the
# lower-cased text rules out most messages, which name no device. (Without
# IGNORECASE the search can skip ahead on the words' first letters.)
_ANY_DEVICE = compile_cues(
    r"iphone|苹果|ipad|红米|redmi|小米|xiaomi|mi|oppo|vivo|iqoo|三星|samsung|galaxy|华为|huawei|"
    r"荣耀|honor|一加|oneplus|pixel"
)

_OS = (
    (compile_cues(r"(?:ipados|ios)\s*(?P<v>\d{1,2}(\.\d{1,2}){0,2})?", _I), "iOS"),
    (
        compile_cues(r"(?:鸿蒙|harmony\s*os|harmonyos)\s*(?P<v>\d(\.\d{1,2}){0,2})?", _I),
        "HarmonyOS",
    ),
    (compile_cues(r"(?:安卓|android)\s*(?P<v>\d{1,2}(\.\d{1,2}){0,2})?", _I), "Android"),
    (compile_cues(r"(?:windows|win)\s*(?P<v>7|8|10|11)?(?!\d)", _I), "Windows"),
    (compile_cues(r"(?:macos|mac\s*os|os\s*x)\s*(?P<v>\d{2}(\.\d{1,2}){0,2})?", _I), "macOS"),
)
_ANY_OS = compile_cues(r"ipados|ios|鸿蒙|harmony|安卓|android|windows|win|mac|os\s*x")
_OS_SPAN = compile_cues(
    r"(ipados|ios|鸿蒙|harmony\s*os|安卓|android|windows|win|macos|mac\s*os)\s*\d{1,2}(\.\d{1,2}){0,2}",
    _I,
)
_APP_VERSION_LABELLED = compile_cues(
    r"(?:版本号?|app\s*version|version|ver\.?|更新到|升级到|\bv)\s*[:：]?\s*(?P<v>\d{1,2}(\.\d{1,3}){1,3})",
    _I,
)
_APP_VERSION_BARE = compile_cues(r"(?<![\d.$¥])(?P<v>\d{1,2}\.\d{1,3}\.\d{1,4})(?![\d.])")

_NETWORK = (
    (compile_cues(r"wi-?fi|wlan|无线网|无线|家里的网|宽带", _I), "wifi"),
    (compile_cues(r"有线|网线|ethernet|wired|lan\b", _I), "wired"),
    (compile_cues(r"(?<![a-z0-9.])5g(?![a-z0-9])|5g网", _I), "5g"),
    (
        compile_cues(
            r"(?<![a-z0-9.])4g(?![a-z0-9])|lte|流量|移动数据|mobile data|cellular|数据网络", _I
        ),
        "4g",
    ),
)

_ROOM = compile_cues(
    r"(?:直播间|房间号|房间|房号|room\s*(?:id|no\.?|number|#)?|频道号|主播id)\s*"
    r"(?:号|id|号码|是)?\s*[:：#]?\s*(?P<id>\d{3,12})",
    _I,
)
_ORDER = compile_cues(
    r"(?:订单号|订单编号|订单|交易号|交易单号|流水号|单号|order\s*(?:no\.?|number|id|#)?|"
    r"transaction\s*(?:id|no\.?)?|receipt\s*(?:no\.?|id)?)\s*(?:是|为|is)?\s*[:：#]?\s*"
    # Google Play's "GPA.3391-..." has dots inside; a sentence's full stop is not in the id.
    r"(?P<id>[A-Za-z0-9](?:[A-Za-z0-9-]|\.(?=[A-Za-z0-9])){5,39})",
    _I,
)
_ACCOUNT = compile_cues(
    r"(?:uid|用户id|账号id|帐号id|我的id|账号|帐号|user\s*id|account\s*(?:id|no\.?)?)\s*"
    r"(?:是|为|is)?\s*[:：#]?\s*(?P<id>\d{5,12})",
    _I,
)

_AMOUNT_PREFIX = compile_cues(
    r"(?P<cur>us\$|usd\s*|nt\$|hk\$|rmb\s*|cny\s*|[¥$€£])\s*(?P<n>\d{1,7}(?:,\d{3})*(?:\.\d{1,2})?)",
    _I,
)
_AMOUNT_SUFFIX = compile_cues(
    r"(?<![\d.])(?P<n>\d{1,7}(?:\.\d{1,2})?)\s*(?P<cur>元|块钱|块|人民币|rmb|cny|yuan|usd|美元|美金|刀|"
    r"dollars?|bucks|台币|新台币|twd|港币|港元|hkd|eur|欧元)(?![a-z])",
    _I,
)
# The famous 648 / 328 top-up tiers are often written bare after the verb.
_AMOUNT_VERB = compile_cues(
    r"(?:充值|充了|冲了|冲值|花了|付了|扣了|储值)\s*(?P<n>\d{2,6})(?![\d.次个天号分小%])"
)
_CURRENCY = {
    "元": "CNY",
    "块": "CNY",
    "块钱": "CNY",
    "人民币": "CNY",
    "rmb": "CNY",
    "cny": "CNY",
    "yuan": "CNY",
    "¥": "CNY",
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "美元": "USD",
    "美金": "USD",
    "刀": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "bucks": "USD",
    "nt$": "TWD",
    "台币": "TWD",
    "新台币": "TWD",
    "twd": "TWD",
    "hk$": "HKD",
    "港币": "HKD",
    "港元": "HKD",
    "hkd": "HKD",
    "€": "EUR",
    "eur": "EUR",
    "欧元": "EUR",
    "£": "GBP",
}

_PAYMENT = (
    (compile_cues(r"支付宝|alipay", _I), "alipay"),
    (
        compile_cues(
            # "微信已经扣款了": a few words may sit between the channel and the charge.
            r"微信(支付|付款|付|充值|充|钱包|转账|红包)|用微信|通过微信|wechat\s*pay|weixin\s*pay|"
            r"微信[^，。,.!?！？\s]{0,6}?(扣款|扣费|扣钱|扣了|付了|支付了|付款了)|"
            r"wechat(?!\s*(login|log in|account|group))",
            _I,
        ),
        "wechat",
    ),
    (
        compile_cues(
            r"app\s*store|apple\s*pay|apple\s*id|itunes|苹果(支付|内购|扣款|扣费|付款|账号|商店)|内购|ios\s*内购",
            _I,
        ),
        "apple",
    ),
    (compile_cues(r"google\s*play|谷歌(支付|商店|play)|gpay|google\s*pay", _I), "google_play"),
    (
        compile_cues(
            r"银行卡|信用卡|借记卡|储蓄卡|visa|mastercard|master\s*card|credit\s*card|debit\s*card|"
            r"bank\s*card|\bcard\b|paypal",
            _I,
        ),
        "card",
    ),
)


def _prepare(text: str) -> str:
    # Not core.text.normalize: ids and model names keep their letter case here.
    text = unicodedata.normalize("NFKC", text)
    return to_simplified(text)


def _tidy_model(model: str) -> str:
    parts = re.sub(r"\s+", " ", model.strip()).split(" ")
    out = []
    for part in parts:
        low = part.lower()
        if low in {"se", "xr", "xs", "fe", "rs"}:
            out.append(part.upper())
        elif low[:1].isalpha():
            out.append(low[:1].upper() + low[1:])
        else:
            out.append(part)
    return " ".join(out)


def _device(text: str, lower: str) -> str | None:
    """The first device the message names."""
    if _ANY_DEVICE.search(lower) is None:
        return None
    found: list[tuple[int, str]] = []
    for pattern, brand in _DEVICES:
        m = pattern.search(text)
        if m is None:
            continue
        model = m.group("m")
        if model and model.strip():
            found.append((m.start(), f"{brand} {_tidy_model(model)}"))
        elif brand not in {"iQOO", "Honor", "OnePlus", "Pixel", "Redmi", "Xiaomi"}:
            found.append((m.start(), brand))
    return min(found)[1] if found else None


def _os(text: str, named: bool, device: str | None) -> tuple[str | None, str | None]:
    for pattern, name in _OS if named else ():
        m = pattern.search(text)
        if m is not None:
            return name, m.group("v")
    if device is not None:
        return _BRAND_OS.get(device.split(" ")[0]), None
    return None, None


def _app_version(text: str, os_named: bool) -> str | None:
    # An OS version ("iOS 17.2") is not the app's.
    masked = _OS_SPAN.sub(" ", text) if os_named else text
    m = _APP_VERSION_LABELLED.search(masked) or _APP_VERSION_BARE.search(masked)
    return m.group("v") if m else None


def _first(table: tuple[tuple[re.Pattern[str], str], ...], text: str) -> str | None:
    for pattern, value in table:
        if pattern.search(text):
            return value
    return None


def _amount(text: str, masked_ids: str) -> tuple[Decimal | None, str | None]:
    for pattern in (_AMOUNT_PREFIX, _AMOUNT_SUFFIX):
        m = pattern.search(masked_ids)
        if m is not None:
            try:
                value = Decimal(m.group("n").replace(",", ""))
            except InvalidOperation:
                continue
            cur = _CURRENCY.get(m.group("cur").strip().lower())
            return value, cur
    m = _AMOUNT_VERB.search(masked_ids)
    if m is not None:
        return Decimal(m.group("n")), "CNY"
    return None, None


def extract_details(text: str, now: datetime, tz: ZoneInfo) -> Diagnostics:
    """Every detail the message states; fields it does not mention stay None."""
    prepared = _prepare(text)
    lower = prepared.casefold()
    device = _device(prepared, lower)
    os_named = _ANY_OS.search(lower) is not None
    os_name, os_version = _os(prepared, os_named, device)
    room = _ROOM.search(prepared)
    order = _ORDER.search(prepared)
    account = _ACCOUNT.search(prepared)
    # Ids and versions are not money: blank them out before looking for amounts.
    masked = prepared
    for found in (room, order, account):
        if found is not None:
            masked = masked.replace(found.group("id"), " ")
    version = _app_version(prepared, os_named)
    if version:
        masked = masked.replace(version, " ")
    amount, currency = _amount(prepared, masked)
    return Diagnostics(
        occurred_at=resolve_time(lower, now, tz),
        device_model=device,
        os=os_name,
        os_version=os_version,
        app_version=version,
        network=_first(_NETWORK, prepared),
        room_id=room.group("id") if room else None,
        order_id=order.group("id") if order else None,
        amount=amount,
        currency=currency,
        payment_channel=_first(_PAYMENT, prepared),
        account_id=account.group("id") if account else None,
    )


_LONG_NUMBER = re.compile(r"(?<![\d])\d{10,}(?![\d])")


def finance_spans(text: str) -> list[tuple[int, int, str]]:
    """Where the text states money, order or card numbers, or a payment channel:
    (start, end, kind) with kind "amount", "id" or "channel", for masking. Run it
    on NFKC-normalised text, as the extractor reads.
    """
    spans: list[tuple[int, int, str]] = []
    for pattern in (_AMOUNT_PREFIX, _AMOUNT_SUFFIX, _AMOUNT_VERB):
        spans.extend((m.start("n"), m.end("n"), "amount") for m in pattern.finditer(text))
    for pattern in (_ORDER, _ACCOUNT):
        spans.extend((m.start("id"), m.end("id"), "id") for m in pattern.finditer(text))
    spans.extend((m.start(), m.end(), "id") for m in _LONG_NUMBER.finditer(text))
    for channel, _ in _PAYMENT:
        spans.extend((m.start(), m.end(), "channel") for m in channel.finditer(text))
    return spans
