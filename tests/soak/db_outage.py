"""A 30 s database outage under load, made by a TCP proxy the suite owns in front of
PostgreSQL: while it is "down" it cuts every open connection and refuses new ones.
The shared PostgreSQL server itself is never touched.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.soak.desk import running_desk
from tests.soak.figures import Figures
from tests.soak.telegram_scenarios import FIRST_CHAT, TEXT, control_replies, count, settle

OUTAGE_SECONDS = 30


class TcpProxy:
    """127.0.0.1:<port> -> target; `down()` cuts and refuses, `up()` serves again."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.is_up = True
        self.refused = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def stop(self) -> None:
        self.down()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def down(self) -> None:
        self.is_up = False
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def up(self) -> None:
        self.is_up = True

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.is_up:
            self.refused += 1
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except (OSError, asyncio.CancelledError):
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        self._writers -= {writer, up_writer}

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, ConnectionError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()


async def database_outage(tmp: Path, postgres_url: str | None, users: int = 60) -> Figures:
    figures = Figures(f"database outage {OUTAGE_SECONDS}s under load (polling)")
    if postgres_url is None:
        figures.notes.append("PostgreSQL only: skipped on SQLite")
        return figures
    url = make_url(postgres_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    try:
        async with running_desk(tmp, postgres_url, mode="polling", via_port=proxy.port) as desk:
            expected = await control_replies(desk, TEXT)
            chats = [FIRST_CHAT + n for n in range(users)]
            for chat in chats:
                desk.tg.add_chat(chat)
            third = users // 3
            for chat in chats[:third]:  # before
                desk.tg.user_sends(chat, TEXT)
            await asyncio.sleep(1)
            proxy.down()
            for chat in chats[third : 2 * third]:  # during
                desk.tg.user_sends(chat, TEXT)
                await asyncio.sleep(OUTAGE_SECONDS / third)
            proxy.up()
            for chat in chats[2 * third :]:  # after
                desk.tg.user_sends(chat, TEXT)
            figures.sent = users
            await settle(desk, chats, 180)
            count(desk, figures, chats, expected)
            figures.notes.append(f"{proxy.refused} connections refused during the outage")
            if not desk.alive():
                figures.crashed += 1
        figures.crashed += desk.crashes
    finally:
        await proxy.stop()
    return figures
