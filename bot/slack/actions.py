"""Card buttons and the modals behind them.

Each action is acknowledged first (Slack wants an answer within 3 seconds);
the work follows. Only configured agents may act, finance tickets only
finance agents; everyone else gets an ephemeral refusal and nothing changes.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck
from sqlmodel import select

from bot.slack.cards import ticket_for_thread
from bot.slack.notifier import SlackNotifier
from bot.slack.texts import agent_text, mentions
from bot.slack.workspace import Workspace
from bot.slack_blocks import (
    escalate_modal,
    priority_modal,
    reason_modal,
    reassign_modal,
    request_info_modal,
    resolve_modal,
    send_article_modal,
)
from bot.slack_blocks_ids import (
    ACTION_CLAIM,
    ACTION_ESCALATE,
    ACTION_PAGE_ACK,
    ACTION_PRIORITY,
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
)
from core.conversation.requirements import REQUIRED_DETAILS
from core.errors import AlreadyClaimedError, LiveDeskError
from core.i18n import t
from core.statuses import Outcome
from core.storage.tables import TicketRow
from core.taxonomy import Priority

log = logging.getLogger(__name__)

SHORTCUT_ADD_NOTE = "ticket.add_note"

# Details an agent can ask for, whatever the subtype.
REQUESTABLE = (
    "occurred_at",
    "device_model",
    "os",
    "app_version",
    "network",
    "room_id",
    "steps",
    "order_id",
    "amount",
    "payment_channel",
    "account_id",
)


def _now() -> datetime:
    return datetime.now(UTC)


def _values(view: dict[str, Any]) -> dict[str, Any]:
    """Each input's answer by its block id: text, selected value(s) or user."""
    out: dict[str, Any] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        for element in actions.values():
            if "selected_options" in element:
                out[block_id] = [o["value"] for o in element["selected_options"] or []]
            elif "selected_option" in element:
                option = element["selected_option"]
                out[block_id] = option["value"] if option else None
            elif "selected_user" in element:
                out[block_id] = element["selected_user"]
            else:
                value = element.get("value")
                out[block_id] = value.strip() if isinstance(value, str) else value
    return out


REASON_MISSING = "请填写原因 / Give a reason"


def _required(values: dict[str, Any], field: str, message: str) -> dict[str, str]:
    return {} if values.get(field) else {field: message}


def _meta(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return {}
    return meta if isinstance(meta, dict) else {}


class CardActions:
    def __init__(self, ws: Workspace, notifier: SlackNotifier) -> None:
        self.ws = ws
        self.notifier = notifier
        core = ws.core
        self.tickets, self.relay, self.db = core.tickets, core.relay, core.db

    def register(self) -> None:
        app = self.ws.app
        app.action(ACTION_CLAIM)(self.on_claim)
        app.action(ACTION_REOPEN)(self.on_reopen)
        app.action(ACTION_PRIORITY)(self.on_priority)
        app.action(ACTION_PAGE_ACK)(self.on_page_ack)
        for action in (
            ACTION_RESOLVE,
            ACTION_REQUEST_INFO,
            ACTION_ESCALATE,
            ACTION_REASSIGN,
            ACTION_SEND_ARTICLE,
        ):
            app.action(action)(self.on_open_modal)
        app.view(CALLBACK_RESOLVE)(self.on_resolve)
        app.view(CALLBACK_REQUEST_INFO)(self.on_request_info)
        app.view(CALLBACK_ESCALATE)(self.on_escalate)
        app.view(CALLBACK_PRIORITY)(self.on_priority_submit)
        app.view(CALLBACK_REASSIGN)(self.on_reassign)
        app.view(CALLBACK_SEND_ARTICLE)(self.on_send_article)
        app.view(CALLBACK_REASON)(self.on_reason)
        app.shortcut(SHORTCUT_ADD_NOTE)(self.on_add_note)

    # -- helpers ---------------------------------------------------------------------------

    def _load(self, ref: str) -> TicketRow | None:
        with self.db.session(read_only=True) as s:
            return s.exec(select(TicketRow).where(TicketRow.ref == ref)).first()

    async def _ref_of(self, body: dict[str, Any]) -> str | None:
        action = (body.get("actions") or [{}])[0]
        if action.get("value"):
            return str(action["value"])
        container = body.get("container", {})
        channel, ts = container.get("channel_id"), container.get("message_ts")
        if not channel or not ts:
            return None
        with self.db.session(read_only=True) as s:
            return ticket_for_thread(s, channel, ts)

    async def _acting_on(self, body: dict[str, Any]) -> tuple[str, TicketRow] | None:
        """The ticket a button belongs to, if the presser may act on it; otherwise
        the presser is told why and nothing happens.
        """
        ref = await self._ref_of(body)
        ticket = self._load(ref) if ref else None
        if not await self._allowed(body, ticket) or ref is None or ticket is None:
            return None
        return ref, ticket

    async def _ephemeral(self, body: dict[str, Any], text: str) -> None:
        channel = body.get("container", {}).get("channel_id") or body.get("channel", {}).get("id")
        user = body["user"]["id"]
        if channel:
            await self.ws.client.chat_postEphemeral(channel=channel, user=user, text=text)
        else:
            await self.ws.client.chat_postMessage(channel=user, text=text)

    async def _allowed(self, body: dict[str, Any], ticket: TicketRow | None) -> bool:
        user = body["user"]["id"]
        if ticket is None:
            await self._ephemeral(body, agent_text("unknown_ticket", ref="?"))
            return False
        if await self.ws.may_act(user, ticket):
            return True
        key = "not_finance" if ticket.category == "finance" else "not_agent"
        await self._ephemeral(body, agent_text(key))
        return False

    async def _attempt(self, body: dict[str, Any], func: Any, *args: Any) -> tuple[bool, Any]:
        """Run a core change in a worker thread; a refusal (illegal transition,
        missing reason...) goes back to the agent as an ephemeral message.
        """
        try:
            return True, await self.ws.run(func, *args)
        except LiveDeskError as err:
            await self._ephemeral(body, agent_text("error", error=err))
            return False, None

    async def _after_change(self, ref: str, note: str) -> None:
        await self.notifier.refresh(ref)
        await self.notifier.thread(ref, note)

    async def _deliver(self, ref: str, make: Any) -> None:
        try:
            outbound = await self.ws.run(make)
            await self.ws.core.deliver(outbound)
        except Exception as err:
            log.exception("delivery to the user failed", extra={"ticket": ref})
            await self.notifier.thread(ref, agent_text("delivery_failed", error=err))

    # -- buttons ---------------------------------------------------------------------------

    async def on_claim(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        found = await self._acting_on(body)
        if found is None:
            return
        ref, ticket = found
        user = body["user"]["id"]
        try:
            await self.ws.run(self.tickets.claim, ref, user, _now())
        except AlreadyClaimedError as err:
            await self._ephemeral(body, agent_text("already_claimed", ref=ref, user=err.assignee))
            return
        except LiveDeskError as err:
            await self._ephemeral(body, agent_text("error", error=err))
            return
        await self._after_change(ref, agent_text("claimed", user=user))
        if ticket.priority == "P0":
            await self.notifier.pages_acknowledged(ref, user)

    async def on_page_ack(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        found = await self._acting_on(body)
        if found is None:
            return
        ref, _ticket = found
        user = body["user"]["id"]
        await self.ws.run(self.tickets.acknowledge_page, ref, user, _now())
        await self.notifier.pages_acknowledged(ref, user)

    async def on_reopen(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        found = await self._acting_on(body)
        if found is None:
            return
        ref, ticket = found
        if ticket.category == "finance":
            view = reason_modal(ref, ACTION_REOPEN, "Reopen / 重新打开")
            await self.ws.client.views_open(trigger_id=body["trigger_id"], view=view)
            return
        await self._reopen(body, ref, "reopened by an agent")

    async def _reopen(self, body: dict[str, Any], ref: str, reason: str) -> None:
        user = body["user"]["id"]
        ok, _ = await self._attempt(body, self.tickets.reopen, ref, user, _now(), reason)
        if not ok:
            return
        await self._after_change(ref, agent_text("reopened", user=user))

    async def on_priority(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        found = await self._acting_on(body)
        if found is None:
            return
        ref, ticket = found
        option = (body.get("actions") or [{}])[0].get("selected_option") or {}
        priority = option.get("value")
        if priority not in {p.value for p in Priority} or priority == ticket.priority:
            return
        await self.ws.client.views_open(
            trigger_id=body["trigger_id"], view=priority_modal(ref, priority)
        )

    async def on_open_modal(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        found = await self._acting_on(body)
        if found is None:
            return
        ref, ticket = found
        action = body["actions"][0]["action_id"]
        if action == ACTION_RESOLVE:
            view = resolve_modal(ref, finance=ticket.category == "finance")
        elif action == ACTION_REQUEST_INFO:
            lang = "zh"
            needed = REQUIRED_DETAILS.get(ticket.subtype, ())
            order = [*needed, *(f for f in REQUESTABLE if f not in needed)]
            view = request_info_modal(ref, [(f, t(lang, f"label_{f}")) for f in order])
        elif action == ACTION_ESCALATE:
            view = escalate_modal(ref)
        elif action == ACTION_REASSIGN:
            view = reassign_modal(ref)
        else:
            found = await self.ws.run(self.ws.core.kb.suggest, ticket.summary, ticket.subtype, 5)
            view = send_article_modal(ref, [(a.article_id, a.title_zh) for a in found])
        await self.ws.client.views_open(trigger_id=body["trigger_id"], view=view)

    # -- modal submissions -----------------------------------------------------------------------

    async def _submission(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], errors: dict[str, str]
    ) -> tuple[str, TicketRow, dict[str, Any]] | None:
        """Validate a submission: errors go back into the modal; a refusal closes it."""
        if errors:
            await ack(response_action="errors", errors=errors)
            return None
        ref = str(_meta(view).get("ref", ""))
        ticket = self._load(ref) if ref else None
        await ack()
        if not await self._allowed(body, ticket):
            return None
        assert ticket is not None
        return ref, ticket, _values(view)

    async def on_resolve(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = _values(view)
        ref = str(_meta(view).get("ref", ""))
        ticket = self._load(ref)
        errors = {}
        if values.get("outcome") not in {o.value for o in Outcome}:
            errors["outcome"] = "请选择处理结果 / Choose an outcome"
        if not values.get("cause_class"):
            errors["cause_class"] = "请选择原因类别 / Choose a cause class"
        if not values.get("root_cause"):
            errors["root_cause"] = "请填写根本原因 / Describe the root cause"
        if not values.get("message"):
            errors["message"] = "请填写给用户的回复 / Write the message for the user"
        if ticket is not None and ticket.category == "finance" and not values.get("reason"):
            errors["reason"] = "财务工单需要填写原因 / Finance tickets need a reason"
        checked = await self._submission(ack, body, view, errors)
        if checked is None:
            return
        ref, ticket, values = checked
        user = body["user"]["id"]
        ok, _ = await self._attempt(
            body,
            lambda: self.tickets.resolve(
                ref,
                user,
                _now(),
                outcome=Outcome(values["outcome"]),
                root_cause=values["root_cause"],
                cause_class=values["cause_class"],
                reason=values.get("reason"),
            ),
        )
        if not ok:
            return
        name = await self.ws.display_name(user)
        await self._deliver(
            ref, lambda: self.relay.resolution(ref, name, values["message"], _now())
        )
        note = agent_text(
            "resolved",
            user=user,
            outcome=values["outcome"],
            cause=values["cause_class"],
            root_cause=values["root_cause"],
        )
        await self._after_change(ref, note)

    async def on_request_info(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]
    ) -> None:
        values = _values(view)
        errors = {} if values.get("fields") else {"fields": "请至少选一项 / Pick at least one"}
        checked = await self._submission(ack, body, view, errors)
        if checked is None:
            return
        ref, _ticket, values = checked
        user, fields = body["user"]["id"], [f for f in values["fields"] if f in REQUESTABLE]
        reason = f"asked the user for {', '.join(fields)}"
        ok, _ = await self._attempt(
            body, self.tickets.request_info, ref, user, fields, _now(), reason
        )
        if not ok:
            return
        await self._deliver(ref, lambda: self.relay.info_request(ref, fields, values.get("note")))
        await self._after_change(
            ref, agent_text("info_requested", user=user, fields=", ".join(fields))
        )

    async def on_escalate(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = _values(view)
        errors = _required(values, "reason", REASON_MISSING)
        checked = await self._submission(ack, body, view, errors)
        if checked is None:
            return
        ref, _, values = checked
        user = body["user"]["id"]
        ok, ticket = await self._attempt(
            body, self.tickets.escalate, ref, user, values["reason"], _now()
        )
        if not ok:
            return
        members = self.ws.core.settings.routing.tier_members.get(ticket.tier, [])
        mention = mentions(members)
        note = agent_text(
            "escalated", user=user, tier=ticket.tier, reason=values["reason"], mention=mention
        )
        await self._after_change(ref, note)

    async def on_priority_submit(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]
    ) -> None:
        values = _values(view)
        errors = _required(values, "reason", REASON_MISSING)
        checked = await self._submission(ack, body, view, errors)
        if checked is None:
            return
        ref, _, values = checked
        user, priority = body["user"]["id"], str(_meta(view).get("priority", ""))
        if priority not in {p.value for p in Priority}:
            return  # the modal's metadata was not ours
        ok, _ = await self._attempt(
            body, self.tickets.set_priority, ref, user, Priority(priority), values["reason"], _now()
        )
        if not ok:
            return
        note = agent_text("priority", user=user, priority=priority, reason=values["reason"])
        await self._after_change(ref, note)

    async def on_reassign(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = _values(view)
        unclaim = bool(values.get("unclaim"))
        errors = {}
        if not unclaim and not values.get("assignee"):
            errors["assignee"] = "请选择客服或勾选放弃认领 / Pick an agent or unclaim"
        ref = str(_meta(view).get("ref", ""))
        ticket = self._load(ref)
        if ticket is not None and ticket.category == "finance" and not values.get("reason"):
            errors["reason"] = "财务工单需要填写原因 / Finance tickets need a reason"
        checked = await self._submission(ack, body, view, errors)
        if checked is None:
            return
        ref, _, values = checked
        user = body["user"]["id"]
        try:
            if unclaim:
                await self.ws.run(self.tickets.unclaim, ref, user, _now(), values.get("reason"))
                note = agent_text("unclaimed", user=user)
            else:
                to = values["assignee"]
                await self.ws.run(
                    self.tickets.reassign, ref, user, to, _now(), values.get("reason")
                )
                note = agent_text("reassigned", user=user, to=f"<@{to}>")
        except LiveDeskError as err:
            await self._ephemeral(body, agent_text("error", error=err))
            return
        await self._after_change(ref, note)

    async def on_send_article(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]
    ) -> None:
        values = _values(view)
        article = self.ws.core.kb.get(values.get("article") or "")
        errors = {} if article else {"article": "请选择文章 / Pick an article"}
        checked = await self._submission(ack, body, view, errors)
        if checked is None or article is None:
            return
        ref, _, _ = checked
        user = body["user"]["id"]
        name = await self.ws.display_name(user)
        await self._deliver(ref, lambda: self.relay.article(ref, name, article, _now()))
        await self._after_change(ref, agent_text("article_sent", user=user, title=article.title_zh))

    async def on_add_note(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """The "Add note" message shortcut, on a card or any message of its thread."""
        await ack()
        message = body.get("message", {})
        channel = body.get("channel", {}).get("id", "")
        with self.db.session(read_only=True) as s:
            ref = ticket_for_thread(s, channel, message.get("thread_ts") or message.get("ts", ""))
        ticket = self._load(ref) if ref else None
        if not await self._allowed(body, ticket):
            return
        assert ref is not None
        view = reason_modal(ref, "note", "Add note / 添加备注")
        await self.ws.client.views_open(trigger_id=body["trigger_id"], view=view)

    async def on_reason(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = _values(view)
        errors = _required(values, "reason", REASON_MISSING)
        checked = await self._submission(ack, body, view, errors)
        if checked is None:
            return
        ref, _, values = checked
        action = _meta(view).get("action")
        if action == ACTION_REOPEN:
            await self._reopen(body, ref, values["reason"])
        elif action == "note":
            user = body["user"]["id"]
            name = await self.ws.display_name(user)
            await self.ws.run(self.relay.note, ref, name, values["reason"], _now())
            await self.notifier.thread(ref, agent_text("note_saved"))
