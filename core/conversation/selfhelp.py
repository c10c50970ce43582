"""Self-help: knowledge-base articles offered before a ticket, and the votes on them.

One article at a time, best first, its steps short and without the ones the
user says they tried; "another suggestion" shows the next, "still broken"
goes on to the details. Each shown article gets an offer vote, and a
not-helped vote when the user moves past it.
"""

from __future__ import annotations

from core.conversation import answers
from core.conversation.details import ask_details, keep_words, merge_details
from core.conversation.draft import Draft
from core.conversation.messages import ArticlesOffered, Reply, SelfServiceResolved
from core.conversation.prompts import prompt, subtype_of
from core.conversation.tried import STEPS_SHOWN, remaining_steps, tried_actions
from core.conversation.turn import ConvState, Turn
from core.diagnostics import KB_SEARCH
from core.i18n import localize, t

# "也一样", "还是卡": what the user tried did not help.
_NO_BETTER = ("一样", "还是", "没用", "不行", "没效果", "没有用", "same", "still", "didn't help")


def offer_articles(turn: Turn) -> None:
    """Articles with steps to try are offered one by one; an information article is only shown."""
    subtype = subtype_of(turn)
    draft = turn.draft
    text = "\n".join([draft.description or "", *draft.extra_texts])
    draft.tried = sorted({*draft.tried, *tried_actions(text)})
    suggestions = turn.deps.kb.suggest(draft.description or "", subtype, turn.settings.kb_limit)
    lang = turn.lang
    # An article whose every step the user tried has nothing left to offer.
    actionable = [
        a
        for a in suggestions
        if a.kind != "info" and remaining_steps(a.steps(lang), draft.tried, STEPS_SHOWN)
    ]
    # Kept on the ticket, so the report can tell "the knowledge base had nothing"
    # from "the knowledge base was never asked" (/human, the urgent fast path).
    merge_details(turn, {"extras": {KB_SEARCH: "offered" if actionable else "none_found"}})
    if actionable:
        draft.offers = [a.article_id for a in actionable]
        draft.kb_shown = 0
        _show_next(turn)
        return
    if suggestions and suggestions[0].kind == "info":
        info = suggestions[0]
        body = f"{t(lang, 'info_intro')}\n{info.title(lang)}\n{info.steps(lang)}"
        turn.replies.append(Reply(localize(lang, body)))
    ask_details(turn)


def _show_next(turn: Turn) -> None:
    draft = turn.draft
    article_id = draft.offers[draft.kb_shown]
    draft.kb_shown += 1
    turn.store.count_votes([article_id], "offers")
    turn.events.append(ArticlesOffered(subtype_of(turn), (article_id,)))
    turn.enter(ConvState.KB_OFFER)
    prompt(turn)


def on_fixed(turn: Turn, value: str) -> None:
    """An offered article solved it: no ticket, but a self-service resolution."""
    offers = turn.draft.offers[: turn.draft.kb_shown]
    index = answers.small_number(value)
    if index is None:
        turn.say("stale_button")
        prompt(turn)
        return
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


def on_none(turn: Turn, value: str) -> None:
    """The article on screen did not help: its vote, then the next article
    ("another suggestion") or the details ("still broken").
    """
    draft: Draft = turn.draft
    current = draft.offers[draft.kb_shown - 1 : draft.kb_shown]
    turn.store.count_votes(current, "not_helped")
    draft.kb_tried = [*draft.kb_tried, *(a for a in current if a not in draft.kb_tried)]
    if value == "next" and _has_next(turn):
        _show_next(turn)
        return
    draft.offers, draft.kb_shown = [], 0
    turn.say("kb_none_noted")
    ask_details(turn)


def on_kb_text(turn: Turn, text: str) -> None:
    """Words at an offer: "換了網路也一樣" says what was tried and that it did not
    help; the words are kept, tried steps are not offered again, and the next
    article (or the details) follows. Other words get "please use the buttons".
    """
    tried = tried_actions(text)
    simple = answers.simplify(text)
    if answers.word_kind(text) in ("skip", "done"):
        on_none(turn, "")  # "跳过": on to the details
        return
    if not tried and not any(word in simple for word in _NO_BETTER):
        turn.say("unknown_input")
        prompt(turn)
        return
    keep_words(turn, text)
    turn.draft.tried = sorted({*turn.draft.tried, *tried})
    on_none(turn, "next")


def _has_next(turn: Turn) -> bool:
    """Skips articles with no step left that the user has not tried."""
    draft, lang = turn.draft, turn.lang
    while draft.kb_shown < len(draft.offers):
        article = turn.deps.kb.get(draft.offers[draft.kb_shown])
        if article is not None and remaining_steps(article.steps(lang), draft.tried, STEPS_SHOWN):
            return True
        draft.kb_shown += 1
    return False
