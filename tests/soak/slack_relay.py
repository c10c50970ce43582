"""Slack scenarios for agents' replies: `livedesk run` is SIGKILLed while Slack events
are being handled, and the same events are redelivered again and again.

Every agent reply carries its own text; what counts is how often that text reaches
the reporter's Telegram chat (a file: how often the document arrives). Never is a
loss, twice or more a duplicate. The fake Slack retries an unanswered event like
Slack does (X-Slack-Retry-Num 1-3, X-Slack-Retry-Reason), on a shortened schedule
(RETRY_DELAYS) so that a restart fits between the retries; an event Slack gave up
on before the desk came back counts as lost too, and is named in the notes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.sandbox.slack.config import FakeSlackConfig
from bot.sandbox.slack.records import Delivery
from tests.e2e.processes import TRIAGE
from tests.soak.desk import Desk, running_desk
from tests.soak.figures import Figures
from tests.soak.slack_tickets import ORDINARY_REPORTS, Ticket, human_ticket, p0_ticket
from tests.soak.telegram_scenarios import SETTLE
from tests.wire.desk_fixtures import wait_until

AGENT = "U0AGENT1"  # in the S0ONCALL group the soak desk names as its agents
FIRST_REPORTER = 8_200_000
FILE_SUFFIX = ".soak.txt"
# Real Slack: at once, after 1 minute, after 5 minutes. Shortened, but the desk's
# restart (10-20 s on a busy 2-core machine) still fits before the last retry.
RETRY_DELAYS = (1.0, 8.0, 25.0)
# Events handled (recorded in the inbox) whose reply is not queued for the user yet:
# each reply of this module is one outbox row keyed relay:telegram:<ref>:...
UNQUEUED = text(
    "SELECT (SELECT count(*) FROM processed_delivery WHERE source = 'slack')"
    " - (SELECT count(*) FROM outbox_message WHERE dedupe_key LIKE 'relay:%')"
)


def slack_config() -> FakeSlackConfig:
    return dataclasses.replace(FakeSlackConfig(), retry_delays=RETRY_DELAYS)


async def open_tickets(desk: Desk) -> list[Ticket]:
    """A P0 and two ordinary tickets, each from its own reporter."""
    tickets = [await p0_ticket(desk, FIRST_REPORTER)]
    for n, words in enumerate(ORDINARY_REPORTS[:2], start=1):
        tickets.append(await human_ticket(desk, FIRST_REPORTER + n, words))
    return tickets


def heard(desk: Desk, chat: int, needle: str) -> int:
    """How many messages to `chat` carry `needle`: a document of that name when it
    names a file (FILE_SUFFIX), otherwise in their text or caption."""
    count = 0
    for message in desk.tg.sent(chat):
        if needle.endswith(FILE_SUFFIX):
            count += (message.get("document") or {}).get("file_name") == needle
        else:
            count += needle in f"{message.get('text', '')} {message.get('caption', '')}"
    return count


def tally(
    desk: Desk,
    figures: Figures,
    expected: list[tuple[Ticket, str]],
    *,
    resent: Callable[[str], bool] | None = None,
) -> None:
    for ticket, needle in expected:
        got = heard(desk, ticket.chat, needle)
        what = "file" if needle.endswith(FILE_SUFFIX) else "reply"
        if got == 0:
            figures.lost += 1
            figures.notes.append(f"{what} {needle!r} on {ticket.ref} never reached the user")
        elif got == 2 and resent is not None and resent(needle):
            figures.resent += 1
            figures.notes.append(f"{what} {needle!r} was sent again after the kill (resent)")
        elif got > 1:
            figures.duplicated += 1
            figures.notes.append(f"{what} {needle!r} on {ticket.ref} reached the user {got} times")


async def quiet(desk: Desk, chats: list[int], limit: float) -> None:
    """Until nothing new reached these chats for SETTLE seconds (at most `limit`)."""
    loop = asyncio.get_running_loop()
    deadline, last, since = loop.time() + limit, -1, loop.time()
    while loop.time() < deadline:
        total = sum(len(desk.tg.sent(c)) for c in chats)
        if total != last:
            last, since = total, loop.time()
        elif loop.time() - since >= SETTLE:
            return
        await asyncio.sleep(0.2)


def gave_up(deliveries: list[Delivery]) -> int:
    """Events Slack stopped retrying without ever getting a 2xx."""
    return sum(not any(a.acked for a in d.attempts) for d in deliveries)


def _unqueued(database_url: str) -> Callable[[], int]:
    engine = create_engine(database_url)

    def probe() -> int:
        with engine.connect() as c:
            return int(c.execute(UNQUEUED).scalar() or 0)

    probe.engine = engine  # type: ignore[attr-defined]
    return probe


async def kill_while_relaying(tmp: Path, postgres_url: str | None, replies: int = 60) -> Figures:
    """Agents write `replies` thread replies 40 ms apart over three tickets, every
    sixth a shared file instead of words. When a third reached their users, the
    desk is SIGKILLed at the first moment an event is recorded as handled but its
    reply is not queued yet (or after 1 s of looking), then started again; Slack
    retries what was not answered."""
    figures = Figures("slack kill -9 while relaying agent replies and files")
    async with running_desk(tmp, postgres_url, mode="webhook", slack_config=slack_config()) as desk:
        tickets = await open_tickets(desk)
        expected = [
            (tickets[i % 3], f"soak relay {i:03d}" + (FILE_SUFFIX if i % 6 == 5 else ""))
            for i in range(replies)
        ]
        deliveries: list[Delivery] = []

        async def reply(ticket: Ticket, words: str) -> None:
            files = []
            if words.endswith(FILE_SUFFIX):
                files = [desk.slack.add_user_file(words, b"soak file", user=AGENT)]
                words = ""
            deliveries.append(
                await desk.slack.send_message(
                    TRIAGE, AGENT, words, thread_ts=ticket.card_ts, files=files
                )
            )

        async def write() -> None:
            tasks = []
            for ticket, words in expected:
                tasks.append(asyncio.create_task(reply(ticket, words)))
                figures.sent += 1
                await asyncio.sleep(0.04)
            await asyncio.gather(*tasks)

        writer = asyncio.create_task(write())
        relayed = lambda: sum(heard(desk, t.chat, w) > 0 for t, w in expected)  # noqa: E731
        try:
            await wait_until(lambda: relayed() >= replies // 3, 60)
        except AssertionError:
            figures.notes.append("a third of the replies never arrived before the kill")
        in_window = await _kill_in_window(desk)
        figures.notes.append(
            "killed with an event handled but its reply not queued"
            if in_window
            else "killed without seeing an event between handled and queued"
        )
        figures.notes.append(
            f"at the kill {relayed()} of {replies} replies had arrived and"
            f" {figures.sent - len(deliveries)} events were unanswered"
        )
        await desk.start()
        await writer
        await quiet(desk, [t.chat for t in tickets], 90)
        tally(desk, figures, expected, resent=lambda words: resent(desk, words))
        if lost := gave_up(deliveries):
            figures.notes.append(f"Slack gave up on {lost} events (no 2xx in 4 attempts)")
        retried = sum(len(d.attempts) > 1 for d in deliveries)
        figures.notes.append(f"{retried} events were retried by Slack")
        if not desk.alive():
            figures.crashed += 1
    figures.crashed += desk.crashes
    return figures


def resent(desk: Desk, words: str) -> bool:
    """Whether a reply the user got twice was handled once and sent twice: recorded
    once on the ticket, and its outbox row claimed again after the killed process
    held it (docs/outbox.md, crash window 1: sent, killed before `sent` was
    recorded). Reported as resent, not failed; a second handling is a duplicate."""
    engine = create_engine(desk.database_url)
    # A file's reply is recorded with no words: its row names the file instead.
    recorded = text(
        "SELECT count(*) FROM ticket_message WHERE direction = 'agent' AND text = :t"
        if not words.endswith(FILE_SUFFIX)
        else "SELECT count(*) FROM audit_event WHERE action = 'ticket.replied'"
        " AND payload LIKE '%' || :t || '%'"
    )
    rows = text("SELECT body, attempts FROM outbox_message WHERE dedupe_key LIKE 'relay:%'")
    try:
        with engine.connect() as c:
            once = c.execute(recorded, {"t": words}).scalar() == 1
            queued = [(json.loads(b) if isinstance(b, str) else b, n) for b, n in c.execute(rows)]
    finally:
        engine.dispose()
    claimed_again = [n > 1 for body, n in queued if words in str(body.get("text"))]
    return once and claimed_again == [True]


async def _kill_in_window(desk: Desk, look: float = 1.0) -> bool:
    """SIGKILL as soon as an event is handled but not yet queued; True if seen."""
    probe = _unqueued(desk.database_url)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + look
    seen = False
    try:
        while loop.time() < deadline and not seen:
            seen = await asyncio.to_thread(probe) > 0
        await desk.kill()
    finally:
        probe.engine.dispose()  # type: ignore[attr-defined]
    return seen


async def redelivery_storm(
    tmp: Path, postgres_url: str | None, replies: int = 30, copies: int = 5
) -> Figures:
    """Each thread reply (a few with a shared file) reaches the desk `copies` times:
    twice more while the first is being handled (Slack retrying a slow answer) and
    then as retries after it was answered. Interactive payloads (buttons, modals)
    are never retried by Slack, so they are not stormed; an agent's double click
    on Claim is, since that is how a button press comes twice."""
    figures = Figures(f"slack redelivery x{copies} (thread replies, files, double claims)")
    async with running_desk(tmp, postgres_url, mode="webhook", slack_config=slack_config()) as desk:
        tickets = await open_tickets(desk)
        expected: list[tuple[Ticket, str]] = []

        async def storm(ticket: Ticket, words: str, file_name: str | None) -> None:
            files = []
            if file_name is not None:
                files = [desk.slack.add_user_file(file_name, b"soak", user=AGENT)]
                expected.append((ticket, file_name))
            expected.append((ticket, words))
            first = asyncio.create_task(
                desk.slack.send_message(TRIAGE, AGENT, words, thread_ts=ticket.card_ts, files=files)
            )
            delivery = await _delivery_of(desk, words)
            assert desk.slack.app_url is not None and delivery.event_id is not None
            await asyncio.gather(
                first,
                *(desk.slack.sign_and_post(desk.slack.app_url, delivery.payload) for _ in range(2)),
            )
            await desk.slack.retry_event(delivery.event_id, times=copies - 3)
            figures.sent += 1

        jobs = []
        for i in range(replies):
            name = f"soak-{i:03d}{FILE_SUFFIX}" if i % 10 == 0 else None
            jobs.append(asyncio.create_task(storm(tickets[i % 3], f"soak storm {i:03d}", name)))
            await asyncio.sleep(0.05)
        await asyncio.gather(*jobs)
        await double_claims(desk, tickets, figures)
        await quiet(desk, [t.chat for t in tickets], 90)
        tally(desk, figures, expected)
        posts = sum(len(d.attempts) for d in desk.slack.deliveries if d.kind in ("event", "raw"))
        figures.notes.append(f"{posts} event POSTs for {replies} replies")
        if not desk.alive():
            figures.crashed += 1
    figures.crashed += desk.crashes
    return figures


async def _delivery_of(desk: Desk, words: str) -> Delivery:
    """The fake's record of the event carrying `words`, once it is being sent."""
    while True:
        for delivery in desk.slack.deliveries:
            if (delivery.payload.get("event") or {}).get("text") == words:
                return delivery
        await asyncio.sleep(0.01)


async def double_claims(desk: Desk, tickets: list[Ticket], figures: Figures) -> None:
    """The agent presses Claim twice at once on each ticket: one claim each."""
    for ticket in tickets:
        figures.sent += 2
        await asyncio.gather(
            *(
                desk.slack.send_block_action(
                    AGENT, "ticket.claim", message_ts=ticket.card_ts, channel=TRIAGE
                )
                for _ in range(2)
            )
        )
    await asyncio.sleep(2)
    for ticket in tickets:
        thread = desk.slack.thread(TRIAGE, ticket.card_ts)
        claims = sum("claimed the ticket" in m.text for m in thread)
        if claims == 0:
            figures.lost += 1
            figures.notes.append(f"a double click on Claim did not claim {ticket.ref}")
        elif claims > 1:
            figures.duplicated += 1
            figures.notes.append(f"a double click on Claim claimed {ticket.ref} {claims} times")
