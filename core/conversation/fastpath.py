"""The fast paths: a report of a known outage, and a P0.

Self-help articles cannot fix a platform fault, and a P0 must page at once, so
both skip the articles and the confirmation: the ticket is created through the
ticket service right away (it joins the open incident there, and a P0 ticket's
clock pages). What is still worth knowing is asked after, in TICKET_DETAIL,
and each answer updates the ticket (audited; agents' cards refresh).

A report that could be P0 (a P1 fault that is P0 when widespread) is asked one
question before anything else: "is anyone else affected?".
"""

from __future__ import annotations

from core.conversation import answers
from core.conversation.details import ask_details, take_answer, take_answer_text
from core.conversation.draft import Draft
from core.conversation.followup import add_to_ticket
from core.conversation.messages import TicketChanged, UserAddedToTicket
from core.conversation.outage import incident_news, tell_incident
from core.conversation.prompts import priority, prompt, subtype_of
from core.conversation.requirements import (
    AFFECTED,
    ANSWER_CHOICES,
    RELATIVE_TIMES,
    missing_details,
)
from core.conversation.selfhelp import offer_articles
from core.conversation.store import TicketView
from core.conversation.submit import file_second, file_ticket, promise
from core.conversation.turn import ConvState, Turn
from core.diagnostics import Diagnostics
from core.incidents.public import TELLING_DETAILS, PublicIncident
from core.statuses import Status
from core.taxonomy import Priority, scope_can_raise


def fast_path(turn: Turn) -> bool:
    """Take the report down a fast path if it is on one; True when it was."""
    draft = turn.draft
    subtype = subtype_of(turn)
    incident = turn.store.joinable_incident(subtype, draft.details)
    if incident is not None:
        known_outage(turn, incident)
        return True
    if priority(turn) == Priority.P0.value:
        page_now(turn)
        return True
    if scope_can_raise(subtype, draft.scope) and draft.affected is None:
        draft.pending = AFFECTED
        turn.enter(ConvState.ASK_DETAIL)
        prompt(turn)
        return True
    return False


def known_outage(turn: Turn, incident: PublicIncident) -> None:
    """Told it is known, given a ticket in the incident, asked at most one question."""
    known = turn.draft.details.known()
    ticket = file_ticket(turn)
    if ticket.incident is None:
        # Resolved between the look-up and the insert: an ordinary ticket now.
        turn.say("ticket_created", ref=ticket.ref, promise=promise(turn, ticket))
    else:
        tell_incident(turn, incident)
        turn.say("incident_ticket", ref=ticket.ref)
    file_second(turn)
    wanted = [d for d in TELLING_DETAILS if d not in incident.described and d not in known]
    ask_after(turn, ticket.ref, wanted[:1])


def page_now(turn: Turn) -> None:
    """A P0: the ticket at once (its clock pages), the other details after."""
    draft = turn.draft
    known = draft.details.known() | set(draft.asked) | {AFFECTED}
    wanted = missing_details(subtype_of(turn), draft.scope, known)
    ticket = file_ticket(turn)
    turn.say("ticket_created", ref=ticket.ref, promise=promise(turn, ticket))
    file_second(turn)
    # Its report may have completed a surge: then the outage is known from now on.
    incident_news(turn, ticket)
    if wanted:
        turn.say("p0_more_details")
    ask_after(turn, ticket.ref, wanted)


def ask_after(turn: Turn, ref: str, wanted: list[str]) -> None:
    told = turn.draft.incident
    if not wanted:
        turn.reset()
        turn.draft.incident = told
        return
    turn.draft = Draft(ticket_ref=ref, pending=wanted[0], after=wanted[1:], incident=told)
    turn.enter(ConvState.TICKET_DETAIL)
    prompt(turn)


def after_affected(turn: Turn) -> None:
    """Who else is affected is known: page now if that made it P0, else go on."""
    draft = turn.draft
    if draft.pending == AFFECTED:
        draft.asked.append(AFFECTED)
        draft.pending = None
    if fast_path(turn):
        return
    if draft.skip_kb or draft.kb_tried:
        ask_details(turn)
    else:
        offer_articles(turn)


# -- the handlers of ASK_DETAIL and TICKET_DETAIL ----------------------------------


def on_detail_answer(turn: Turn, value: str) -> None:
    """A button answer before the ticket exists."""
    affected = turn.draft.pending == AFFECTED
    if not take_answer(turn, value):
        return
    if affected:
        after_affected(turn)
    else:
        ask_details(turn, first=False)


def on_detail_text(turn: Turn, text: str) -> None:
    """A typed answer before the ticket exists."""
    affected = turn.draft.pending == AFFECTED
    take_answer_text(turn, text)
    if affected:
        after_affected(turn)
    else:
        ask_details(turn, first=False)


def on_after_answer(turn: Turn, value: str) -> None:
    pending = turn.draft.pending
    allowed = {v for v, _ in ANSWER_CHOICES.get(pending or "", ())}
    if pending is None or value not in allowed:
        turn.say("stale_button")
        prompt(turn)
        return
    if pending == "occurred_at":
        found = {"occurred_at": (turn.now - RELATIVE_TIMES[value]).isoformat()}
    else:
        found = {pending: value}
    _record(turn, Diagnostics.from_json(found))


def on_after_text(turn: Turn, text: str) -> None:
    draft = turn.draft
    pending = draft.pending or ""
    found, answered = answers.detail_answer(pending, text, turn.now, turn.settings.timezone)
    if answered:
        _record(turn, Diagnostics.from_json(found))
        return
    stated = {k: v for k, v in found.items() if k != "extras"}
    ref = draft.ticket_ref
    if stated and ref is not None:
        # "今天早上" where the device was asked: another detail. It goes to the
        # ticket, with the words themselves, and the question is asked again.
        said = Diagnostics.from_json(stated)
        turn.store.add_ticket_details(ref, said, turn.now)
        turn.events.append(TicketChanged(ref, "details_added"))
        draft.details = draft.details.merged(said)
        author = turn.conv.display_name or turn.event.user_id
        message_id = turn.store.add_user_message(ref, author, text, None, turn.now)
        turn.events.append(UserAddedToTicket(ref, message_id))
        turn.say("detail_noted")
        prompt(turn)
        return
    # Not an answer: words for the agent ("ok, I'll wait"). They go to the
    # ticket as any later message does, and the questions stop.
    ticket, told = _news(turn), draft.incident
    turn.reset()
    turn.draft.incident = turn.draft.incident or told
    if ticket is not None and ticket.status != Status.CLOSED:
        add_to_ticket(turn, ticket, text, None)


def on_after_skip(turn: Turn, _value: str) -> None:
    _news(turn)
    next_after(turn)


def _news(turn: Turn) -> TicketView | None:
    """The ticket may have joined an incident since the last turn."""
    ref = turn.draft.ticket_ref
    ticket = turn.store.find_ticket(ref) if ref else None
    if ticket is not None:
        incident_news(turn, ticket)
    return ticket


def _record(turn: Turn, details: Diagnostics) -> None:
    ref = turn.draft.ticket_ref
    if ref is None:
        raise ValueError("TICKET_DETAIL without a ticket")
    _news(turn)
    if details.known() or details.extras:
        turn.store.add_ticket_details(ref, details, turn.now)
        turn.events.append(TicketChanged(ref, "details_added"))
        # Remembered for the questions still to come ("小米13" answers the OS too).
        turn.draft.details = turn.draft.details.merged(details)
    next_after(turn)


def next_after(turn: Turn) -> None:
    draft = turn.draft
    known = draft.details.known()
    draft.after = [d for d in draft.after if d not in known]
    if draft.after:
        draft.pending = draft.after.pop(0)
        turn.enter(ConvState.TICKET_DETAIL)
        prompt(turn)
        return
    ref, told = draft.ticket_ref, draft.incident
    turn.reset()
    turn.draft.incident = told
    turn.say("after_done", ref=ref)
