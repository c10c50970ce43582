"""The conversation engine: from a user's first words to a ticket.

Adapters hand it neutral `Inbound` events and render the `Reply` objects it
returns. Everything it knows about a user's report is stored (the
conversation and its `Draft`), so a restart in the middle of a report loses
nothing. Each event is handled in one transaction of the store, together with
its delivery record, so a redelivered update changes nothing.

The path of an event: middleware (dedup, flood control), then the dialogue,
which loads the conversation and runs the handler the transition table
declares for its state and the kind of input (core.conversation.transitions).
"""

from __future__ import annotations

from dataclasses import replace

from core.conversation.draft import Draft
from core.conversation.messages import HandleResult, Inbound, Reply
from core.conversation.middleware import Dedup, FloodControl, Middleware, chain
from core.conversation.prompts import coalesce, followup_question
from core.conversation.settings import IntakeSettings
from core.conversation.sql_store import SqlConversationStores
from core.conversation.store import Conversation, ConversationStore, ConversationStores
from core.conversation.transitions import read_input, run
from core.conversation.turn import Classify, ConvState, Deps, Turn
from core.i18n import language_of
from core.ports import AttachmentStore, KnowledgeBase
from core.storage.db import Database
from core.tickets import TicketService

__all__ = ["Classify", "ConvState", "ConversationEngine", "ConversationFlow", "IntakeSettings"]


class ConversationFlow:
    """The engine over any store (the dialogue's unit tests use one in memory)."""

    def __init__(
        self,
        stores: ConversationStores,
        kb: KnowledgeBase,
        classify: Classify,
        attachments: AttachmentStore,
        settings: IntakeSettings,
    ) -> None:
        self.stores = stores
        self.deps = Deps(kb, classify, attachments, settings)
        self.settings = settings
        self.flood = FloodControl(
            settings.flood_messages, settings.flood_window, settings.default_language
        )
        middlewares: list[Middleware] = [Dedup(), self.flood]
        self._pipeline = chain(middlewares, self._dialogue)

    def handle(self, event: Inbound) -> HandleResult:
        with self.stores.transaction() as store:
            result = self._pipeline(event, store)
            if event.queue is None or not result.replies:
                return result
            # In the turn's transaction: the state change and the replies that
            # announce it commit together, or neither does (issue 18).
            store.queue_replies(event.channel, event.queue, result.replies, event.at)
            return replace(result, queued=True)

    @staticmethod
    def followup_question(lang: str, ref: str) -> Reply:
        """Asked after an agent resolved the ticket."""
        return followup_question(lang, ref)

    def _dialogue(self, event: Inbound, store: ConversationStore) -> HandleResult:
        conv = self._load(store, event)
        turn = Turn(store, conv, event, self.deps)
        read = read_input(turn)
        if read is not None:
            run(turn, *read)
        conv.updated_at = event.at
        store.save_conversation(conv)
        return HandleResult(coalesce(turn.replies), turn.events)

    def _load(self, store: ConversationStore, event: Inbound) -> Conversation:
        conv = store.load_conversation(event.channel, event.user_id)
        if conv is None:
            return Conversation(
                channel=event.channel,
                user_id=event.user_id,
                chat_id=event.chat_id,
                display_name=event.display_name[:200],
                language=language_of(event.language, self.settings.default_language),
                state=ConvState.IDLE.value,
                step=0,
                draft=Draft(fresh=True),
                updated_at=event.at,
            )
        if event.display_name:
            conv.display_name = event.display_name[:200]
        return conv


class ConversationEngine(ConversationFlow):
    """The engine over the database, as the composition root builds it."""

    def __init__(
        self,
        db: Database,
        tickets: TicketService,
        kb: KnowledgeBase,
        classify: Classify,
        attachments: AttachmentStore,
        settings: IntakeSettings,
    ) -> None:
        self.db = db
        self.tickets = tickets
        super().__init__(SqlConversationStores(db, tickets), kb, classify, attachments, settings)
