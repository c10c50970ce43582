"""Modal submissions: resolve, request info, escalate, priority, reassign, send an
article, and the reason modal (finance reopen, internal note).

Invalid input goes back into the modal as field errors; a refusal closes it and
the agent is told why.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck

from bot.slack.action_base import (
    REASON_MISSING,
    REQUESTABLE,
    TicketActionBase,
    meta_of,
    required,
    values_of,
)
from bot.slack.blocks.ids import (
    ACTION_REOPEN,
    CALLBACK_ESCALATE,
    CALLBACK_PRIORITY,
    CALLBACK_REASON,
    CALLBACK_REASSIGN,
    CALLBACK_REQUEST_INFO,
    CALLBACK_RESOLVE,
    CALLBACK_SEND_ARTICLE,
)
from bot.slack.texts import agent_text, mentions
from core.errors import LiveDeskError
from core.statuses import Outcome
from core.taxonomy import Priority

ASSIGNEE_NOT_AGENT = "只能转给 LiveDesk 客服 / Only LiveDesk agents can take tickets"
ASSIGNEE_NOT_FINANCE = "财务工单只能转给财务客服 / Finance tickets go to finance agents only"


class ModalSubmissions(TicketActionBase):
    def register(self) -> None:
        app = self.ws.app
        app.view(CALLBACK_RESOLVE)(self.on_resolve)
        app.view(CALLBACK_REQUEST_INFO)(self.on_request_info)
        app.view(CALLBACK_ESCALATE)(self.on_escalate)
        app.view(CALLBACK_PRIORITY)(self.on_priority_submit)
        app.view(CALLBACK_REASSIGN)(self.on_reassign)
        app.view(CALLBACK_SEND_ARTICLE)(self.on_send_article)
        app.view(CALLBACK_REASON)(self.on_reason)

    async def on_resolve(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = values_of(view)
        ref = str(meta_of(view).get("ref", ""))
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
                self.now(),
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
            ref, lambda: self.relay.resolution(ref, name, values["message"], self.now())
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
        values = values_of(view)
        errors = {} if values.get("fields") else {"fields": "请至少选一项 / Pick at least one"}
        checked = await self._submission(ack, body, view, errors)
        if checked is None:
            return
        ref, _ticket, values = checked
        user, fields = body["user"]["id"], [f for f in values["fields"] if f in REQUESTABLE]
        reason = f"asked the user for {', '.join(fields)}"
        ok, _ = await self._attempt(
            body, self.tickets.request_info, ref, user, fields, self.now(), reason
        )
        if not ok:
            return
        await self._deliver(ref, lambda: self.relay.info_request(ref, fields, values.get("note")))
        await self._after_change(
            ref, agent_text("info_requested", user=user, fields=", ".join(fields))
        )

    async def on_escalate(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = values_of(view)
        errors = required(values, "reason", REASON_MISSING)
        checked = await self._submission(ack, body, view, errors)
        if checked is None:
            return
        ref, _, values = checked
        user = body["user"]["id"]
        ok, ticket = await self._attempt(
            body, self.tickets.escalate, ref, user, values["reason"], self.now()
        )
        if not ok:
            return
        mention = mentions(self.ws.tier_targets(ticket, ticket.tier))
        note = agent_text(
            "escalated", user=user, tier=ticket.tier, reason=values["reason"], mention=mention
        )
        await self._after_change(ref, note)

    async def on_priority_submit(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]
    ) -> None:
        values = values_of(view)
        errors = required(values, "reason", REASON_MISSING)
        checked = await self._submission(ack, body, view, errors)
        if checked is None:
            return
        ref, _, values = checked
        user, priority = body["user"]["id"], str(meta_of(view).get("priority", ""))
        if priority not in {p.value for p in Priority}:
            return  # the modal's metadata was not ours
        ok, _ = await self._attempt(
            body,
            self.tickets.set_priority,
            ref,
            user,
            Priority(priority),
            values["reason"],
            self.now(),
        )
        if not ok:
            return
        note = agent_text("priority", user=user, priority=priority, reason=values["reason"])
        await self._after_change(ref, note)

    async def on_reassign(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = values_of(view)
        unclaim = bool(values.get("unclaim"))
        errors = {}
        if not unclaim and not values.get("assignee"):
            errors["assignee"] = "请选择客服或勾选放弃认领 / Pick an agent or unclaim"
        ref = str(meta_of(view).get("ref", ""))
        ticket = self._load(ref)
        if ticket is not None and ticket.category == "finance" and not values.get("reason"):
            errors["reason"] = "财务工单需要填写原因 / Finance tickets need a reason"
        assignee = values.get("assignee")
        if (
            not unclaim
            and assignee
            and ticket is not None
            and not await self.ws.may_be_assigned(str(assignee), ticket)
        ):
            finance = ticket.category == "finance"
            errors["assignee"] = ASSIGNEE_NOT_FINANCE if finance else ASSIGNEE_NOT_AGENT
        checked = await self._submission(ack, body, view, errors)
        if checked is None:
            return
        ref, _, values = checked
        user = body["user"]["id"]
        try:
            if unclaim:
                await self.ws.run(self.tickets.unclaim, ref, user, self.now(), values.get("reason"))
                note = agent_text("unclaimed", user=user)
            else:
                to = values["assignee"]
                await self.ws.run(
                    self.tickets.reassign, ref, user, to, self.now(), values.get("reason")
                )
                note = agent_text("reassigned", user=user, to=f"<@{to}>")
        except LiveDeskError as err:
            await self._ephemeral(body, agent_text("error", error=err))
            return
        await self._after_change(ref, note)

    async def on_send_article(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]
    ) -> None:
        values = values_of(view)
        article = self.ws.kb.get(values.get("article") or "")
        errors = {} if article else {"article": "请选择文章 / Pick an article"}
        checked = await self._submission(ack, body, view, errors)
        if checked is None or article is None:
            return
        ref, _, _ = checked
        user = body["user"]["id"]
        name = await self.ws.display_name(user)
        await self._deliver(ref, lambda: self.relay.article(ref, name, article, self.now()))
        await self._after_change(ref, agent_text("article_sent", user=user, title=article.title_zh))

    async def on_reason(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = values_of(view)
        errors = required(values, "reason", REASON_MISSING)
        checked = await self._submission(ack, body, view, errors)
        if checked is None:
            return
        ref, _, values = checked
        action = meta_of(view).get("action")
        if action == ACTION_REOPEN:
            await self._reopen(body, ref, values["reason"])
        elif action == "note":
            user = body["user"]["id"]
            name = await self.ws.display_name(user)
            await self.ws.run(self.relay.note, ref, name, values["reason"], self.now())
            await self.notifier.thread(ref, agent_text("note_saved"))
