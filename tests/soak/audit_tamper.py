"""Audit tampering: what an insider with write access to the database can do to the
trail, and whether `livedesk audit verify` sees it.

Tickets are made the way users make them (a P0, a finance report with an order id
and an amount, an ordinary one), an agent claims and answers, and the desk is
stopped cleanly, which saves an audit anchor outside the database. Then each
tampering is applied in its own committed transaction, `livedesk audit verify` runs
as an operator would run it (against the latest saved anchor), and the tables are
put back before the next one. A tampering that verify passes is unauthorized.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, text

from core.audit import event_hash
from tests.e2e.processes import TRIAGE
from tests.soak.desk import Desk, running_desk
from tests.soak.figures import Figures
from tests.soak.slack_tickets import human_ticket, p0_ticket
from tests.wire.desk_fixtures import wait_until

AGENT = "U0AGENT1"  # an agent the fake Slack knows (tests/e2e config: S0ONCALL is on call)
FINANCE_WORDS = "充值648元没到账，订单号 T2026120500017，微信支付的，钱已经扣了"
TABLES = ("audit_event", "personal_data")

Tamper = Callable[[Connection], int]  # rows it changed


def _events(c: Connection) -> list[Any]:
    return list(c.execute(text("SELECT * FROM audit_event ORDER BY seq")).mappings())


def _rewrite_actor(c: Connection) -> int:
    return c.execute(text("UPDATE audit_event SET actor = 'U0INSIDER' WHERE seq = 1")).rowcount


def _rewrite_payload(c: Connection) -> int:
    middle = len(_events(c)) // 2
    return c.execute(
        text("UPDATE audit_event SET payload = payload || ' ' WHERE seq = :seq"), {"seq": middle}
    ).rowcount


def _delete_middle(c: Connection) -> int:
    middle = len(_events(c)) // 2
    return c.execute(text("DELETE FROM audit_event WHERE seq = :seq"), {"seq": middle}).rowcount


def _cut_tail(c: Connection) -> int:
    last = len(_events(c))
    return c.execute(text("DELETE FROM audit_event WHERE seq > :seq"), {"seq": last - 2}).rowcount


def _rewrite_and_rechain(c: Connection) -> int:
    """Changes one event and recomputes its hash and every later one: the chain is
    consistent again; only a copy of its head kept elsewhere (the anchor) tells."""
    events = _events(c)
    start = len(events) // 2
    prev = events[start - 1]["hash"] if start else "0" * 64
    for n, row in enumerate(events[start:]):
        actor = "U0INSIDER" if n == 0 else row["actor"]
        at = row["at"]
        if isinstance(at, str):  # SQLite hands back text
            at = datetime.fromisoformat(at)
        digest = event_hash(
            prev, row["seq"], at, actor, row["action"], row["ticket_ref"], row["payload"]
        )
        # New hashes are fresh values, so the unique columns never collide on the way.
        c.execute(
            text(
                "UPDATE audit_event SET actor = :actor, prev_hash = :prev, hash = :hash "
                "WHERE seq = :seq"
            ),
            {"actor": actor, "prev": prev, "hash": digest, "seq": row["seq"]},
        )
        prev = digest
    return len(events) - start


def _edit_personal_data(c: Connection) -> int:
    first = c.execute(text("SELECT min(id) FROM personal_data WHERE value IS NOT NULL")).scalar()
    return c.execute(
        text("UPDATE personal_data SET value = :v WHERE id = :id"),
        {"v": "gAAAAAforged", "id": first},
    ).rowcount


def _delete_personal_data(c: Connection) -> int:
    first = c.execute(text("SELECT min(id) FROM personal_data")).scalar()
    return c.execute(text("DELETE FROM personal_data WHERE id = :id"), {"id": first}).rowcount


TAMPERINGS: tuple[tuple[str, Tamper], ...] = (
    ("an actor rewritten", _rewrite_actor),
    ("a payload rewritten", _rewrite_payload),
    ("an event deleted", _delete_middle),
    ("the last two events cut off", _cut_tail),
    ("an event rewritten and the chain recomputed after it", _rewrite_and_rechain),
    ("a sealed personal value replaced", _edit_personal_data),
    ("a personal value deleted", _delete_personal_data),
)


def _snapshot(url: str) -> dict[str, list[dict[str, Any]]]:
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            return {
                t: [dict(r) for r in c.execute(text(f"SELECT * FROM {t}")).mappings()]
                for t in TABLES
            }
    finally:
        engine.dispose()


def _apply(url: str, tamper: Tamper, saved: dict[str, list[dict[str, Any]]] | None) -> int:
    """Puts the saved tables back (when given), then applies `tamper`; one commit each."""
    engine = create_engine(url)
    try:
        if saved is not None:
            with engine.begin() as c:
                for table in TABLES:
                    c.execute(text(f"DELETE FROM {table}"))
                    rows = saved[table]
                    if rows:
                        names = list(rows[0])
                        c.execute(
                            text(
                                f"INSERT INTO {table} ({', '.join(names)}) "
                                f"VALUES ({', '.join(':' + n for n in names)})"
                            ),
                            rows,
                        )
        with engine.begin() as c:
            return tamper(c)
    finally:
        engine.dispose()


async def _verify(desk: Desk, log: str) -> bool:
    return await (await desk.cli("audit", "verify", log=log)).wait() == 0


async def _activity(desk: Desk) -> None:
    p0 = await p0_ticket(desk, 9_100_001)
    await human_ticket(desk, 9_100_002, FINANCE_WORDS)
    await human_ticket(desk, 9_100_003, "我这边直播间一直卡顿，画面一卡一卡的")
    slack = desk.slack
    await slack.send_block_action(AGENT, "ticket.claim", message_ts=p0.card_ts, channel=TRIAGE)
    await slack.send_message(TRIAGE, AGENT, "正在处理，稍等", thread_ts=p0.card_ts)
    await wait_until(
        lambda: any("正在处理" in m.get("text", "") for m in desk.tg.sent(p0.chat)), 20
    )


async def tampered_trail(tmp: Path, postgres_url: str | None) -> Figures:
    figures = Figures("audit tampering (7 kinds) against livedesk audit verify")
    async with running_desk(tmp, postgres_url, agents=(AGENT,)) as desk:
        await _activity(desk)
        await desk.stop()  # a clean stop saves an anchor outside the database
        if not await _verify(desk, "verify-untouched"):
            figures.crashed += 1
            figures.notes.append("audit verify failed on the untouched trail")
            return figures
        saved = await asyncio.to_thread(_snapshot, desk.database_url)
        events, personal = len(saved["audit_event"]), len(saved["personal_data"])
        figures.notes.append(f"{events} audit events, {personal} personal values")
        for n, (name, tamper) in enumerate(TAMPERINGS):
            changed = await asyncio.to_thread(
                _apply, desk.database_url, tamper, saved if n else None
            )
            figures.sent += 1
            if changed == 0:
                figures.lost += 1
                figures.notes.append(f"{name}: nothing to tamper with")
            elif await _verify(desk, f"verify-{n}"):
                figures.unauthorized += 1
                figures.notes.append(f"{name}: passed audit verify")
        await asyncio.to_thread(_apply, desk.database_url, lambda c: 0, saved)
        if not await _verify(desk, "verify-restored"):
            figures.notes.append("audit verify failed once the tables were put back")
            figures.crashed += 1
    figures.crashed += desk.crashes
    return figures
