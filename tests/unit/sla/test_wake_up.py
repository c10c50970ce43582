"""The scheduler's WakeUp: rung from any thread, heard on the scheduler's loop."""

from __future__ import annotations

import asyncio
import threading

from core.sla.scheduler import WakeUp


def test_a_ring_before_anyone_listens_is_harmless() -> None:
    WakeUp().ring()  # no loop yet: nothing to wake, and no error


async def test_a_ring_from_another_thread_sets_the_listeners_event() -> None:
    wake_up = WakeUp()
    event = wake_up.listen()
    assert not event.is_set()
    ringer = threading.Thread(target=wake_up.ring)
    ringer.start()
    ringer.join()
    await asyncio.wait_for(event.wait(), timeout=5)
    assert event.is_set()
