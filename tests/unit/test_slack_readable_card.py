"""Ticket cards that read well: labelled diagnostics, local times, whole cues, the
reporter's language and channel."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.slack import blocks as sb
from bot.slack.blocks.readable import diagnostic_value, merged_cues

DUE = datetime(2026, 12, 5, 9, 21, 24, tzinfo=UTC)


def card(**changes: Any) -> sb.CardData:
    values: dict[str, Any] = {
        "ref": "LD-1042",
        "priority": "P2",
        "status": "new",
        "category": "av_quality",
        "subtype": "av.stutter",
        "scope": "single",
        "summary": "直播间 8848 一直卡成PPT，用的WiFi",
        "reporter": "小王",
        "channel": "telegram",
        "diagnostics": {
            "occurred_at": "2026-12-05T09:17:34.388088+00:00",
            "network": "wifi",
            "affected": "only_me",
            "room_id": "8848",
        },
        "attachments": [],
        "kb_tried": [],
        "cues": ["卡", "直卡", "卡", "一直卡成PPT"],
        "due": DUE,
        "first_response_at": None,
        "assignee": None,
        "tier": "l1",
        "outcome": None,
        "root_cause": None,
        "timezone": "Asia/Shanghai",
        "language": "zh",
    }
    values.update(changes)
    return sb.CardData(**values)


def texts(data: sb.CardData) -> list[str]:
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("type") == "mrkdwn":
                found.append(value["text"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(sb.ticket_card(data)[1])
    return found


def test_diagnostics_have_labels_local_times_and_named_answers():
    shown = "\n".join(texts(card()))
    assert "occurred_at" not in shown and "only_me" not in shown
    assert "2026-12-05T09:17" not in shown
    assert "*发生时间 / When*\n2026-12-05 17:17 (Asia/Shanghai)" in shown
    assert "*影响范围 / Who is affected*\n只有我 / Only me" in shown
    assert "*网络 / Network*\nWiFi" in shown
    assert "*直播间 / Room*\n8848" in shown


def test_a_masked_or_unknown_value_is_shown_as_stored():
    assert diagnostic_value("occurred_at", "****", "UTC") == "****"
    assert diagnostic_value("network", "satellite", "UTC") == "satellite"


def test_why_this_priority_lists_whole_merged_cues():
    (why,) = [t for t in texts(card()) if "Why this priority" in t]
    assert why.count("•") == 1
    assert "• 一直卡成PPT" in why


def test_cues_outside_the_words_stay_whole_and_duplicates_go():
    cues = ["others affected", "Others affected", "surge: 30 reports in 0:05:00", "卡"]
    assert merged_cues(cues, "看直播卡") == [
        "others affected",
        "surge: 30 reports in 0:05:00",
        "看直播卡",
    ]


def test_the_reporter_language_and_channel_are_on_the_card():
    shown = "\n".join(texts(card()))
    assert "*语言 · 渠道 / Language · channel*\n中文 / Chinese · Telegram" in shown
    english = "\n".join(texts(card(language="en", channel="console")))
    assert "英文 / English · 控制台 / Console" in english
