"""A real `livedesk run` process against the local fakes, for the soak scenarios.

Each scenario gets its own data directory and its own database (a SQLite file, or
a fresh PostgreSQL database made for the scenario and dropped after it), so that
one scenario's rows never count in another's figures.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from bot.sandbox.slack.config import FakeSlackConfig
from bot.sandbox.slack.server import FakeSlack
from bot.sandbox.telegram.server import FakeTelegram
from tests.e2e.processes import desk_sections, process_env
from tests.wire.telegram_intake_fixtures import free_port

WEBHOOK_SECRET = "soak-webhook-secret"
HEALTHY_WITHIN = 60.0  # seconds; a busy 2-core machine starts a process slowly


def _create(url: URL, name: str) -> None:
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def _drop(url: URL, name: str) -> None:
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@asynccontextmanager
async def fresh_database(
    postgres_url: str | None,
    data_dir: Path,
    *,
    via_port: int | None = None,
    password: str | None = None,
) -> AsyncIterator[str]:
    """A SQLite file in `data_dir`, or a new PostgreSQL database on the server of
    `postgres_url` (never the one it names), dropped afterwards. With `via_port` the
    desk reaches it through that local port (the outage proxy); the suite does not.
    `password` goes into the desk's URL (a trust-auth server ignores it), so that the
    canary scenario can look for it in the logs."""
    if postgres_url is None:
        yield f"sqlite:///{data_dir / 'livedesk.db'}"
        return
    url = make_url(postgres_url).set(drivername="postgresql+psycopg")
    name = f"soak_{uuid.uuid4().hex[:12]}"
    await asyncio.to_thread(_create, url, name)
    try:
        desk_url = url.set(database=name)
        if via_port is not None:
            desk_url = desk_url.set(host="127.0.0.1", port=via_port)
        if password is not None:
            desk_url = desk_url.set(password=password)
        yield desk_url.render_as_string(hide_password=False)
    finally:
        await asyncio.to_thread(_drop, url, name)


@dataclass
class Desk:
    """One deployment: the fakes, a configuration, and the `livedesk run` process."""

    tg: FakeTelegram
    slack: FakeSlack
    tmp: Path
    database_url: str
    mode: str = "polling"
    port: int = field(default_factory=free_port)
    process: asyncio.subprocess.Process | None = None
    agents: tuple[str, ...] = ("S0ONCALL",)
    # More [slack] lines (a key given here replaces the shared configuration's).
    slack_lines: tuple[str, ...] = ()
    crashes: int = 0
    starts: int = 0
    webhook_secret: str = WEBHOOK_SECRET
    extra_env: dict[str, str] = field(default_factory=dict)
    extra_config: str = ""  # TOML sections appended to the configuration
    run_args: tuple[str, ...] = ()  # e.g. ("--debug",)
    # The address Telegram and Slack are given, when it is not this process's own
    # (several instances behind one load balancer).
    public_url: str | None = None

    @property
    def config(self) -> Path:
        return self.tmp / "livedesk.toml"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        extra = {"LIVEDESK_DATABASE_URL": self.database_url}
        if self.mode == "webhook":
            extra["LIVEDESK_TELEGRAM_WEBHOOK_SECRET"] = self.webhook_secret
        return process_env(self.tg, self.slack, **extra, **self.extra_env)

    def write_config(self) -> None:
        public = self.public_url or self.url
        webhook = f'webhook_url = "{public}/telegram"' if self.mode == "webhook" else ""
        self.config.write_text(
            f"""
[storage]
data_dir = "{self.tmp / "data"}"

[telegram]
enabled = true
mode = "{self.mode}"
base_url = "{self.tg.base_url}"
base_file_url = "{self.tg.base_file_url}"
{webhook}

[outbox]
lease = "6s"
poll_interval = "1s"
{self._slack_sections()}
{self.extra_config}
""",
            encoding="utf-8",
        )

    def _slack_sections(self) -> str:
        agents = ", ".join(f'"{a}"' for a in self.agents)
        lines = desk_sections(self.slack, self.port).splitlines()
        keys = {line.split("=")[0].strip() for line in self.slack_lines}
        lines = [line for line in lines if line.split("=")[0].strip() not in keys]
        at = lines.index('agents = ["S0ONCALL"]')
        lines[at : at + 1] = [f"agents = [{agents}]", *self.slack_lines]
        return "\n".join(lines)

    async def cli(self, *args: str, log: str) -> asyncio.subprocess.Process:
        with (self.tmp / f"{log}.log").open("ab") as out:  # the child keeps its descriptor
            return await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "-c",
                str(self.config),
                *args,
                env=self.env(),
                stdout=out,
                stderr=out,
            )

    async def setup(self) -> None:
        (self.tmp / "data").mkdir(parents=True, exist_ok=True)
        self.write_config()
        upgrade = await self.cli("db", "upgrade", log="upgrade")
        if await upgrade.wait() != 0:
            raise RuntimeError(f"livedesk db upgrade failed; see {self.tmp}/upgrade.log")
        self.slack.app_url = f"{self.public_url or self.url}/slack/events"

    async def healthy(self) -> bool:
        async with aiohttp.ClientSession(trust_env=False) as http:
            try:
                async with http.get(f"{self.url}/healthz") as r:
                    return r.status == 200
            except aiohttp.ClientError:
                return False

    async def start(self) -> None:
        self.starts += 1
        self.process = await self.cli("run", *self.run_args, log=f"run-{self.starts}")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + HEALTHY_WITHIN
        while loop.time() < deadline:
            if await self.healthy():
                return
            if self.process.returncode is not None:
                break
            await asyncio.sleep(0.1)
        raise RuntimeError(f"livedesk run never became healthy; see {self.tmp}")

    def outbox_rows(self, chat_id: int) -> list[tuple[str, int]]:
        """(text, attempts) of each message the desk queued for a chat, in order.
        A sent row claimed more than once was in flight when a process died."""
        engine = create_engine(make_url(self.database_url))
        try:
            with engine.connect() as c:
                rows = c.execute(
                    text(
                        "SELECT body, attempts FROM outbox_message "
                        "WHERE chat_id = :chat AND status = 'sent' ORDER BY id"
                    ),
                    {"chat": str(chat_id)},
                ).all()
        finally:
            engine.dispose()
        return [(json.loads(b)["text"] if isinstance(b, str) else b["text"], n) for b, n in rows]

    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def kill(self) -> None:
        """kill -9: no shutdown code runs."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    def worker_pid(self) -> int | None:
        """The engine's worker process (a spawned child of `livedesk run`), if any."""
        assert self.process is not None
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return None
        for child in children:
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if b"multiprocessing" in cmdline and b"resource_tracker" not in cmdline:
                return int(child)
        return None

    async def stop(self) -> None:
        """A clean stop; a process that died on its own counts as a crash."""
        if self.process is None:
            return
        if self.process.returncode is not None:
            if self.process.returncode not in (0, -signal.SIGKILL):
                self.crashes += 1
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), timeout=20)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            self.crashes += 1


@asynccontextmanager
async def running_desk(
    tmp: Path,
    postgres_url: str | None,
    *,
    mode: str = "polling",
    slack_config: FakeSlackConfig | None = None,
    agents: tuple[str, ...] = ("S0ONCALL",),
    via_port: int | None = None,
    telegram_token: str | None = None,
    db_password: str | None = None,
    **options: Any,
) -> AsyncIterator[Desk]:
    """`options` are Desk fields (slack_lines, webhook_secret, extra_env, extra_config,
    run_args)."""
    await asyncio.to_thread(tmp.mkdir, parents=True, exist_ok=True)
    fake_tg = FakeTelegram(telegram_token) if telegram_token else FakeTelegram()
    async with (
        fake_tg as tg,
        FakeSlack(slack_config) as slack,
        fresh_database(
            postgres_url, tmp / "data", via_port=via_port, password=db_password
        ) as database_url,
    ):
        desk = Desk(tg, slack, tmp, database_url, mode=mode, agents=agents, **options)
        await desk.setup()
        await desk.start()
        try:
            yield desk
        finally:
            await desk.stop()
