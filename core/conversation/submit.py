"""Confirm and submit: the summary the user checks, and the ticket it becomes."""

from __future__ import annotations

from core.conversation.messages import TicketCreated
from core.conversation.prompts import prompt, subtype_of, summary
from core.conversation.store import TicketView
from core.conversation.turn import ConvState, Turn
from core.i18n import t
from core.tickets import TicketDraft


def confirm(turn: Turn) -> None:
    turn.enter(ConvState.CONFIRM)
    prompt(turn)


def on_done(turn: Turn, _value: str) -> None:
    """No more files: show the summary."""
    confirm(turn)


def on_submit(turn: Turn, _value: str) -> None:
    ticket = file_ticket(turn)
    turn.reset()
    turn.say("ticket_created", ref=ticket.ref, promise=t(turn.lang, f"promise_{ticket.priority}"))
    if ticket.incident is not None:
        turn.say("ticket_in_incident")
        turn.draft.incident = ticket.incident  # told: not again on the next message


def file_ticket(turn: Turn) -> TicketView:
    """The report becomes a ticket (joining its open incident, if any); it is
    the user's active ticket from now on.
    """
    draft, conv = turn.draft, turn.conv
    ticket_draft = TicketDraft(
        channel=turn.event.channel,
        external_user_id=turn.event.user_id,
        chat_id=conv.chat_id,
        display_name=conv.display_name or turn.event.user_id,
        language=turn.lang,
        subtype=subtype_of(turn),
        scope=draft.scope,
        summary=summary(turn),
        confidence=draft.confidence,
        diagnostics=draft.details,
        cues=tuple(draft.cues),
        kb_tried=tuple(draft.kb_tried),
    )
    ticket = turn.store.create_ticket(ticket_draft, list(draft.attachments), turn.now)
    conv.active_ticket = ticket.ref
    turn.events.append(TicketCreated(ticket.ref))
    return ticket


def on_edit(turn: Turn, _value: str) -> None:
    """Describe again; details and files told so far are kept."""
    turn.enter(ConvState.DESCRIBE)
    turn.draft.editing = True
    turn.say("describe_prompt")


def on_cancel(turn: Turn, _value: str) -> None:
    turn.reset()
    turn.say("cancelled")
