"""Two `livedesk run` processes on one PostgreSQL database, behind a round-robin
load balancer, at an outage; one of them is SIGKILLed halfway and started again.

Users report the same fault one after another; Telegram's webhook and Slack's
events reach whichever instance the balancer picks. What must hold, whichever
instance handled what:
- every user is answered, and no reply reaches a user twice (a reply claimed
  again after the kill counts as resent, as in the other scenarios);
- the outage is one incident with one card in the escalation channel, and
  the chain is paged once (the first report's page, which the incident keeps);
- each report linked to it is listed once in the card's thread ("N new
  reports" adds up to the incident's reports).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
from aiohttp import web
from sqlalchemy import create_engine, text

from bot.sandbox.slack.server import FakeSlack
from bot.sandbox.telegram.server import FakeTelegram
from tests.e2e.processes import ESCALATION
from tests.soak.desk import Desk, fresh_database
from tests.soak.figures import Figures
from tests.soak.telegram_scenarios import resent_only, settle
from tests.wire.telegram_intake_fixtures import free_port

FIRST_CHAT = 8_400_000
OUTAGE = "所有直播间都没声音了，换了好几个直播间都一样，群里好多人也是"
_LISTED = re.compile(r"(\d+) new reports")
# Hop-by-hop headers, and what aiohttp sets again for the forwarded request.
_NOT_FORWARDED = {"host", "content-length", "transfer-encoding", "connection"}


class RoundRobin:
    """The load balancer: each request goes to the next instance; one that refuses
    the connection (down) is skipped, as a health-checked balancer would. A request
    cut off mid-way answers 502, and the sender retries it (Telegram and Slack do).
    """

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self._next = itertools.cycle(range(len(backends)))
        self.skipped = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _NOT_FORWARDED}
        async with aiohttp.ClientSession(trust_env=False) as http:
            for _ in self.backends:
                target = self.backends[next(self._next)] + request.path_qs
                try:
                    async with http.request(
                        request.method, target, headers=headers, data=body
                    ) as answer:
                        payload = await answer.read()
                        kind = answer.headers.get("Content-Type", "application/octet-stream")
                        return web.Response(
                            status=answer.status, body=payload, headers={"Content-Type": kind}
                        )
                except aiohttp.ClientConnectorError:
                    self.skipped += 1
                    continue
                except aiohttp.ClientError:
                    return web.Response(status=502)
        return web.Response(status=503)


@contextlib.asynccontextmanager
async def balancer(port: int, backends: list[str]) -> AsyncIterator[RoundRobin]:
    rr = RoundRobin(backends)
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", rr.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield rr
    finally:
        await runner.cleanup()


def incident_reports(database_url: str) -> list[int]:
    """How many reports each incident holds."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as c:
            rows = c.execute(
                text("SELECT incident_id, count(*) FROM incident_ticket GROUP BY incident_id")
            ).all()
    finally:
        engine.dispose()
    return [int(n) for _, n in rows]


def count_replies(desk: Desk, figures: Figures, chats: list[int]) -> None:
    for chat in chats:
        got = [m.get("text") for m in desk.tg.sent(chat)]
        if not got:
            figures.lost += 1
        elif len(set(got)) < len(got):
            queued = desk.outbox_rows(chat)
            if resent_only(queued, got, len(queued)):
                figures.resent += 1
            else:
                figures.duplicated += 1


def count_desk(slack: FakeSlack, database_url: str, figures: Figures) -> None:
    top = [m for m in slack.messages(ESCALATION) if m.thread_ts is None]
    cards = [m for m in top if "incident.actions" in json.dumps(m.blocks)]
    # The first report pages before the surge opens the incident; the incident
    # keeps that page (docs/incidents.md, "Clocks and paging"): one page in all.
    pages = [m for m in top if "page.actions" in json.dumps(m.blocks)]
    reports = incident_reports(database_url)
    figures.notes.append(
        f"{len(reports)} incident(s) holding {sum(reports)} reports; {len(cards)} incident"
        f" card(s) and {len(pages)} page(s) in the escalation channel"
    )
    for found in (cards, pages):
        figures.lost += not found
        figures.duplicated += max(len(found) - 1, 0)
    if len(reports) != 1 or not cards:
        figures.duplicated += max(len(reports) - 1, 0)
        return
    thread = slack.thread(ESCALATION, cards[0].ts)
    listed = sum(int(m.group(1)) for t in thread if (m := _LISTED.search(t.text)))
    figures.notes.append(f"{listed} reports listed in the card's thread")
    figures.lost += max(reports[0] - listed, 0)
    figures.duplicated += max(listed - reports[0], 0)


async def two_instances(tmp: Path, postgres_url: str | None, users: int = 40) -> Figures:
    figures = Figures("two instances behind a balancer, an outage, kill -9 of one")
    if postgres_url is None:
        figures.notes.append("PostgreSQL only (several instances): skipped on SQLite")
        return figures
    public = f"http://127.0.0.1:{free_port()}"
    async with (
        FakeTelegram() as tg,
        FakeSlack() as slack,
        fresh_database(postgres_url, tmp / "data") as url,
    ):
        desks = [
            Desk(tg, slack, tmp / name, url, mode="webhook", public_url=public)
            for name in ("a", "b")
        ]
        for desk in desks:
            await desk.setup()
        first = desks[0]
        port = int(public.rsplit(":", 1)[1])
        async with balancer(port, [d.url for d in desks]) as rr:
            try:
                for desk in desks:
                    await desk.start()
                chats = [FIRST_CHAT + n for n in range(users)]

                async def report() -> None:
                    for chat in chats:
                        tg.add_chat(chat)
                        tg.user_sends(chat, OUTAGE)
                        figures.sent += 1
                        await asyncio.sleep(0.1)

                writer = asyncio.create_task(report())
                loop = asyncio.get_running_loop()
                deadline = loop.time() + 60
                while sum(bool(tg.sent(c)) for c in chats) < users // 2:
                    if loop.time() > deadline:
                        figures.notes.append("half the users were never answered before the kill")
                        break
                    await asyncio.sleep(0.05)
                await first.kill()
                await writer
                await first.start()
                await settle(first, chats, 120)  # it watches the shared fake Telegram
                await asyncio.sleep(15)  # the card's throttled updates and thread listing
                count_replies(first, figures, chats)
                count_desk(slack, url, figures)
                figures.notes.append(f"the balancer skipped a down instance {rr.skipped} times")
                figures.server_errors += tg.webhook_server_errors
            finally:
                for desk in desks:
                    await desk.stop()
        figures.crashed += sum(d.crashes for d in desks)
    return figures
