import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from itertools import accumulate
from typing import Any

import pytest

from bot.sandbox.slack.blocks import (
    MESSAGE_MAX_BLOCKS,
    MESSAGE_MAX_TEXT,
    validate_blocks,
    validate_view,
)
from bot.slack import blocks as sb
from core.statuses import Status
from core.tickets import CAUSE_CLASSES

DUE = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
FAMILY = "👨\u200d👩\u200d👧\u200d👦"
# Units a cut must keep whole: decomposed accent, ZWJ family, flag, skin tone, keycap,
# decomposed Hangul, CRLF, CJK, and characters mrkdwn escapes.
UNITS = [
    "a",
    "e\u0301",
    FAMILY,
    "🇨🇳",
    "中",
    "👍🏽",
    "&",
    " ",
    "\r\n",
    "\u1100\u1161\u11a8",
    "1\ufe0f\u20e3",
    "<",
    "文",
]
MIXED = "".join(UNITS * 60)
BOUNDARIES = set(accumulate(len(u) for u in UNITS * 60)) | {0}
HUGE_WORDS = (f"直播卡顿了 {FAMILY} 🇨🇳 the stream froze e\u0301 <!channel> & 👍🏽\n" * 600)[:20_000]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def make_card(**changes: Any) -> sb.CardData:
    card = sb.CardData(
        ref="LD-1042",
        priority="P1",
        status="new",
        category="av_quality",
        subtype="av.stutter",
        scope="single",
        summary="直播一直卡顿 the stream keeps freezing",
        reporter="小王",
        channel="telegram",
        diagnostics={"network": "wifi", "order_id": "****5001"},
        attachments=[("screen.png", "https://files.example/screen.png")],
        kb_tried=["切换网络 / Switch networks"],
        cues=["many users report it"],
        due=DUE,
        first_response_at=None,
        assignee=None,
        tier="l1",
        outcome=None,
        root_cause=None,
        can_form_incident=True,
    )
    return replace(card, **changes)


def extreme_card(**changes: Any) -> sb.CardData:
    long_name = "很长的文件名" * 200 + "🎬" * 200
    card = make_card(
        summary=HUGE_WORDS,
        reporter="🎤主播" * 2000,
        diagnostics={f"字段{i} " + "k" * 300: "值 " * 2000 + FAMILY for i in range(50)},
        attachments=[
            (f"{long_name}{i}", f"https://files.example/{'x' * 900}/{i}") for i in range(30)
        ],
        kb_tried=[f"文章 {i} " + "标题" * 500 for i in range(30)],
        cues=[f"cue {i} " + "线索" * 500 for i in range(30)],
        status="fixed",
        outcome="root_fix",
        root_cause="根本原因 " * 3000,
        first_response_at=DUE - timedelta(minutes=5),
        assignee="U123ABC",
    )
    return replace(card, **changes)


def all_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in all_strings(item)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in all_strings(item)]
    return []


def assert_message_ok(text: str, blocks: list[dict[str, Any]]) -> None:
    assert validate_blocks(blocks, "/blocks", max_blocks=MESSAGE_MAX_BLOCKS) == []
    assert 0 < len(text) <= MESSAGE_MAX_TEXT
    json.dumps([text, blocks], ensure_ascii=False).encode("utf-8")


def assert_modal_ok(view: dict[str, Any]) -> None:
    assert validate_view(view, kind="modal") == []
    assert len(view["title"]["text"]) <= 24
    json.dumps(view, ensure_ascii=False).encode("utf-8")


def actions(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    (block,) = [b for b in blocks if b["type"] == "actions"]
    assert block["block_id"] == "ticket.actions"
    return {element["action_id"]: element for element in block["elements"]}


def text_of(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(all_strings(blocks))


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for block in view["blocks"]:
        if block["type"] == "input":
            assert block["block_id"] == block["element"]["action_id"]
            found[block["block_id"]] = block
    return found


# -- shorten ------------------------------------------------------------------------


def test_shorten_leaves_text_that_fits_untouched():
    assert sb.shorten("卡顿 👍🏽", 10) == "卡顿 👍🏽"


def test_shorten_adds_an_ellipsis_when_it_cuts():
    assert sb.shorten("hello world", 8) == "hello w…"


@pytest.mark.parametrize("limit", range(1, 260))
def test_shorten_cuts_only_between_whole_graphemes_and_stays_within_the_limit(limit):
    result = sb.shorten(MIXED, limit)
    assert utf16_len(result) <= limit
    assert result.endswith("…")
    kept = result[:-1]
    assert MIXED.startswith(kept)
    assert len(kept) in BOUNDARIES


def test_shorten_counts_astral_characters_as_two_units_like_utf16():
    assert sb.shorten("😀" * 10, 5) == "😀😀…"


def test_shorten_keeps_a_zwj_family_whole_in_a_twenty_thousand_character_text():
    result = sb.shorten(FAMILY * 3000, 3000)
    assert result[:-1] == FAMILY * (len(result[:-1]) // len(FAMILY))


def test_shorten_never_pairs_flags_wrongly_when_cutting_a_run_of_flags():
    result = sb.shorten("🇨🇳🇺🇸" * 100, 9)
    assert result == "🇨🇳🇺🇸…"


def test_shorten_joins_surrogate_halves_and_replaces_a_lone_one():
    assert sb.shorten("\ud83d\ude00\ud83d", 10) == "😀\ufffd"


def test_shorten_refuses_a_limit_below_one():
    with pytest.raises(ValueError, match="at least 1"):
        sb.shorten("abc", 0)


# -- ticket card ----------------------------------------------------------------------


def test_a_plain_card_validates_and_has_a_fallback_text():
    text, blocks = sb.ticket_card(make_card())
    assert_message_ok(text, blocks)
    assert "LD-1042" in text


def test_an_extreme_card_stays_within_every_slack_limit():
    text, blocks = sb.ticket_card(extreme_card())
    assert_message_ok(text, blocks)
    assert len(blocks) <= 50


def test_a_card_with_hundreds_of_diagnostics_keeps_to_fifty_blocks_and_counts_the_rest():
    card = make_card(diagnostics={f"key{i}": "v" for i in range(400)})
    text, blocks = sb.ticket_card(card)
    assert_message_ok(text, blocks)
    assert "and 350 more" in text_of(blocks)


def test_the_header_shows_the_priority_mark_and_the_ref():
    for priority, mark in [("P0", "🔴"), ("P1", "🟠"), ("P2", "🟡"), ("P3", "⚪")]:
        _, blocks = sb.ticket_card(make_card(priority=priority))
        assert blocks[0]["type"] == "header"
        assert f"{mark} {priority}" in blocks[0]["text"]["text"]
        assert "LD-1042" in blocks[0]["text"]["text"]


def test_the_card_names_category_and_subtype_in_chinese_and_english():
    content = text_of(sb.ticket_card(make_card())[1])
    for name in ("音视频质量", "audio/video quality", "卡顿、延迟、缓冲", "stutter, freezing"):
        assert name in content


def test_the_card_shows_scope_status_reporter_and_channel():
    content = text_of(sb.ticket_card(make_card(scope="widespread", status="waiting_user"))[1])
    for part in ("Widespread", "Waiting for user", "小王", "Telegram"):
        assert part in content


def test_an_unassigned_card_says_unclaimed_and_an_assigned_one_mentions_the_agent():
    assert "unclaimed / 未认领" in text_of(sb.ticket_card(make_card())[1])
    assert "<@U123>" in text_of(sb.ticket_card(make_card(assignee="U123"))[1])
    assert "<@U1>" in text_of(sb.ticket_card(make_card(assignee="U1"))[1])


def test_an_assignee_that_is_not_a_slack_id_cannot_ping_anyone():
    content = text_of(sb.ticket_card(make_card(assignee="<!channel>"))[1])
    assert "<!channel>" not in content
    assert "&lt;!channel&gt;" in content


def test_the_due_time_is_shown_in_the_configured_timezone_and_as_a_slack_date():
    content = text_of(sb.ticket_card(make_card())[1])
    assert "2026-11-25 20:00 (Asia/Shanghai)" in content
    assert f"<!date^{int(DUE.timestamp())}^" in content


def test_the_due_time_follows_another_configured_timezone():
    content = text_of(sb.ticket_card(make_card(timezone="Europe/London"))[1])
    assert "2026-11-25 12:00 (Europe/London)" in content


def test_an_unknown_timezone_falls_back_to_utc():
    content = text_of(sb.ticket_card(make_card(timezone="Mars/Olympus"))[1])
    assert "2026-11-25 12:00 (UTC)" in content


def test_a_naive_due_time_is_refused():
    with pytest.raises(ValueError, match="naive"):
        sb.ticket_card(make_card(due=datetime(2026, 11, 25, 12, 0)))  # noqa: DTZ001


def test_the_first_response_time_is_shown_when_present():
    responded = datetime(2026, 11, 25, 13, 30, tzinfo=timezone(timedelta(hours=1)))
    content = text_of(sb.ticket_card(make_card(first_response_at=responded))[1])
    assert "2026-11-25 20:30 (Asia/Shanghai)" in content


def test_the_users_words_are_quoted_and_escaped_so_they_cannot_mention_anyone():
    card = make_card(summary="help <!channel> & <@U999> <https://evil.example|bank>\nline two")
    content = text_of(sb.ticket_card(card)[1])
    assert "> help &lt;!channel&gt; &amp; &lt;@U999&gt; &lt;https://evil.example|bank&gt;" in (
        content
    )
    assert "\n> line two" in content
    assert "<!channel>" not in content


def test_twenty_thousand_characters_of_user_text_are_cut_without_breaking_an_emoji():
    _, blocks = sb.ticket_card(make_card(summary=HUGE_WORDS))
    (words,) = [b["text"]["text"] for b in blocks if "In the user's words" in str(b)]
    assert len(words) <= 3000
    assert words.endswith("…")
    assert words.count("\u200d") == 3 * words.count("👨")
    assert words.count("🏽") == words.count("👍")
    assert "🇨" not in words.replace("🇨🇳", "")


def test_diagnostics_are_fields_in_sections_of_at_most_ten():
    card = make_card(diagnostics={f"field{i}": f"value{i}" for i in range(50)})
    _, blocks = sb.ticket_card(card)
    field_sections = [b for b in blocks if any("value" in f["text"] for f in b.get("fields", []))]
    assert len(field_sections) == 5
    assert all(len(b["fields"]) == 10 for b in field_sections)
    shown = text_of(field_sections)
    assert all(f"*field{i}*\nvalue{i}" in shown for i in range(50))


def test_attachments_are_links_and_unsafe_urls_are_only_names():
    card = make_card(
        attachments=[
            ("log.txt", "https://files.example/log.txt"),
            ("evil", "javascript:alert(1)"),
            ("no-url.png", None),
        ]
    )
    content = text_of(sb.ticket_card(card)[1])
    assert "<https://files.example/log.txt|log.txt>" in content
    assert "javascript:" not in content
    assert "• evil" in content
    assert "• no-url.png" in content


def test_thirty_long_attachments_are_listed_within_one_section_with_a_count_of_the_rest():
    _, blocks = sb.ticket_card(extreme_card())
    (attachments,) = [b for b in blocks if "Attachments (30)" in str(b)]
    assert len(attachments["text"]["text"]) <= 3000
    assert "more" in attachments["text"]["text"]


def test_kb_articles_already_tried_and_priority_cues_are_listed():
    content = text_of(sb.ticket_card(make_card(priority="P0"))[1])
    assert "Articles already tried" in content
    assert "切换网络 / Switch networks" in content
    assert "为何是 P0 / Why this priority" in content
    assert "many users report it" in content


def test_outcome_and_root_cause_appear_once_resolved():
    card = make_card(status="workaround", outcome="workaround", root_cause="CDN node overloaded")
    content = text_of(sb.ticket_card(card)[1])
    assert "临时方案 / Temporary workaround" in content
    assert "CDN node overloaded" in content
    assert "Root cause" not in text_of(sb.ticket_card(make_card())[1])


ALL_BUT_CLAIM_AND_REOPEN = {
    "ticket.resolve",
    "ticket.request_info",
    "ticket.send_article",
    "ticket.escalate",
    "ticket.reassign",
    "ticket.priority",
    "ticket.reclassify",
}
CLOSED_LACKS = {"ticket.resolve", "ticket.link_incident", "incident.declare"}
# A ticket in no incident can be linked to one until it is closed; the default
# card's subtype (av.stutter) forms incidents, so it can also declare one.
ALL_BUT_CLAIM_AND_REOPEN |= {"ticket.link_incident", "incident.declare"}
EXPECTED_ACTIONS = [
    ("new", None, ALL_BUT_CLAIM_AND_REOPEN | {"ticket.claim"}),
    ("new", "U1", ALL_BUT_CLAIM_AND_REOPEN),
    ("waiting_user", None, ALL_BUT_CLAIM_AND_REOPEN | {"ticket.claim"}),
    ("waiting_user", "U1", ALL_BUT_CLAIM_AND_REOPEN),
    ("diagnosing", None, ALL_BUT_CLAIM_AND_REOPEN),
    ("diagnosing", "U1", ALL_BUT_CLAIM_AND_REOPEN),
    ("workaround", "U1", ALL_BUT_CLAIM_AND_REOPEN | {"ticket.reopen"}),
    ("fixed", "U1", ALL_BUT_CLAIM_AND_REOPEN | {"ticket.reopen"}),
    ("confirmed", None, ALL_BUT_CLAIM_AND_REOPEN | {"ticket.reopen"}),
    ("closed", "U1", ALL_BUT_CLAIM_AND_REOPEN - CLOSED_LACKS | {"ticket.reopen"}),
    ("closed", None, ALL_BUT_CLAIM_AND_REOPEN - CLOSED_LACKS | {"ticket.reopen"}),
]


def test_the_expected_actions_table_covers_every_status():
    assert {status for status, _, _ in EXPECTED_ACTIONS} == {s.value for s in Status}


@pytest.mark.parametrize(("status", "assignee", "expected"), EXPECTED_ACTIONS)
def test_the_card_shows_exactly_the_buttons_its_status_allows(status, assignee, expected):
    text, blocks = sb.ticket_card(make_card(status=status, assignee=assignee))
    assert_message_ok(text, blocks)
    assert set(actions(blocks)) == expected


def test_every_card_button_carries_the_ref_as_its_value():
    _, blocks = sb.ticket_card(make_card(status="new"))
    buttons = [e for e in actions(blocks).values() if e["type"] == "button"]
    assert len(buttons) == 9  # with declare, link incident and reclassify
    assert all(button["value"] == "LD-1042" for button in buttons)


@pytest.mark.parametrize("priority", ["P0", "P1", "P2", "P3"])
def test_the_priority_select_has_the_current_priority_selected(priority):
    _, blocks = sb.ticket_card(make_card(priority=priority))
    select = actions(blocks)["ticket.priority"]
    assert select["type"] == "static_select"
    assert [o["value"] for o in select["options"]] == ["P0", "P1", "P2", "P3"]
    assert select["initial_option"]["value"] == priority
    assert select["initial_option"] in select["options"]


def test_an_unknown_subtype_or_status_is_shown_as_it_is_instead_of_failing():
    text, blocks = sb.ticket_card(make_card(subtype="av.retired", status="archived"))
    assert_message_ok(text, blocks)
    assert "av.retired" in text_of(blocks)
    assert "archived" in text_of(blocks)


def test_a_ref_that_could_not_fit_a_button_value_is_refused():
    with pytest.raises(ValueError, match="not a ticket ref"):
        sb.ticket_card(make_card(ref="LD-" + "9" * 3000))


# -- modals -------------------------------------------------------------------------


def all_modals() -> list[tuple[str, dict[str, Any]]]:
    return [
        ("ticket.resolve", sb.resolve_modal("LD-1042", finance=False)),
        ("ticket.resolve", sb.resolve_modal("LD-1042", finance=True)),
        ("ticket.request_info", sb.request_info_modal("LD-1042", [("os", "系统 / OS")])),
        ("ticket.escalate", sb.escalate_modal("LD-1042")),
        ("ticket.reassign", sb.reassign_modal("LD-1042")),
        ("ticket.priority", sb.priority_modal("LD-1042", "P0")),
        ("ticket.send_article", sb.send_article_modal("LD-1042", [("kb-1", "重启应用")])),
        ("ticket.send_article", sb.send_article_modal("LD-1042", [])),
        ("ticket.reason", sb.reason_modal("LD-1042", "ticket.claim", "认领原因 / Claim reason")),
    ]


@pytest.mark.parametrize(("action", "view"), all_modals())
def test_every_modal_validates_and_names_its_submit_callback(action, view):
    assert_modal_ok(view)
    assert view["type"] == "modal"
    assert view["callback_id"] == f"{action}.submit"
    assert view["close"]["text"]


@pytest.mark.parametrize(("action", "view"), all_modals())
def test_every_modal_private_metadata_round_trips_the_ref_as_json(action, view):
    assert json.loads(view["private_metadata"])["ref"] == "LD-1042"


def test_priority_and_reason_modals_add_their_extra_metadata():
    priority = json.loads(sb.priority_modal("LD-7", "P2")["private_metadata"])
    reason = json.loads(sb.reason_modal("LD-7", "ticket.claim", "Claim")["private_metadata"])
    assert priority == {"ref": "LD-7", "priority": "P2"}
    assert reason == {"ref": "LD-7", "action": "ticket.claim"}


def test_metadata_keeps_non_ascii_refs_exactly():
    view = sb.reason_modal("LD-1042", "改优先级 ✨", "原因")
    assert json.loads(view["private_metadata"])["action"] == "改优先级 ✨"


def test_the_resolve_modal_has_the_contract_inputs():
    view = sb.resolve_modal("LD-1042", finance=False)
    found = inputs(view)
    assert list(found) == ["outcome", "cause_class", "root_cause", "message", "reason"]
    outcome = found["outcome"]["element"]
    assert outcome["type"] == "radio_buttons"
    assert {o["value"]: o["text"]["text"] for o in outcome["options"]} == {
        "workaround": "临时方案 / Temporary workaround",
        "root_fix": "根本修复 / Root fix",
    }
    cause = found["cause_class"]["element"]
    assert cause["type"] == "static_select"
    assert tuple(o["value"] for o in cause["options"]) == CAUSE_CLASSES
    assert all(" / " in o["text"]["text"] for o in cause["options"])
    for name in ("root_cause", "message"):
        assert found[name]["element"]["type"] == "plain_text_input"
        assert found[name]["element"]["multiline"] is True
        assert found[name]["optional"] is False


def test_the_resolve_reason_is_required_only_on_finance_tickets():
    assert inputs(sb.resolve_modal("LD-1", finance=True))["reason"]["optional"] is False
    assert inputs(sb.resolve_modal("LD-1", finance=False))["reason"]["optional"] is True


def test_the_request_info_modal_offers_the_fields_as_checkboxes_and_an_optional_note():
    view = sb.request_info_modal("LD-1042", [("os", "系统 / OS"), ("room_id", "直播间 / Room")])
    found = inputs(view)
    assert list(found) == ["fields", "note"]
    assert found["fields"]["element"]["type"] == "checkboxes"
    assert [o["value"] for o in found["fields"]["element"]["options"]] == ["os", "room_id"]
    assert found["note"]["optional"] is True


def test_more_than_ten_fields_become_a_multi_select_that_slack_accepts():
    fields = [(f"field{i}", f"字段 {i} " + "长" * 200) for i in range(150)]
    view = sb.request_info_modal("LD-1042", fields)
    assert_modal_ok(view)
    element = inputs(view)["fields"]["element"]
    assert element["type"] == "multi_static_select"
    assert len(element["options"]) == 100


def test_without_fields_the_note_becomes_the_required_question():
    view = sb.request_info_modal("LD-1042", [])
    assert_modal_ok(view)
    assert list(inputs(view)) == ["note"]
    assert inputs(view)["note"]["optional"] is False


def test_a_field_id_too_long_for_an_option_value_is_refused():
    with pytest.raises(ValueError, match="option value"):
        sb.request_info_modal("LD-1042", [("x" * 151, "label")])


def test_the_escalate_modal_requires_a_reason():
    found = inputs(sb.escalate_modal("LD-1042"))
    assert list(found) == ["reason"]
    assert found["reason"]["optional"] is False


def test_the_reassign_modal_offers_a_user_an_unclaim_box_and_an_optional_reason():
    found = inputs(sb.reassign_modal("LD-1042"))
    assert list(found) == ["assignee", "unclaim", "reason"]
    assert found["assignee"]["element"]["type"] == "users_select"
    assert found["unclaim"]["element"]["type"] == "checkboxes"
    assert [o["value"] for o in found["unclaim"]["element"]["options"]] == ["unclaim"]
    assert all(block["optional"] for block in found.values())


def test_the_priority_modal_requires_a_reason_and_names_the_new_priority():
    view = sb.priority_modal("LD-1042", "P0")
    found = inputs(view)
    assert list(found) == ["reason"]
    assert found["reason"]["optional"] is False
    assert "🔴 P0" in text_of(view["blocks"])


def test_the_priority_modal_refuses_an_unknown_priority():
    with pytest.raises(ValueError, match="unknown priority"):
        sb.priority_modal("LD-1042", "P9")


def test_the_send_article_modal_offers_the_articles_in_a_select():
    articles = [(f"kb-{i}", f"文章 {i} " + "很长的标题" * 50) for i in range(130)]
    view = sb.send_article_modal("LD-1042", articles)
    assert_modal_ok(view)
    element = inputs(view)["article"]["element"]
    assert element["type"] == "static_select"
    assert [o["value"] for o in element["options"]] == [f"kb-{i}" for i in range(100)]
    assert "submit" in view


def test_the_send_article_modal_without_articles_says_so_and_cannot_be_submitted():
    view = sb.send_article_modal("LD-1042", [])
    assert "submit" not in view
    assert inputs(view) == {}
    assert "No matching article" in text_of(view["blocks"])


def test_duplicate_article_ids_are_offered_once():
    view = sb.send_article_modal("LD-1", [("kb-1", "A"), ("kb-1", "A again"), ("kb-2", "B")])
    assert [o["value"] for o in inputs(view)["article"]["element"]["options"]] == ["kb-1", "kb-2"]


def test_the_reason_modal_cuts_a_long_title_to_twenty_four_characters():
    view = sb.reason_modal(
        "LD-1042", "ticket.priority", "修改财务工单优先级的原因 / Reason to change priority"
    )
    assert_modal_ok(view)
    assert inputs(view)["reason"]["optional"] is False


# -- home tab and page ----------------------------------------------------------------


def test_the_home_view_lists_claimed_tickets_and_queue_counts():
    claimed = [make_card(ref="LD-1", priority="P2", status="diagnosing", assignee="U1")]
    view = sb.home_view(claimed, {"P0": 2, "P1": 5, "P2": 0, "P3": 9})
    assert validate_view(view, kind="home") == []
    content = text_of(view["blocks"])
    for part in ("🔴 P0*: 2", "🟠 P1*: 5", "⚪ P3*: 9", "LD-1", "卡顿", "Diagnosing", "20:00"):
        assert part in content


def test_the_home_view_with_five_hundred_tickets_stays_within_one_hundred_blocks():
    long_subtype = "av." + "很长" * 500
    claimed = [
        make_card(
            ref=f"LD-{1000 + i}", priority=f"P{i % 4}", subtype=long_subtype, status="x" * 999
        )
        for i in range(500)
    ]
    view = sb.home_view(claimed, {"P0": 10**6})
    assert validate_view(view, kind="home") == []
    assert len(view["blocks"]) <= 100
    assert f"and {500 - sb.MAX_HOME_TICKETS} more" in text_of(view["blocks"])


def test_the_home_view_lists_the_most_urgent_tickets_first():
    claimed = [
        make_card(ref="LD-3", priority="P3"),
        make_card(ref="LD-2", priority="P0", due=None),
        make_card(ref="LD-1", priority="P0"),
    ]
    content = text_of(sb.home_view(claimed, {})["blocks"])
    assert content.index("LD-1") < content.index("LD-2") < content.index("LD-3")


def test_an_empty_home_view_says_there_is_nothing_claimed():
    view = sb.home_view([], {})
    assert validate_view(view, kind="home") == []
    assert "no claimed tickets" in text_of(view["blocks"])


def test_the_page_mentions_the_on_call_and_has_an_acknowledge_button():
    text, blocks = sb.page_message("LD-1042", "P0", "全站黑屏", "<!subteam^S123>")
    assert_message_ok(text, blocks)
    assert "<!subteam^S123>" in text
    content = text_of(blocks)
    assert "<!subteam^S123>" in content
    assert "🔴 P0" in content
    assert "LD-1042" in content
    assert "全站黑屏" in content
    (button,) = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == "page.ack"
    assert button["value"] == "LD-1042"


def test_a_page_with_twenty_thousand_characters_of_user_text_stays_short_and_valid():
    text, blocks = sb.page_message("LD-1042", "P0", HUGE_WORDS, "<@U1>")
    assert_message_ok(text, blocks)
    assert len(text) <= 400
    assert "<!channel>" not in text_of(blocks).replace("<@U1>", "")


def test_metadata_too_long_for_slack_is_refused_rather_than_cut():
    with pytest.raises(ValueError, match="private_metadata"):
        sb.reason_modal("LD-1042", "x" * 3000, "Reason")
