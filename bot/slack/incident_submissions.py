"""Incident modal submissions: public update, resolve, merge, link, unlink.

Invalid input goes back into the modal as field errors; a refusal (no
permission, an illegal change) closes it and the agent is told why.
The update and resolve call `IncidentService.post_update` / `resolve`: telling
the reporters is the outbox's work, whose progress the card then shows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck

from bot.slack.action_base import REASON_MISSING, meta_of, values_of
from bot.slack.blocks.ids import (
    CALLBACK_INCIDENT_MERGE,
    CALLBACK_INCIDENT_RESOLVE,
    CALLBACK_INCIDENT_UPDATE,
    CALLBACK_LINK_INCIDENT,
    CALLBACK_UNLINK_INCIDENT,
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
from bot.slack.blocks.incident_modals import OPEN_STATUSES
from bot.slack.incident_base import IncidentActionBase
from bot.slack.texts import agent_text
from core.incidents.model import (
    IncidentStatus,
    LinkTicket,
    MergeIncidents,
    PostUpdate,
    ResolveIncident,
    UnlinkTicket,
)
from core.statuses import Outcome
from core.tickets import CAUSE_CLASSES

MESSAGE_MISSING = "请填写公开消息 / Write the public message"


def eta_of(view: dict[str, Any]) -> datetime | None:
    """The datetimepicker's answer: seconds since the epoch, or nothing."""
    state = view.get("state", {}).get("values", {}).get(FIELD_ETA, {})
    for element in state.values():
        seconds = element.get("selected_date_time")
        if seconds is not None:
            return datetime.fromtimestamp(int(seconds), tz=UTC)
    return None


class IncidentSubmissions(IncidentActionBase):
    def register(self) -> None:
        app = self.ws.app
        app.view(CALLBACK_INCIDENT_UPDATE)(self.on_update)
        app.view(CALLBACK_INCIDENT_RESOLVE)(self.on_resolve)
        app.view(CALLBACK_INCIDENT_MERGE)(self.on_merge)
        app.view(CALLBACK_LINK_INCIDENT)(self.on_link)
        app.view(CALLBACK_UNLINK_INCIDENT)(self.on_unlink)

    async def _checked(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], errors: dict[str, str]
    ) -> str | None:
        """Errors go back into the modal; otherwise the modal closes and the ref it
        acts on is returned, if the agent may act on it.
        """
        if errors:
            await ack(response_action="errors", errors=errors)
            return None
        await ack()
        return str(meta_of(view).get("ref", ""))

    async def on_update(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = values_of(view)
        errors = {}
        if values.get(FIELD_STATUS) not in OPEN_STATUSES:
            errors[FIELD_STATUS] = "请选择状态 / Choose a status"
        if not values.get(FIELD_MESSAGE):
            errors[FIELD_MESSAGE] = MESSAGE_MISSING
        eta = eta_of(view)
        if eta is not None and eta <= self.now():
            errors[FIELD_ETA] = agent_text("bad_eta")
        ref = await self._checked(ack, body, view, errors)
        incident = await self._incident_allowed(body, ref) if ref is not None else None
        if incident is None or incident.ref is None:
            return
        user = body["user"]["id"]
        cmd = PostUpdate(
            incident_ref=incident.ref,
            actor=user,
            status=IncidentStatus(values[FIELD_STATUS]),
            message=values[FIELD_MESSAGE],
            eta=eta,
        )
        if await self._run_incident(body, self.incidents.post_update, cmd, self.now()) is None:
            return
        status = INCIDENT_STATUS_LABELS[values[FIELD_STATUS]]
        await self.notifier.thread(
            incident.ref, agent_text("incident_updated", user=user, status=status)
        )
        await self.notifier.refresh(incident.ref)

    async def on_resolve(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = values_of(view)
        errors = {}
        if values.get(FIELD_OUTCOME) not in {o.value for o in Outcome}:
            errors[FIELD_OUTCOME] = "请选择处理结果 / Choose an outcome"
        if values.get(FIELD_CAUSE_CLASS) not in CAUSE_CLASSES:
            errors[FIELD_CAUSE_CLASS] = "请选择原因类别 / Choose a cause class"
        if not values.get(FIELD_MESSAGE):
            errors[FIELD_MESSAGE] = MESSAGE_MISSING
        ref = await self._checked(ack, body, view, errors)
        incident = await self._incident_allowed(body, ref) if ref is not None else None
        if incident is None or incident.ref is None:
            return
        user = body["user"]["id"]
        cmd = ResolveIncident(
            incident_ref=incident.ref,
            actor=user,
            outcome=Outcome(values[FIELD_OUTCOME]),
            cause_class=values[FIELD_CAUSE_CLASS],
            message=values[FIELD_MESSAGE],
        )
        if await self._run_incident(body, self.incidents.resolve, cmd, self.now()) is None:
            return
        note = agent_text(
            "incident_resolved",
            user=user,
            outcome=OUTCOME_LABELS[values[FIELD_OUTCOME]],
            cause=values[FIELD_CAUSE_CLASS],
        )
        await self.notifier.thread(incident.ref, note)
        await self.notifier.refresh(incident.ref)
        # Its tickets were resolved with it: their own cards (if any) show it.
        for ticket in await self.ws.run(
            self.incidents.tickets_of, incident.ref, finance_agent=True
        ):
            if ticket.ref and await self._has_card(ticket.ref):
                await self.notifier.refresh(ticket.ref)

    async def _has_card(self, ref: str) -> bool:
        return bool(self.notifier.incidents.posts(ref, ("card", "copy")))

    async def on_merge(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = values_of(view)
        errors = {} if values.get(FIELD_INCIDENT) else {FIELD_INCIDENT: "请选择事故 / Pick one"}
        ref = await self._checked(ack, body, view, errors)
        into = await self._incident_allowed(body, ref) if ref is not None else None
        if into is None or into.ref is None:
            return
        other = await self._incident_allowed(body, str(values[FIELD_INCIDENT]))
        if other is None or other.ref is None:
            return
        user = body["user"]["id"]
        cmd = MergeIncidents(into_ref=into.ref, from_ref=other.ref, actor=user)
        if await self._run_incident(body, self.incidents.merge, cmd, self.now()) is None:
            return
        note = agent_text("incident_merged", user=user, other=other.ref, incident=into.ref)
        await self.notifier.thread(into.ref, note)
        await self.notifier.thread(other.ref, note)
        await self.notifier.refresh(other.ref)
        await self.notifier.refresh(into.ref)

    async def on_link(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = values_of(view)
        errors = {} if values.get(FIELD_INCIDENT) else {FIELD_INCIDENT: "请选择事故 / Pick one"}
        ticket_ref = await self._checked(ack, body, view, errors)
        ticket = self._load(ticket_ref) if ticket_ref else None
        if ticket_ref is None or not await self._allowed(body, ticket):
            return
        incident = await self._incident_allowed(body, str(values[FIELD_INCIDENT]))
        if incident is None or incident.ref is None:
            return
        user = body["user"]["id"]
        cmd = LinkTicket(incident_ref=incident.ref, ticket_ref=ticket_ref, actor=user)
        if await self._run_incident(body, self.incidents.link, cmd, self.now()) is None:
            return
        note = agent_text("incident_linked", user=user, ref=ticket_ref, incident=incident.ref)
        await self.notifier.thread(ticket_ref, note)
        await self.notifier.incidents.report_linked(incident.ref)
        await self.notifier.refresh(ticket_ref)

    async def on_unlink(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = values_of(view)
        errors = {}
        if not values.get(FIELD_TICKET):
            errors[FIELD_TICKET] = "请选择工单 / Pick a ticket"
        if not values.get(FIELD_REASON):
            errors[FIELD_REASON] = REASON_MISSING
        ref = await self._checked(ack, body, view, errors)
        incident = await self._incident_allowed(body, ref) if ref is not None else None
        if incident is None or incident.ref is None:
            return
        user, ticket_ref = body["user"]["id"], str(values[FIELD_TICKET])
        cmd = UnlinkTicket(
            incident_ref=incident.ref,
            ticket_ref=ticket_ref,
            actor=user,
            reason=values[FIELD_REASON],
        )
        if await self._run_incident(body, self.incidents.unlink, cmd, self.now()) is None:
            return
        note = agent_text(
            "incident_unlinked",
            user=user,
            ref=ticket_ref,
            incident=incident.ref,
            reason=values[FIELD_REASON],
        )
        await self.notifier.thread(incident.ref, note)
        await self.notifier.refresh(incident.ref)
        # Standing alone again, it gets its own card (or its old card says so).
        if await self._has_card(ticket_ref):
            await self.notifier.refresh(ticket_ref)
        else:
            await self.notifier.post_ticket_card(ticket_ref)
