"""Commands (/start, /help, /new, /cancel, /mytickets, /lang, /human, /status) and the
language buttons.
"""

from __future__ import annotations

from core.conversation.describe import greet
from core.conversation.details import ask_details
from core.conversation.messages import Choice, Reply
from core.conversation.prompts import prompt
from core.conversation.status import show_status
from core.conversation.turn import ConvState, Turn
from core.i18n import TRADITIONAL, t
from core.taxonomy import SUBTYPES

COMMANDS = frozenset({"start", "help", "new", "mytickets", "cancel", "lang", "human", "status"})
LANGUAGES = ("zh", TRADITIONAL, "en")
MY_TICKETS_SHOWN = 10


def command_name(raw: str) -> str:
    """ "/Start@LiveDeskBot" -> "start"."""
    return raw.lower().lstrip("/").split("@")[0]


def on_command(turn: Turn, command: str) -> None:
    match command:
        case "start":
            greet(turn)
            if turn.state in (ConvState.IDLE, ConvState.DESCRIBE):
                turn.enter(ConvState.DESCRIBE)
            else:
                prompt(turn)
        case "help":
            turn.say("help")
            prompt(turn)
        case "new":
            turn.reset()
            turn.enter(ConvState.DESCRIBE)
            turn.say("describe_prompt")
        case "cancel":
            if turn.state is ConvState.IDLE:
                turn.say("nothing_to_cancel")
            elif turn.state is ConvState.TICKET_DETAIL:
                # The ticket stands; only the remaining questions are dropped.
                ref = turn.draft.ticket_ref
                turn.reset()
                turn.say("after_done", ref=ref)
            else:
                turn.reset()
                turn.say("cancelled")
        case "mytickets":
            my_tickets(turn)
        case "lang":
            buttons = (
                Choice("g:lang:zh", "简体中文"),
                Choice(f"g:lang:{TRADITIONAL}", "繁體中文"),
                Choice("g:lang:en", "English"),
            )
            turn.replies.append(Reply(t(turn.lang, "language_prompt"), buttons))
        case "human":
            human(turn)
        case "status":
            show_status(turn)
            prompt(turn)
        case _:
            raise ValueError(f"unknown command {command!r}")


def human(turn: Turn) -> None:
    """Talk to a person: no knowledge-base articles, straight to the details."""
    turn.draft.skip_kb = True
    if turn.draft.described and turn.state is not ConvState.IDLE:
        ask_details(turn)
    else:
        turn.reset()
        turn.draft.skip_kb = True
        turn.enter(ConvState.DESCRIBE)
        turn.say("human_prompt")


def my_tickets(turn: Turn) -> None:
    tickets = turn.store.list_tickets(turn.event.channel, turn.event.user_id, MY_TICKETS_SHOWN)
    if not tickets:
        turn.say("my_tickets_none")
        return
    lang = turn.lang
    lines = [t(lang, "my_tickets_header")]
    lines += [
        t(
            lang,
            "my_tickets_line",
            ref=ticket.ref,
            subtype=SUBTYPES[ticket.subtype].name(lang),
            status=t(lang, f"status_{ticket.status}"),
        )
        for ticket in tickets
    ]
    turn.replies.append(Reply("\n".join(lines)))


def on_language(turn: Turn, lang: str) -> None:
    if lang in LANGUAGES:
        turn.conv.language = lang
        turn.say("language_set")
        prompt(turn)
