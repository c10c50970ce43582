"""Finance values shown on request: a finance agent presses "Reveal" on a masked
copy of a finance card (or a masked answer) and gets the values ephemerally.

Every reveal is an audit event (`ticket.finance_revealed`): who saw a reporter's
payment details, when and where.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from core.errors import NotFoundError
from core.storage.audit_store import append_event
from core.storage.db import Database
from core.storage.tables import TicketRow

REVEAL_ACTION = "ticket.finance_revealed"
SUMMARY_MAX = 1500


def reveal_finance(db: Database, ref: str, viewer: str, where: str, now: datetime) -> str:
    """The ticket's finance details, unmasked, once the reveal is audited."""
    with db.session() as s:
        ticket = s.exec(select(TicketRow).where(TicketRow.ref == ref)).first()
        if ticket is None or ticket.ref is None:
            raise NotFoundError(f"no ticket {ref}")
        append_event(
            s,
            at=now,
            actor=viewer,
            action=REVEAL_ACTION,
            ticket_ref=ticket.ref,
            payload={"where": where, "reason": "finance agent asked to see finance details"},
        )
        details = "\n".join(
            f"• {key}: {value}" for key, value in ticket.diagnostics.items() if key != "extras"
        )
        summary = ticket.summary[:SUMMARY_MAX]
        return f"🔓 *{ticket.ref}*\n> {summary}\n{details}".rstrip()
