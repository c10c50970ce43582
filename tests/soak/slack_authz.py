"""The authorization matrix: every actor tries every action on an ordinary, a finance
and a P0 finance ticket of a running desk, through the fake Slack.

Buttons are pressed on the ticket's card; a modal's submission is sent whether or
not the modal was opened for the actor (a forged submission is what someone
refused the modal would try). What took effect is read from the outside: new
audit events of the ticket, the revealed values in an ephemeral answer, the
command's answer, and (at the end) the unique text of each reply or article at
the reporter's Telegram chat. Taking effect where slack_authz_rules says no is
unauthorized; not taking effect where it says yes is noted (the driver or the
product refused something it should not). Then everything a non-finance person
can see in the fake Slack is searched for the finance ticket's values.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bot.sandbox.slack.config import FakeChannel, FakeSlackConfig, FakeUser
from tests.soak import slack_authz_rules as rules
from tests.soak.desk import Desk, running_desk
from tests.soak.figures import Figures
from tests.soak.slack_relay import heard, quiet
from tests.soak.slack_tickets import ORDINARY_REPORTS, Ticket, human_ticket

FINANCE_CHANNEL = "livedesk-finance"
ORDER_ID, AMOUNT = "ORDSOAK73190", "7319"
FINANCE_REPORT = f"充值 {AMOUNT} 元没到账，订单号 {ORDER_ID}，用的支付宝"
# The values no non-finance eye may see; the amount only as a number of its own.
LEAKS = (re.compile(ORDER_ID), re.compile(rf"(?<![\d.]){AMOUNT}(?![\d])"), re.compile("支付宝"))
FIRST_REPORTER = 8_300_000
ARTICLE = "acct-login-locked-attempts"
AUDITED = {
    "request info": "ticket.info_requested",
    "escalate": "ticket.escalated",
    "send article": "ticket.replied",
    "reply in thread": "ticket.replied",
    "claim": "ticket.claimed",
    "reassign to a non-agent": "ticket.reassigned",
    "reassign to a non-finance agent": "ticket.reassigned",
    "reassign to a known agent": "ticket.reassigned",
    "resolve": "ticket.resolved",
    "reopen": "ticket.reopened",
    "change priority": "ticket.priority_changed",
    "reclassify": "ticket.reclassified",
    "reclassify into finance": "ticket.reclassified",
    "reveal finance": "ticket.finance_revealed",
    "add note": "ticket.noted",
}


def slack_config() -> FakeSlackConfig:
    base = FakeSlackConfig()
    people = (
        FakeUser(id=rules.OUTSIDER, name="oscar", real_name="Oscar Outsider"),
        FakeUser(id=rules.FINANCE, name="fiona", real_name="Fiona Finance"),
    )
    finance = FakeChannel(
        id="C0FINANCE", name=FINANCE_CHANNEL, is_private=True, members=(rules.FINANCE,)
    )
    return dataclasses.replace(base, users=base.users + people, channels=(*base.channels, finance))


SLACK_LINES = (
    f'finance_channel = "{FINANCE_CHANNEL}"',
    f'finance_agents = ["{rules.FINANCE}"]',
)
EXTRA_TOML = '\n[routing.tier_members]\nlead = ["S0LEADS"]\n'  # U0LEAD: a tier, not an agent


def _state(value: Any) -> dict[str, Any]:
    if isinstance(value, list):
        return {"type": "checkboxes", "selected_options": [{"value": v} for v in value]}
    if isinstance(value, tuple):  # ("user", id)
        return {"type": "users_select", "selected_user": value[1]}
    if value is None:
        return {"type": "plain_text_input", "value": None}
    return {"type": "static_select", "selected_option": {"value": value}}


def _plain(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


@dataclasses.dataclass
class Probe:
    """The soak's own look into the desk's database: audit events and tickets."""

    url: str

    def __post_init__(self) -> None:
        self.engine = create_engine(self.url)

    def audited(self, ref: str, action: str) -> int:
        with self.engine.connect() as c:
            q = "SELECT count(*) FROM audit_event WHERE ticket_ref = :r AND action = :a"
            return int(c.execute(text(q), {"r": ref, "a": action}).scalar() or 0)

    def ticket(self, ref: str) -> dict[str, Any]:
        with self.engine.connect() as c:
            q = "SELECT priority, subtype, category, status FROM ticket WHERE ref = :r"
            row = c.execute(text(q), {"r": ref}).mappings().one()
            return dict(row)


class Matrix:
    def __init__(self, desk: Desk, probe: Probe, figures: Figures) -> None:
        self.desk, self.slack, self.probe, self.figures = desk, desk.slack, probe, figures
        self.replies: list[tuple[Ticket, str, bool, str]] = []  # ticket, words, allowed, cell

    async def run_ticket(self, kind: str, owner: str, ticket: Ticket) -> None:
        """Every cell of `kind` whose allowed actor, if any, is `owner` (the other
        owners' cells run on their own ticket of this kind)."""
        others = set(rules.owners(kind)) - {owner}
        for action in rules.ACTIONS:
            # Those refused first: an allowed actor's change must not hide a later one.
            order = sorted(rules.ACTORS, key=lambda a: rules.allowed(a, action, kind))
            for actor in order:
                if rules.allowed(actor, action, kind) and actor in others:
                    continue
                if not rules.allowed(actor, action, kind) and owner != rules.owners(kind)[0]:
                    continue  # refused cells run once, on the first owner's ticket
                await self.cell(actor, action, kind, ticket)

    async def cell(self, actor: str, action: str, kind: str, ticket: Ticket) -> None:
        user, ok = rules.ACTORS[actor], rules.allowed(actor, action, kind)
        name = f"{actor} / {action} / {kind}"
        audited = AUDITED.get(action)
        before = self.probe.audited(ticket.ref, audited) if audited else 0
        self.figures.sent += 1
        took = await self.act(user, action, ticket, name, ok)
        if audited:
            took = took or self.probe.audited(ticket.ref, audited) > before
        self.judge(name, ok, took)

    def judge(self, name: str, ok: bool, took: bool) -> None:
        if took and not ok:
            self.figures.unauthorized += 1
            self.figures.notes.append(f"unauthorized: {name} took effect")
        elif ok and not took:
            self.figures.notes.append(f"allowed but no effect: {name}")

    async def act(self, user: str, action: str, t: Ticket, name: str, ok: bool) -> bool:
        """Do it; True when an effect was seen in what the actor got back."""
        if action == "reply in thread":
            words = f"soak authz reply {len(self.replies):03d}"
            self.replies.append((t, words, ok, name))
            await self.slack.send_message(t.channel, user, words, thread_ts=t.card_ts)
            return False
        if action == "reveal finance":
            seen = len(self.slack.ephemerals)
            await self.press(user, "ticket.reveal_finance", t)
            mine = [e for e in self.slack.ephemerals[seen:] if e.user == user]
            return any(ORDER_ID in e.text and t.ref in e.text for e in mine)
        if action == "/livedesk ticket":
            seen = len(self.slack.response_url_posts)
            await self.slack.send_slash_command("/livedesk", f"ticket {t.ref}", user, t.channel)
            await asyncio.sleep(0.3)  # the answer goes to the response_url after the ack
            targets = self.slack.store.response_targets
            answers = [
                str(p.body.get("text"))
                for p in self.slack.response_url_posts[seen:]
                if targets[p.token].user == user
            ]
            return any(t.ref in a for a in answers)
        if action == "add note":  # the message shortcut on the card, not a button
            await self.slack.send_shortcut(
                "ticket.add_note", user, channel=t.channel, message_ts=t.card_ts
            )
        else:
            await self.press(user, _BUTTON.get(action, "ticket." + action.split()[0]), t)
        callback, values, meta = self.submission(action, t)
        if callback is not None:
            metadata = json.dumps({"ref": t.ref, **meta})
            await self.slack.send_view_submission(
                user, callback_id=callback, values=values, private_metadata=metadata
            )
        return False

    async def press(self, user: str, action_id: str, t: Ticket) -> None:
        try:
            await self.slack.send_block_action(
                user, action_id, t.ref, message_ts=t.card_ts, channel=t.channel
            )
        except LookupError:
            # Not on this card (e.g. Reveal is on masked copies only): pressed as on
            # a message elsewhere, the value still naming the ticket.
            await self.slack.send_block_action(user, action_id, t.ref, channel=t.channel)

    def submission(
        self, action: str, t: Ticket
    ) -> tuple[str | None, dict[str, dict[str, Any]], dict[str, Any]]:
        now = self.probe.ticket(t.ref)
        finance = now["category"] == "finance"
        reason = {"reason": {"reason": _plain("soak authz reason")}}
        if action == "request info":
            fields = {"fields": {"fields": _state(["order_id", "app_version"])}}
            return "ticket.request_info.submit", fields, {}
        if action == "escalate":
            return "ticket.escalate.submit", reason, {}
        if action == "send article":
            return "ticket.send_article.submit", {"article": {"article": _state(ARTICLE)}}, {}
        if action.startswith("reassign"):
            to = {
                "reassign to a non-agent": rules.OUTSIDER,
                "reassign to a non-finance agent": rules.COLLEAGUE,
                "reassign to a known agent": rules.FINANCE if finance else rules.LEAD,
            }[action]
            values = {"assignee": {"assignee": _state(("user", to))}, **reason}
            return "ticket.reassign.submit", values, {}
        if action == "resolve":
            values = {
                "outcome": {"outcome": _state("workaround")},
                "cause_class": {"cause_class": _state("other")},
                "root_cause": {"root_cause": _plain("soak authz root cause")},
                "message": {"message": _plain(f"soak authz resolved {t.ref}")},
                **reason,
            }
            return "ticket.resolve.submit", values, {}
        if action == "reopen":
            return "ticket.reason.submit", reason, {"action": "ticket.reopen"}
        if action == "add note":
            return "ticket.reason.submit", reason, {"action": "note"}
        if action == "change priority":
            target = "P1" if now["priority"] != "P1" else "P2"
            return "ticket.priority.submit", reason, {"priority": target}
        if action.startswith("reclassify"):
            if action == "reclassify into finance" or finance:
                subtype = "fin.refund" if now["subtype"] != "fin.refund" else "fin.recharge"
            else:
                subtype = "av.blur" if now["subtype"] != "av.blur" else "av.desync"
            values = {"subtype": {"subtype": _state(subtype)}, **reason}
            return "ticket.reclassify.submit", values, {}
        return None, {}, {}  # claim: the button is the whole action

    def judge_replies(self) -> None:
        """A refused reply must never reach the reporter; an allowed one must, once."""
        for t, words, ok, name in self.replies:
            got = heard(self.desk, t.chat, words)
            if got and not ok:
                self.figures.unauthorized += 1
                self.figures.notes.append(f"unauthorized: {name} reached the user")
            elif ok and got != 1:
                self.figures.lost += got == 0
                self.figures.duplicated += got > 1
                self.figures.notes.append(f"{name}: the user got it {got} times")


_BUTTON = {
    "request info": "ticket.request_info",
    "send article": "ticket.send_article",
    "change priority": "ticket.priority",
    "reclassify into finance": "ticket.reclassify",
}


async def authorization_matrix(tmp: Path, postgres_url: str | None) -> Figures:
    cells = len(rules.ACTORS) * len(rules.ACTIONS) * len(rules.KINDS)
    figures = Figures(f"slack authorization matrix ({cells} cells), finance masking")
    async with running_desk(
        tmp,
        postgres_url,
        mode="webhook",
        slack_config=slack_config(),
        slack_lines=SLACK_LINES,
        extra_config=EXTRA_TOML,
    ) as desk:
        probe = Probe(desk.database_url)
        try:
            tickets: dict[tuple[str, str], Ticket] = {}
            for kind in rules.KINDS:
                for owner in rules.owners(kind):
                    chat = FIRST_REPORTER + len(tickets)
                    if kind == "ordinary":
                        t = await human_ticket(desk, chat, ORDINARY_REPORTS[len(tickets)])
                    else:
                        t = await human_ticket(desk, chat, FINANCE_REPORT, FINANCE_CHANNEL)
                    if kind == "p0-finance":
                        await make_p0(desk, probe, t)
                    tickets[kind, owner] = t
            matrix = Matrix(desk, probe, figures)
            await asyncio.gather(*(matrix.run_ticket(k, o, t) for (k, o), t in tickets.items()))
            for user in rules.ACTORS.values():
                await desk.slack.send_event(
                    {"type": "app_home_opened", "user": user, "tab": "home"}
                )
            await quiet(desk, [t.chat for t in tickets.values()], 60)
            matrix.judge_replies()
            look_for_leaks(desk, figures)
        finally:
            probe.engine.dispose()
        if not desk.alive():
            figures.crashed += 1
    figures.crashed += desk.crashes
    return figures


async def make_p0(desk: Desk, probe: Probe, t: Ticket) -> None:
    """The finance agent raises the third ticket to P0 (setup, not a cell)."""
    await desk.slack.send_view_submission(
        rules.FINANCE,
        callback_id="ticket.priority.submit",
        values={"reason": {"reason": _plain("soak: a P0 finance ticket")}},
        private_metadata=json.dumps({"ref": t.ref, "priority": "P0"}),
    )
    if probe.ticket(t.ref)["priority"] != "P0":
        raise RuntimeError(f"could not make {t.ref} a P0 finance ticket")


def look_for_leaks(desk: Desk, figures: Figures) -> None:
    """Finance values in anything a non-finance person can see: channels they are in,
    their ephemerals, modals, App Home and command answers."""
    slack, store = desk.slack, desk.slack.store
    others = {rules.OUTSIDER, rules.LEAD, rules.AGENT, rules.COLLEAGUE}
    seen: list[tuple[str, str]] = []
    for channel in store.channels.values():
        if channel.members and not others & set(channel.members):
            continue
        for m in store.history.get(channel.id, []):
            if m.from_app:
                seen.append((f"#{channel.name} message", f"{m.text} {json.dumps(m.blocks)}"))
    seen += [
        ("ephemeral", f"{e.text} {json.dumps(e.blocks)}")
        for e in slack.ephemerals
        if e.user in others
    ]
    seen += [("modal", json.dumps(v.view)) for v in slack.views_opened if v.user in others]
    seen += [("App Home", json.dumps(v.view)) for u, v in slack.home_views.items() if u in others]
    for post in slack.response_url_posts:
        target = store.response_targets.get(post.token)
        if target is not None and target.user in others:
            seen.append(("command answer", json.dumps(post.body, ensure_ascii=False)))
    finance_eyes = [f"{m.text} {json.dumps(m.blocks)}" for m in slack.messages(FINANCE_CHANNEL)] + [
        e.text for e in slack.ephemerals if e.user == rules.FINANCE
    ]
    if not any(ORDER_ID in shown for shown in finance_eyes):
        figures.crashed += 1  # the search below would be blind
        figures.notes.append("the finance values were not found even where finance agents look")
    for where, shown in seen:
        if any(p.search(shown) for p in LEAKS):
            figures.unauthorized += 1
            figures.notes.append(f"finance value shown to non-finance eyes in a {where}")
    figures.notes.append(f"{len(seen)} things non-finance people can see were searched")
