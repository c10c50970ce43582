"""Asking instead of guessing: words that do not say what is wrong, and one
message that names two problems.

Vague words ("又不行了", "fix your app") get no subtype and no priority: the
user is asked what is wrong (ASK_WHAT), with the categories as buttons, and
only the answer is classified. Two problems (TWO_PROBLEMS) are the user's to
split: both become tickets, each with its own subtype and the same words and
details, or the user keeps the one that matters.
"""

from __future__ import annotations

from core.conversation.describe import classified, describe, too_short
from core.conversation.draft import Draft
from core.conversation.messages import Reply
from core.conversation.prompts import prompt, subtype_of
from core.conversation.selfhelp import on_fixed
from core.conversation.turn import ConvState, Turn
from core.i18n import t
from core.taxonomy import SUBTYPES, Category, subtypes_of

# -- ASK_WHAT ----------------------------------------------------------------------


def on_what_text(turn: Turn, text: str) -> None:
    """The answer to "what is wrong?": classified alone, the first words kept."""
    if too_short(text):
        turn.say("too_short")
        prompt(turn)
        return
    describe(turn, text, vague_words=turn.draft.vague_words)
    if turn.state is ConvState.ASK_WHAT:
        # Still not said: the question again is already on screen; say why.
        turn.replies.insert(len(turn.replies) - 1, Reply(t(turn.lang, "still_vague")))


def on_what_category(turn: Turn, value: str) -> None:
    """A category instead of words: the user picks its subtype (no guess from
    the vague words, which say nothing about it).
    """
    if value not in set(Category):
        turn.say("stale_button")
        prompt(turn)
        return
    draft = turn.draft
    turn.draft = Draft(
        description=draft.vague_words or "",
        candidates=[s.id for s in subtypes_of(Category(value))],
        details=draft.details,
        attachments=draft.attachments,
        extra_texts=draft.extra_texts,
        skip_kb=draft.skip_kb,
    )
    turn.enter(ConvState.CHOOSE_TYPE)
    prompt(turn)


# -- TWO_PROBLEMS ------------------------------------------------------------------


def on_both(turn: Turn, _value: str) -> None:
    """Both problems: the first goes on as any report; the second is filed
    beside it, with the same words and details.
    """
    second = turn.draft.second
    if second is None:
        raise ValueError("TWO_PROBLEMS without a second problem")
    turn.say("both_noted", second=SUBTYPES[second].name(turn.lang))
    classified(turn)


def on_pick_one(turn: Turn, value: str) -> None:
    """Only one of the two problems is reported."""
    draft = turn.draft
    if value not in (draft.subtype, draft.second):
        turn.say("stale_button")
        prompt(turn)
        return
    draft.subtype, draft.second = value, None
    classified(turn)


def on_fixed_then_second(turn: Turn, value: str) -> None:
    """An article fixed the first problem: the second one, if the user wanted
    both, goes on as its own report with the same words and details.
    """
    old = turn.draft
    on_fixed(turn, value)
    if old.second is None or turn.state is not ConvState.IDLE:
        return
    turn.draft = Draft(
        description=old.description,
        subtype=old.second,
        scope=old.scope,
        confidence=old.confidence,
        cues=old.cues,
        details=old.details,
        attachments=old.attachments,
        extra_texts=old.extra_texts,
        tried=old.tried,
        affected=old.affected,
        skip_kb=old.skip_kb,
        vague_words=old.vague_words,
    )
    turn.say("now_second", subtype=SUBTYPES[subtype_of(turn)].name(turn.lang))
    classified(turn)
