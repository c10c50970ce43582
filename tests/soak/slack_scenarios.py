"""Slack scenarios: 30 agents race to claim one card, outsiders try to act, and an
agent's thread reply is delivered again and again by Slack's retries.

Figures: a claim race must end with one claim (more is a duplicate); an outsider's
claim, resolve or reply that takes effect is unauthorized; a retried reply that
reaches the user twice is a duplicate, one that never reaches them is lost.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.sandbox.slack.config import FakeSlackConfig, FakeUser
from tests.e2e.processes import TRIAGE
from tests.soak.desk import Desk, running_desk
from tests.soak.figures import Figures
from tests.wire.desk_fixtures import wait_until
from tests.wire.telegram_intake_fixtures import User

AGENTS = tuple(f"U0RACE{n:02d}" for n in range(30))
OUTSIDERS = ("U0OUTSIDE1", "U0OUTSIDE2")
REPORTER = 8_100_000
P0_REPORT = "全平台的直播间都黑屏了，大家都看不了直播"
CLAIMED = "claimed the ticket"


def slack_config() -> FakeSlackConfig:
    base = FakeSlackConfig()
    people = [FakeUser(id=u, name=u.lower(), real_name=u) for u in AGENTS + OUTSIDERS]
    return dataclasses.replace(base, users=base.users + tuple(people))


async def claim_race_and_outsiders(tmp: Path, postgres_url: str | None) -> Figures:
    figures = Figures("slack claim race x30, outsiders, reply retries, audit forgery")
    async with running_desk(
        tmp, postgres_url, mode="webhook", slack_config=slack_config(), agents=AGENTS
    ) as desk:
        slack = desk.slack
        desk.tg.add_chat(REPORTER)
        user = User(desk.tg, REPORTER)
        await user.says(P0_REPORT, expect="工单号")
        card = await slack.wait_for_message(
            TRIAGE, lambda m: "ticket.claim" in str(m.blocks), timeout=20
        )

        def claims() -> int:
            return sum(CLAIMED in m.text for m in slack.thread(TRIAGE, card.ts))

        # Outsiders first: none of these may take effect.
        for outsider in OUTSIDERS:
            for action in ("ticket.claim", "ticket.resolve"):
                figures.sent += 1
                await slack.send_block_action(outsider, action, message_ts=card.ts, channel=TRIAGE)
            figures.sent += 1
            await slack.send_message(
                TRIAGE, outsider, f"outsider says {outsider}", thread_ts=card.ts
            )
        await asyncio.sleep(3)
        figures.unauthorized += claims()
        told = [m.get("text", "") for m in desk.tg.sent(REPORTER)]
        figures.unauthorized += sum("outsider says" in t for t in told)

        # The race: every agent presses Claim at once.
        figures.sent += len(AGENTS)
        await asyncio.gather(
            *(
                slack.send_block_action(a, "ticket.claim", message_ts=card.ts, channel=TRIAGE)
                for a in AGENTS
            )
        )
        try:
            await wait_until(lambda: claims() >= 1, 20)
        except AssertionError:
            figures.lost += 1
        await asyncio.sleep(3)
        figures.duplicated += max(claims() - 1, 0)

        # An agent's reply, retried by Slack three more times: the user hears it once.
        delivery = await slack.send_message(TRIAGE, AGENTS[0], "soak reply once", thread_ts=card.ts)
        figures.sent += 1
        assert delivery.event_id is not None
        await slack.retry_event(delivery.event_id, times=3)
        await asyncio.sleep(4)
        heard = sum("soak reply once" in m.get("text", "") for m in desk.tg.sent(REPORTER))
        figures.lost += heard == 0
        figures.duplicated += max(heard - 1, 0)
        await audit_tampering(desk, figures)
        if not desk.alive():
            figures.crashed += 1
    figures.crashed += desk.crashes
    return figures


def _forge(database_url: str) -> int:
    """Rewrites who did the first audited action, as an insider with database access
    could; returns the rows changed."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as c:
            first = c.execute(text("SELECT min(seq) FROM audit_event")).scalar()
            return c.execute(
                text("UPDATE audit_event SET actor = :who WHERE seq = :seq"),
                {"who": OUTSIDERS[0], "seq": first},
            ).rowcount
    finally:
        engine.dispose()


async def audit_tampering(desk: Desk, figures: Figures) -> None:
    """`livedesk audit verify` passes on the real trail and fails once a row is forged;
    a forgery it does not see counts as an unauthorized action."""
    verify = await desk.cli("audit", "verify", log="audit-verify")
    if await verify.wait() != 0:
        figures.notes.append("audit verify failed on the untouched trail")
        figures.crashed += 1
        return
    if await asyncio.to_thread(_forge, desk.database_url) != 1:
        figures.notes.append("no audit row to forge")
        figures.lost += 1
        return
    figures.sent += 1
    verify = await desk.cli("audit", "verify", log="audit-verify-forged")
    if await verify.wait() == 0:
        figures.unauthorized += 1
        figures.notes.append("a forged audit row passed livedesk audit verify")
