"""What reporters may be told about open incidents: read-only queries.

The conversation asks which open incident a report would join (the same rule
`IncidentIntake.assess` applies when the ticket is created) and what `/status`
shows. Only public facts leave here: title, status, the latest public update
and its ETA, and which details the incident's reports already state (so a new
reporter is asked only for what is still missing). Never severity, owner,
counts or reporters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from core.incidents.intake import best_match
from core.incidents.related import group_of
from core.incidents.store import linked_tickets, open_incidents
from core.incidents.surge import filters_of
from core.storage.incident_tables import IncidentRow, IncidentUpdateRow

# The details that narrow an outage down (a release, a platform, a device);
# an incident whose reports state none of one is worth asking a reporter about.
TELLING_DETAILS = ("app_version", "os", "device_model")


@dataclass(frozen=True, slots=True)
class PublicIncident:
    ref: str
    title: str
    status: str
    finance: bool
    update: str | None  # the latest public update's message
    eta: datetime | None  # the latest public update's ETA
    described: frozenset[str]  # TELLING_DETAILS at least one linked report states


def would_join(s: Session, subtype_id: str, diagnostics: Mapping[str, Any]) -> IncidentRow | None:
    """The open incident a report of this subtype and these details would join."""
    group = group_of(subtype_id)
    if group is None:
        return None
    return best_match(open_incidents(s, group), filters_of(diagnostics))


def public_view(s: Session, incident: IncidentRow) -> PublicIncident:
    assert incident.id is not None
    latest = s.exec(
        select(IncidentUpdateRow)
        .where(IncidentUpdateRow.incident_id == incident.id)
        .order_by(col(IncidentUpdateRow.at).desc(), col(IncidentUpdateRow.id).desc())
        .limit(1)
    ).first()
    described = {
        name
        for ticket in linked_tickets(s, incident.id)
        for name in TELLING_DETAILS
        if (ticket.diagnostics or {}).get(name)
    }
    return PublicIncident(
        ref=incident.ref or "",
        title=incident.title,
        status=incident.status,
        finance=incident.finance,
        update=latest.message if latest is not None else None,
        eta=latest.eta if latest is not None else None,
        described=frozenset(described),
    )


def public_open_incidents(s: Session) -> list[PublicIncident]:
    """Open incidents anyone may see, oldest first: finance incidents never."""
    return [public_view(s, i) for i in open_incidents(s) if not i.finance and i.merged_into is None]
