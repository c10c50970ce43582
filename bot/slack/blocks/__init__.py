"""Block Kit for the Slack agent workspace: ticket cards, modals, the home tab, pages.

Pure functions from plain data to Slack JSON: no client, no network, no database. Every
builder keeps within Slack's block limits whatever the input size; user text is escaped
so it can never mention anyone or inject links, and is cut only between graphemes.
The pieces live in the modules of this package; this one is the API the adapter imports.
"""

from __future__ import annotations

from bot.slack.blocks.home import MAX_HOME_TICKETS, home_view
from bot.slack.blocks.ids import (
    ACTION_CLAIM,
    ACTION_ESCALATE,
    ACTION_PAGE_ACK,
    ACTION_PRIORITY,
    ACTION_REASON,
    ACTION_REASSIGN,
    ACTION_REOPEN,
    ACTION_REQUEST_INFO,
    ACTION_RESOLVE,
    ACTION_SEND_ARTICLE,
    CALLBACK_ESCALATE,
    CALLBACK_PRIORITY,
    CALLBACK_REASON,
    CALLBACK_REASSIGN,
    CALLBACK_REQUEST_INFO,
    CALLBACK_RESOLVE,
    CALLBACK_SEND_ARTICLE,
    CARD_ACTIONS_BLOCK,
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
    PAGE_ACTIONS_BLOCK,
    UNCLAIM_VALUE,
    submit_callback,
)
from bot.slack.blocks.modals import (
    escalate_modal,
    priority_modal,
    reason_modal,
    reassign_modal,
    request_info_modal,
    resolve_modal,
    send_article_modal,
)
from bot.slack.blocks.safe_text import shorten
from bot.slack.blocks.ticket_card import CardData, page_message, ticket_card

__all__ = [
    "ACTION_CLAIM",
    "ACTION_ESCALATE",
    "ACTION_PAGE_ACK",
    "ACTION_PRIORITY",
    "ACTION_REASON",
    "ACTION_REASSIGN",
    "ACTION_REOPEN",
    "ACTION_REQUEST_INFO",
    "ACTION_RESOLVE",
    "ACTION_SEND_ARTICLE",
    "CALLBACK_ESCALATE",
    "CALLBACK_PRIORITY",
    "CALLBACK_REASON",
    "CALLBACK_REASSIGN",
    "CALLBACK_REQUEST_INFO",
    "CALLBACK_RESOLVE",
    "CALLBACK_SEND_ARTICLE",
    "CARD_ACTIONS_BLOCK",
    "FIELD_ARTICLE",
    "FIELD_ASSIGNEE",
    "FIELD_CAUSE_CLASS",
    "FIELD_FIELDS",
    "FIELD_MESSAGE",
    "FIELD_NOTE",
    "FIELD_OUTCOME",
    "FIELD_REASON",
    "FIELD_ROOT_CAUSE",
    "FIELD_UNCLAIM",
    "MAX_HOME_TICKETS",
    "PAGE_ACTIONS_BLOCK",
    "UNCLAIM_VALUE",
    "CardData",
    "escalate_modal",
    "home_view",
    "page_message",
    "priority_modal",
    "reason_modal",
    "reassign_modal",
    "request_info_modal",
    "resolve_modal",
    "send_article_modal",
    "shorten",
    "submit_callback",
    "ticket_card",
]
