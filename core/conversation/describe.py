"""Describe and classify: the user's own words become a subtype, a scope and a priority."""

from __future__ import annotations

from core.conversation import answers
from core.conversation.details import ask_details, merge_details, others_said, set_affected
from core.conversation.draft import Draft
from core.conversation.fastpath import fast_path
from core.conversation.followup import (
    add_to_ticket,
    not_fixed_after_close,
    open_ticket,
    take_comment,
)
from core.conversation.prompts import priority, prompt, subtype_of
from core.conversation.requirements import needs_security_warning
from core.conversation.selfhelp import offer_articles
from core.conversation.turn import ConvState, Turn
from core.taxonomy import SUBTYPES, Category, Scope, subtypes_of

GREETINGS = frozenset({"hi", "hello", "hey", "你好", "您好", "在吗", "在不在", "哈喽", "嗨"})


def greet(turn: Turn) -> None:
    name = turn.conv.display_name
    turn.say("greeting", name=f" {name}" if name else "")
    turn.say("help")
    turn.draft.fresh = False


def on_text_idle(turn: Turn, text: str) -> None:
    """Between reports: a rating's comment, words for the open ticket, or a new report."""
    if take_comment(turn, text):
        return
    if not_fixed_after_close(turn, text):
        return
    if (ticket := open_ticket(turn)) is not None:
        add_to_ticket(turn, ticket, text, None)
        return
    if answers.simplify(text) in GREETINGS:
        greet(turn)
        turn.enter(ConvState.DESCRIBE)
        return
    describe(turn, text)


def on_text_describe(turn: Turn, text: str) -> None:
    if answers.simplify(text) in GREETINGS:
        greet(turn)
        return
    describe(turn, text)


def too_short(text: str) -> bool:
    return len(text) < 4 and not any("\u4e00" <= ch <= "\u9fff" for ch in text)


def describe(turn: Turn, text: str, vague_words: str | None = None) -> None:
    """Classify a description. `vague_words`: earlier words that did not say what
    is wrong (the answer to "what is wrong?" is classified alone, they are kept).
    """
    if too_short(text):
        turn.enter(ConvState.DESCRIBE)
        turn.say("too_short")
        return
    settings = turn.settings
    verdict = turn.deps.classify(text, turn.now)
    old = turn.draft
    # Editing keeps the details and files told so far; a new report keeps only
    # the files (and their captions) sent before its description.
    # An answer to "what is wrong?" keeps what the first words told too.
    keep = old.editing or old.vague_words is not None
    previous = old if keep else Draft(attachments=old.attachments)
    if verdict.vague:
        # No guess and no priority from words that do not say what is wrong:
        # ask, and file nothing until the answer says it.
        said = "\n".join(w for w in (vague_words, text) if w)
        turn.draft = Draft(
            vague_words=said[: settings.max_message_chars],
            details=previous.details,
            attachments=previous.attachments,
            extra_texts=old.extra_texts if old.editing or not old.described else [],
            skip_kb=old.skip_kb,
        )
        merge_details(turn, verdict.details.to_json())
        turn.enter(ConvState.ASK_WHAT)
        prompt(turn)
        return
    scope, cues = verdict.scope, list(verdict.cues)
    if vague_words and scope is Scope.SINGLE:
        # Who is affected may have been said before "what is wrong?" was asked
        # ("全平台都这样了，大家都是", then "黑屏"): those words count for it too.
        earlier = turn.deps.classify(vague_words, turn.now)
        if earlier.scope is Scope.WIDESPREAD:
            scope, cues = earlier.scope, [*cues, *earlier.cues]
    turn.draft = Draft(
        description=text,
        subtype=verdict.subtype,
        scope=scope,
        confidence=round(verdict.confidence, 3),
        cues=list(dict.fromkeys(cues))[:10],
        candidates=verdict.offered_types(),
        details=previous.details,
        attachments=previous.attachments,
        extra_texts=old.extra_texts if old.editing or not old.described else [],
        skip_kb=old.skip_kb,
        vague_words=vague_words,
    )
    merge_details(turn, verdict.details.to_json())
    others = others_said(text)
    if others is None and vague_words:
        others = others_said(vague_words)
    if others is False:
        # "只有我这样" already answers who else is affected.
        turn.draft.affected = "only_me"
    elif others is True:
        # "我朋友也说…": the user said so; asking again would doubt them.
        set_affected(turn, "others_too", quiet=True)
    if verdict.second_subtype is not None and verdict.second_subtype != verdict.subtype:
        # Both named clearly: the user decides whether they are two reports.
        turn.draft.second = verdict.second_subtype
        turn.enter(ConvState.TWO_PROBLEMS)
        prompt(turn)
    elif verdict.asks_type(settings.confidence_threshold):
        turn.enter(ConvState.CHOOSE_TYPE)
        prompt(turn)
    else:
        classified(turn)


def classified(turn: Turn) -> None:
    subtype = subtype_of(turn)
    turn.say("understood", subtype=SUBTYPES[subtype].name(turn.lang), priority=priority(turn))
    if subtype == "acct.stolen":
        turn.say("stolen_now")
    if needs_security_warning(subtype):
        turn.say("security_warning")
    if fast_path(turn):
        return
    if turn.draft.skip_kb:
        ask_details(turn)
    else:
        offer_articles(turn)


def on_pick(turn: Turn, value: str) -> None:
    """One of the offered subtypes."""
    if value not in SUBTYPES:
        turn.say("stale_button")
        prompt(turn)
        return
    turn.draft.subtype = value
    classified(turn)


def on_other(turn: Turn, _value: str) -> None:
    """None of the offered subtypes: choose the category."""
    turn.enter(ConvState.CHOOSE_CATEGORY)
    prompt(turn)


def on_category(turn: Turn, value: str) -> None:
    """A category: its subtype the classifier liked best, or its first."""
    if value not in set(Category):
        turn.say("stale_button")
        prompt(turn)
        return
    category = Category(value)
    best = next(
        (c for c in turn.draft.candidates if SUBTYPES[c].category is category),
        subtypes_of(category)[0].id,
    )
    turn.draft.subtype = best
    classified(turn)
