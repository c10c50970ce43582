"""What the incident buttons and modals share: which incident, whether the agent
may act on it (finance incidents: finance agents only), and running the change.
"""

from __future__ import annotations

from typing import Any

from bot.slack.action_base import TicketActionBase
from bot.slack.texts import agent_text
from core.errors import LiveDeskError, NotFoundError
from core.incidents.model import is_incident_ref
from core.incidents.service import IncidentService
from core.storage.incident_tables import IncidentRow


class IncidentActionBase(TicketActionBase):
    @property
    def incidents(self) -> IncidentService:
        return self.ws.incidents

    def _find_incident(self, ref: str) -> IncidentRow | None:
        try:
            return self.incidents.get(ref, finance_agent=True)
        except (NotFoundError, LiveDeskError):
            return None

    async def _incident_allowed(self, body: dict[str, Any], ref: str) -> IncidentRow | None:
        """The incident, if the presser may act on it; otherwise they are told why."""
        user = body["user"]["id"]
        incident = await self.ws.run(self._find_incident, ref) if is_incident_ref(ref) else None
        if incident is None:
            await self._ephemeral(body, agent_text("unknown_incident", ref=ref or "?"))
            return None
        if await self.ws.may_act_on_incident(user, incident.finance):
            return incident
        key = "not_finance_incident" if incident.finance else "not_agent"
        await self._ephemeral(body, agent_text(key))
        return None

    async def _run_incident(self, body: dict[str, Any], func: Any, *args: Any, **kw: Any) -> Any:
        """A core change with the presser's finance standing; a refusal is told ephemerally.
        None when refused.
        """
        finance = await self.ws.is_finance_agent(body["user"]["id"])
        try:
            return await self.ws.run(func, *args, finance_agent=finance, **kw)
        except LiveDeskError as err:
            await self._ephemeral(body, agent_text("error", error=err))
            return None

    def _open_incidents(self, finance: bool) -> list[tuple[str, str, int, int]]:
        return [
            (o.incident.ref or "", o.incident.title, o.tickets, o.reporters)
            for o in self.incidents.list_open(finance_agent=finance)
        ]
