"""What every card action and modal submission shares: which ticket, whether the
agent may act on it, running the change off the event loop, and telling the agent
(ephemerally) when something is refused.

Only configured agents may act, finance tickets only finance agents; everyone
else gets an ephemeral refusal and nothing changes.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncAck
from sqlmodel import select

from bot.slack.cards import ticket_for_thread
from bot.slack.notifier import SlackNotifier
from bot.slack.texts import agent_text
from bot.slack.workspace import Workspace
from core.errors import LiveDeskError
from core.ports import UserNotifier
from core.storage.tables import TicketRow

log = logging.getLogger(__name__)


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


def values_of(view: dict[str, Any]) -> dict[str, Any]:
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


def required(values: dict[str, Any], field: str, message: str) -> dict[str, str]:
    return {} if values.get(field) else {field: message}


def meta_of(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return {}
    return meta if isinstance(meta, dict) else {}


class TicketActionBase:
    def __init__(self, ws: Workspace, notifier: SlackNotifier, users: UserNotifier) -> None:
        self.ws = ws
        self.notifier = notifier
        self.users = users
        self.tickets, self.relay, self.db = ws.tickets, ws.relay, ws.db

    # -- helpers ---------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.ws.clock.now()

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
            await self.users.deliver(outbound)
        except Exception as err:
            log.exception("delivery to the user failed", extra={"ticket": ref})
            await self.notifier.thread(ref, agent_text("delivery_failed", error=err))

    async def _reopen(self, body: dict[str, Any], ref: str, reason: str) -> None:
        user = body["user"]["id"]
        ok, _ = await self._attempt(body, self.tickets.reopen, ref, user, self.now(), reason)
        if not ok:
            return
        await self._after_change(ref, agent_text("reopened", user=user))

    async def _submission(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], errors: dict[str, str]
    ) -> tuple[str, TicketRow, dict[str, Any]] | None:
        """Validate a submission: errors go back into the modal; a refusal closes it."""
        if errors:
            await ack(response_action="errors", errors=errors)
            return None
        ref = str(meta_of(view).get("ref", ""))
        ticket = self._load(ref) if ref else None
        await ack()
        if not await self._allowed(body, ticket):
            return None
        assert ticket is not None
        return ref, ticket, values_of(view)
