import asyncio
import logging
from datetime import timedelta

import pytest

from core.config import settings_from_mapping
from core.errors import ConfigError, StorageUnavailableError
from core.outbox import (
    DispatchPolicy,
    OutboxDispatcher,
    OutboxMessage,
    OutboxStatus,
    SendOutcome,
    SendResult,
    TokenBucket,
)
from tests.unit.outbox.fakes import FakeSender, MemoryOutbox, drain, fake_sleep

CHANNEL = "telegram"


def _dispatcher(store, sender, clock, *, rate=25.0, burst=5, policy=None, worker="w1"):
    return OutboxDispatcher(
        store,
        sender,
        clock,
        TokenBucket(rate, burst, clock.now()),
        channel=CHANNEL,
        worker_id=worker,
        policy=policy,
        sleep=fake_sleep(clock),
    )


async def test_a_thousand_reporters_at_25_a_second_take_40_seconds_and_each_gets_one(clock):
    store = MemoryOutbox()
    for i in range(1000):
        store.add(f"reporter-{i}", f"update for {i}", clock.now())
    sender = FakeSender(clock)
    start = clock.now()
    await drain(_dispatcher(store, sender, clock), store, clock)

    assert sorted(sender.delivered()) == sorted(f"update for {i}" for i in range(1000))
    times = sender.times()
    assert times[-1] - start >= timedelta(seconds=40)
    for i, first in enumerate(times):
        assert sum(1 for t in times[i : i + 40] if t < first + timedelta(seconds=1)) <= 30
    assert store.progress() == (1000, 1000, 0)


async def test_a_429_holds_every_send_for_retry_after_and_does_not_count_as_an_attempt(clock):
    store = MemoryOutbox()
    ids = [store.add(f"chat-{i}", f"m{i}", clock.now()) for i in range(6)]
    flooded = []

    def script(message: OutboxMessage) -> SendResult | None:
        if message.id == ids[2] and not flooded:
            flooded.append(message)
            return SendResult.rate_limited(timedelta(seconds=30), "429 Too Many Requests")
        return None

    sender = FakeSender(clock, script)
    # Batches of 3: m3 to m5 are not even claimed when the 429 comes, and wait all the same.
    policy = DispatchPolicy(batch=3)
    await drain(_dispatcher(store, sender, clock, policy=policy), store, clock)

    limited_at = next(at for at, _, o in sender.sends if o is SendOutcome.RATE_LIMITED)
    after = [at for at in sender.times() if at > limited_at]
    assert len(after) == 4  # m2 again, then m3, m4, m5
    assert min(after) >= limited_at + timedelta(seconds=30)
    assert sorted(sender.delivered()) == [f"m{i}" for i in range(6)]
    assert store.rows[ids[2]].message.attempts == 1


async def test_a_permanent_failure_does_not_hold_up_that_chat_or_the_others(clock):
    store = MemoryOutbox()
    blocked = store.add("blocked-user", "first", clock.now())
    store.add("blocked-user", "second", clock.now())
    store.add("other", "hello", clock.now())

    def script(message: OutboxMessage) -> SendResult | None:
        if message.id == blocked:
            return SendResult.failed("403 Forbidden: bot was blocked by the user")
        return None

    sender = FakeSender(clock, script)
    await drain(_dispatcher(store, sender, clock), store, clock)

    assert store.status(blocked) is OutboxStatus.FAILED
    assert "blocked" in (store.rows[blocked].last_error or "")
    assert sorted(sender.delivered()) == ["hello", "second"]
    assert store.progress() == (2, 3, 1)


async def test_a_chat_gets_its_messages_in_order_while_its_first_one_is_retried(clock):
    store = MemoryOutbox()
    first = store.add("alice", "a1", clock.now())
    store.add("alice", "a2", clock.now())
    store.add("alice", "a3", clock.now())
    store.add("bob", "b1", clock.now())
    store.add("bob", "b2", clock.now())
    failures = []

    def script(message: OutboxMessage) -> SendResult | None:
        if message.id == first and len(failures) < 2:
            failures.append(message.attempts)
            return SendResult.retry("connection reset")
        return None

    sender = FakeSender(clock, script)
    await drain(_dispatcher(store, sender, clock), store, clock)

    delivered = sender.delivered()
    assert [t for t in delivered if t.startswith("a")] == ["a1", "a2", "a3"]
    assert [t for t in delivered if t.startswith("b")] == ["b1", "b2"]
    # Bob was not held up by Alice's trouble.
    assert delivered.index("b2") < delivered.index("a1")
    assert failures == [1, 2]
    retries = [at for at, m, _ in sender.sends if m.id == first]
    # Backoff doubles: 2 s after the first failure, 4 s after the second.
    assert retries[1] - retries[0] >= timedelta(seconds=2)
    assert retries[2] - retries[1] >= timedelta(seconds=4)


async def test_an_explicit_retry_after_from_the_sender_is_used(clock):
    store = MemoryOutbox()
    only = store.add("alice", "a1", clock.now())
    answers = [SendResult.retry("502 Bad Gateway", after=timedelta(minutes=3))]
    sender = FakeSender(clock, lambda m: answers.pop() if answers else None)
    await drain(_dispatcher(store, sender, clock), store, clock)

    first, second = (at for at, m, _ in sender.sends if m.id == only)
    assert second - first >= timedelta(minutes=3)


async def test_a_message_is_given_up_after_max_attempts(clock):
    store = MemoryOutbox()
    doomed = store.add("alice", "a1", clock.now())
    store.add("alice", "a2", clock.now())
    sender = FakeSender(clock, lambda m: SendResult.retry("timed out") if m.id == doomed else None)
    policy = DispatchPolicy(max_attempts=3, backoff=timedelta(seconds=1))
    await drain(_dispatcher(store, sender, clock, policy=policy), store, clock)

    assert [m.id for _, m, _ in sender.sends].count(doomed) == 3
    assert store.status(doomed) is OutboxStatus.FAILED
    assert store.rows[doomed].last_error == "gave up after 3 attempts: timed out"
    assert sender.delivered() == ["a2"]


async def test_a_sender_that_raises_is_retried_and_logged(clock, caplog):
    store = MemoryOutbox()
    store.add("alice", "a1", clock.now())
    raised = []

    def script(message: OutboxMessage) -> SendResult | None:
        if not raised:
            raised.append(True)
            raise RuntimeError("adapter bug")
        return None

    sender = FakeSender(clock, script)
    with caplog.at_level(logging.ERROR, logger="core.outbox.dispatcher"):
        await drain(_dispatcher(store, sender, clock), store, clock)
    assert sender.delivered() == ["a1"]
    assert "outbox sender raised" in caplog.text


async def test_a_message_past_its_expiry_is_expired_and_its_chat_goes_on(clock):
    store = MemoryOutbox()
    stale = store.add(
        "alice", "old news", clock.now(), expires_at=clock.now() + timedelta(seconds=10)
    )
    store.add("alice", "fresh", clock.now())
    sender = FakeSender(clock, lambda m: SendResult.retry("unreachable") if m.id == stale else None)
    policy = DispatchPolicy(backoff=timedelta(seconds=8))
    await drain(_dispatcher(store, sender, clock, policy=policy), store, clock)

    assert store.status(stale) is OutboxStatus.EXPIRED
    assert sender.delivered() == ["fresh"]
    assert store.progress() == (1, 2, 1)


async def test_a_batch_is_given_back_before_its_lease_runs_out(clock):
    store = MemoryOutbox()
    ids = [store.add(f"chat-{i}", f"m{i}", clock.now()) for i in range(4)]

    async def slow(message: OutboxMessage) -> SendResult:
        clock.advance(timedelta(seconds=40))  # each send takes 40 s
        return SendResult.sent()

    sender = FakeSender(clock)
    sender.send = slow  # type: ignore[method-assign]
    dispatcher = _dispatcher(store, sender, clock, policy=DispatchPolicy(batch=4))
    # A 2-minute lease: after two 40 s sends the half-lease mark has passed.
    assert await dispatcher.run_once() == 2
    assert [store.status(i) for i in ids] == [
        OutboxStatus.SENT,
        OutboxStatus.SENT,
        OutboxStatus.PENDING,
        OutboxStatus.PENDING,
    ]
    assert store.rows[ids[2]].message.attempts == 0


async def test_run_wakes_on_enqueue_and_stops_cleanly(clock):
    store = MemoryOutbox()
    got = asyncio.Event()

    class Sender:
        async def send(self, message: OutboxMessage) -> SendResult:
            got.set()
            return SendResult.sent()

    # An hour between polls: only wake() can explain a prompt send.
    policy = DispatchPolicy(poll=timedelta(hours=1))
    dispatcher = _dispatcher(store, Sender(), clock, policy=policy)
    task = asyncio.create_task(dispatcher.run())
    await asyncio.sleep(0)
    message_id = store.add("alice", "hi", clock.now())
    dispatcher.wake()
    await asyncio.wait_for(got.wait(), timeout=10)
    dispatcher.stop()
    await asyncio.wait_for(task, timeout=10)
    assert store.status(message_id) is OutboxStatus.SENT


async def test_stop_gives_back_the_rest_of_the_batch_uncounted(clock):
    store = MemoryOutbox()
    ids = [store.add(f"chat-{i}", f"m{i}", clock.now()) for i in range(5)]
    dispatcher = None

    def script(message: OutboxMessage) -> SendResult | None:
        if message.id == ids[1]:
            dispatcher.stop()
        return None

    sender = FakeSender(clock, script)
    dispatcher = _dispatcher(store, sender, clock)
    await dispatcher.run_once()
    assert [store.status(i) for i in ids[:2]] == [OutboxStatus.SENT] * 2
    assert [store.status(i) for i in ids[2:]] == [OutboxStatus.PENDING] * 3
    assert {store.rows[i].message.attempts for i in ids[2:]} == {0}
    # run() returns at once for a stopped dispatcher.
    await asyncio.wait_for(dispatcher.run(), timeout=10)


def test_policy_refuses_bad_values():
    with pytest.raises(ValueError, match="at least 1"):
        DispatchPolicy(batch=0)
    with pytest.raises(ValueError, match="positive"):
        DispatchPolicy(lease=timedelta(0))


def test_policy_follows_the_outbox_settings():
    settings = settings_from_mapping(
        {"outbox": {"batch": 10, "lease": "1m", "max_attempts": 3, "retry_backoff": "5s"}},
        environ={},
    )
    policy = DispatchPolicy.from_settings(settings.outbox)
    assert (policy.batch, policy.lease, policy.max_attempts) == (10, timedelta(minutes=1), 3)
    assert policy.backoff_after(3) == timedelta(seconds=20)
    assert settings.telegram.max_messages_per_second == 25


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outbox": {"retry_backoff": "10m"}}, "must not exceed max_retry_backoff"),
        ({"outbox": {"lease": 0}}, r"outbox\.lease: .*positive"),
        ({"outbox": {"batch": 0}}, r"outbox\.batch"),
        ({"telegram": {"max_messages_per_second": 0}}, r"telegram\.max_messages_per_second"),
    ],
)
def test_bad_outbox_settings_name_the_key(data, message):
    with pytest.raises(ConfigError, match=message):
        settings_from_mapping(data, environ={})


async def test_a_sent_message_is_recorded_even_when_the_database_blinks(clock):
    class BlinkingOutbox(MemoryOutbox):
        failures = 2

        def mark_sent(self, message_id, worker_id, now):
            if self.failures:
                self.failures -= 1
                raise StorageUnavailableError("the database is unavailable: connection reset")
            return super().mark_sent(message_id, worker_id, now)

    store = BlinkingOutbox()
    only = store.add("alice", "a1", clock.now())
    sender = FakeSender(clock)
    await drain(_dispatcher(store, sender, clock), store, clock)
    assert store.status(only) is OutboxStatus.SENT
    assert len(sender.sends) == 1


async def test_a_database_that_stays_away_ends_the_round_with_its_error(clock):
    class DownOutbox(MemoryOutbox):
        def mark_sent(self, message_id, worker_id, now):
            raise StorageUnavailableError("the database is unavailable")

    store = DownOutbox()
    store.add("alice", "a1", clock.now())
    with pytest.raises(StorageUnavailableError):
        await _dispatcher(store, FakeSender(clock), clock).run_once()


async def test_a_conversation_reply_does_not_wait_behind_a_broadcast(clock):
    store = MemoryOutbox()
    for i in range(200):
        store.add(f"reporter-{i}", f"update {i}", clock.now(), bulk=True)
    sender = FakeSender(clock)
    dispatcher = _dispatcher(store, sender, clock)
    await dispatcher.run_once()  # the first batch of the broadcast is out
    store.add("asker", "your ticket is LD-1042", clock.now())
    await drain(dispatcher, store, clock)

    delivered = sender.delivered()
    assert len(delivered) == 201
    assert delivered.index("your ticket is LD-1042") == 50  # right after the first batch
