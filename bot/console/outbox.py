"""What the outbox holds for a console user (an incident update to a reporter
who reported in the terminal, say).

No dispatcher runs for the console: its "platform" is this process's terminal,
reachable only while that user's `livedesk chat` runs. So the chat delivers in
process: before each turn it prints its own user's due messages and marks them
sent. Messages for other console users are given back untouched; they wait
for their user's next session (or expire, as any outbox message does).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta

from core.conversation import Reply
from core.outbox import SqlOutbox
from core.ports import Clock

CHANNEL = "console"
LEASE = timedelta(minutes=1)
BATCH = 50


class ConsoleOutbox:
    def __init__(self, store: SqlOutbox, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.worker_id = f"console:{os.getpid()}:{secrets.token_hex(4)}"

    def take(self, chat_id: str) -> list[Reply]:
        """This chat's due messages, in order, marked sent."""
        taken: list[Reply] = []
        # One claim holds at most the earliest unsent message of each chat:
        # claim again until this chat has nothing more.
        while True:
            now = self.clock.now()
            batch = self.store.claim_due(now, BATCH, self.worker_id, channel=CHANNEL, lease=LEASE)
            mine = [m for m in batch if m.chat_id == chat_id]
            self.store.release([m.id for m in batch if m.chat_id != chat_id], self.worker_id, now)
            if not mine:
                return taken
            for message in mine:
                taken.append(message.reply)
                self.store.mark_sent(message.id, self.worker_id, now)
