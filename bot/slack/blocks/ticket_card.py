"""The ticket card posted to the agents' channel, and the P0 page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.slack.blocks.ids import (
    ACTION_CLAIM,
    ACTION_ESCALATE,
    ACTION_INCIDENT_DECLARE,
    ACTION_LINK_INCIDENT,
    ACTION_PAGE_ACK,
    ACTION_PRIORITY,
    ACTION_REASSIGN,
    ACTION_RECLASSIFY,
    ACTION_REOPEN,
    ACTION_REQUEST_INFO,
    ACTION_RESOLVE,
    ACTION_REVEAL_FINANCE,
    ACTION_SEND_ARTICLE,
    ACTION_UNLINK_INCIDENT,
    CARD_ACTIONS_BLOCK,
    CHANNEL_LABELS,
    CLAIMABLE_STATUSES,
    OUTCOME_LABELS,
    PAGE_ACTIONS_BLOCK,
    PRIORITIES,
    REOPENABLE_STATUSES,
    SCOPE_LABELS,
    STATUS_LABELS,
    TIER_LABELS,
    UNCLAIMED,
    UNRESOLVABLE_STATUSES,
    priority_mark,
)
from bot.slack.blocks.parts import (
    SECTION_TEXT_MAX,
    bullet_text,
    category_label,
    check_ref,
    field,
    format_time,
    link_or_name,
    more_context,
    ref_button,
    section,
    subtype_label,
    subtype_short,
    user_mention,
)
from bot.slack.blocks.readable import (
    diagnostic_label,
    diagnostic_value,
    language_label,
    merged_cues,
)
from bot.slack.blocks.safe_text import fit, fit_mrkdwn, fit_quote, plain

FIELDS_PER_SECTION = 10
MAX_DIAGNOSTIC_SECTIONS = 5
FALLBACK_MAX = 300
_ITEM_MAX = 200
_DIAG_KEY_MAX = 100
_DIAG_VALUE_MAX = 500


@dataclass(frozen=True, slots=True)
class CardData:
    ref: str
    priority: str  # "P0".."P3"
    status: str  # core.statuses.Status value
    category: str  # taxonomy category id
    subtype: str  # taxonomy subtype id, e.g. "av.stutter"
    scope: str  # "single" | "widespread"
    summary: str  # the user's own words, any length
    reporter: str  # display name
    channel: str  # "telegram" | "console"
    diagnostics: dict[str, str]  # formatted and masked by the caller
    attachments: list[tuple[str, str | None]]  # (file name, URL or None)
    kb_tried: list[str]  # article titles the user already tried
    cues: list[str]  # classifier cues ("why P0")
    due: datetime | None  # first-response due time, aware
    first_response_at: datetime | None
    assignee: str | None  # Slack user id like "U123", or None
    tier: str  # "lead" | "l2" | "l1"
    outcome: str | None  # "workaround" | "root_fix" | None
    root_cause: str | None
    timezone: str = "Asia/Shanghai"
    incident: str | None = None  # the incident the ticket is linked to
    can_form_incident: bool = False  # its subtype belongs to a related group
    finance_masked: bool = False  # finance values masked: offer the reveal button
    language: str = ""  # the reporter's language, "zh" or "en"


def ticket_card(card: CardData) -> tuple[str, list[dict[str, Any]]]:
    """(fallback text, blocks) of the card; at most 50 blocks whatever the input size."""
    check_ref(card.ref)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(_headline(card), 150)},
        {"type": "section", "fields": _facts(card)},
        section(_words(card.summary)),
    ]
    blocks.extend(_diagnostics(card.diagnostics, card.timezone))
    if card.attachments:
        links = [link_or_name(name, url) for name, url in card.attachments]
        blocks.append(section(bullet_text(f"*附件 / Attachments ({len(links)})*", links)))
    if card.kb_tried:
        titles = [fit_mrkdwn(title, _ITEM_MAX) for title in card.kb_tried]
        blocks.append(section(bullet_text("*用户已尝试的文章 / Articles already tried*", titles)))
    if shown_cues := merged_cues(card.cues, card.summary):
        cues = [fit_mrkdwn(cue, _ITEM_MAX) for cue in shown_cues]
        heading = f"*为何是 {card.priority} / Why this priority*"
        blocks.append(section(bullet_text(fit_mrkdwn(heading, 200), cues)))
    if card.outcome is not None:
        blocks.append(section(_resolution(card)))
    if card.incident is not None:
        blocks.append(section(_linked(card.incident)))
    blocks.append({"type": "actions", "block_id": CARD_ACTIONS_BLOCK, "elements": _buttons(card)})
    return _fallback(card), blocks


def _headline(card: CardData) -> str:
    return f"{priority_mark(card.priority)} · {card.ref} · {subtype_short(card.subtype)}"


def _fallback(card: CardData) -> str:
    head = f"{priority_mark(card.priority)} {card.ref} · {subtype_short(card.subtype)}: "
    return fit_mrkdwn(head + " ".join(card.summary.split()), FALLBACK_MAX)


def _facts(card: CardData) -> list[dict[str, Any]]:
    due = format_time(card.due, card.timezone) if card.due else "—"
    first = format_time(card.first_response_at, card.timezone) if card.first_response_at else "—"
    status = STATUS_LABELS.get(card.status) or fit_mrkdwn(card.status, 100)
    channel = CHANNEL_LABELS.get(card.channel) or fit_mrkdwn(card.channel, 100)
    return [
        field("类别 / Category", fit_mrkdwn(category_label(card.category), 300)),
        field("子类 / Subtype", fit_mrkdwn(f"{subtype_label(card.subtype)} ({card.subtype})", 300)),
        field("范围 / Scope", SCOPE_LABELS.get(card.scope) or fit_mrkdwn(card.scope, 100)),
        field("状态 / Status", status),
        field("处理人 / Assignee", user_mention(card.assignee, UNCLAIMED)),
        field("层级 / Tier", TIER_LABELS.get(card.tier) or fit_mrkdwn(card.tier, 100)),
        field("报告人 / Reporter", fit_mrkdwn(card.reporter, _ITEM_MAX)),
        field("语言 · 渠道 / Language · channel", f"{language_label(card.language)} · {channel}"),
        field("首次响应截止 / First response due", due),
        field("首次响应 / First response", first),
    ]


def _words(summary: str) -> str:
    title = "*用户原话 / In the user's words*\n"
    return title + fit_quote(summary.strip() or "—", SECTION_TEXT_MAX - len(title))


def _diagnostics(diagnostics: dict[str, str], timezone: str) -> list[dict[str, Any]]:
    fields = [
        field(
            fit_mrkdwn(diagnostic_label(key), _DIAG_KEY_MAX),
            fit_mrkdwn(diagnostic_value(key, value, timezone), _DIAG_VALUE_MAX) or "—",
        )
        for key, value in diagnostics.items()
    ]
    shown = fields[: FIELDS_PER_SECTION * MAX_DIAGNOSTIC_SECTIONS]
    blocks: list[dict[str, Any]] = []
    for start in range(0, len(shown), FIELDS_PER_SECTION):
        block: dict[str, Any] = {
            "type": "section",
            "fields": shown[start : start + FIELDS_PER_SECTION],
        }
        if start == 0:
            block["text"] = plain("诊断信息 / Diagnostics")
        blocks.append(block)
    if len(fields) > len(shown):
        blocks.append(more_context(len(fields) - len(shown)))
    return blocks


def _linked(incident: str) -> str:
    ref = fit_mrkdwn(incident, 64)
    return (
        f"🔗 已并入事故 *{ref}*：进展在事故卡片上发布 / "
        f"Part of incident *{ref}*: updates go out from the incident's card"
    )


def _resolution(card: CardData) -> str:
    outcome = card.outcome or ""
    text = f"*处理结果 / Outcome*: {OUTCOME_LABELS.get(outcome) or fit_mrkdwn(outcome, 100)}"
    if card.root_cause:
        text += "\n*根本原因 / Root cause*\n"
        text += fit_quote(card.root_cause, SECTION_TEXT_MAX - len(text))
    return text


def _buttons(card: CardData) -> list[dict[str, Any]]:
    ref = card.ref
    elements: list[dict[str, Any]] = []
    if card.assignee is None and card.status in CLAIMABLE_STATUSES:
        elements.append(ref_button("认领 / Claim", ACTION_CLAIM, ref, "primary"))
    if card.status not in UNRESOLVABLE_STATUSES:
        elements.append(ref_button("解决 / Resolve", ACTION_RESOLVE, ref))
    elements.append(ref_button("补充信息 / Request info", ACTION_REQUEST_INFO, ref))
    elements.append(ref_button("发送文章 / Send article", ACTION_SEND_ARTICLE, ref))
    elements.append(ref_button("升级 / Escalate", ACTION_ESCALATE, ref))
    elements.append(ref_button("转派 / Reassign", ACTION_REASSIGN, ref))
    elements.append(ref_button("重新分类 / Reclassify", ACTION_RECLASSIFY, ref))
    if card.status in REOPENABLE_STATUSES:
        elements.append(ref_button("重新打开 / Reopen", ACTION_REOPEN, ref, "danger"))
    if card.incident is not None:
        elements.append(ref_button("移出事故 / Unlink", ACTION_UNLINK_INCIDENT, ref))
    elif card.status not in UNRESOLVABLE_STATUSES:
        if card.can_form_incident:
            elements.append(ref_button("宣布事故 / Declare incident", ACTION_INCIDENT_DECLARE, ref))
        elements.append(ref_button("关联事故 / Link to incident", ACTION_LINK_INCIDENT, ref))
    if card.finance_masked:
        elements.append(ref_button("显示财务信息 / Reveal finance", ACTION_REVEAL_FINANCE, ref))
    elements.append(_priority_select(card.priority))
    return elements


def priority_option(priority: str) -> dict[str, Any]:
    return {"text": plain(priority_mark(priority), 75), "value": priority}


def _priority_select(current: str) -> dict[str, Any]:
    select: dict[str, Any] = {
        "type": "static_select",
        "action_id": ACTION_PRIORITY,
        "placeholder": plain("优先级 / Priority", 150),
        "options": [priority_option(p) for p in PRIORITIES],
    }
    if current in PRIORITIES:
        select["initial_option"] = priority_option(current)
    return select


def page_message(
    ref: str, priority: str, summary: str, mention: str
) -> tuple[str, list[dict[str, Any]]]:
    """The page for an urgent ticket: mentions the on-call, with an Acknowledge button.

    `mention` is trusted Slack syntax from the configuration ("<!subteam^S123>", "<@U1>").
    """
    check_ref(ref)
    mark = priority_mark(priority)
    words = " ".join(summary.split()) or "—"
    head = f"{mention} {mark} *{ref}* 需要立即处理 / needs an agent now\n"
    text = head + fit_quote(words, min(500, SECTION_TEXT_MAX - len(head)))
    blocks: list[dict[str, Any]] = [
        section(text),
        {
            "type": "actions",
            "block_id": PAGE_ACTIONS_BLOCK,
            "elements": [ref_button("确认接手 / Acknowledge", ACTION_PAGE_ACK, ref, "primary")],
        },
    ]
    fallback = fit(f"{mention} {mark} {ref}: ", 200) + fit_mrkdwn(words, 200)
    return fallback, blocks
