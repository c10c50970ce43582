"""500+ hostile inputs at the webhook and Slack endpoints of a running process.

None of them may get a 5xx (a 5xx makes Telegram and Slack send the same thing
again and again), kill the process, or stop it answering the next real user.
The inputs are made here, deterministically: a fixed random seed, bounded sizes.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp

from tests.soak.desk import WEBHOOK_SECRET, Desk, running_desk
from tests.soak.figures import Figures
from tests.soak.telegram_scenarios import CONTROL_CHAT, FIRST_CHAT, settle

HEADER = "X-Telegram-Bot-Api-Secret-Token"
HUGE = 3 * 1024 * 1024  # bytes; above any limit a chat update needs
SEED = 18


def _message(update_id: int, chat_id: int, text: Any, **extra: Any) -> dict[str, Any]:
    user = {"id": chat_id, "is_bot": False, "first_name": "Soak", **extra.pop("user", {})}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": {"id": chat_id, "type": "private", **extra.pop("chat", {})},
            "from": user,
            "text": text,
            **extra,
        },
    }


def telegram_bodies(rng: random.Random) -> Iterator[tuple[str, bytes]]:
    """(kind, raw body) pairs for POST /telegram."""
    for _ in range(80):
        yield "garbage bytes", rng.randbytes(rng.randint(1, 400))
    for value in ([], "x", 1, None, True, [1, 2], {"update_id": "7"}, {"update_id": -1}):
        yield "not an update", json.dumps(value).encode()
    for n in range(50):
        yield "huge update_id", json.dumps({"update_id": 10 ** (20 + n)}).encode()
    for n in range(40):
        yield "deep nesting", ("[" * (2000 + 500 * n) + "]" * (2000 + 500 * n)).encode()
    update_id = 5_000_000
    for n in range(60):
        update_id += 1
        chat = FIRST_CHAT + n
        text = rng.choice(["\\ud800", "\\udfff", "a\\ud83dz", "\\ud83d\\ud83d"]) * rng.randint(
            1, 50
        )
        body = json.dumps(_message(update_id, chat, "@@")).replace('"@@"', f'"{text}"')
        yield "lone surrogate", body.encode()
    for n in range(60):
        update_id += 1
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(50, 5000)))
        yield "long digits", json.dumps(_message(update_id, FIRST_CHAT + n, digits)).encode()
    for n in range(60):
        update_id += 1
        odd: dict[str, Any] = rng.choice(
            [
                {"chat": {"id": "not a number"}},
                {"chat": {"id": 10**30}},
                {"user": {"id": -(10**25)}},
                {"date": "yesterday"},
                {"entities": [{"type": "bot_command", "offset": 10**9, "length": -5}]},
                {"photo": [{"file_id": "", "width": -1, "height": 10**12}]},
                {"document": {"file_id": "x", "file_name": "../../etc/passwd\x00.png"}},
                {"reply_to_message": {"message_id": "x"}},
            ]
        )
        text = rng.choice(["hi", "", None, 5, ["a"], {"t": 1}, "x" * 70_000])
        yield "odd fields", json.dumps(_message(update_id, FIRST_CHAT + n, text, **odd)).encode()
    for _ in range(3):
        yield "huge body", b'{"update_id": 1, "pad": "' + b"x" * HUGE + b'"}'


def slack_bodies(rng: random.Random) -> Iterator[tuple[str, bytes, str]]:
    """(kind, raw body, content type) for signed POSTs to /slack/events."""
    form = "application/x-www-form-urlencoded"
    for _ in range(40):
        yield "garbage", rng.randbytes(rng.randint(1, 300)), form
    for _ in range(30):
        yield (
            "odd json",
            json.dumps(rng.choice([[], {}, {"type": 5}, {"type": "event_callback"}])).encode(),
            "application/json",
        )
    payloads = [
        {"type": "block_actions", "user": {"id": "U0X"}, "actions": []},
        {
            "type": "block_actions",
            "user": {"id": "U0X"},
            "actions": [{"action_id": "ticket.claim", "value": "\ud800"}],
        },
        {
            "type": "block_actions",
            "user": {},
            "actions": [{"action_id": "ticket.claim", "value": "9" * 4000}],
        },
        {
            "type": "view_submission",
            "user": {"id": "U0X"},
            "view": {"callback_id": "x" * 10_000, "state": {"values": 5}},
        },
        {"type": "shortcut", "callback_id": None},
        {"type": "nope"},
    ]
    for _ in range(60):
        raw = json.dumps(rng.choice(payloads))
        yield "odd interactive", f"payload={raw}".encode(), form
    for n in range(20):
        event = {
            "type": "event_callback",
            "event_id": f"Ev{n:08d}",
            "event": {
                "type": "message",
                "channel": "livedesk-tickets",
                "user": "U0X",
                "text": "\\udfff" * n,
                "thread_ts": "9" * 300,
            },
        }
        yield "odd event", json.dumps(event).encode(), "application/json"
    yield "huge", b"payload=" + b"x" * HUGE, form


async def hostile_inputs(tmp: Path, postgres_url: str | None) -> Figures:
    figures = Figures("hostile inputs (webhook + Slack)")
    rng = random.Random(SEED)
    async with running_desk(tmp, postgres_url, mode="webhook") as desk:
        statuses: dict[str, int] = {}
        async with aiohttp.ClientSession(trust_env=False) as http:
            for kind, body in telegram_bodies(rng):
                figures.sent += 1
                status = await _post(
                    http,
                    f"{desk.url}/telegram",
                    body,
                    {HEADER: WEBHOOK_SECRET, "Content-Type": "application/json"},
                )
                _tally(statuses, f"telegram {kind}", status, figures)
            for kind, body, content_type in slack_bodies(rng):
                figures.sent += 1
                delivery = await desk.slack.sign_and_post(
                    f"{desk.url}/slack/events", body, content_type=content_type
                )
                _tally(statuses, f"slack {kind}", delivery.status or 0, figures)
        figures.notes += [f"{k}: {v}" for k, v in sorted(statuses.items())]
        await _still_serves(desk, figures)
    figures.crashed += desk.crashes
    return figures


def _tally(statuses: dict[str, int], kind: str, status: int, figures: Figures) -> None:
    """Counts answers by input kind and status; 0 is a connection closed without an answer
    (uvicorn closes a keep-alive connection after a 500, so the next request on it fails)."""
    key = f"{kind} -> HTTP {status}" if status else f"{kind} -> connection closed"
    statuses[key] = statuses.get(key, 0) + 1
    if status >= 500:
        figures.server_errors += 1


async def _post(http: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str]) -> int:
    try:
        async with http.post(url, data=body, headers=headers) as response:
            await response.read()
            return response.status
    except aiohttp.ClientError:
        return 0  # the server closed the connection: a refusal, not an answer


async def _still_serves(desk: Desk, figures: Figures) -> None:
    """After the barrage the process is alive and a real user is answered."""
    if not desk.alive():
        figures.crashed += 1
        return
    desk.tg.add_chat(CONTROL_CHAT)
    desk.tg.user_sends(CONTROL_CHAT, "/start")
    figures.sent += 1
    await settle(desk, [CONTROL_CHAT], 60)
    if not desk.tg.sent(CONTROL_CHAT):
        figures.lost += 1
