"""Confirm and submit: the summary the user checks, and the ticket it becomes."""

from __future__ import annotations

from datetime import timedelta

from core.conversation.messages import TicketCreated
from core.conversation.prompts import prompt, subtype_of, summary
from core.conversation.store import TicketView
from core.conversation.turn import ConvState, Turn
from core.i18n import t
from core.taxonomy import SUBTYPES, Priority
from core.tickets import TicketDraft


def confirm(turn: Turn) -> None:
    turn.enter(ConvState.CONFIRM)
    prompt(turn)


def on_done(turn: Turn, _value: str) -> None:
    """No more files: show the summary."""
    confirm(turn)


def on_submit(turn: Turn, _value: str) -> None:
    ticket = file_ticket(turn)
    turn.say("ticket_created", ref=ticket.ref, promise=promise(turn, ticket))
    file_second(turn)
    turn.reset()
    if ticket.incident is not None:
        turn.say("ticket_in_incident")
        turn.draft.incident = ticket.incident  # told: not again on the next message


def promise(turn: Turn, ticket: TicketView) -> str:
    """When we answer, as the ticket's first-response clock says: the configured
    time ("within 1 hour"), or the moment when business hours push it later.
    """
    lang, due = turn.lang, ticket.first_response_due
    configured = turn.settings.first_response[Priority(ticket.priority)]
    kind = {"P0": "urgent", "P3": "suggestion"}.get(ticket.priority, "plain")
    # A clock that started at once runs out after the configured time (a minute's
    # slack for the moments between the ticket's insert and this answer).
    if due is None or due - turn.now <= configured + timedelta(minutes=1):
        return t(lang, f"promise_{kind}", within=duration_text(lang, configured))
    local = due.astimezone(turn.settings.timezone)
    return t(lang, f"promise_{kind}_by", at=local.strftime("%m-%d %H:%M"))


def duration_text(lang: str, span: timedelta) -> str:
    """A rounded span: "15 分钟", "1 hour 30 minutes"."""
    minutes = max(1, round(span.total_seconds() / 60))
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(t(lang, "span_hours" if hours != 1 else "span_hour", n=hours))
    if rest:
        parts.append(t(lang, "span_minutes" if rest != 1 else "span_minute", n=rest))
    return t(lang, "span_join").join(parts)


def file_ticket(turn: Turn) -> TicketView:
    """The report becomes a ticket (joining its open incident, if any); it is
    the user's active ticket from now on.
    """
    draft, conv = turn.draft, turn.conv
    report = ticket_draft(turn, subtype_of(turn))
    ticket = turn.store.create_ticket(report, list(draft.attachments), turn.now)
    conv.active_ticket = ticket.ref
    turn.events.append(TicketCreated(ticket.ref))
    return ticket


def ticket_draft(turn: Turn, subtype: str, second: bool = False) -> TicketDraft:
    """The report as a ticket of `subtype`: the user's words, details and cues
    (the articles tried were for the first problem, not for a `second`).
    """
    draft, conv = turn.draft, turn.conv
    return TicketDraft(
        channel=turn.event.channel,
        external_user_id=turn.event.user_id,
        chat_id=conv.chat_id,
        display_name=conv.display_name or turn.event.user_id,
        language=turn.lang,
        subtype=subtype,
        scope=draft.scope,
        summary=summary(turn),
        confidence=draft.confidence,
        diagnostics=draft.details,
        cues=tuple(draft.cues),
        kb_tried=() if second else tuple(draft.kb_tried),
    )


def file_second(turn: Turn) -> None:
    """The second problem's ticket, if the user wanted both reported: its own
    subtype, the same words and details. The files stay with the first ticket
    only, so that removing one ticket's files never takes the other's.
    """
    draft = turn.draft
    if draft.second is None:
        return
    subtype, draft.second = draft.second, None
    ticket = turn.store.create_ticket(ticket_draft(turn, subtype, second=True), [], turn.now)
    turn.events.append(TicketCreated(ticket.ref))
    turn.say(
        "second_ticket_created",
        ref=ticket.ref,
        subtype=SUBTYPES[subtype].name(turn.lang),
        promise=promise(turn, ticket),
    )
    if ticket.incident is not None:
        turn.say("ticket_in_incident")


def on_edit(turn: Turn, _value: str) -> None:
    """Describe again; details and files told so far are kept."""
    turn.enter(ConvState.DESCRIBE)
    turn.draft.editing = True
    turn.say("describe_prompt")


def on_cancel(turn: Turn, _value: str) -> None:
    turn.reset()
    turn.say("cancelled")
