"""The complaint taxonomy: categories, subtypes, scope and the priority rule.

Ids are a stable contract shared by tickets, the knowledge base, routing,
reports and evaluation data; display names exist in Chinese and English.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    AV_QUALITY = "av_quality"
    FUNCTIONAL = "functional"
    ACCOUNT = "account"
    FINANCE = "finance"
    SERVICE = "service"
    SUGGESTION = "suggestion"


class Scope(StrEnum):
    SINGLE = "single"
    WIDESPREAD = "widespread"


class Priority(StrEnum):
    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"

    def raised(self) -> Priority:
        """One level more urgent; P0 stays P0."""
        order = list(Priority)
        return order[max(order.index(self) - 1, 0)]


@dataclass(frozen=True, slots=True)
class Subtype:
    id: str
    category: Category
    name_zh: str
    name_en: str
    base_priority: Priority

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en


_P = Priority
_C = Category

SUBTYPES: dict[str, Subtype] = {
    s.id: s
    for s in (
        Subtype(
            "av.blur", _C.AV_QUALITY, "画面模糊、清晰度低", "blurry picture, low resolution", _P.P2
        ),
        Subtype(
            "av.stutter",
            _C.AV_QUALITY,
            "卡顿、延迟、缓冲",
            "stutter, freezing, lag, buffering",
            _P.P2,
        ),
        Subtype("av.desync", _C.AV_QUALITY, "音画不同步", "audio and video out of sync", _P.P2),
        Subtype(
            "av.noise_echo",
            _C.AV_QUALITY,
            "噪音、回声、啸叫、爆音",
            "noise, echo, howling, crackling",
            _P.P2,
        ),
        Subtype("av.no_audio", _C.AV_QUALITY, "没有声音", "no sound at all", _P.P1),
        Subtype(
            "av.black_screen",
            _C.AV_QUALITY,
            "黑屏、无画面、直播间打不开",
            "black screen, no picture, stream will not load",
            _P.P1,
        ),
        Subtype(
            "func.gift",
            _C.FUNCTIONAL,
            "礼物打赏失败、特效不显示",
            "sending gifts or tips fails, gift effects missing",
            _P.P1,
        ),
        Subtype(
            "func.danmaku",
            _C.FUNCTIONAL,
            "弹幕、评论发送失败",
            "chat or danmaku messages fail to send or show",
            _P.P2,
        ),
        Subtype(
            "func.stream_push",
            _C.FUNCTIONAL,
            "推流中断、无法开播",
            "broadcaster cannot start or keep the live stream",
            _P.P1,
        ),
        Subtype(
            "func.beauty_filter",
            _C.FUNCTIONAL,
            "美颜、滤镜失效",
            "beauty effects or filters do not work",
            _P.P2,
        ),
        Subtype(
            "func.co_host",
            _C.FUNCTIONAL,
            "连麦、PK 异常",
            "co-hosting, link-mic or PK fails",
            _P.P1,
        ),
        Subtype(
            "func.profile",
            _C.FUNCTIONAL,
            "个人资料编辑失败",
            "profile edits fail (avatar, nickname, bio)",
            _P.P2,
        ),
        Subtype(
            "func.notification",
            _C.FUNCTIONAL,
            "消息推送延迟或收不到",
            "push notifications late or missing",
            _P.P2,
        ),
        Subtype(
            "acct.login",
            _C.ACCOUNT,
            "登录异常、收不到验证码",
            "cannot log in, verification codes do not arrive",
            _P.P1,
        ),
        Subtype("acct.stolen", _C.ACCOUNT, "账号被盗", "account taken over by someone else", _P.P1),
        Subtype(
            "acct.permission",
            _C.ACCOUNT,
            "权限误判、误封、误禁言",
            "wrongly banned, muted or denied a permission",
            _P.P2,
        ),
        Subtype(
            "fin.recharge", _C.FINANCE, "充值未到账", "top-up paid but coins not credited", _P.P1
        ),
        Subtype(
            "fin.refund", _C.FINANCE, "退款申请", "refund request or refund not received", _P.P2
        ),
        Subtype(
            "fin.withdrawal",
            _C.FINANCE,
            "礼物收入提现失败或未到账",
            "cash-out of gift income fails or is late",
            _P.P1,
        ),
        Subtype(
            "svc.slow_response",
            _C.SERVICE,
            "客服响应慢、工单处理慢",
            "support is too slow to answer or resolve",
            _P.P2,
        ),
        Subtype(
            "svc.attitude",
            _C.SERVICE,
            "客服态度差、不专业",
            "support was rude or unprofessional",
            _P.P2,
        ),
        Subtype(
            "svc.misunderstood",
            _C.SERVICE,
            "问题被误解、沟通不畅",
            "the problem was misunderstood, poor communication",
            _P.P2,
        ),
        Subtype(
            "sug.ui", _C.SUGGESTION, "界面优化建议", "suggestion to improve the interface", _P.P3
        ),
        Subtype("sug.feature", _C.SUGGESTION, "新功能需求", "request for a new feature", _P.P3),
    )
}

CATEGORY_NAMES: dict[Category, tuple[str, str]] = {
    _C.AV_QUALITY: ("音视频质量", "audio/video quality"),
    _C.FUNCTIONAL: ("功能故障", "functional failure"),
    _C.ACCOUNT: ("账号", "account"),
    _C.FINANCE: ("财务", "finance"),
    _C.SERVICE: ("服务体验", "service experience"),
    _C.SUGGESTION: ("产品建议", "suggestion"),
}

# Complaints about support itself, and suggestions: not faults of the product.
# There is nothing for the user to fix (no fix steps are offered), and scope
# never raises their priority.
NOT_FAULTS = frozenset({_C.SERVICE, _C.SUGGESTION})


class UnknownSubtypeError(ValueError):
    pass


def subtype(subtype_id: str) -> Subtype:
    try:
        return SUBTYPES[subtype_id]
    except KeyError:
        raise UnknownSubtypeError(f"unknown subtype id: {subtype_id!r}") from None


def subtypes_of(category: Category) -> list[Subtype]:
    return [s for s in SUBTYPES.values() if s.category is category]


def priority_for(subtype_id: str, scope: Scope) -> Priority:
    """Base priority of the subtype, raised one level when widespread.

    Service complaints stay P2 and suggestions P3 whatever the scope.
    """
    st = subtype(subtype_id)
    if scope is Scope.WIDESPREAD and st.category not in NOT_FAULTS:
        return st.base_priority.raised()
    return st.base_priority


def is_fault(subtype_id: str) -> bool:
    """A fault of the product (not a word about support, not a wish)."""
    return subtype(subtype_id).category not in NOT_FAULTS


def can_be_p0(subtype_id: str) -> bool:
    """Whether a widespread report of this subtype is P0 (an outage that pages)."""
    return priority_for(subtype_id, Scope.WIDESPREAD) is Priority.P0


# A theft is the owner's own: others being robbed too does not make it one outage.
PERSONAL_SUBTYPES = frozenset({"acct.stolen"})


def scope_can_raise(subtype_id: str, scope: Scope) -> bool:
    """Whether "is anyone else affected?" can change the priority: a one-user
    report of a fault that is P0 when widespread, and not a personal one.
    """
    return scope is Scope.SINGLE and subtype_id not in PERSONAL_SUBTYPES and can_be_p0(subtype_id)
