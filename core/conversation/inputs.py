"""What kind of input an event is: a command, a button of the current prompt
(or a stale one), a file, or text; and which button typed text selects.
"""

from __future__ import annotations

from enum import StrEnum

from core.conversation import answers
from core.conversation.commands import COMMANDS, command_name
from core.conversation.prompts import choices
from core.conversation.turn import ConvState, Turn


class InputKind(StrEnum):
    TEXT = "text"
    ATTACHMENT = "attachment"
    COMMAND = "command"
    FOLLOWUP = "followup"  # "is it fixed?" and rating buttons, which name their ticket
    LANGUAGE = "language"  # the buttons of /lang
    STALE = "stale"  # a button of an earlier prompt, or of another chat
    # The buttons of the current prompt, "<step>:<kind>[:<value>]".
    PICK = "pick"
    OTHER = "other"
    CAT = "cat"
    FIXED = "fixed"
    NONE = "none"
    ANS = "ans"
    SKIP = "skip"
    DONE = "done"
    SUBMIT = "submit"
    EDIT = "edit"
    CANCEL = "cancel"
    BOTH = "both"  # two problems: report both


BUTTONS = frozenset(
    {
        InputKind.PICK,
        InputKind.OTHER,
        InputKind.CAT,
        InputKind.FIXED,
        InputKind.NONE,
        InputKind.ANS,
        InputKind.SKIP,
        InputKind.DONE,
        InputKind.SUBMIT,
        InputKind.EDIT,
        InputKind.CANCEL,
        InputKind.BOTH,
    }
)


def read_input(turn: Turn) -> tuple[InputKind, str] | None:
    """The kind of the event and its value; None when it was refused with an answer."""
    event = turn.event
    if event.command is not None:
        name = command_name(event.command)
        if name not in COMMANDS:
            turn.say("unknown_command")
            return None
        return InputKind.COMMAND, name
    if event.choice is not None:
        return _button(turn, event.choice)
    if event.attachment is not None:
        return InputKind.ATTACHMENT, ""
    text = answers.clean(event.text or "").strip()
    if not text:
        turn.say("empty_message")
        return None
    limit = turn.settings.max_message_chars
    if len(text) > limit:
        turn.say("message_too_long", limit=limit)
        return None
    return InputKind.TEXT, text


def _button(turn: Turn, choice_id: str) -> tuple[InputKind, str]:
    if choice_id.startswith(("g:fu:", "g:rate:")):
        return InputKind.FOLLOWUP, choice_id
    if choice_id.startswith("g:lang:"):
        return InputKind.LANGUAGE, choice_id.removeprefix("g:lang:")
    step, _, action = choice_id.partition(":")
    kind, _, value = action.partition(":")
    current = step == str(turn.conv.step) and turn.event.chat_id == turn.conv.chat_id
    if not current or kind not in BUTTONS:
        return InputKind.STALE, ""
    return InputKind(kind), value


def typed_action(turn: Turn, text: str) -> str | None:
    """The action a typed answer selects among the current prompt's buttons."""
    shown = choices(turn)
    if not shown:
        return None
    index = answers.choice_number(text, len(shown))
    if index is not None:
        return shown[index].id.partition(":")[2]
    simple = answers.simplify(text)
    for c in shown:
        if answers.simplify(c.label) == simple:
            return c.id.partition(":")[2]
    word = answers.word_kind(text)
    wanted = {
        "no": "none",
        "skip": "skip",
        "done": "done",
        "cancel": "cancel",
        "edit": "edit",
        # "yes" at an offer: the one article on screen helped.
        "yes": "submit" if turn.state is ConvState.CONFIRM else f"fixed:{turn.draft.kb_shown - 1}",
    }.get(word or "")
    actions = {c.id.partition(":")[2] for c in shown}
    return wanted if wanted in actions else None
