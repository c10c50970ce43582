"""The incident card (escalation channel, the team's channel, the war room), its
page, and the thread message that lists a batch of new reports.

Pure: plain data in, Slack JSON out; user text is escaped and cut to fit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.slack.blocks.ids import (
    ACTION_INCIDENT_ACK,
    ACTION_INCIDENT_MERGE,
    ACTION_INCIDENT_RESOLVE,
    ACTION_INCIDENT_UPDATE,
    ACTION_UNLINK_INCIDENT,
    ACTION_WAR_ROOM,
    CAUSE_CLASS_LABELS,
    INCIDENT_ACTIONS_BLOCK,
    INCIDENT_STATUS_LABELS,
    OUTCOME_LABELS,
    PAGE_ACTIONS_BLOCK,
    priority_mark,
)
from bot.slack.blocks.parts import (
    SECTION_TEXT_MAX,
    check_ref,
    format_time,
    ref_button,
    section,
    subtype_short,
    user_mention,
)
from bot.slack.blocks.parts import (
    field as field_block,
)
from bot.slack.blocks.safe_text import fit, fit_mrkdwn, fit_quote

MAX_COUNTS_SHOWN = 5  # per breakdown dimension; the rest are summed as "other"
MAX_REFS_IN_BATCH = 40  # refs named in one thread message; the rest are counted
FALLBACK_MAX = 300
_VALUE_MAX = 60
NO_OWNER = "无人接手 / no owner yet"


@dataclass(frozen=True, slots=True)
class UpdateShown:
    status: str
    message: str
    at: datetime
    author: str
    eta: datetime | None = None
    sent: int | None = None  # "sent to N of M", when the broadcast's progress is known
    total: int | None = None
    sending: bool = False  # some reporters are still to be told


@dataclass(frozen=True, slots=True)
class IncidentCardData:
    ref: str
    title: str
    status: str
    severity: str
    owner: str | None
    finance: bool
    reports: int
    reporters: int
    per_minute: float
    first_report: datetime | None
    latest_report: datetime | None
    first_refs: tuple[str, ...]
    timezone: str
    by_subtype: Mapping[str, int] = field(default_factory=dict)
    by_app_version: Mapping[str, int] = field(default_factory=dict)
    by_os: Mapping[str, int] = field(default_factory=dict)
    by_device_model: Mapping[str, int] = field(default_factory=dict)
    by_region: Mapping[str, int] = field(default_factory=dict)
    latest_update: UpdateShown | None = None
    merged_into: str | None = None
    outcome: str | None = None
    cause_class: str | None = None


def counts_text(counts: Mapping[str, int], label: Any = str) -> str:
    """ "a 12 · b 3 · other 2": the largest few, escaped, the rest summed."""
    if not counts:
        return "—"
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = [f"{fit_mrkdwn(label(k), _VALUE_MAX)} {n}" for k, n in ordered[:MAX_COUNTS_SHOWN]]
    rest = sum(n for _, n in ordered[MAX_COUNTS_SHOWN:])
    if rest:
        shown.append(f"其他 / other {rest}")
    return " · ".join(shown)


def _buttons(card: IncidentCardData) -> list[dict[str, Any]]:
    if card.status == "resolved":
        return []
    ref = card.ref
    out = []
    if card.owner is None:
        out.append(ref_button("接手 / Acknowledge", ACTION_INCIDENT_ACK, ref, "primary"))
    out += [
        ref_button("发布进展 / Post update", ACTION_INCIDENT_UPDATE, ref),
        ref_button("解决 / Resolve", ACTION_INCIDENT_RESOLVE, ref),
        ref_button("作战室 / War room", ACTION_WAR_ROOM, ref),
        ref_button("合并 / Merge", ACTION_INCIDENT_MERGE, ref),
        ref_button("移出工单 / Unlink ticket", ACTION_UNLINK_INCIDENT, ref),
    ]
    return out


def _when(moment: datetime | None, timezone: str) -> str:
    return format_time(moment, timezone) if moment is not None else "—"


def _update_text(update: UpdateShown, timezone: str) -> str:
    status = INCIDENT_STATUS_LABELS.get(update.status, update.status)
    head = (
        f"*最新进展 / Latest update* ({fit_mrkdwn(status, 60)}, "
        f"{user_mention(update.author, '—')}, {_when(update.at, timezone).splitlines()[0]})"
    )
    if update.eta is not None:
        head += f"\n预计 / ETA: {_when(update.eta, timezone).splitlines()[0]}"
    if update.total is not None and update.sent is not None:
        sent, total = update.sent, update.total
        head += f"\n📨 已发送 {sent}/{total} / update sent to {sent} of {total}"
    return head + "\n" + fit_quote(update.message, SECTION_TEXT_MAX - len(head) - 10)


def incident_card(card: IncidentCardData) -> tuple[str, list[dict[str, Any]]]:
    """The card's fallback text and blocks."""
    check_ref(card.ref)
    mark = priority_mark(card.severity)
    status = INCIDENT_STATUS_LABELS.get(card.status, card.status)
    title = fit_mrkdwn(card.title, 200)
    head = f"🚨 *{card.ref}* {mark} {title}\n*{fit_mrkdwn(status, 60)}*"
    if card.merged_into:
        head += f" · 已并入 / merged into *{fit_mrkdwn(card.merged_into, 64)}*"
    if card.outcome:
        outcome = OUTCOME_LABELS.get(card.outcome, card.outcome)
        cause = CAUSE_CLASS_LABELS.get(card.cause_class or "", card.cause_class or "—")
        head += f" · {fit_mrkdwn(outcome, 80)} · {fit_mrkdwn(cause, 80)}"
    blocks: list[dict[str, Any]] = [section(head)]
    blocks.append(
        {
            "type": "section",
            "fields": [
                field_block("负责人 / Owner", user_mention(card.owner, NO_OWNER)),
                field_block(
                    "报告 / Reports",
                    f"{card.reports} 条，{card.reporters} 人 / {card.reports} from "
                    f"{card.reporters} reporters · {card.per_minute:g}/min",
                ),
                field_block("首次报告 / First report", _when(card.first_report, card.timezone)),
                field_block("最新报告 / Latest report", _when(card.latest_report, card.timezone)),
                field_block("问题类型 / Subtypes", counts_text(card.by_subtype, subtype_short)),
                field_block("地区 / Region", counts_text(card.by_region)),
                field_block("版本 / App version", counts_text(card.by_app_version)),
                field_block("系统 / OS", counts_text(card.by_os)),
                field_block("机型 / Device", counts_text(card.by_device_model)),
                field_block("工单 / Tickets", _refs_text(card.first_refs, card.reports)),
            ],
        }
    )
    if card.latest_update is not None:
        blocks.append(section(_update_text(card.latest_update, card.timezone)))
    buttons = _buttons(card)
    if buttons:
        blocks.append({"type": "actions", "block_id": INCIDENT_ACTIONS_BLOCK, "elements": buttons})
    fallback = fit(f"{card.ref} {card.severity} {card.status}: ", 100) + fit_mrkdwn(
        card.title, FALLBACK_MAX - 100
    )
    return fallback, blocks


def _refs_text(refs: Sequence[str], total: int) -> str:
    shown = ", ".join(fit_mrkdwn(r, 64) for r in refs) or "—"
    rest = total - len(refs)
    return f"{shown} +{rest}" if rest > 0 else shown


def batch_text(refs: Sequence[str], total: int) -> str:
    """One thread message for a batch of newly linked reports."""
    named = ", ".join(fit_mrkdwn(r, 64) for r in refs[:MAX_REFS_IN_BATCH])
    rest = len(refs) - MAX_REFS_IN_BATCH
    if rest > 0:
        named += f" +{rest}"
    return (
        f"📥 新增 {len(refs)} 条报告（共 {total} 条）/ {len(refs)} new reports "
        f"({total} in all): {named}"
    )


def incident_page(
    ref: str, severity: str, title: str, mention: str, card_link: str | None
) -> tuple[str, list[dict[str, Any]]]:
    """The page for a P0 incident, naming it and pointing at its card.

    `mention` and `card_link` are trusted Slack syntax built by the adapter.
    """
    check_ref(ref)
    mark = priority_mark(severity)
    text = f"{mention} {mark} 事故 / Incident *{ref}*: {fit_mrkdwn(title, 200)}"
    if card_link:
        text += f"\n卡片 / Card: {card_link}"
    blocks: list[dict[str, Any]] = [
        section(text),
        {
            "type": "actions",
            "block_id": PAGE_ACTIONS_BLOCK,
            "elements": [ref_button("确认接手 / Acknowledge", ACTION_INCIDENT_ACK, ref, "primary")],
        },
    ]
    fallback = fit(f"{mention} {mark} {ref}: ", 200) + fit_mrkdwn(title, 200)
    return fallback, blocks
