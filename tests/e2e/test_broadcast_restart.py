"""An incident update to 300 reporters, and the `livedesk run` process is
SIGKILLed halfway through the broadcast and started again: every reporter gets
the update exactly once.

The kill lands while a send is on its way to the Bot API and before the API
took it (the fake holds that request, then drops it unprocessed). That is the
crash the outbox makes harmless; the one it cannot, a send the API took whose
"sent" was never recorded, is documented in docs/outbox.md ("Crash windows").
"""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.sandbox.slack.server import FakeSlack
from bot.sandbox.telegram.server import FakeTelegram
from core.clock import FakeClock
from core.config import Settings
from core.incidents.broadcast import group_key
from core.incidents.model import IncidentStatus, PostUpdate
from core.incidents.service import IncidentService
from core.outbox import OutboxStatus, SqlOutbox
from core.storage.db import Database
from core.storage.incident_tables import IncidentUpdateRow
from core.storage.outbox_tables import OutboxMessageRow
from core.tickets import TicketService
from tests.e2e.processes import desk_sections, process_env
from tests.e2e.test_two_instances import healthy
from tests.outage import outage
from tests.wire.desk_fixtures import wait_until
from tests.wire.telegram_intake_fixtures import free_port

pytestmark = pytest.mark.e2e

REPORTERS = 300
HOLD_SECONDS = 2


def write_config(tmp: Path, tg: FakeTelegram, slack: FakeSlack, port: int) -> Path:
    config = tmp / "livedesk.toml"
    config.write_text(
        f"""
[storage]
data_dir = "{tmp / "data"}"

[telegram]
enabled = true
base_url = "{tg.base_url}"
base_file_url = "{tg.base_file_url}"
max_messages_per_second = 25

[outbox]
# Short, so that the killed process's claims are free again soon.
lease = "6s"
poll_interval = "1s"
{desk_sections(slack, port)}
""",
        encoding="utf-8",
    )
    return config


async def livedesk(tmp: Path, name: str, env: dict[str, str], *args: str):
    with (tmp / f"{name}.log").open("wb") as log:  # the child keeps its own descriptor
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", *args, env=env, stdout=log, stderr=log
        )


async def run_until_healthy(tmp: Path, name: str, config: Path, env, port: int):
    process = await livedesk(tmp, name, env, "-c", str(config), "run")
    for _ in range(300):
        if await healthy(port):
            return process
        if process.returncode is not None:
            break
        await asyncio.sleep(0.1)
    raise AssertionError(f"livedesk run never became healthy; see {tmp / name}.log")


def latest_update_id(db: Database) -> int:
    with db.session(read_only=True) as s:
        found = s.exec(select(func.max(IncidentUpdateRow.id))).one()
    assert found is not None
    return int(found)


def held_rows(db: Database) -> int:
    with db.session(read_only=True) as s:
        return s.exec(
            select(func.count()).where(OutboxMessageRow.status == OutboxStatus.SENDING)
        ).one()


def delivered(tg: FakeTelegram, chats: list[int]) -> int:
    return sum(len(tg.sent(chat)) for chat in chats)


async def test_a_broadcast_to_300_survives_a_sigkill_and_reaches_each_reporter_once(
    tmp_path: Path, monkeypatch
):
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    async with FakeTelegram() as tg, FakeSlack() as slack:
        port = free_port()
        config = write_config(tmp_path, tg, slack, port)
        env = process_env(tg, slack)
        upgrade = await livedesk(tmp_path, "upgrade", env, "-c", str(config), "db", "upgrade")
        assert await upgrade.wait() == 0

        # The outage: 300 reports over the last minutes, one incident.
        db = Database(f"sqlite:///{tmp_path / 'data' / 'livedesk.db'}")
        tickets = TicketService(db, Settings())
        incidents = IncidentService(db, tickets)
        started = datetime.now(UTC) - timedelta(seconds=REPORTERS + 60)
        found = await asyncio.to_thread(outage, tickets, incidents, FakeClock(started), REPORTERS)
        chats = found.chats()
        for chat in chats:
            tg.add_chat(chat)

        first = await run_until_healthy(tmp_path, "first", config, env, port)
        second = None
        try:
            # Posted by another process (an agent's); the dispatcher finds it by polling.
            await asyncio.to_thread(
                incidents.post_update,
                PostUpdate(found.incident_ref, "agent", IncidentStatus.IDENTIFIED, "Rolling back."),
                datetime.now(UTC),
            )
            await wait_until(lambda: delivered(tg, chats) >= REPORTERS // 2, 60)

            # The next send is held by the Bot API and then dropped unprocessed;
            # the process dies while it waits.
            tg.slow("sendMessage", HOLD_SECONDS)
            tg.drop_connection_next("sendMessage")
            calls = len(tg.calls)
            await wait_until(lambda: any(c.method == "sendMessage" for c in tg.calls[calls:]), 10)
            first.send_signal(signal.SIGKILL)
            await first.wait()
            # The held request is never processed: the server either cancels it
            # when the connection dies, or drops it once the delay is over. Either
            # way the delay must pass before the next process sends (else the drop
            # could hit the new process's send and the held one go through).
            await asyncio.sleep(HOLD_SECONDS + 1)
            tg.slow("sendMessage", 0)
            # The dead process held a batch: those rows wait for their lease to run out.
            assert held_rows(db) > 0
            halfway = delivered(tg, chats)
            assert REPORTERS // 2 <= halfway < REPORTERS

            second = await run_until_healthy(tmp_path, "second", config, env, port)
            outbox = SqlOutbox(db)
            update_id = latest_update_id(db)
            await wait_until(lambda: outbox.progress(group_key(update_id)).sent == REPORTERS, 90)
            per_chat = {chat: len(tg.sent(chat)) for chat in chats}
            assert set(per_chat.values()) == {1}, [c for c, n in per_chat.items() if n != 1]
            assert all("Rolling back." in tg.sent(chat)[0]["text"] for chat in chats)
        finally:
            for process in (first, second):
                if process is not None and process.returncode is None:
                    process.send_signal(signal.SIGTERM)
                    await process.wait()
            db.dispose()
