"""Which details each subtype needs, and how each question may be answered.

A support lead reads and changes the intake here, in one place.
"""

from __future__ import annotations

from datetime import timedelta

from core.taxonomy import Scope, scope_can_raise

# Asked in this order, skipping what the user already said.
REQUIRED_DETAILS: dict[str, tuple[str, ...]] = {
    "av.blur": ("network", "device_model", "room_id"),
    "av.stutter": ("network", "device_model", "room_id", "occurred_at"),
    "av.desync": ("device_model", "room_id", "network"),
    "av.noise_echo": ("device_model", "room_id"),
    "av.no_audio": ("device_model", "os", "room_id"),
    "av.black_screen": ("network", "device_model", "os", "room_id"),
    "func.gift": ("room_id", "occurred_at", "app_version"),
    "func.danmaku": ("room_id", "app_version"),
    "func.stream_push": ("network", "device_model", "app_version", "occurred_at"),
    "func.beauty_filter": ("device_model", "app_version"),
    "func.co_host": ("room_id", "network", "app_version"),
    "func.profile": ("steps", "app_version"),
    "func.notification": ("device_model", "os"),
    "acct.login": ("account_id", "device_model", "occurred_at"),
    "acct.stolen": ("account_id", "occurred_at"),
    "acct.permission": ("account_id", "occurred_at"),
    "fin.recharge": ("order_id", "amount", "payment_channel", "occurred_at"),
    "fin.refund": ("order_id", "amount", "payment_channel"),
    "fin.withdrawal": ("account_id", "amount", "occurred_at"),
    "svc.slow_response": (),
    "svc.attitude": ("occurred_at",),
    "svc.misunderstood": (),
    "sug.ui": (),
    "sug.feature": (),
}

# Asked first when the report reads as one user's but the same fault for many
# users would be P0: a missed P0 is the worst error, and the user knows.
AFFECTED = "affected"

# Enumerable answers offered as buttons: (stored value, text key or literal label).
ANSWER_CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    AFFECTED: (
        ("others_too", "@answer_others_too"),
        ("only_me", "@answer_only_me"),
        ("not_sure", "@answer_not_sure"),
    ),
    "network": (("wifi", "WiFi"), ("4g", "4G"), ("5g", "5G"), ("wired", "@answer_wired")),
    "os": (
        ("iOS", "iOS"),
        ("Android", "Android"),
        ("HarmonyOS", "HarmonyOS"),
        ("Windows", "Windows"),
        ("macOS", "macOS"),
    ),
    "payment_channel": (
        ("alipay", "@answer_alipay"),
        ("wechat", "@answer_wechat"),
        ("apple", "Apple"),
        ("google_play", "Google Play"),
        ("card", "@answer_card"),
    ),
    "occurred_at": (
        ("0m", "@answer_just_now"),
        ("30m", "@answer_within_hour"),
        ("3h", "@answer_today"),
        ("24h", "@answer_yesterday"),
    ),
}

# How long ago each relative-time button means.
RELATIVE_TIMES: dict[str, timedelta] = {
    "0m": timedelta(0),
    "30m": timedelta(minutes=30),
    "3h": timedelta(hours=3),
    "24h": timedelta(hours=24),
}

# Where a screenshot or a screen recording helps the agent.
ATTACHMENTS_HELP_PREFIXES = ("av.", "func.", "fin.", "acct.permission")

# Account and finance cases carry the "we never ask for passwords" warning.
SECURITY_WARNING_PREFIXES = ("acct.", "fin.")


# Faults of one person's own account: others seeing "the same" is a different
# report (a breach), so "is anyone else affected?" only puzzles the user.
def missing_details(subtype: str, scope: Scope, known: set[str]) -> list[str]:
    wanted = REQUIRED_DETAILS.get(subtype, ())
    if scope_can_raise(subtype, scope):
        wanted = (AFFECTED, *wanted)
    return [f for f in wanted if f not in known]


def attachments_help(subtype: str) -> bool:
    return subtype.startswith(ATTACHMENTS_HELP_PREFIXES)


def needs_security_warning(subtype: str) -> bool:
    return subtype.startswith(SECURITY_WARNING_PREFIXES)
