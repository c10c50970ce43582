"""/status: the platform problems being worked on, as reporters may see them.

Only public facts (title, status, the latest public update and its ETA); the
store leaves finance incidents out.
"""

from __future__ import annotations

from core.conversation.messages import Reply
from core.conversation.outage import progress_lines
from core.conversation.turn import Turn
from core.i18n import t
from core.i18n.titles import incident_title


def show_status(turn: Turn) -> None:
    lang = turn.lang
    incidents = turn.store.public_incidents()
    if not incidents:
        turn.say("status_none")
        return
    lines = [t(lang, "status_header")]
    for incident in incidents:
        status = t(lang, f"incident_state_{incident.status}")
        title = incident_title(incident.title, lang)
        lines.append(t(lang, "status_line", title=title, status=status))
        lines += progress_lines(turn, incident)
    turn.replies.append(Reply("\n".join(lines)))
