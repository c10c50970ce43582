"""Health checks: liveness (the process serves HTTP) and readiness (the database answers)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from core.storage.db import Database


async def healthz(_: Request) -> Response:
    """Liveness: touches nothing else, so a slow database never restarts the process."""
    return PlainTextResponse("ok")


def readiness(db: Database) -> Callable[[Request], Awaitable[Response]]:
    """Readiness for load balancers: the database answers SELECT 1. Telegram and
    Slack are not checked; their outages are retried, not routed around.
    """

    async def readyz(_: Request) -> Response:
        def ping() -> None:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))

        try:
            await asyncio.to_thread(ping)
        except Exception as err:
            return JSONResponse({"ready": False, "database": str(err.__class__.__name__)}, 503)
        return JSONResponse({"ready": True})

    return readyz
