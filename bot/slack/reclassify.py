"""The "Reclassify" button on a ticket card and its modal: an agent corrects the
subtype (and with it category and team) and optionally the priority; the core keeps
the correction as a training example (`livedesk triage train --include-corrections`).

Permissions are those of tickets, both ways across the finance wall: only finance
agents act on a finance ticket, and only they may move a ticket into finance.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck

from bot.slack.action_base import REASON_MISSING, TicketActionBase, meta_of, values_of
from bot.slack.blocks.ids import (
    ACTION_RECLASSIFY,
    CALLBACK_RECLASSIFY,
    FIELD_PRIORITY,
    FIELD_REASON,
    FIELD_SUBTYPE,
)
from bot.slack.blocks.reclassify_modal import reclassify_modal
from bot.slack.texts import agent_text
from core.taxonomy import SUBTYPES, Category, Priority

_PICK_SUBTYPE = "请选择子类 / Pick a subtype"
_BAD_PRIORITY = "未知的优先级 / Unknown priority"
_FINANCE_ONLY = (
    "只有财务客服能把工单移入财务类 / Only finance agents can move a ticket into finance"
)


class ReclassifyActions(TicketActionBase):
    def register(self) -> None:
        self.ws.app.action(ACTION_RECLASSIFY)(self.on_open)
        self.ws.app.view(CALLBACK_RECLASSIFY)(self.on_submit)

    async def on_open(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        found = await self._acting_on(body)
        if found is None:
            return
        ref, ticket = found
        view = reclassify_modal(ref, ticket.subtype, ticket.priority)
        await self.ws.client.views_open(trigger_id=body["trigger_id"], view=view)

    async def _errors(self, user: str, values: dict[str, Any]) -> dict[str, str]:
        errors: dict[str, str] = {}
        subtype = values.get(FIELD_SUBTYPE)
        if subtype not in SUBTYPES:
            errors[FIELD_SUBTYPE] = _PICK_SUBTYPE
        elif SUBTYPES[subtype].category is Category.FINANCE and not (
            await self.ws.is_finance_agent(user)
        ):
            errors[FIELD_SUBTYPE] = _FINANCE_ONLY
        priority = values.get(FIELD_PRIORITY)
        if priority is not None and priority not in {p.value for p in Priority}:
            errors[FIELD_PRIORITY] = _BAD_PRIORITY
        if not values.get(FIELD_REASON):
            errors[FIELD_REASON] = REASON_MISSING
        return errors

    async def on_submit(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        errors = await self._errors(user, values_of(view))
        checked = await self._submission(ack, body, view, errors)
        if checked is None or meta_of(view).get("ref") is None:
            return
        ref, before, values = checked
        chosen = values.get(FIELD_PRIORITY)
        priority = Priority(chosen) if chosen else None
        ok, ticket = await self._attempt(
            body,
            lambda: self.tickets.reclassify(
                ref, user, values[FIELD_SUBTYPE], values[FIELD_REASON], self.now(), priority
            ),
        )
        if not ok:
            return
        if ticket.category != before.category:
            await self.notifier.move_card(ref, before.category)
        note = agent_text(
            "reclassified",
            user=user,
            subtype_before=before.subtype,
            subtype=ticket.subtype,
            priority_before=before.priority,
            priority=ticket.priority,
            reason=values[FIELD_REASON],
        )
        await self._after_change(ref, note)
