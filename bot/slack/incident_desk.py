"""One incident, one card: the incident card in the escalation channel (and a
copy in the team's channel, and in its war room), updated in place through a
throttle; newly linked reports listed in the card's thread in batches; the P0
page that names the incident.

Where the card was posted is kept like a ticket's (`TicketPostRow`), under the
incident's ref: kinds "card" (escalation), "copy" (team channel), "room" (war
room) and "page".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy import update
from sqlmodel import col, select

from bot.slack.blocks import shorten
from bot.slack.blocks.incident_card import (
    IncidentCardData,
    UpdateShown,
    batch_text,
    incident_card,
    incident_page,
)
from bot.slack.cards import claim_post, posts_of
from bot.slack.texts import agent_text, mentions
from bot.slack.throttle import Throttle
from bot.slack.workspace import Workspace
from core.outbox.model import Progress
from core.sla.scheduler import Fired
from core.storage.incident_tables import IncidentRow, IncidentTicketRow, IncidentUpdateRow
from core.storage.tables import TicketPostRow, TicketRow

log = logging.getLogger(__name__)

# At most one in-place update of an incident's cards per this many seconds.
CARD_UPDATE_SECONDS = 10.0
CARD_KINDS = ("card", "copy", "room")
# How long a page waits for the card another instance is posting.
CARD_WAIT_SECONDS = 5.0
CARD_WAIT_STEPS = 20
THREAD_TEXT_LIMIT = 3000
ROOM_NAME_ATTEMPTS = 5


def update_group_key(update_id: int) -> str:
    """The outbox group of one public update's broadcast to the reporters."""
    return f"incident-update:{update_id}"


class IncidentDesk:
    def __init__(
        self,
        workspace: Workspace,
        channels_for: Callable[[TicketRow], list[str]],
        refresh_ticket: Callable[[str], Any],
    ) -> None:
        self.ws = workspace
        self.channels_for = channels_for
        self.refresh_ticket = refresh_ticket
        self.throttle = Throttle(self._flush, CARD_UPDATE_SECONDS)
        self._posting = asyncio.Lock()

    # -- reading ---------------------------------------------------------------------------

    def card_data(self, ref: str) -> IncidentCardData:
        incidents = self.ws.incidents
        now = self.ws.clock.now()
        # The desk shows every incident; who may act on one is checked per click.
        incident = incidents.get(ref, finance_agent=True)
        shown = incidents.breakdown(ref, now, finance_agent=True)
        return IncidentCardData(
            ref=ref,
            title=incident.title,
            status=incident.status,
            severity=incident.severity,
            owner=incident.owner,
            finance=incident.finance,
            reports=shown.reports,
            reporters=shown.reporters,
            per_minute=shown.per_minute,
            first_report=shown.first_report,
            latest_report=shown.latest_report,
            first_refs=shown.first_refs,
            timezone=self.ws.settings.i18n.timezone,
            by_subtype=shown.by_subtype,
            by_app_version=shown.by_app_version,
            by_os=shown.by_os,
            by_device_model=shown.by_device_model,
            by_region=shown.by_region,
            latest_update=self._latest_update(incident),
            merged_into=incident.merged_into,
            outcome=incident.outcome,
            cause_class=incident.cause_class,
        )

    def _latest_update(self, incident: IncidentRow) -> UpdateShown | None:
        with self.ws.db.session(read_only=True) as s:
            row = s.exec(
                select(IncidentUpdateRow)
                .where(IncidentUpdateRow.incident_id == incident.id)
                .order_by(col(IncidentUpdateRow.at).desc(), col(IncidentUpdateRow.id).desc())
            ).first()
        if row is None or row.id is None:
            return None
        progress: Progress | None = None
        if self.ws.progress is not None:
            try:
                progress = self.ws.progress(update_group_key(row.id))
            except Exception:
                log.exception("could not read the update's delivery progress")
        return UpdateShown(
            status=row.status,
            message=row.message,
            at=row.at,
            author=row.author,
            eta=row.eta,
            sent=progress.sent if progress is not None and progress.total else None,
            total=progress.total if progress is not None and progress.total else None,
            sending=progress is not None and progress.pending > 0,
        )

    def posts(self, ref: str, kinds: tuple[str, ...] = CARD_KINDS) -> list[TicketPostRow]:
        with self.ws.db.session(read_only=True) as s:
            return posts_of(s, ref, kinds)

    def team_channel(self, ref: str) -> str | None:
        """The channel the incident's first report routes to, unless that is escalation."""
        tickets = self.ws.incidents.tickets_of(ref, finance_agent=True)
        if not tickets:
            return None
        channel = self.channels_for(tickets[0])[0]
        return None if channel == self.ws.settings.slack.escalation_channel else channel

    # -- posting ---------------------------------------------------------------------------

    async def report_linked(self, incident_ref: str) -> None:
        """Reports joined the incident: they are listed in the next thread batch
        and counted on the card, through the throttle.
        """
        if not self.posts(incident_ref, ("card",)):
            await self.post_card(incident_ref)
        await self.throttle.touch(incident_ref)

    async def post_card(self, ref: str) -> None:
        """The card in the escalation channel and its copy in the team's channel,
        once: in this instance the first report and the first page may both want
        it, and so may another instance's reports; the database claim decides.
        """
        async with self._posting:
            if self.posts(ref, ("card",)):
                return
            key = f"slack:incident-card:{ref}"
            if await self.ws.run(claim_post, self.ws.db, key, self.ws.clock.now()):
                await self._post_card(ref)
                return
        # Another instance is posting it: wait a moment, so that a page sent from
        # here can link to the card.
        for _ in range(CARD_WAIT_STEPS):
            if self.posts(ref, ("card",)):
                return
            await asyncio.sleep(CARD_WAIT_SECONDS / CARD_WAIT_STEPS)

    async def _post_card(self, ref: str) -> None:
        text, blocks = incident_card(await self.ws.run(self.card_data, ref))
        escalation = self.ws.settings.slack.escalation_channel
        answer = await self.ws.client.chat_postMessage(channel=escalation, text=text, blocks=blocks)
        await self.ws.record_post(ref, "card", answer)
        team = await self.ws.run(self.team_channel, ref)
        if team is not None:
            answer = await self.ws.client.chat_postMessage(channel=team, text=text, blocks=blocks)
            await self.ws.record_post(ref, "copy", answer)

    async def post_in(self, ref: str, channel: str, kind: str) -> None:
        text, blocks = incident_card(await self.ws.run(self.card_data, ref))
        answer = await self.ws.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        await self.ws.record_post(ref, kind, answer)

    async def refresh_now(self, ref: str) -> None:
        """An agent acted on the incident: show it at once, not at the interval's end."""
        await self.throttle.now(ref)

    async def _flush(self, ref: str) -> None:
        posts = self.posts(ref)
        if not posts:
            return
        tickets = await self.ws.run(self.ws.incidents.tickets_of, ref, finance_agent=True)
        batch = await self.ws.run(self._take_unlisted, ref)
        data = await self.ws.run(self.card_data, ref)
        text, blocks = incident_card(data)
        if data.latest_update is not None and data.latest_update.sending:
            # "Sent to N of M" moves on by itself: look again at the interval's end.
            await self.throttle.touch(ref)
        if batch:
            try:
                await self.thread(ref, batch_text(batch, len(tickets)))
            except Exception:
                await self.ws.run(self._unlist, batch)
                raise
            # Reports carded before the incident opened now point at it.
            for ticket_ref in batch:
                if self.posts(ticket_ref, ("card", "copy")):
                    await self.refresh_ticket(ticket_ref)
        for post in posts:
            await self.ws.client.chat_update(
                channel=post.channel, ts=post.ts, text=text, blocks=blocks
            )

    def _take_unlisted(self, ref: str) -> list[str]:
        """The incident's reports not yet listed in its thread, marked listed in
        the same transaction: with several instances each is listed by one.
        """
        with self.ws.db.session() as s:
            incident = s.exec(select(IncidentRow).where(IncidentRow.ref == ref)).one()
            rows = s.exec(
                select(IncidentTicketRow)
                .where(
                    IncidentTicketRow.incident_id == incident.id,
                    col(IncidentTicketRow.listed_at).is_(None),
                )
                .order_by(col(IncidentTicketRow.linked_at), col(IncidentTicketRow.id))
                .with_for_update(skip_locked=True)
            ).all()
            now = self.ws.clock.now()
            for row in rows:
                row.listed_at = now
                s.add(row)
            return [row.ticket_ref for row in rows]

    def _unlist(self, refs: list[str]) -> None:
        """Reports whose batch could not be posted: the next batch lists them."""
        with self.ws.db.session() as s:
            s.execute(
                update(IncidentTicketRow)
                .where(col(IncidentTicketRow.ticket_ref).in_(refs))
                .values(listed_at=None)
            )

    async def thread(self, ref: str, text: str) -> None:
        """A message in the thread of the escalation card."""
        for post in self.posts(ref, ("card",)):
            await self.ws.client.chat_postMessage(
                channel=post.channel, thread_ts=post.ts, text=shorten(text, THREAD_TEXT_LIMIT)
            )

    # -- paging ----------------------------------------------------------------------------

    async def card_link(self, ref: str) -> str | None:
        cards = self.posts(ref, ("card",))
        if not cards:
            return None
        answer = await self.ws.client.chat_getPermalink(
            channel=cards[0].channel, message_ts=cards[0].ts
        )
        return f"<{answer['permalink']}|{ref}>"

    async def page(self, fired: Fired) -> None:
        """The incident's chain, one level at a time: each timer fires once, so the
        chain is paged once per level, never once per report.
        """
        ref = fired.incident_ref
        assert ref is not None
        incident = await self.ws.run(self.ws.incidents.get, ref, finance_agent=True)
        await self.post_card(ref)
        link = await self.card_link(ref)
        escalation = self.ws.settings.escalation
        channel = self.ws.settings.slack.escalation_channel
        if (fired.level, fired.round) == (0, 0):
            mention = mentions(escalation.on_call) or "<!channel>"
            text, blocks = incident_page(ref, incident.severity, incident.title, mention, link)
            answer = await self.ws.client.chat_postMessage(
                channel=channel, text=text, blocks=blocks
            )
            await self.ws.record_post(ref, "page", answer)
        else:
            note = agent_text(
                "paging_level",
                ref=ref,
                level=(fired.level or 0) + 1,
                round=(fired.round or 0) + 1,
                mention=mentions(fired.targets),
            )
            await self.ws.client.chat_postMessage(channel=channel, text=note)
        for person in sorted(await self.ws.members(list(fired.targets))):
            text, blocks = incident_page(
                ref, incident.severity, incident.title, f"<@{person}>", link
            )
            dm = await self.ws.client.conversations_open(users=person)
            answer = await self.ws.client.chat_postMessage(
                channel=dm["channel"]["id"], text=text, blocks=blocks
            )
            await self.ws.record_post(ref, "page", answer)

    async def acknowledged(self, ref: str, user: str) -> None:
        """Every page says who took the incident; the card shows its owner."""
        text = agent_text("incident_acked", user=user, ref=ref)
        for page in self.posts(ref, ("page",)):
            await self.ws.client.chat_update(channel=page.channel, ts=page.ts, text=text, blocks=[])
        await self.thread(ref, text)
        await self.refresh_now(ref)

    # -- war room --------------------------------------------------------------------------

    async def war_room(self, ref: str, owner: str | None, by: str) -> str:
        """A channel for the incident: the owner, the on-call chain and the tech
        lead tier are invited and the card is posted there. Its id.
        """
        existing = self.posts(ref, ("room",))
        if existing:
            return existing[0].channel
        channel = await self._create_room(await self._room_name(ref))
        escalation = self.ws.settings.escalation
        wanted = [*escalation.on_call, *(t for level in escalation.chain for t in level.targets)]
        wanted += self.ws.settings.routing.tier_members.get("lead", [])
        wanted += [u for u in (owner, by) if u]
        people = sorted(await self.ws.members(wanted) - {self.ws.bot_user_id})
        if people:
            await self.ws.client.conversations_invite(channel=channel, users=",".join(people))
        await self.post_in(ref, channel, "room")
        await self.thread(ref, agent_text("war_room", user=by, channel=channel))
        return channel

    async def _room_name(self, ref: str) -> str:
        """inc-101-20261205: Slack's rules (lowercase, digits, hyphens, at most 80)."""
        number = ref.lower().removeprefix("inc-")
        incident = await self.ws.run(self.ws.incidents.get, ref, finance_agent=True)
        return f"inc-{number}-{incident.declared_at:%Y%m%d}"[:70]

    async def _create_room(self, name: str) -> str:
        """The channel's id; a name already taken (a room kept from an earlier
        database, an agent's own channel) gets a numbered suffix.
        """
        for attempt in range(1, ROOM_NAME_ATTEMPTS + 1):
            candidate = name if attempt == 1 else f"{name}-{attempt}"
            try:
                created = await self.ws.client.conversations_create(name=candidate)
            except SlackApiError as err:
                if err.response.get("error") != "name_taken":
                    raise
                continue
            return str(created["channel"]["id"])
        raise SlackApiError(f"no free channel name for {name}", {"error": "name_taken"})
