"""The dispatcher over the real store on SQLite and PostgreSQL: several
dispatchers at once, a dispatcher that dies holding leases, a stop and restart.
Each message goes out once (the one exception, a send whose mark never
committed, is shown where it happens).
"""

import asyncio
import threading
from collections import Counter
from datetime import timedelta

import pytest

from core.clock import SystemClock
from core.conversation.messages import Reply
from core.outbox import (
    DispatchPolicy,
    OutboxDispatcher,
    OutboxMessage,
    SendResult,
    SqlOutbox,
    TokenBucket,
    enqueue,
)
from core.storage.db import Database
from tests.unit.outbox.fakes import drain, fake_sleep

CHANNEL = "telegram"


class RecordingSender:
    """Thread-safe record of (worker, message id, chat, text), in send order."""

    def __init__(self, worker: str, log: list, on_send=None) -> None:
        self.worker = worker
        self.log = log
        self.on_send = on_send

    async def send(self, message: OutboxMessage) -> SendResult:
        self.log.append((self.worker, message.id, message.chat_id, message.reply.text))
        if self.on_send is not None:
            self.on_send(len(self.log))
        await asyncio.sleep(0)  # let other work of the loop run, as a real send would
        return SendResult.sent()


def _fill(db, now, chats: int, per_chat: int, group: str = "g") -> None:
    with db.session() as s:
        for n in range(per_chat):
            for c in range(chats):
                enqueue(
                    s,
                    channel=CHANNEL,
                    chat_id=f"chat-{c}",
                    language="en",
                    reply=Reply(f"chat-{c} #{n}"),
                    dedupe_key=f"{group}:{c}:{n}",
                    group_key=group,
                    now=now,
                )


def _per_chat_in_order(log) -> None:
    seen: dict[str, list[int]] = {}
    for _, _, chat, text in log:
        seen.setdefault(chat, []).append(int(text.rsplit("#", 1)[1]))
    for chat, numbers in seen.items():
        assert numbers == sorted(numbers), chat


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_two_dispatchers_drain_500_messages_each_sent_exactly_once(request, dialect):
    url = request.getfixturevalue(f"{dialect}_url")
    clock = SystemClock()
    setup = Database(url)
    setup.upgrade()
    _fill(setup, clock.now(), chats=50, per_chat=10)
    log: list = []
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(worker: str) -> None:
        db = Database(url, pool_size=2)  # its own connections, as another instance would
        outbox = SqlOutbox(db)
        dispatcher = OutboxDispatcher(
            outbox,
            RecordingSender(worker, log),
            clock,
            TokenBucket(rate=1_000_000, burst=1000, now=clock.now()),
            channel=CHANNEL,
            worker_id=worker,
            policy=DispatchPolicy(batch=10),
        )

        async def until_all_sent() -> None:
            for _ in range(10_000):
                if outbox.progress("g").sent == 500:
                    return
                if await dispatcher.run_once() == 0:
                    await asyncio.sleep(0.01)  # the other holds what is left
            raise AssertionError(f"{worker}: the outbox did not drain")

        try:
            barrier.wait()
            asyncio.run(until_all_sent())
        except BaseException as err:
            errors.append(err)
        finally:
            db.dispose()

    threads = [threading.Thread(target=work, args=(w,), daemon=True) for w in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)
    sends = Counter(message_id for _, message_id, _, _ in log)
    assert len(sends) == 500
    assert set(sends.values()) == {1}
    assert {worker for worker, *_ in log} == {"a", "b"}
    _per_chat_in_order(log)
    assert SqlOutbox(setup).progress("g") == (500, 500, 0)
    setup.dispose()


async def test_leases_of_a_dispatcher_killed_mid_batch_are_taken_over_once_they_expire(
    db_url, clock
):
    first = Database(db_url)
    first.upgrade()
    _fill(first, clock.now(), chats=20, per_chat=2)
    lease = timedelta(minutes=2)
    dead = SqlOutbox(first)
    held = dead.claim_due(clock.now(), 8, "dead", channel=CHANNEL, lease=lease)
    for message in held[:3]:
        dead.mark_sent(message.id, "dead", clock.now())
    # The process is killed here: held[3] was handed to Telegram, its mark never
    # committed; held[4:] were never tried. Nothing is released.
    first.dispose()

    restarted = Database(db_url)
    log: list = []
    outbox = SqlOutbox(restarted)
    dispatcher = OutboxDispatcher(
        outbox,
        RecordingSender("new", log),
        clock,
        TokenBucket(rate=25, burst=5, now=clock.now()),
        channel=CHANNEL,
        worker_id="new",
        policy=DispatchPolicy(lease=lease),
        sleep=fake_sleep(clock),
    )
    while await dispatcher.run_once() > 0:
        pass
    leased = {m.id for m in held[3:]}
    assert not leased & {message_id for _, message_id, _, _ in log}
    clock.advance(lease)
    await drain(dispatcher, outbox, clock)

    sends = Counter(message_id for _, message_id, _, _ in log)
    assert set(sends) == {m for m in range(1, 41)} - {m.id for m in held[:3]}
    assert set(sends.values()) == {1}
    assert outbox.get(held[5].id).attempts == 2
    _per_chat_in_order(log)
    assert outbox.progress("g") == (40, 40, 0)
    restarted.dispose()


async def test_a_stopped_dispatcher_hands_over_to_the_next_without_repeats(db_url, clock):
    first = Database(db_url)
    first.upgrade()
    _fill(first, clock.now(), chats=15, per_chat=2)
    log: list = []
    dispatcher = None

    def stop_after_five(count: int) -> None:
        if count == 5:
            dispatcher.stop()

    policy = DispatchPolicy(batch=10)
    dispatcher = OutboxDispatcher(
        SqlOutbox(first),
        RecordingSender("old", log, stop_after_five),
        clock,
        TokenBucket(rate=25, burst=5, now=clock.now()),
        channel=CHANNEL,
        worker_id="old",
        policy=policy,
        sleep=fake_sleep(clock),
    )
    await asyncio.wait_for(dispatcher.run(), timeout=60)
    first.dispose()
    assert len(log) == 5

    second = Database(db_url)
    outbox = SqlOutbox(second)
    successor = OutboxDispatcher(
        outbox,
        RecordingSender("new", log),
        clock,
        TokenBucket(rate=25, burst=5, now=clock.now()),
        channel=CHANNEL,
        worker_id="new",
        policy=policy,
        sleep=fake_sleep(clock),
    )
    # No lease to wait for: the stopped dispatcher gave its batch back.
    start = clock.now()
    await drain(successor, outbox, clock)
    assert clock.now() - start < policy.lease
    sends = Counter(message_id for _, message_id, _, _ in log)
    assert len(sends) == 30
    assert set(sends.values()) == {1}
    _per_chat_in_order(log)
    second.dispose()
