"""Announcing tickets to agents: cards, card updates and the ticket's thread."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlmodel import select

from bot.slack.blocks import page_message, shorten, ticket_card
from bot.slack.blocks.parts import clock_time
from bot.slack.blocks.safe_text import escape_mrkdwn
from bot.slack.cards import card_data, claim_post, posts_of
from bot.slack.incident_desk import IncidentDesk
from bot.slack.texts import agent_text, mentions
from bot.slack.workspace import Workspace
from core.config import SlackSettings
from core.conversation.messages import DomainEvent, TicketChanged, TicketCreated, UserAddedToTicket
from core.filenames import safe_file_name
from core.incidents.model import is_incident_ref
from core.masking import mask_text
from core.ports import AttachmentStore
from core.sla.scheduler import Fired
from core.storage.tables import AttachmentRow, TicketMessageRow, TicketPostRow, TicketRow

log = logging.getLogger(__name__)

THREAD_TEXT_LIMIT = 3000


class SlackNotifier:
    def __init__(self, workspace: Workspace, attachments: AttachmentStore) -> None:
        self.ws = workspace
        self.attachments = attachments
        self.incidents = IncidentDesk(workspace, self.channels_for, self.refresh)

    @property
    def _slack(self) -> SlackSettings:
        return self.ws.settings.slack

    def channels_for(self, ticket: TicketRow) -> list[str]:
        """Where the card goes: the routed channel, and for P0 also escalation."""
        slack = self._slack
        channels = [self._main_channel(ticket.category)]
        if ticket.priority == "P0" and slack.escalation_channel not in channels:
            channels.append(slack.escalation_channel)
        return channels

    def _main_channel(self, category: str) -> str:
        slack, routing = self._slack, self.ws.settings.routing
        if category == "finance":
            return slack.finance_channel
        return next(
            (ch for cat, ch in routing.channels.items() if cat.value == category),
            slack.triage_channel,
        )

    async def announce(self, events: Sequence[DomainEvent]) -> None:
        """AgentNotifier: new tickets, what users added, changes users made."""
        for event in events:
            try:
                if isinstance(event, TicketCreated):
                    await self.ticket_created(event.ref)
                elif isinstance(event, UserAddedToTicket):
                    await self.user_message(event.ref, event.message_id)
                elif isinstance(event, TicketChanged):
                    await self.ticket_changed(event)
            except Exception:
                log.exception(
                    "slack notification failed", extra={"ticket": getattr(event, "ref", "")}
                )

    def _load(self, ref: str) -> TicketRow:
        with self.ws.db.session(read_only=True) as s:
            ticket = s.exec(select(TicketRow).where(TicketRow.ref == ref)).one()
            return ticket

    def _render(self, ref: str, kind: str) -> tuple[str, list[dict[str, Any]]]:
        """Finance values are shown only on a finance ticket's own card, which lives
        in the finance channel; copies elsewhere (and the cards a ticket had before it
        was moved into finance, see move_card) are masked.
        """
        with self.ws.db.session(read_only=True) as s:
            ticket = s.exec(select(TicketRow).where(TicketRow.ref == ref)).one()
            finance_view = kind == "card" and ticket.category == "finance"
            data = card_data(
                s,
                ticket,
                self.ws.kb,
                finance_view=finance_view,
                timezone=self.ws.settings.i18n.timezone,
            )
        return ticket_card(data)

    async def ticket_created(self, ref: str) -> None:
        """A new report gets its card, unless it joined an incident: then it is
        counted on the incident's card and listed in its thread instead.
        """
        incident = await self.ws.run(self.ws.incidents.incident_of, ref)
        if incident is not None and incident.ref is not None:
            await self.incidents.report_linked(incident.ref)
            return
        await self.post_ticket_card(ref)

    async def post_ticket_card(self, ref: str) -> None:
        """The ticket's card, once: a redelivered event finds it posted, and of
        this instance's announcement and another's sweep (bot/slack/card_sweep.py)
        the one that claims it first posts it.
        """
        with self.ws.db.session(read_only=True) as s:
            if posts_of(s, ref):
                return  # already announced (a redelivered event)
        key = f"slack:ticket-card:{ref}"
        if not await self.ws.run(claim_post, self.ws.db, key, self.ws.clock.now()):
            return
        ticket = self._load(ref)
        for i, channel in enumerate(self.channels_for(ticket)):
            await self._post_card(ref, channel, "card" if i == 0 else "copy")

    async def _post_card(self, ref: str, channel: str, kind: str) -> None:
        text, blocks = self._render(ref, kind)
        answer = await self.ws.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        await self.ws.record_post(ref, kind, answer)

    async def move_card(self, ref: str, category_before: str) -> None:
        """A reclassified ticket whose routed channel changed gets its card there; the
        old cards stay as copies (refreshed by the caller), so their threads still work.
        """
        main = self._main_channel(self._load(ref).category)
        with self.ws.db.session(read_only=True) as s:
            cards = posts_of(s, ref, ("card",))
        if not cards or self._main_channel(category_before) == main:
            return
        await self.ws.run(self._demote, [post.id for post in cards])
        await self._post_card(ref, main, "card")

    def _demote(self, ids: list[int | None]) -> None:
        with self.ws.db.session() as s:
            for post_id in ids:
                row = s.get(TicketPostRow, post_id)
                if row is not None:
                    row.kind = "copy"
                    s.add(row)

    async def refresh(self, ref: str) -> None:
        """Update every card of the ticket (or the incident) in place."""
        if is_incident_ref(ref):
            await self.incidents.refresh_now(ref)
            return
        with self.ws.db.session(read_only=True) as s:
            posts = posts_of(s, ref)
        for post in posts:
            text, blocks = self._render(ref, post.kind)
            await self.ws.client.chat_update(
                channel=post.channel, ts=post.ts, text=text, blocks=blocks
            )

    async def thread(self, ref: str, text: str) -> None:
        if is_incident_ref(ref):
            await self.incidents.thread(ref, text)
            return
        with self.ws.db.session(read_only=True) as s:
            posts = posts_of(s, ref, ("card",))
        for post in posts:
            await self.ws.client.chat_postMessage(
                channel=post.channel, thread_ts=post.ts, text=shorten(text, THREAD_TEXT_LIMIT)
            )

    async def user_message(self, ref: str, message_id: int) -> None:
        """What the reporter added goes into the thread of the ticket's card; a ticket
        in an incident has no card, so it goes into the incident card's thread, named.
        """
        with self.ws.db.session(read_only=True) as s:
            message = s.get(TicketMessageRow, message_id)
            attachment = (
                s.get(AttachmentRow, message.attachment_id)
                if message and message.attachment_id
                else None
            )
            posts = posts_of(s, ref, ("card",))
        if message is None:
            return
        if not posts:
            await self._incident_user_message(ref, message, attachment)
            return
        post = posts[0]
        if attachment is not None:
            data = await self.ws.run(self.attachments.open, attachment.stored_path)
            comment = agent_text(
                "user_file", name=_words(message.author), file=_words(_file_name(attachment))
            )
            if message.text:
                comment += "\n" + _words(message.text)
            await self.ws.client.files_upload_v2(
                channel=post.channel,
                thread_ts=post.ts,
                content=data,
                filename=_file_name(attachment),
                initial_comment=shorten(comment, THREAD_TEXT_LIMIT),
            )
            return
        text = agent_text("user_said", name=_words(message.author), text=_words(message.text))
        await self.ws.client.chat_postMessage(
            channel=post.channel, thread_ts=post.ts, text=shorten(text, THREAD_TEXT_LIMIT)
        )

    async def _incident_user_message(
        self, ref: str, message: TicketMessageRow, attachment: AttachmentRow | None
    ) -> None:
        """The incident card lives in the escalation channel: a finance reporter's
        words are masked there and their files are named, not shared.
        """
        incident = await self.ws.run(self.ws.incidents.incident_of, ref)
        if incident is None or incident.ref is None:
            return
        ticket = self._load(ref)
        finance = ticket.category == "finance"
        words = _words(
            mask_text(message.text or "", ticket.diagnostics, finance_viewer=not finance)
        )
        name = _words(message.author)
        if attachment is None:
            text = agent_text("incident_user_said", ref=ref, name=name, text=words)
        else:
            file = _words(_file_name(attachment))
            text = agent_text("incident_user_file", ref=ref, name=name, file=file)
            if words:
                text += "\n" + words
        cards = self.incidents.posts(incident.ref, ("card",))
        if attachment is None or finance or not cards:
            await self.incidents.thread(incident.ref, text)
            return
        data = await self.ws.run(self.attachments.open, attachment.stored_path)
        for post in cards:
            await self.ws.client.files_upload_v2(
                channel=post.channel,
                thread_ts=post.ts,
                content=data,
                filename=_file_name(attachment),
                initial_comment=shorten(text, THREAD_TEXT_LIMIT),
            )

    # -- SLA (issue: clocks and paging) ----------------------------------------------------

    async def sla_fired(self, fired: Fired) -> None:
        """An incident's timers are told on its card (its ref), a ticket's on the ticket's."""
        if fired.kind == "page" and fired.incident_ref is not None:
            await self.incidents.page(fired)
            return
        ref = fired.incident_ref or fired.ref
        clock_zh, clock_en = (
            ("首次响应", "first-response")
            if fired.clock == "first_response"
            else ("解决", "resolution")
        )
        # The clock's own deadline: a warning fires before it, at its own moment.
        due = clock_time(fired.clock_due_at or fired.due_at, self.ws.settings.i18n.timezone)
        ticket = self._load(fired.ref) if fired.kind in ("warning", "breach") else None
        if fired.kind == "warning":
            members = self.ws.tier_targets(ticket, fired.tier)
            mention = f"<@{fired.assignee}>" if fired.assignee else mentions(members) or "<!here>"
            text = agent_text(
                "sla_warning",
                mention=mention,
                ref=ref,
                clock=clock_zh,
                clock_en=clock_en,
                percent=round((fired.fraction or 0) * 100),
                due=due,
            )
            if fired.assignee:
                await self.thread(ref, text)
            else:
                await self._channel_post(ref, text)
        elif fired.kind == "breach":
            mention = mentions(self.ws.tier_targets(ticket, fired.tier))
            text = agent_text(
                "sla_breach",
                ref=ref,
                clock=clock_zh,
                clock_en=clock_en,
                tier=fired.tier,
                mention=mention,
            )
            await self.ws.client.chat_postMessage(channel=self._slack.escalation_channel, text=text)
            await self.thread(ref, text)
            await self.refresh(ref)
        elif fired.kind == "page":
            await self._page(fired)

    async def _channel_post(self, ref: str, text: str) -> None:
        with self.ws.db.session(read_only=True) as s:
            posts = posts_of(s, ref, ("card",))
        for post in posts:
            await self.ws.client.chat_postMessage(channel=post.channel, text=text)

    async def _page(self, fired: Fired) -> None:
        ticket = self._load(fired.ref)
        escalation = self.ws.settings.escalation
        first = (fired.level, fired.round) == (0, 0)
        # Pages reach the escalation channel and the on-call, not finance agents.
        summary = mask_text(ticket.summary, ticket.diagnostics, finance_viewer=False)
        if first:
            mention = mentions(escalation.on_call) or "<!channel>"
            text, blocks = page_message(fired.ref, ticket.priority, summary, mention)
            answer = await self.ws.client.chat_postMessage(
                channel=self._slack.escalation_channel, text=text, blocks=blocks
            )
            await self.ws.record_post(fired.ref, "page", answer)
        else:
            note = agent_text(
                "paging_level",
                ref=fired.ref,
                level=(fired.level or 0) + 1,
                round=(fired.round or 0) + 1,
                mention=mentions(fired.targets),
            )
            await self.ws.client.chat_postMessage(channel=self._slack.escalation_channel, text=note)
        people = await self.ws.members(list(fired.targets))
        for person in sorted(people):
            text, blocks = page_message(fired.ref, ticket.priority, summary, f"<@{person}>")
            dm = await self.ws.client.conversations_open(users=person)
            channel = dm["channel"]["id"]
            answer = await self.ws.client.chat_postMessage(
                channel=channel, text=text, blocks=blocks
            )
            await self.ws.record_post(fired.ref, "page", answer)

    async def pages_acknowledged(self, ref: str, user: str) -> None:
        """Every page of the ticket says who took it; the buttons go away."""
        with self.ws.db.session(read_only=True) as s:
            pages = posts_of(s, ref, ("page",))
        text = agent_text("page_acked", user=user, ref=ref)
        for page in pages:
            await self.ws.client.chat_update(channel=page.channel, ts=page.ts, text=text, blocks=[])
        await self.thread(ref, text)

    async def ticket_changed(self, event: TicketChanged) -> None:
        if event.what == "reopened":
            # "Not fixed for me" splits a ticket out of its incident: from now on
            # it is worked on its own, so it gets the card it never had.
            incident = await self.ws.run(self.ws.incidents.incident_of, event.ref)
            if incident is None:
                await self.post_ticket_card(event.ref)
        ticket = self._load(event.ref)
        notes = {
            "reopened": agent_text("reopened_by_user"),
            "confirmed": agent_text("confirmed"),
            "rated": agent_text("rated", rating="⭐" * (ticket.satisfaction or 0)),
            "commented": agent_text("commented", comment=ticket.satisfaction_comment or ""),
            "user_answered": agent_text("user_answered"),
        }
        if event.what in notes:
            await self.thread(event.ref, notes[event.what])
        await self.refresh(event.ref)


def _words(text: str | None) -> str:
    """A user's words (or name, or file name) in a thread post: Slack reads thread text
    as mrkdwn, so `<!channel>` or `<@U...>` from a user would ping agents."""
    return escape_mrkdwn(text or "")


def _file_name(attachment: AttachmentRow) -> str:
    # Names stored before intake made them safe are made safe on the way out too.
    return safe_file_name(attachment.file_name)
