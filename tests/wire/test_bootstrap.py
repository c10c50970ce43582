"""The composition root: one clock handed down, one attachment store, callbacks
wired when the objects are built, replies and agent news routed through the ports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from bot.bootstrap import build_runtime
from bot.sandbox.slack.server import FakeSlack
from bot.sandbox.telegram.server import FakeTelegram
from core.clock import FakeClock
from core.config import settings_from_mapping
from core.storage.db import Database
from core.storage.tables import TicketPostRow
from tests.factories import draft
from tests.wire.desk_fixtures import slack_config


async def test_the_runtime_is_built_around_one_clock_and_one_attachment_store(
    tmp_path: Path,
) -> None:
    clock = FakeClock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    async with FakeTelegram() as tg, FakeSlack(slack_config()) as slack:
        settings = settings_from_mapping(
            {
                "storage": {"data_dir": str(tmp_path / "data")},
                "telegram": {"enabled": True, "base_url": tg.base_url},
                "slack": {"enabled": True, "api_url": slack.api_url},
                # The worker process would build its own engine; this test looks
                # at the objects of this process only.
                "server": {"engine_process": False},
            },
            environ={
                "LIVEDESK_TELEGRAM_TOKEN": tg.token,
                "LIVEDESK_SLACK_BOT_TOKEN": slack.config.bot_token,
                "LIVEDESK_SLACK_SIGNING_SECRET": slack.config.signing_secret,
            },
        )
        Database(settings.database_url()).upgrade()
        runtime = build_runtime(settings, clock=clock)
        try:
            assert runtime.telegram is not None and runtime.slack is not None
            assert runtime.worker is None
            for holder in (runtime, runtime.telegram, runtime.scheduler):
                assert holder.clock is clock
            assert runtime.slack.workspace.clock is clock
            assert runtime.slack.notifier.attachments is runtime.intake.engine.deps.attachments
            # One incident service; the incident card reads the outbox's progress.
            assert runtime.slack.workspace.incidents is runtime.intake.services.incidents
            assert runtime.slack.workspace.progress is not None
            assert runtime.slack.workspace.progress("incident-update:0").total == 0
            planner = runtime.intake.services.tickets.planner
            assert planner.on_new_timer == runtime.scheduler.wake_up.ring

            # Announcing a ticket stamps the card's record with the handed-down clock.
            clock.advance(timedelta(minutes=7))
            ticket = runtime.intake.services.tickets.create(draft(), clock.now())
            assert ticket.ref is not None
            await runtime.slack.workspace.start()
            await runtime.agents.announce([])  # nothing to tell: Slack is not called
            assert slack.calls_to("chat.postMessage") == []
            await runtime.slack.notifier.ticket_created(ticket.ref)
            with runtime.intake.services.db.session() as s:
                post = s.exec(
                    select(TicketPostRow).where(TicketPostRow.ticket_ref == ticket.ref)
                ).one()
            assert post.created_at.replace(tzinfo=UTC) == clock.now()
        finally:
            runtime.intake.services.close()
