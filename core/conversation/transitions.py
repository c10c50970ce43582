"""The dialogue's states and transitions, declared in one table, and the dispatch
through it.

Every state declares what each kind of input does there (even if only "that
button is stale") and which states its handler may move to; `run` refuses a
handler that moves anywhere else. docs/conversation.md shows the table as a
diagram (core.conversation.diagram).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from core.conversation.clarify import (
    on_both,
    on_fixed_then_second,
    on_pick_one,
    on_what_category,
    on_what_text,
)
from core.conversation.commands import on_command, on_language
from core.conversation.describe import (
    on_category,
    on_other,
    on_pick,
    on_text_describe,
    on_text_idle,
)
from core.conversation.details import on_attachment, on_extra_text, on_skip
from core.conversation.fastpath import (
    on_after_answer,
    on_after_skip,
    on_after_text,
    on_detail_answer,
    on_detail_text,
)
from core.conversation.followup import on_followup
from core.conversation.inputs import InputKind, read_input, typed_action
from core.conversation.prompts import prompt
from core.conversation.selfhelp import on_kb_text, on_none
from core.conversation.submit import on_cancel, on_done, on_edit, on_submit
from core.conversation.turn import ConvState, Turn

Handler = Callable[[Turn, str], None]


class TransitionError(RuntimeError):
    """A handler moved the conversation to a state the table does not declare."""


@dataclass(frozen=True, slots=True)
class Transition:
    handler: Handler
    targets: frozenset[ConvState]


def run(turn: Turn, kind: InputKind, value: str) -> None:
    """Hand one input to the handler its state declares, and hold it to the table."""
    before = turn.state
    transition = TABLE[before][kind]
    transition.handler(turn, value)
    if turn.state not in transition.targets:
        raise TransitionError(
            f"{kind} in {before} moved to {turn.state}; declared: "
            + ", ".join(sorted(transition.targets))
        )


__all__ = ["TABLE", "InputKind", "Transition", "TransitionError", "read_input", "run"]


def _typed(otherwise: Handler) -> Handler:
    """Typed text at a prompt: a button's number, label or word works like the
    button; anything else goes to `otherwise`.
    """

    def handle(turn: Turn, text: str) -> None:
        action = typed_action(turn, text)
        if action is None:
            otherwise(turn, text)
            return
        kind, _, value = action.partition(":")
        run(turn, InputKind(kind), value)

    return handle


def on_stale(turn: Turn, _value: str) -> None:
    turn.say("stale_button")
    prompt(turn)


def on_unknown(turn: Turn, _value: str) -> None:
    turn.say("unknown_input")
    prompt(turn)


def on_after_attachment(turn: Turn, value: str) -> None:
    """A file while details are asked for the ticket: it goes to the ticket."""
    on_attachment(turn, value)
    prompt(turn)


# -- the table -------------------------------------------------------------------

S = ConvState
K = InputKind
_AFTER_DETAILS = (S.ASK_DETAIL, S.ATTACH, S.CONFIRM)
# A fast path filed the ticket: its remaining questions, or nothing left to ask.
_FILED = (S.TICKET_DETAIL, S.IDLE)
# Classified: articles, details, or (known outage, P0) the ticket at once.
_AFTER_CLASSIFY = (S.KB_OFFER, *_AFTER_DETAILS, *_FILED)
# A description: too short, vague (asked what is wrong), two problems, unsure
# (the user picks), or classified.
_DESCRIBED = (S.DESCRIBE, S.ASK_WHAT, S.TWO_PROBLEMS, S.CHOOSE_TYPE, *_AFTER_CLASSIFY)


def _go(handler: Handler, *targets: ConvState) -> Transition:
    return Transition(handler, frozenset(targets))


def _anywhere(state: ConvState) -> dict[InputKind, Transition]:
    """Inputs every state handles alike: commands, follow-up and language buttons,
    and stale buttons.
    """
    after_command = (S.IDLE, S.DESCRIBE) if state is S.IDLE else (S.IDLE, S.DESCRIBE, state)
    # /human moves a described report on to its details.
    if state is not S.IDLE:
        after_command = (*after_command, *_AFTER_DETAILS)
    return {
        K.COMMAND: _go(on_command, *after_command),
        K.FOLLOWUP: _go(on_followup, state),
        K.LANGUAGE: _go(on_language, state),
        K.STALE: _go(on_stale, state),
    }


def _stale(state: ConvState, *kinds: InputKind) -> dict[InputKind, Transition]:
    """Buttons that belong to other states' prompts."""
    return {kind: _go(on_stale, state) for kind in kinds}


TABLE: Mapping[ConvState, Mapping[InputKind, Transition]] = {
    S.IDLE: {
        **_anywhere(S.IDLE),
        K.TEXT: _go(on_text_idle, S.IDLE, *_DESCRIBED),
        K.ATTACHMENT: _go(on_attachment, S.IDLE, S.DESCRIBE),
        **_stale(S.IDLE, K.PICK, K.OTHER, K.CAT, K.FIXED, K.NONE, K.ANS, K.SKIP, K.DONE),
        **_stale(S.IDLE, K.SUBMIT, K.EDIT, K.CANCEL, K.BOTH),
    },
    S.DESCRIBE: {
        **_anywhere(S.DESCRIBE),
        K.TEXT: _go(on_text_describe, *_DESCRIBED),
        K.ATTACHMENT: _go(on_attachment, S.DESCRIBE),
        **_stale(S.DESCRIBE, K.PICK, K.OTHER, K.CAT, K.FIXED, K.NONE, K.ANS, K.SKIP, K.DONE),
        **_stale(S.DESCRIBE, K.SUBMIT, K.EDIT, K.CANCEL, K.BOTH),
    },
    S.ASK_WHAT: {
        **_anywhere(S.ASK_WHAT),
        # Only the answer is classified; a category button lists its subtypes.
        K.TEXT: _go(
            _typed(on_what_text), S.ASK_WHAT, S.TWO_PROBLEMS, S.CHOOSE_TYPE, *_AFTER_CLASSIFY
        ),
        K.ATTACHMENT: _go(on_attachment, S.ASK_WHAT),
        K.CAT: _go(on_what_category, S.ASK_WHAT, S.CHOOSE_TYPE),
        **_stale(S.ASK_WHAT, K.PICK, K.OTHER, K.FIXED, K.NONE, K.ANS, K.SKIP, K.DONE),
        **_stale(S.ASK_WHAT, K.SUBMIT, K.EDIT, K.CANCEL, K.BOTH),
    },
    S.TWO_PROBLEMS: {
        **_anywhere(S.TWO_PROBLEMS),
        K.TEXT: _go(_typed(on_unknown), S.TWO_PROBLEMS, *_AFTER_CLASSIFY),
        K.ATTACHMENT: _go(on_attachment, S.TWO_PROBLEMS),
        K.BOTH: _go(on_both, *_AFTER_CLASSIFY),
        K.PICK: _go(on_pick_one, S.TWO_PROBLEMS, *_AFTER_CLASSIFY),
        **_stale(S.TWO_PROBLEMS, K.OTHER, K.CAT, K.FIXED, K.NONE, K.ANS, K.SKIP, K.DONE),
        **_stale(S.TWO_PROBLEMS, K.SUBMIT, K.EDIT, K.CANCEL),
    },
    S.CHOOSE_TYPE: {
        **_anywhere(S.CHOOSE_TYPE),
        K.TEXT: _go(_typed(on_unknown), S.CHOOSE_TYPE, S.CHOOSE_CATEGORY, *_AFTER_CLASSIFY),
        K.ATTACHMENT: _go(on_attachment, S.CHOOSE_TYPE),
        K.PICK: _go(on_pick, S.CHOOSE_TYPE, *_AFTER_CLASSIFY),
        K.OTHER: _go(on_other, S.CHOOSE_CATEGORY),
        **_stale(S.CHOOSE_TYPE, K.CAT, K.FIXED, K.NONE, K.ANS, K.SKIP, K.DONE),
        **_stale(S.CHOOSE_TYPE, K.SUBMIT, K.EDIT, K.CANCEL, K.BOTH),
    },
    S.CHOOSE_CATEGORY: {
        **_anywhere(S.CHOOSE_CATEGORY),
        K.TEXT: _go(_typed(on_unknown), S.CHOOSE_CATEGORY, *_AFTER_CLASSIFY),
        K.ATTACHMENT: _go(on_attachment, S.CHOOSE_CATEGORY),
        K.CAT: _go(on_category, S.CHOOSE_CATEGORY, *_AFTER_CLASSIFY),
        **_stale(S.CHOOSE_CATEGORY, K.PICK, K.OTHER, K.FIXED, K.NONE, K.ANS, K.SKIP, K.DONE),
        **_stale(S.CHOOSE_CATEGORY, K.SUBMIT, K.EDIT, K.CANCEL, K.BOTH),
    },
    S.KB_OFFER: {
        **_anywhere(S.KB_OFFER),
        # "Fixed" with a second problem to report: that one goes on (classified).
        K.TEXT: _go(_typed(on_kb_text), S.IDLE, *_AFTER_CLASSIFY),
        K.ATTACHMENT: _go(on_attachment, S.KB_OFFER),
        K.FIXED: _go(on_fixed_then_second, S.IDLE, *_AFTER_CLASSIFY),
        # "Another suggestion" shows the next article; "still broken" the details.
        K.NONE: _go(on_none, S.KB_OFFER, *_AFTER_DETAILS),
        **_stale(S.KB_OFFER, K.PICK, K.OTHER, K.CAT, K.ANS, K.SKIP, K.DONE),
        **_stale(S.KB_OFFER, K.SUBMIT, K.EDIT, K.CANCEL, K.BOTH),
    },
    S.ASK_DETAIL: {
        **_anywhere(S.ASK_DETAIL),
        # After "is anyone else affected?": articles, or the page at once.
        K.TEXT: _go(_typed(on_detail_text), *_AFTER_CLASSIFY),
        K.ATTACHMENT: _go(on_attachment, S.ASK_DETAIL),
        K.ANS: _go(on_detail_answer, *_AFTER_CLASSIFY),
        K.SKIP: _go(on_skip, *_AFTER_DETAILS),
        **_stale(S.ASK_DETAIL, K.PICK, K.OTHER, K.CAT, K.FIXED, K.NONE, K.DONE),
        **_stale(S.ASK_DETAIL, K.SUBMIT, K.EDIT, K.CANCEL, K.BOTH),
    },
    S.ATTACH: {
        **_anywhere(S.ATTACH),
        K.TEXT: _go(_typed(on_extra_text), S.ATTACH, S.CONFIRM),
        K.ATTACHMENT: _go(on_attachment, S.ATTACH),
        K.DONE: _go(on_done, S.CONFIRM),
        **_stale(S.ATTACH, K.PICK, K.OTHER, K.CAT, K.FIXED, K.NONE, K.ANS, K.SKIP),
        **_stale(S.ATTACH, K.SUBMIT, K.EDIT, K.CANCEL, K.BOTH),
    },
    S.CONFIRM: {
        **_anywhere(S.CONFIRM),
        K.TEXT: _go(_typed(on_extra_text), S.IDLE, S.DESCRIBE, S.CONFIRM),
        K.ATTACHMENT: _go(on_attachment, S.CONFIRM),
        K.SUBMIT: _go(on_submit, S.IDLE),
        K.EDIT: _go(on_edit, S.DESCRIBE),
        K.CANCEL: _go(on_cancel, S.IDLE),
        **_stale(S.CONFIRM, K.PICK, K.OTHER, K.CAT, K.FIXED, K.NONE, K.ANS, K.SKIP, K.DONE),
        **_stale(S.CONFIRM, K.BOTH),
    },
    S.TICKET_DETAIL: {
        **_anywhere(S.TICKET_DETAIL),
        K.TEXT: _go(_typed(on_after_text), *_FILED),
        K.ATTACHMENT: _go(on_after_attachment, S.TICKET_DETAIL),
        K.ANS: _go(on_after_answer, *_FILED),
        K.SKIP: _go(on_after_skip, *_FILED),
        **_stale(S.TICKET_DETAIL, K.PICK, K.OTHER, K.CAT, K.FIXED, K.NONE, K.DONE),
        **_stale(S.TICKET_DETAIL, K.SUBMIT, K.EDIT, K.CANCEL, K.BOTH),
    },
}
