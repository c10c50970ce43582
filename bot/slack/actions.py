"""Card buttons: claim, reopen, priority, page acknowledgement, and the buttons
and shortcut that open a modal (its submission is handled in bot.slack.submissions).

Each action is acknowledged first (Slack wants an answer within 3 seconds);
the work follows.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck

from bot.slack.action_base import REQUESTABLE, TicketActionBase
from bot.slack.blocks import (
    escalate_modal,
    priority_modal,
    reason_modal,
    reassign_modal,
    request_info_modal,
    resolve_modal,
    send_article_modal,
)
from bot.slack.blocks.ids import (
    ACTION_CLAIM,
    ACTION_ESCALATE,
    ACTION_PAGE_ACK,
    ACTION_PRIORITY,
    ACTION_REASSIGN,
    ACTION_REOPEN,
    ACTION_REQUEST_INFO,
    ACTION_RESOLVE,
    ACTION_REVEAL_FINANCE,
    ACTION_SEND_ARTICLE,
)
from bot.slack.cards import ticket_for_thread
from bot.slack.finance_reveal import reveal_finance
from bot.slack.texts import agent_text
from core.conversation.requirements import REQUIRED_DETAILS
from core.errors import AlreadyClaimedError, LiveDeskError
from core.i18n import t
from core.taxonomy import Priority

SHORTCUT_ADD_NOTE = "ticket.add_note"


class CardActions(TicketActionBase):
    def register(self) -> None:
        app = self.ws.app
        app.action(ACTION_CLAIM)(self.on_claim)
        app.action(ACTION_REOPEN)(self.on_reopen)
        app.action(ACTION_PRIORITY)(self.on_priority)
        app.action(ACTION_PAGE_ACK)(self.on_page_ack)
        app.action(ACTION_REVEAL_FINANCE)(self.on_reveal_finance)
        for action in (
            ACTION_RESOLVE,
            ACTION_REQUEST_INFO,
            ACTION_ESCALATE,
            ACTION_REASSIGN,
            ACTION_SEND_ARTICLE,
        ):
            app.action(action)(self.on_open_modal)
        app.shortcut(SHORTCUT_ADD_NOTE)(self.on_add_note)

    # -- buttons ---------------------------------------------------------------------------

    async def on_claim(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        found = await self._acting_on(body)
        if found is None:
            return
        ref, ticket = found
        user = body["user"]["id"]
        try:
            await self.ws.run(self.tickets.claim, ref, user, self.now())
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
        await self.ws.run(self.tickets.acknowledge_page, ref, user, self.now())
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

    async def on_reveal_finance(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """Finance values to a finance agent, ephemerally and audited; others are
        refused (a finance ticket's actions are for finance agents only).
        """
        await ack()
        found = await self._acting_on(body)
        if found is None:
            return
        ref, ticket = found
        if ticket.category != "finance":
            return  # nothing is masked on other tickets
        user = body["user"]["id"]
        where = body.get("container", {}).get("channel_id") or "slack"
        text = await self.ws.run(reveal_finance, self.db, ref, user, str(where), self.now())
        await self._ephemeral(body, text)

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
            found = await self.ws.run(self.ws.kb.suggest, ticket.summary, ticket.subtype, 5)
            view = send_article_modal(ref, [(a.article_id, a.title_zh) for a in found])
        await self.ws.client.views_open(trigger_id=body["trigger_id"], view=view)

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
