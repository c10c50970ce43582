"""The modals agents fill in to act on an incident: post an update, resolve,
merge, link a ticket to an open incident, unlink a ticket.

As for ticket modals, each input's block_id and action_id are its field name and
private_metadata is JSON with the ref the modal acts on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.slack.blocks.ids import (
    ACTION_INCIDENT_MERGE,
    ACTION_INCIDENT_RESOLVE,
    ACTION_INCIDENT_UPDATE,
    ACTION_LINK_INCIDENT,
    ACTION_UNLINK_INCIDENT,
    CAUSE_CLASS_LABELS,
    FIELD_CAUSE_CLASS,
    FIELD_ETA,
    FIELD_INCIDENT,
    FIELD_MESSAGE,
    FIELD_OUTCOME,
    FIELD_REASON,
    FIELD_STATUS,
    FIELD_TICKET,
    INCIDENT_STATUS_LABELS,
    OUTCOME_LABELS,
)
from bot.slack.blocks.modals import (
    MAX_SELECT_OPTIONS,
    REASON_MAX,
    _input,
    _modal,
    _option,
    _options,
    _text_input,
)
from bot.slack.blocks.parts import section
from bot.slack.blocks.safe_text import mrkdwn, plain
from core.tickets import CAUSE_CLASSES

_SENT_TO_ALL = "会发送给所有报告者 / Every reporter gets this as written"
_NOTHING_OPEN = "没有其他进行中的事故。/ No other open incident."
OPEN_STATUSES = ("investigating", "identified", "monitoring")


def _incident_modal(
    action: str, ref: str, title: str, blocks: list[dict[str, Any]], **kw: Any
) -> dict[str, Any]:
    view = _modal(action, ref, title, blocks, **kw)
    view["blocks"][0] = {"type": "context", "elements": [mrkdwn(f"事故 / Incident *{ref}*")]}
    return view


def _select(placeholder: str, options: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "static_select", "placeholder": plain(placeholder, 150), "options": options}


def _message_input() -> dict[str, Any]:
    return _input(
        FIELD_MESSAGE, "公开消息 / Public message", _text_input(max_length=2000), hint=_SENT_TO_ALL
    )


def update_modal(ref: str, current: str) -> dict[str, Any]:
    """Status (the current one first) and a public message; the ETA is optional."""
    statuses = [s for s in OPEN_STATUSES if s == current] + [
        s for s in OPEN_STATUSES if s != current
    ]
    options = [_option(s, INCIDENT_STATUS_LABELS[s]) for s in statuses]
    status = _select("选择状态 / Pick a status", options)
    status["initial_option"] = options[0]
    blocks = [
        _input(FIELD_STATUS, "状态 / Status", status),
        _message_input(),
        _input(
            FIELD_ETA,
            "预计时间 / ETA",
            {"type": "datetimepicker"},
            optional=True,
            hint="下次进展或修复的预计时间 / When the next update or the fix is expected",
        ),
    ]
    return _incident_modal(ACTION_INCIDENT_UPDATE, ref, "发布进展 / Update", blocks)


def incident_resolve_modal(ref: str) -> dict[str, Any]:
    outcomes = [_option(value, label) for value, label in OUTCOME_LABELS.items()]
    causes = [_option(c, CAUSE_CLASS_LABELS.get(c, c)) for c in CAUSE_CLASSES]
    blocks = [
        _input(FIELD_OUTCOME, "处理结果 / Outcome", {"type": "radio_buttons", "options": outcomes}),
        _input(FIELD_CAUSE_CLASS, "原因类别 / Cause class", _select("选择 / Pick", causes)),
        _message_input(),
    ]
    return _incident_modal(ACTION_INCIDENT_RESOLVE, ref, "解决事故 / Resolve", blocks)


def _incident_options(incidents: Sequence[tuple[str, str, int, int]]) -> list[dict[str, Any]]:
    """(ref, title, tickets, reporters) as options: "INC-101 No sound · 30 tickets, 28 people"."""
    return _options(
        [
            (ref, f"{ref} {title} · {tickets} 单 / tickets, {reporters} 人 / people")
            for ref, title, tickets, reporters in incidents
        ],
        MAX_SELECT_OPTIONS,
    )


def link_modal(ticket_ref: str, incidents: Sequence[tuple[str, str, int, int]]) -> dict[str, Any]:
    options = _incident_options(incidents)
    if not options:
        return _modal(
            ACTION_LINK_INCIDENT,
            ticket_ref,
            "关联事故 / Link",
            [section(_NOTHING_OPEN)],
            submit=None,
        )
    blocks = [_input(FIELD_INCIDENT, "事故 / Incident", _select("选择事故 / Pick", options))]
    return _modal(ACTION_LINK_INCIDENT, ticket_ref, "关联事故 / Link", blocks)


def merge_modal(ref: str, incidents: Sequence[tuple[str, str, int, int]]) -> dict[str, Any]:
    """Pick the open incident to fold into this one."""
    options = _incident_options([i for i in incidents if i[0] != ref])
    if not options:
        return _incident_modal(
            ACTION_INCIDENT_MERGE, ref, "合并 / Merge", [section(_NOTHING_OPEN)], submit=None
        )
    blocks = [
        section(f"所选事故的工单将并入 *{ref}* / The picked incident's tickets move into *{ref}*"),
        _input(FIELD_INCIDENT, "事故 / Incident", _select("选择事故 / Pick", options)),
    ]
    return _incident_modal(ACTION_INCIDENT_MERGE, ref, "合并 / Merge", blocks)


def unlink_modal(ref: str, tickets: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Pick one of the incident's tickets (ref, summary) and give a reason."""
    options = _options([(t, f"{t} {summary}") for t, summary in tickets], MAX_SELECT_OPTIONS)
    if not options:
        nothing = section("事故中没有工单。/ The incident has no tickets.")
        return _incident_modal(
            ACTION_UNLINK_INCIDENT, ref, "移出工单 / Unlink", [nothing], submit=None
        )
    ticket = _select("选择工单 / Pick a ticket", options)
    if len(options) == 1:
        ticket["initial_option"] = options[0]
    blocks = [
        _input(FIELD_TICKET, "工单 / Ticket", ticket),
        _input(
            FIELD_REASON,
            "原因（记入审计日志）/ Reason (kept in the audit trail)",
            _text_input(max_length=REASON_MAX),
        ),
    ]
    return _incident_modal(ACTION_UNLINK_INCIDENT, ref, "移出工单 / Unlink", blocks)
