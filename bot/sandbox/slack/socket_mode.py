"""Socket Mode: the WebSocket behind apps.connections.open, with envelopes and acks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid

from aiohttp import WSMsgType, web

from bot.sandbox.slack.records import Attempt, Delivery, SocketAck
from bot.sandbox.slack.store import FakeStore

WS_PATH = "/link/"


class SocketHub:
    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.connections: list[web.WebSocketResponse] = []
        self._pending: dict[str, asyncio.Future[SocketAck]] = {}

    def routes(self) -> list[web.RouteDef]:
        return [web.get(WS_PATH, self.handle)]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self.store.socket_tickets:
            return web.Response(status=401, text="invalid_ticket")
        # Like Slack, a URL from apps.connections.open is good for one connection only.
        self.store.socket_tickets.discard(ticket)
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connections.append(ws)
        self.store.notify()
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self.connections),
                "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
                "connection_info": {"app_id": self.store.config.app_id},
            }
        )
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._on_text(message.data)
        finally:
            self.connections.remove(ws)
            self.store.notify()
        return ws

    def _on_text(self, data: str) -> None:
        try:
            parsed = json.loads(data)
        except ValueError:
            return
        if not isinstance(parsed, dict) or not isinstance(parsed.get("envelope_id"), str):
            return
        payload = parsed.get("payload")
        ack = SocketAck(parsed["envelope_id"], payload if isinstance(payload, dict) else None)
        self.store.socket_acks.append(ack)
        future = self._pending.pop(ack.envelope_id, None)
        if future is not None and not future.done():
            future.set_result(ack)
        self.store.notify()

    async def _connection(self, wait_seconds: float) -> web.WebSocketResponse:
        try:
            async with asyncio.timeout(wait_seconds):
                while True:
                    live = [ws for ws in self.connections if not ws.closed]
                    if live:
                        return live[-1]
                    await self.store.changed.wait()
        except TimeoutError:
            raise TimeoutError(
                f"no app URL is set and no Socket Mode client connected within {wait_seconds}s"
            ) from None

    async def wait_connected(self, wait_seconds: float) -> None:
        await self._connection(wait_seconds)

    async def deliver(
        self,
        delivery: Delivery,
        envelope_type: str,
        *,
        accepts_response_payload: bool,
        max_retries: int,
        ack_seconds: float,
    ) -> Delivery:
        for retry_num in range(max_retries + 1):
            envelope_id = str(uuid.uuid4())
            envelope = {
                "envelope_id": envelope_id,
                "type": envelope_type,
                "payload": delivery.payload,
                "accepts_response_payload": accepts_response_payload,
            }
            if envelope_type == "events_api":
                envelope["retry_attempt"] = retry_num
                envelope["retry_reason"] = "timeout" if retry_num else ""
            ws = await self._connection(ack_seconds)
            future: asyncio.Future[SocketAck] = asyncio.get_running_loop().create_future()
            self._pending[envelope_id] = future
            await ws.send_json(envelope)
            try:
                ack = await asyncio.wait_for(future, ack_seconds)
            except TimeoutError:
                self._pending.pop(envelope_id, None)
                delivery.attempts.append(
                    Attempt(
                        retry_num,
                        "timeout" if retry_num else None,
                        acked=False,
                        timed_out=True,
                        envelope_id=envelope_id,
                    )
                )
                continue
            delivery.ack = ack
            delivery.attempts.append(
                Attempt(
                    retry_num,
                    "timeout" if retry_num else None,
                    acked=True,
                    body=json.dumps(ack.payload) if ack.payload is not None else "",
                    envelope_id=envelope_id,
                )
            )
            break
        return delivery

    async def disconnect_all(self, reason: str = "refresh_requested") -> None:
        """Ask clients to reconnect, as Slack does every few hours."""
        for ws in list(self.connections):
            with contextlib.suppress(ConnectionError):
                await ws.send_json({"type": "disconnect", "reason": reason})

    async def close(self) -> None:
        for future in self._pending.values():
            future.cancel()
        self._pending.clear()
        for ws in list(self.connections):
            await ws.close(code=1001, message=b"server shutdown")
