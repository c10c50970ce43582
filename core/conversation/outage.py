"""Telling a reporter about the outage their ticket is part of.

Told once per incident: when the report joins it, or on the user's next turn
when the incident was opened (by a surge, or an agent) after their ticket.
"""

from __future__ import annotations

from core.conversation.messages import Reply
from core.conversation.store import TicketView
from core.conversation.turn import Turn
from core.i18n import t
from core.i18n.titles import incident_title
from core.incidents.public import PublicIncident


def progress_lines(turn: Turn, incident: PublicIncident) -> list[str]:
    """The latest public update and its ETA, where there are any."""
    lines = []
    if incident.update:
        lines.append(t(turn.lang, "incident_latest", update=incident.update))
    if incident.eta is not None:
        eta = incident.eta.astimezone(turn.settings.timezone).strftime("%Y-%m-%d %H:%M")
        lines.append(t(turn.lang, "incident_eta", eta=eta))
    return lines


def tell_incident(turn: Turn, incident: PublicIncident) -> None:
    status = t(turn.lang, f"incident_state_{incident.status}")
    title = incident_title(incident.title, turn.lang)
    known = t(turn.lang, "incident_known", title=title, status=status)
    turn.replies.append(Reply("\n".join([known, *progress_lines(turn, incident)])))
    turn.draft.incident = incident.ref


def incident_news(turn: Turn, ticket: TicketView) -> None:
    """Tell the reporter, once, that their ticket is now part of a known outage."""
    if ticket.incident is None or ticket.incident == turn.draft.incident:
        return
    incident = turn.store.public_incident(ticket.incident)
    if incident is not None and incident.status != "resolved":
        tell_incident(turn, incident)
