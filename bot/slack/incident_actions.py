"""Incident buttons: acknowledge (on the card or the page), the war room, declare
from a ticket card, and the buttons that open an incident modal (update,
resolve, merge, link, unlink; their submissions are in
bot.slack.incident_submissions).

Each click is acknowledged first; the work follows.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck
from slack_sdk.errors import SlackApiError

from bot.slack.blocks.ids import (
    ACTION_INCIDENT_ACK,
    ACTION_INCIDENT_DECLARE,
    ACTION_INCIDENT_MERGE,
    ACTION_INCIDENT_RESOLVE,
    ACTION_INCIDENT_UPDATE,
    ACTION_LINK_INCIDENT,
    ACTION_UNLINK_INCIDENT,
    ACTION_WAR_ROOM,
)
from bot.slack.blocks.incident_modals import (
    incident_resolve_modal,
    link_modal,
    merge_modal,
    unlink_modal,
    update_modal,
)
from bot.slack.incident_base import IncidentActionBase
from bot.slack.texts import agent_text
from core.incidents.model import AcknowledgeIncident, DeclareIncident, is_incident_ref
from core.masking import mask_text


def _value(body: dict[str, Any]) -> str:
    return str((body.get("actions") or [{}])[0].get("value") or "")


class IncidentActions(IncidentActionBase):
    def register(self) -> None:
        app = self.ws.app
        app.action(ACTION_INCIDENT_ACK)(self.on_ack)
        app.action(ACTION_WAR_ROOM)(self.on_war_room)
        app.action(ACTION_INCIDENT_DECLARE)(self.on_declare)
        app.action(ACTION_LINK_INCIDENT)(self.on_link)
        app.action(ACTION_UNLINK_INCIDENT)(self.on_unlink)
        for action in (ACTION_INCIDENT_UPDATE, ACTION_INCIDENT_RESOLVE, ACTION_INCIDENT_MERGE):
            app.action(action)(self.on_incident_modal)

    async def on_ack(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """The owner takes the incident: paging stops, every page says who took it."""
        await ack()
        incident = await self._incident_allowed(body, _value(body))
        if incident is None or incident.ref is None:
            return
        user = body["user"]["id"]
        if incident.owner is not None:
            await self._ephemeral(
                body, agent_text("incident_acked", user=incident.owner, ref=incident.ref)
            )
            return
        cmd = AcknowledgeIncident(incident_ref=incident.ref, actor=user)
        done = await self._run_incident(body, self.incidents.acknowledge, cmd, self.now())
        if done is not None:
            await self.notifier.incidents.acknowledged(incident.ref, user)

    async def on_war_room(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        incident = await self._incident_allowed(body, _value(body))
        if incident is None or incident.ref is None:
            return
        try:
            await self.notifier.incidents.war_room(incident.ref, incident.owner, body["user"]["id"])
        except SlackApiError as err:
            error = err.response.get("error") if err.response else err
            await self._ephemeral(body, agent_text("error", error=error))

    async def on_incident_modal(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        incident = await self._incident_allowed(body, _value(body))
        if incident is None or incident.ref is None:
            return
        action = body["actions"][0]["action_id"]
        if action == ACTION_INCIDENT_UPDATE:
            view = update_modal(incident.ref, incident.status)
        elif action == ACTION_INCIDENT_RESOLVE:
            view = incident_resolve_modal(incident.ref)
        else:
            finance = await self.ws.is_finance_agent(body["user"]["id"])
            choices = await self.ws.run(self._open_incidents, finance)
            # Finance incidents merge only with finance incidents (and the rest apart).
            choices = [c for c in choices if self._same_side(c[0], incident.finance)]
            view = merge_modal(incident.ref, choices)
        await self.ws.client.views_open(trigger_id=body["trigger_id"], view=view)

    def _same_side(self, ref: str, finance: bool) -> bool:
        other = self._find_incident(ref)
        return other is not None and other.finance == finance

    # -- on a ticket card ------------------------------------------------------------------

    async def on_declare(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """Declare an incident from this ticket, with the defaults (the subtype's
        name, the widespread severity, no filter); its card follows at once.
        """
        await ack()
        found = await self._acting_on(body)
        if found is None:
            return
        ref, _ticket = found
        user = body["user"]["id"]
        cmd = DeclareIncident(ticket_ref=ref, actor=user)
        incident = await self._run_incident(body, self.incidents.declare, cmd, self.now())
        if incident is None or incident.ref is None:
            return
        await self.notifier.incidents.report_linked(incident.ref)
        await self.notifier.thread(
            incident.ref, agent_text("incident_declared", user=user, incident=incident.ref, ref=ref)
        )
        await self.notifier.refresh(ref)

    async def on_link(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        found = await self._acting_on(body)
        if found is None:
            return
        ref, ticket = found
        finance = await self.ws.is_finance_agent(body["user"]["id"])
        choices = await self.ws.run(self._open_incidents, finance)
        # A finance ticket never shares an incident with a non-finance one.
        wanted = ticket.category == "finance"
        choices = [c for c in choices if self._same_side(c[0], wanted)]
        await self.ws.client.views_open(
            trigger_id=body["trigger_id"], view=link_modal(ref, choices)
        )

    async def on_unlink(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """From the incident card (pick one of its tickets) or from a ticket's own card."""
        await ack()
        value = _value(body)
        if is_incident_ref(value):
            incident = await self._incident_allowed(body, value)
            ticket_ref = None
        else:
            found = await self._acting_on(body)
            if found is None:
                return
            ticket_ref = found[0]
            linked = await self.ws.run(self.incidents.incident_of, ticket_ref)
            if linked is None or linked.ref is None:
                await self._ephemeral(body, agent_text("unknown_incident", ref=ticket_ref))
                return
            incident = await self._incident_allowed(body, linked.ref)
        if incident is None or incident.ref is None:
            return
        tickets = await self.ws.run(self.incidents.tickets_of, incident.ref, finance_agent=True)
        finance = await self.ws.is_finance_agent(body["user"]["id"])
        shown = [
            (t.ref or "", mask_text(t.summary, t.diagnostics, finance_viewer=finance))
            for t in tickets
            if ticket_ref in (None, t.ref)
        ]
        view = unlink_modal(incident.ref, shown)
        await self.ws.client.views_open(trigger_id=body["trigger_id"], view=view)
