"""Every open ticket gets its card. A ticket's card is posted when the ticket is
announced, right after its commit; a card that never came (Slack stayed away
past the client's retries, or the process died between the commit and the
post) would leave the ticket invisible to agents. The sweep looks for open
tickets with no card, a little after they were created, and posts theirs. Each
instance sweeps; the card's claim (bot/slack/cards.py) makes one of them post.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from sqlmodel import col, select

from bot.slack.cards import PLATFORM
from bot.slack.notifier import SlackNotifier
from bot.slack.workspace import Workspace
from core.statuses import OPEN_STATUSES
from core.storage.incident_tables import IncidentTicketRow
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
        carded = select(TicketPostRow.ticket_ref).where(
            TicketPostRow.platform == PLATFORM, col(TicketPostRow.kind).in_(("card", "copy"))
        )
        linked = select(IncidentTicketRow.ticket_ref)
        query = (
            select(TicketRow.ref)
            .where(
                col(TicketRow.status).in_([s.value for s in OPEN_STATUSES]),
                col(TicketRow.created_at) <= now - GRACE,
                col(TicketRow.ref).is_not(None),
                col(TicketRow.ref).not_in(carded),
                col(TicketRow.ref).not_in(linked),
            )
            .order_by(col(TicketRow.created_at), col(TicketRow.id))
            .limit(BATCH)
        )
        with self.ws.db.session(read_only=True) as s:
            return [ref for ref in s.exec(query).all() if ref is not None]

    async def sweep(self) -> int:
        """Post the cards that are missing; how many tickets were tried."""
        refs = await self.ws.run(self.without_card, self.ws.clock.now())
        for ref in refs:
            try:
                await self.notifier.post_ticket_card(ref)
            except Exception:
                log.exception("could not post a missing card", extra={"ticket": ref})
        if refs:
            log.info("posted missing ticket cards", extra={"count": len(refs)})
        return len(refs)

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
