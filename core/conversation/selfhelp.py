"""Self-help: knowledge-base articles offered before a ticket, and the votes on them."""

from __future__ import annotations

from core.conversation.details import ask_details, merge_details
from core.conversation.draft import Draft
from core.conversation.messages import ArticlesOffered, Reply, SelfServiceResolved
from core.conversation.prompts import prompt, subtype_of
from core.conversation.turn import ConvState, Turn
from core.diagnostics import KB_SEARCH
from core.i18n import t


def offer_articles(turn: Turn) -> None:
    """Articles with steps to try become buttons; an information article is only shown."""
    subtype = subtype_of(turn)
    description = turn.draft.description or ""
    suggestions = turn.deps.kb.suggest(description, subtype, turn.settings.kb_limit)
    actionable = [a for a in suggestions if a.kind != "info"]
    # Kept on the ticket, so the report can tell "the knowledge base had nothing"
    # from "the knowledge base was never asked" (/human, the urgent fast path).
    merge_details(turn, {"extras": {KB_SEARCH: "offered" if actionable else "none_found"}})
    if actionable:
        offers = [a.article_id for a in actionable]
        turn.draft.offers = offers
        turn.store.count_votes(offers, "offers")
        turn.events.append(ArticlesOffered(subtype, tuple(offers)))
        turn.enter(ConvState.KB_OFFER)
        prompt(turn)
        return
    if suggestions:
        info, lang = suggestions[0], turn.lang
        body = f"{t(lang, 'info_intro')}\n{info.title(lang)}\n{info.steps(lang)}"
        turn.replies.append(Reply(body))
    ask_details(turn)


def on_fixed(turn: Turn, value: str) -> None:
    """An offered article solved it: no ticket, but a self-service resolution."""
    offers = turn.draft.offers
    if not value.isdigit():
        turn.say("stale_button")
        prompt(turn)
        return
    index = int(value)
    if index >= len(offers):
        turn.say("unknown_input")
        prompt(turn)
        return
    article_id = offers[index]
    subtype = subtype_of(turn)
    turn.store.count_votes([article_id], "helped")
    turn.store.record_self_service(
        turn.event.channel, turn.event.user_id, subtype, article_id, turn.now
    )
    turn.events.append(SelfServiceResolved(subtype, article_id))
    turn.reset()
    turn.say("kb_fixed_thanks")


def on_none(turn: Turn, _value: str) -> None:
    """None of the articles helped: each gets a vote, and the report goes on."""
    draft: Draft = turn.draft
    tried, draft.offers = draft.offers, []
    turn.store.count_votes(tried, "not_helped")
    draft.kb_tried = tried
    turn.say("kb_none_noted")
    ask_details(turn)
