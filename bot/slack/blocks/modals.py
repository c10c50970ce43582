"""The modals agents fill in to act on a ticket.

Every input's block_id and action_id are the field name (see bot.slack.blocks.ids), so the
adapter reads `view.state.values[field][field]`; private_metadata is JSON with the ref.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.slack.blocks.ids import (
    ACTION_ESCALATE,
    ACTION_PRIORITY,
    ACTION_REASON,
    ACTION_REASSIGN,
    ACTION_REQUEST_INFO,
    ACTION_RESOLVE,
    ACTION_SEND_ARTICLE,
    CAUSE_CLASS_LABELS,
    FIELD_ARTICLE,
    FIELD_ASSIGNEE,
    FIELD_CAUSE_CLASS,
    FIELD_FIELDS,
    FIELD_MESSAGE,
    FIELD_NOTE,
    FIELD_OUTCOME,
    FIELD_REASON,
    FIELD_ROOT_CAUSE,
    FIELD_UNCLAIM,
    OUTCOME_LABELS,
    PRIORITIES,
    UNCLAIM_VALUE,
    priority_mark,
    submit_callback,
)
from bot.slack.blocks.parts import check_ref, section
from bot.slack.blocks.safe_text import fit_mrkdwn, mrkdwn, plain
from core.tickets import CAUSE_CLASSES

TITLE_MAX = 24
METADATA_MAX = 3000
OPTION_VALUE_MAX = 150
MAX_CHECKBOXES = 10
MAX_SELECT_OPTIONS = 100
TEXT_INPUT_MAX = 3000
REASON_MAX = 2000
_SENT_AS_WRITTEN = "会发送给用户 / This is sent to the user as written"
_NO_FIELDS = (
    "没有预设的缺失项，请在下面写出问题。/ No known missing details: write the question below."
)
_ESCALATE_NOTE = (
    "升级到下一层级（L1 → L2 → 组长）。/ Moves the ticket up one tier (L1 → L2 → lead)."
)


def _metadata(ref: str, extra: dict[str, str]) -> str:
    data = json.dumps({"ref": ref, **extra}, ensure_ascii=False, separators=(",", ":"))
    if len(data) > METADATA_MAX:
        raise ValueError(f"private_metadata would be {len(data)} characters (max {METADATA_MAX})")
    return data


def _modal(
    action: str,
    ref: str,
    title: str,
    blocks: list[dict[str, Any]],
    *,
    submit: str | None = "提交 / Submit",
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    check_ref(ref)
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": submit_callback(action),
        "private_metadata": _metadata(ref, metadata or {}),
        "title": plain(title, TITLE_MAX),
        "close": plain("取消 / Cancel", TITLE_MAX),
        "blocks": [{"type": "context", "elements": [mrkdwn(f"工单 / Ticket *{ref}*")]}, *blocks],
    }
    if submit is not None:
        view["submit"] = plain(submit, TITLE_MAX)
    return view


def _input(
    name: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": name,
        "label": plain(label, 2000),
        "element": {**element, "action_id": name},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def _text_input(*, multiline: bool = True, max_length: int = TEXT_INPUT_MAX) -> dict[str, Any]:
    return {"type": "plain_text_input", "multiline": multiline, "max_length": max_length}


def _option(value: str, label: str) -> dict[str, Any]:
    if not value or len(value) > OPTION_VALUE_MAX:
        raise ValueError(f"option value must be 1..{OPTION_VALUE_MAX} characters: {value[:40]!r}")
    return {"text": plain(label, 75), "value": value}


def _options(pairs: Sequence[tuple[str, str]], limit: int) -> list[dict[str, Any]]:
    """Options for the first `limit` distinct values (Slack refuses duplicate values)."""
    seen: set[str] = set()
    options = []
    for value, label in pairs:
        if value not in seen:
            seen.add(value)
            options.append(_option(value, label))
    return options[:limit]


def _reason_input(*, optional: bool, hint: str | None = None) -> dict[str, Any]:
    return _input(
        FIELD_REASON,
        "原因（记入审计日志）/ Reason (kept in the audit trail)",
        _text_input(max_length=REASON_MAX),
        optional=optional,
        hint=hint,
    )


def resolve_modal(ref: str, *, finance: bool) -> dict[str, Any]:
    outcomes = [_option(value, label) for value, label in OUTCOME_LABELS.items()]
    causes = [_option(c, CAUSE_CLASS_LABELS.get(c, c)) for c in CAUSE_CLASSES]
    hint = "财务工单必须填写 / Required on finance tickets" if finance else None
    blocks = [
        _input(FIELD_OUTCOME, "处理结果 / Outcome", {"type": "radio_buttons", "options": outcomes}),
        _input(
            FIELD_CAUSE_CLASS,
            "原因类别 / Cause class",
            {
                "type": "static_select",
                "placeholder": plain("选择类别 / Pick a class", 150),
                "options": causes,
            },
        ),
        _input(FIELD_ROOT_CAUSE, "根本原因 / Root cause", _text_input()),
        _input(
            FIELD_MESSAGE,
            "给用户的消息 / Message for the user",
            _text_input(),
            hint=_SENT_AS_WRITTEN,
        ),
        _reason_input(optional=not finance, hint=hint),
    ]
    return _modal(ACTION_RESOLVE, ref, "解决 / Resolve", blocks)


def request_info_modal(ref: str, fields: list[tuple[str, str]]) -> dict[str, Any]:
    """Ask the user for details. Up to 10 fields are checkboxes; more become a multi-select
    (both submit `selected_options`). With no fields the note is the question itself.
    """
    options = _options(fields, MAX_SELECT_OPTIONS)
    blocks: list[dict[str, Any]] = []
    if options:
        kind = "checkboxes" if len(options) <= MAX_CHECKBOXES else "multi_static_select"
        element: dict[str, Any] = {"type": kind, "options": options}
        if kind != "checkboxes":
            element["placeholder"] = plain("选择要补充的信息 / Pick the details to ask for", 150)
        blocks.append(_input(FIELD_FIELDS, "需要用户补充 / Ask the user for", element))
    else:
        blocks.append(section(_NO_FIELDS))
    blocks.append(
        _input(
            FIELD_NOTE,
            "给用户的说明 / Note for the user",
            _text_input(),
            optional=bool(options),
            hint=_SENT_AS_WRITTEN,
        )
    )
    return _modal(ACTION_REQUEST_INFO, ref, "补充信息 / Request info", blocks)


def escalate_modal(ref: str) -> dict[str, Any]:
    blocks = [
        section(_ESCALATE_NOTE),
        _reason_input(optional=False),
    ]
    return _modal(ACTION_ESCALATE, ref, "升级 / Escalate", blocks)


def reassign_modal(ref: str) -> dict[str, Any]:
    unclaim = _option(UNCLAIM_VALUE, "取消认领，放回队列 / Unclaim: back to the queue")
    blocks = [
        _input(
            FIELD_ASSIGNEE,
            "新的处理人 / New assignee",
            {"type": "users_select", "placeholder": plain("选择同事 / Pick a colleague", 150)},
            optional=True,
        ),
        _input(
            FIELD_UNCLAIM,
            "或者 / Or",
            {"type": "checkboxes", "options": [unclaim]},
            optional=True,
        ),
        _reason_input(optional=True),
    ]
    return _modal(ACTION_REASSIGN, ref, "转派 / Reassign", blocks)


def priority_modal(ref: str, priority: str) -> dict[str, Any]:
    if priority not in PRIORITIES:
        raise ValueError(f"unknown priority {priority!r}; expected one of {', '.join(PRIORITIES)}")
    blocks = [
        section(f"把优先级改为 / Change the priority to *{priority_mark(priority)}*"),
        _reason_input(optional=False),
    ]
    return _modal(
        ACTION_PRIORITY, ref, "优先级 / Priority", blocks, metadata={"priority": priority}
    )


def send_article_modal(ref: str, articles: list[tuple[str, str]]) -> dict[str, Any]:
    """Pick a knowledge-base article for the user; the first 100 are offered, in order."""
    options = _options(articles, MAX_SELECT_OPTIONS)
    if not options:
        blocks = [section("没有匹配的文章。/ No matching article for this ticket.")]
        return _modal(ACTION_SEND_ARTICLE, ref, "发送文章 / Send article", blocks, submit=None)
    element = {
        "type": "static_select",
        "placeholder": plain("选择文章 / Pick an article", 150),
        "options": options,
    }
    blocks = [_input(FIELD_ARTICLE, "文章 / Article", element)]
    return _modal(ACTION_SEND_ARTICLE, ref, "发送文章 / Send article", blocks)


def reason_modal(ref: str, action: str, title: str) -> dict[str, Any]:
    """Ask for the reason a finance ticket needs before `action` (e.g. "ticket.claim")."""
    note = (
        "财务工单的每次操作都需要原因。/ Every change to a finance ticket needs a reason: "
        f"`{fit_mrkdwn(action, 200)}`"
    )
    blocks = [section(note), _reason_input(optional=False)]
    return _modal(
        ACTION_REASON, ref, title.strip() or "原因 / Reason", blocks, metadata={"action": action}
    )
