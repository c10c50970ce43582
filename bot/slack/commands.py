"""The /livedesk slash command and the App Home tab."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from slack_bolt.async_app import AsyncAck

from bot.analytics_format import format_report
from bot.slack.blocks import home_view
from bot.slack.blocks.ids import PRIORITY_MARKS, STATUS_LABELS
from bot.slack.cards import card_data
from bot.slack.finance_reveal import reveal_finance
from bot.slack.texts import agent_text
from bot.slack.workspace import Workspace
from core.analytics import DEFAULT_DAYS, MAX_DAYS, load_report
from core.masking import mask_diagnostics, mask_text
from core.reports import day_stats, open_counts, open_tickets
from core.storage.tables import TicketRow
from core.taxonomy import SUBTYPES

MAX_LINES = 30


def _line(t: TicketRow) -> str:
    due = int(t.first_response_due.timestamp())
    who = f"<@{t.assignee}>" if t.assignee else "—"
    return (
        f"{PRIORITY_MARKS.get(t.priority, '')} *{t.ref}* {SUBTYPES[t.subtype].name_zh} · "
        f"{STATUS_LABELS.get(t.status, t.status)} · {who} · "
        f"<!date^{due}^{{date_short_pretty}} {{time}}|{t.first_response_due.isoformat()}>"
    )


class SlackCommands:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def register(self) -> None:
        self.ws.app.command("/livedesk")(self.on_command)
        self.ws.app.event("app_home_opened")(self.on_home)

    async def on_command(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        await ack()
        user, url = command.get("user_id", ""), command.get("response_url", "")
        if not await self.ws.is_agent(user):
            await self.ws.respond(url, agent_text("not_agent"))
            return
        words = (command.get("text") or "").split()
        verb, rest = (words[0].lower(), words[1:]) if words else ("", [])
        await self.ws.respond(url, await self.answer(verb, rest, user))

    async def answer(self, verb: str, rest: list[str], user: str) -> str:
        db = self.ws.db
        if verb == "queue":
            rows = await self.ws.run(open_tickets, db, limit=MAX_LINES)
            return "\n".join(map(_line, rows)) or "队列为空 / The queue is empty."
        if verb == "mine":
            rows = await self.ws.run(open_tickets, db, assignee=user, limit=MAX_LINES)
            return "\n".join(map(_line, rows)) or "你没有认领中的工单 / No claimed tickets."
        if verb == "ticket" and rest:
            return await self._ticket(rest[0].upper(), user)
        if verb == "kb" and rest:
            found = await self.ws.run(self.ws.kb.suggest, " ".join(rest), None, 5)
            lines = [
                f"• `{a.article_id}` {a.title_zh} / {a.title_en} ({a.score:.0f})" for a in found
            ]
            return "\n".join(lines) or "没有相关文章 / No matching article."
        if verb == "stats":
            return await self._stats()
        if verb == "report":
            return await self._report(rest)
        return agent_text("usage")

    async def _ticket(self, ref: str, user: str) -> str:
        try:
            ticket = await self.ws.run(self.ws.tickets.get, ref)
        except Exception:
            return agent_text("unknown_ticket", ref=ref)
        finance = user in await self.ws.members(self.ws.settings.slack.finance_agents)
        if finance and ticket.category == "finance":
            # Shown unmasked on a finance agent's own request, and audited as such.
            now = self.ws.clock.now()
            shown = await self.ws.run(reveal_finance, self.ws.db, ref, user, "/livedesk", now)
            return f"{_line(ticket)}\n{shown}"
        diagnostics = mask_diagnostics(ticket.diagnostics, finance_viewer=finance)
        details = ", ".join(f"{k}: {v}" for k, v in diagnostics.items() if k != "extras")
        words = mask_text(ticket.summary, ticket.diagnostics, finance_viewer=finance)
        return f"{_line(ticket)}\n> {words[:500]}\n{details}"

    async def _stats(self) -> str:
        today = datetime.combine(self.ws.clock.now().date(), time(), tzinfo=UTC)
        stats = await self.ws.run(day_stats, self.ws.db, today)
        created = " ".join(f"{p}: {n}" for p, n in sorted(stats.created.items())) or "0"
        sla = f"{stats.sla_compliance:.0%}" if stats.sla_compliance is not None else "—"
        csat = f"{stats.csat:.1f}/5 ({stats.rated})" if stats.csat is not None else "—"
        return (
            f"今日新建 / Created today: {created}\n"
            f"首次响应达标 / First response in time: {sla} of {stats.responded}\n"
            f"满意度 / CSAT: {csat}\n"
            f"自助解决 / Self-service resolutions: {stats.self_service}"
        )

    async def _report(self, rest: list[str]) -> str:
        if rest and not rest[0].isdigit():
            return agent_text("usage")
        days = int(rest[0]) if rest else DEFAULT_DAYS
        if not 1 <= days <= MAX_DAYS:
            return agent_text("usage")
        until = self.ws.clock.now()
        since = until - timedelta(days=days)
        report = await self.ws.run(load_report, self.ws.db, since, until)
        return f"```{format_report(report)}```"

    async def on_home(self, event: dict[str, Any]) -> None:
        user = event.get("user", "")
        if not await self.ws.is_agent(user):
            return
        mine = await self.ws.run(open_tickets, self.ws.db, assignee=user, limit=200)

        def cards() -> list[Any]:
            with self.ws.db.session(read_only=True) as s:
                return [
                    card_data(
                        s,
                        t,
                        self.ws.kb,
                        finance_view=False,
                        timezone=self.ws.settings.i18n.timezone,
                    )
                    for t in mine
                ]

        view = home_view(await self.ws.run(cards), await self.ws.run(open_counts, self.ws.db))
        await self.ws.client.views_publish(user_id=user, view=view)
