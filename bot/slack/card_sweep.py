"""Every open ticket and incident gets its card. A ticket's card is posted when
the ticket is announced, right after its commit, and an incident's when its
first report or page comes; a card that never came (Slack stayed away past the
client's retries, or the process died between the commit and the post) would
leave it invisible to agents. The sweep looks for open tickets and incidents
with no card, a little after they were created, and posts theirs. Each
instance sweeps; the card's claim (bot/slack/cards.py) makes one of them post.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.slack.cards import PLATFORM
from bot.slack.notifier import SlackNotifier
from bot.slack.workspace import Workspace
from core.incidents.model import IncidentStatus
from core.statuses import OPEN_STATUSES
from core.storage.incident_tables import IncidentRow, IncidentTicketRow
from core.storage.tables import TicketPostRow, TicketRow

log = logging.getLogger(__name__)

SWEEP_EVERY = 60.0  # seconds
# The announcement posts within a second or two; a sweep never races it.
GRACE = timedelta(seconds=30)
# Oldest first, a few per sweep: a long Slack outage is caught up gently.
BATCH = 20


class CardSweeper:
    def __init__(
        self, workspace: Workspace, notifier: SlackNotifier, every: float = SWEEP_EVERY
    ) -> None:
        self.ws = workspace
        self.notifier = notifier
        self.every = every
        self._task: asyncio.Task[None] | None = None

    def without_card(self, now: datetime) -> list[str]:
        """Open tickets older than GRACE with no card, not in an incident (its
        reports are on the incident's card)."""
        return self._oldest(
            select(TicketRow.ref).where(
                col(TicketRow.status).in_([s.value for s in OPEN_STATUSES]),
                col(TicketRow.created_at) <= now - GRACE,
                col(TicketRow.ref).is_not(None),
                col(TicketRow.ref).not_in(_posted("card", "copy")),
                col(TicketRow.ref).not_in(select(IncidentTicketRow.ticket_ref)),
            ),
            col(TicketRow.created_at),
            col(TicketRow.id),
        )

    def incidents_without_card(self, now: datetime) -> list[str]:
        """Open incidents declared more than GRACE ago with no card: one whose
        card's instance died, with no page and no new report since to post it."""
        return self._oldest(
            select(IncidentRow.ref).where(
                IncidentRow.status != IncidentStatus.RESOLVED.value,
                col(IncidentRow.declared_at) <= now - GRACE,
                col(IncidentRow.ref).is_not(None),
                col(IncidentRow.ref).not_in(_posted("card")),
            ),
            col(IncidentRow.declared_at),
            col(IncidentRow.id),
        )

    def _oldest(self, refs: SelectOfScalar[Any], *order: Any) -> list[str]:
        """The first BATCH refs of the query, oldest first."""
        with self.ws.db.session(read_only=True) as s:
            found = s.exec(refs.order_by(*order).limit(BATCH)).all()
        return [ref for ref in found if ref is not None]

    async def sweep(self) -> int:
        """Post the cards that are missing; how many tickets and incidents were tried."""
        now = self.ws.clock.now()
        incidents = await self.ws.run(self.incidents_without_card, now)
        tickets = await self.ws.run(self.without_card, now)
        for ref in incidents:
            await self._quietly(self.notifier.incidents.post_card, ref)
        for ref in tickets:
            await self._quietly(self.notifier.post_ticket_card, ref)
        if incidents or tickets:
            log.info("posted missing cards", extra={"count": len(incidents) + len(tickets)})
        return len(incidents) + len(tickets)

    @staticmethod
    async def _quietly(post: Callable[[str], Awaitable[None]], ref: str) -> None:
        try:
            await post(ref)
        except Exception:  # one card failing must not keep the others back
            log.exception("could not post a missing card", extra={"ticket": ref})

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="slack-card-sweep")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                await self.sweep()
            except Exception:  # the database away, say: the next sweep tries again
                log.exception("the card sweep failed")


def _posted(*kinds: str) -> SelectOfScalar[str]:
    """The refs with a message of these kinds posted in Slack."""
    return select(TicketPostRow.ticket_ref).where(
        TicketPostRow.platform == PLATFORM, col(TicketPostRow.kind).in_(kinds)
    )
