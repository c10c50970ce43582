"""The console adapter: the conversation in a terminal, numbered choices.

With stdin piped it reads one line per turn, which is how tests script whole
conversations. Lines starting with "/" are commands; "/file PATH" sends a file.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from bot.console.outbox import ConsoleOutbox
from core.conversation import Attachment, ConversationEngine, Inbound, Reply
from core.conversation.answers import clean, small_number
from core.ports import Clock

CHANNEL = "console"


class ConsoleChat:
    def __init__(
        self,
        engine: ConversationEngine,
        out: TextIO,
        *,
        user: str,
        language: str | None,
        clock: Clock,
        outbox: ConsoleOutbox | None = None,
    ) -> None:
        self.engine = engine
        self.out = out
        self.user = user
        self.language = language
        self.clock = clock
        self.outbox = outbox
        self._choices: list[str] = []

    def run(self, lines: Iterable[str], prompt: Callable[[], None] | None = None) -> None:
        if prompt:
            prompt()
        for line in lines:
            self.turn(line.rstrip("\n"))
            if prompt:
                prompt()
        self.deliver_queued()

    def turn(self, line: str) -> None:
        self.deliver_queued()
        # A terminal can hand over undecodable bytes as lone surrogates
        # (surrogateescape), which no database or JSON encoder takes.
        event = self._event(clean(line))
        if event is None:
            return
        result = self.engine.handle(event)
        for reply in result.replies:
            self._render(reply)

    def deliver_queued(self) -> None:
        """Messages the outbox holds for this user, printed before the next turn."""
        if self.outbox is not None:
            for reply in self.outbox.take(self.user):
                self._render(reply)

    def _event(self, line: str) -> Inbound | None:
        base = {
            "channel": CHANNEL,
            "user_id": self.user,
            "chat_id": self.user,
            "display_name": self.user,
            "language": self.language,
            "at": self.clock.now(),
        }
        stripped = line.strip()
        if stripped.startswith("/file "):
            path = Path(stripped.removeprefix("/file ").strip())
            if not path.is_file():
                self.out.write(f"(no such file: {path})\n")
                return None
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            kind = "photo" if mime.startswith("image/") else "document"
            attachment = Attachment(kind, path.name, mime, path.read_bytes())
            return Inbound(**base, attachment=attachment)  # type: ignore[arg-type]
        if stripped.startswith("/") and len(stripped) > 1:
            return Inbound(**base, command=stripped[1:].split()[0])  # type: ignore[arg-type]
        # A number picks one of the choices just shown, like pressing its button.
        number = small_number(stripped)
        if number is not None and 1 <= number <= len(self._choices):
            choice = self._choices[number - 1]
            return Inbound(**base, choice=choice)  # type: ignore[arg-type]
        return Inbound(**base, text=line)  # type: ignore[arg-type]

    def _render(self, reply: Reply) -> None:
        self.out.write(f"bot> {reply.text}\n")
        if reply.choices:
            self._choices = [c.id for c in reply.choices]
            for i, c in enumerate(reply.choices, 1):
                self.out.write(f"     [{i}] {c.label}\n")
        if reply.request_file:
            self.out.write("     (send a file with: /file PATH)\n")
