"""An incident's updates reach its 300 reporters through the outbox, the real
Telegram sender (python-telegram-bot) and the fake Bot API: each reporter
once, in their language, the resolution with the follow-up buttons, and the
Bot API's 429s honoured.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.sandbox.telegram.server import FakeTelegram
from bot.telegram.sender import TelegramSender
from core.clock import FakeClock
from core.config import Settings
from core.incidents.broadcast import group_key
from core.incidents.model import IncidentStatus, PostUpdate, ResolveIncident
from core.incidents.service import IncidentService
from core.outbox import DispatchPolicy, OutboxDispatcher, SqlOutbox, TokenBucket
from core.statuses import Outcome
from core.storage.db import Database
from core.storage.incident_tables import IncidentUpdateRow
from core.tickets import TicketService
from tests.outage import Outage, outage
from tests.unit.outbox.fakes import drain, fake_sleep
from tests.wire.fake_telegram_fixtures import bot_for

REPORTERS = 300


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 12, 5, 20, 0, tzinfo=UTC))


@pytest.fixture
def db(sqlite_url: str):
    database = Database(sqlite_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def services(db: Database) -> tuple[TicketService, IncidentService]:
    tickets = TicketService(db, Settings())
    return tickets, IncidentService(db, tickets)


@pytest.fixture
def no_sound(services, clock) -> Outage:
    return outage(*services, clock, REPORTERS)


def known(fake: FakeTelegram, found: Outage) -> None:
    for chat in found.chats():
        fake.add_chat(chat)


def latest_update_id(db: Database) -> int:
    with db.session(read_only=True) as s:
        found = s.exec(select(func.max(IncidentUpdateRow.id))).one()
        assert found is not None
        return int(found)


async def deliver(db: Database, fake: FakeTelegram, clock: FakeClock) -> SqlOutbox:
    """Drain the outbox through the real sender, the fake clock standing in for waits."""
    outbox = SqlOutbox(db)
    async with bot_for(fake) as bot:
        dispatcher = OutboxDispatcher(
            outbox,
            TelegramSender(bot),
            clock,
            TokenBucket(rate=25, burst=5, now=clock.now()),
            channel="telegram",
            worker_id="wire-test",
            policy=DispatchPolicy(batch=50),
            sleep=fake_sleep(clock),
        )
        await drain(dispatcher, outbox, clock)  # type: ignore[arg-type]
    return outbox


def texts(fake: FakeTelegram, chat: int) -> list[str]:
    return [m["text"] for m in fake.sent(chat)]


async def test_one_update_reaches_each_of_300_reporters_once_in_their_language(
    fake_telegram, db, services, no_sound, clock
):
    _, incidents = services
    known(fake_telegram, no_sound)
    woken: list[int] = []
    incidents.on_enqueued = lambda: woken.append(1)
    incidents.post_update(
        PostUpdate(
            no_sound.incident_ref,
            "agent",
            IncidentStatus.IDENTIFIED,
            "A faulty audio encoder release; rolling back now.",
            eta=clock.now() + timedelta(hours=1),
        ),
        clock.now(),
    )
    assert woken == [1]  # after the commit: the dispatcher looks at once
    started = clock.now()
    outbox = await deliver(db, fake_telegram, clock)

    for ticket in no_sound.tickets:
        got = texts(fake_telegram, int(ticket.chat_id))
        assert len(got) == 1, ticket.chat_id
        assert "rolling back now" in got[0]
        assert ("Expected fix" in got[0]) == (ticket.language == "en")
        assert ("预计修复时间" in got[0]) == (ticket.language == "zh")
    assert len(fake_telegram.calls_to("sendMessage")) == REPORTERS
    progress = outbox.progress(group_key(latest_update_id(db)))
    assert (progress.sent, progress.total, progress.failed) == (REPORTERS, REPORTERS, 0)
    # The token bucket's pace, on the fake clock: 300 at 25/s with a burst of 5.
    assert clock.now() - started >= timedelta(seconds=(REPORTERS - 5) / 25)


async def test_resolve_sends_each_reporter_the_resolution_with_their_own_follow_up_buttons(
    fake_telegram, db, services, no_sound, clock
):
    _, incidents = services
    known(fake_telegram, no_sound)
    incidents.resolve(
        ResolveIncident(
            no_sound.incident_ref,
            "agent",
            Outcome.ROOT_FIX,
            "server_or_cdn",
            "The encoder is rolled back; sound is back on every stream.",
        ),
        clock.now(),
    )
    await deliver(db, fake_telegram, clock)

    for ticket in no_sound.tickets:
        sent = fake_telegram.sent(int(ticket.chat_id))
        assert len(sent) == 1, ticket.chat_id
        assert "sound is back" in sent[0]["text"]
        buttons = [
            b["callback_data"] for row in sent[0]["reply_markup"]["inline_keyboard"] for b in row
        ]
        assert buttons == [f"g:fu:{ticket.ref}:y", f"g:fu:{ticket.ref}:n"]


async def test_a_429_storm_is_honoured_and_still_every_reporter_gets_it_once(
    fake_telegram, db, services, no_sound, clock
):
    _, incidents = services
    known(fake_telegram, no_sound)
    incidents.post_update(
        PostUpdate(no_sound.incident_ref, "agent", IncidentStatus.INVESTIGATING, "Looking."),
        clock.now(),
    )
    # Five 429s in a row, each asking for 7 s: the dispatcher holds every send each time.
    fake_telegram.fail_next("sendMessage", 429, retry_after=7, times=5)
    started = clock.now()
    await deliver(db, fake_telegram, clock)

    per_chat = Counter({chat: len(fake_telegram.sent(chat)) for chat in no_sound.chats()})
    assert set(per_chat.values()) == {1}
    refused = [c for c in fake_telegram.calls if c.method == "sendMessage" and c.status == 429]
    assert len(refused) == 5
    # Five holds of 7 s on top of the pace of 300 sends.
    assert clock.now() - started >= timedelta(seconds=5 * 7 + (REPORTERS - 5) / 25)


async def test_a_reporter_who_blocked_the_bot_is_failed_and_the_others_still_hear(
    fake_telegram, db, services, no_sound, clock
):
    _, incidents = services
    known(fake_telegram, no_sound)
    blocked = no_sound.chats()[7]
    fake_telegram.user_blocks_bot(blocked)
    fake_telegram.fail_next("sendMessage", 502, times=2)  # a passing Bot API failure
    incidents.post_update(
        PostUpdate(no_sound.incident_ref, "agent", IncidentStatus.INVESTIGATING, "Looking."),
        clock.now(),
    )
    outbox = await deliver(db, fake_telegram, clock)

    assert fake_telegram.sent(blocked) == []
    assert all(len(fake_telegram.sent(c)) == 1 for c in no_sound.chats() if c != blocked)
    progress = outbox.progress(group_key(latest_update_id(db)))
    assert (progress.sent, progress.failed) == (REPORTERS - 1, 1)
