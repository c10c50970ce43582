"""Ids the Slack adapter and the Block Kit builders share, and the bilingual labels.

The adapter routes clicks and parses view submissions by these strings, so they are a
contract: change one here and the adapter follows.
"""

from __future__ import annotations

# Card buttons and selects (actions block "ticket.actions"); each button's value is the ref.
CARD_ACTIONS_BLOCK = "ticket.actions"
ACTION_CLAIM = "ticket.claim"
ACTION_ESCALATE = "ticket.escalate"
ACTION_PRIORITY = "ticket.priority"
ACTION_REQUEST_INFO = "ticket.request_info"
ACTION_RESOLVE = "ticket.resolve"
ACTION_REOPEN = "ticket.reopen"
ACTION_REASSIGN = "ticket.reassign"
ACTION_SEND_ARTICLE = "ticket.send_article"
ACTION_REASON = "ticket.reason"
ACTION_REVEAL_FINANCE = "ticket.reveal_finance"  # on a finance card's masked copies
ACTION_RECLASSIFY = "ticket.reclassify"
ACTION_PAGE_ACK = "page.ack"
PAGE_ACTIONS_BLOCK = "page.actions"

# Incidents: the incident card's buttons carry the incident ref; the two on a
# ticket card (declare, link) carry the ticket ref; unlink carries either.
INCIDENT_ACTIONS_BLOCK = "incident.actions"
ACTION_INCIDENT_ACK = "incident.ack"
ACTION_INCIDENT_UPDATE = "incident.update"
ACTION_INCIDENT_RESOLVE = "incident.resolve"
ACTION_WAR_ROOM = "incident.war_room"
ACTION_INCIDENT_DECLARE = "incident.declare"
ACTION_INCIDENT_MERGE = "incident.merge"
ACTION_LINK_INCIDENT = "ticket.link_incident"
ACTION_UNLINK_INCIDENT = "ticket.unlink_incident"


def submit_callback(action: str) -> str:
    """The callback_id of the modal opened for `action`, e.g. "ticket.resolve.submit"."""
    return f"{action}.submit"


CALLBACK_RESOLVE = submit_callback(ACTION_RESOLVE)
CALLBACK_REQUEST_INFO = submit_callback(ACTION_REQUEST_INFO)
CALLBACK_ESCALATE = submit_callback(ACTION_ESCALATE)
CALLBACK_REASSIGN = submit_callback(ACTION_REASSIGN)
CALLBACK_PRIORITY = submit_callback(ACTION_PRIORITY)
CALLBACK_SEND_ARTICLE = submit_callback(ACTION_SEND_ARTICLE)
CALLBACK_REASON = submit_callback(ACTION_REASON)
CALLBACK_RECLASSIFY = submit_callback(ACTION_RECLASSIFY)
CALLBACK_INCIDENT_UPDATE = submit_callback(ACTION_INCIDENT_UPDATE)
CALLBACK_INCIDENT_RESOLVE = submit_callback(ACTION_INCIDENT_RESOLVE)
CALLBACK_INCIDENT_MERGE = submit_callback(ACTION_INCIDENT_MERGE)
CALLBACK_LINK_INCIDENT = submit_callback(ACTION_LINK_INCIDENT)
CALLBACK_UNLINK_INCIDENT = submit_callback(ACTION_UNLINK_INCIDENT)

# Modal input fields: each is both the block_id and the action_id of its input.
FIELD_OUTCOME = "outcome"
FIELD_CAUSE_CLASS = "cause_class"
FIELD_ROOT_CAUSE = "root_cause"
FIELD_MESSAGE = "message"
FIELD_REASON = "reason"
FIELD_FIELDS = "fields"
FIELD_NOTE = "note"
FIELD_ASSIGNEE = "assignee"
FIELD_UNCLAIM = "unclaim"
FIELD_ARTICLE = "article"
UNCLAIM_VALUE = "unclaim"
FIELD_STATUS = "status"
FIELD_ETA = "eta"
FIELD_INCIDENT = "incident"
FIELD_TICKET = "ticket"
FIELD_SUBTYPE = "subtype"
FIELD_PRIORITY = "priority"

PRIORITIES = ("P0", "P1", "P2", "P3")
PRIORITY_MARKS = {"P0": "🔴", "P1": "🟠", "P2": "🟡", "P3": "⚪"}

STATUS_LABELS = {
    "new": "新建 / New",
    "diagnosing": "诊断中 / Diagnosing",
    "waiting_user": "等待用户 / Waiting for user",
    "workaround": "临时方案 / Workaround given",
    "fixed": "已修复 / Fixed",
    "confirmed": "用户已确认 / Confirmed by user",
    "closed": "已关闭 / Closed",
}
OUTCOME_LABELS = {
    "workaround": "临时方案 / Temporary workaround",
    "root_fix": "根本修复 / Root fix",
}
CAUSE_CLASS_LABELS = {
    "client_network": "用户网络 / Client network",
    "device_or_os": "设备或系统 / Device or OS",
    "app_bug": "应用缺陷 / App bug",
    "server_or_cdn": "服务端或 CDN / Server or CDN",
    "payment_provider": "支付渠道 / Payment provider",
    "user_error": "用户操作 / User error",
    "other": "其他 / Other",
}
INCIDENT_STATUS_LABELS = {
    "investigating": "调查中 / Investigating",
    "identified": "已定位 / Identified",
    "monitoring": "观察中 / Monitoring",
    "resolved": "已解决 / Resolved",
}
SCOPE_LABELS = {"single": "单个用户 / Single user", "widespread": "大范围 / Widespread"}
CHANNEL_LABELS = {"telegram": "Telegram", "console": "控制台 / Console"}
TIER_LABELS = {"l1": "L1", "l2": "L2", "lead": "组长 / Lead"}
UNCLAIMED = "unclaimed / 未认领"

# Statuses in which the buttons below appear (the others are always shown).
CLAIMABLE_STATUSES = frozenset({"new", "waiting_user"})
REOPENABLE_STATUSES = frozenset({"workaround", "fixed", "confirmed", "closed"})
UNRESOLVABLE_STATUSES = frozenset({"closed"})


def priority_mark(priority: str) -> str:
    """The priority with its colour mark, like "🔴 P0"; an unknown one stays unmarked."""
    mark = PRIORITY_MARKS.get(priority)
    return f"{mark} {priority}" if mark else priority
