"""Someone owns the incident: the one paging chain stops."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from core.sla.planner import SlaPlanner
from core.storage.audit_store import append_event
from core.storage.incident_tables import IncidentRow


def acknowledge_incident(
    s: Session, incident: IncidentRow, actor: str, now: datetime, planner: SlaPlanner
) -> IncidentRow:
    """`actor` becomes the owner; the first acknowledgement stops the paging.

    Shared by the incident's own Acknowledge and by acknowledging the page of
    its lead ticket, which is where pages point until the incident has a card.
    """
    payload: dict[str, Any] = {"owner": {"before": incident.owner, "after": actor}}
    if incident.acknowledged_at is None:
        incident.acknowledged_at = now
        payload["acknowledged_at"] = now.isoformat()
    else:
        payload["already_acknowledged"] = True
    incident.owner = actor
    incident.updated_at, incident.version = now, incident.version + 1
    s.add(incident)
    s.flush()
    planner.plan_incident(s, incident, now)
    append_event(
        s,
        at=now,
        actor=actor,
        action="incident.acknowledged",
        ticket_ref=incident.ref,
        payload=payload,
    )
    return incident
