"""After the ticket exists: words and files for it, "is it fixed?", the rating."""

from __future__ import annotations

from core.conversation.draft import StoredAttachment
from core.conversation.messages import TicketChanged, UserAddedToTicket
from core.conversation.outage import incident_news
from core.conversation.prompts import rating_prompt
from core.conversation.store import TicketView
from core.conversation.turn import Turn
from core.statuses import Status

_RESOLVED = (Status.FIXED.value, Status.WORKAROUND.value)


def open_ticket(turn: Turn) -> TicketView | None:
    """The user's latest ticket while it is not closed: new messages go to it."""
    ref = turn.conv.active_ticket
    if not ref:
        return None
    ticket = turn.store.find_ticket(ref)
    if ticket is None or ticket.status == Status.CLOSED:
        return None
    return ticket


def add_to_ticket(
    turn: Turn, ticket: TicketView, text: str, attachment: StoredAttachment | None
) -> None:
    author = turn.conv.display_name or turn.event.user_id
    message_id = turn.store.add_user_message(ticket.ref, author, text, attachment, turn.now)
    turn.events.append(UserAddedToTicket(ticket.ref, message_id))
    if ticket.status == Status.WAITING_USER:
        turn.store.user_answered(ticket.ref, turn.now)
        turn.events.append(TicketChanged(ticket.ref, "user_answered"))
    turn.say("added_to_ticket", ref=ticket.ref)
    incident_news(turn, ticket)


def take_comment(turn: Turn, text: str) -> bool:
    """Words right after a rating are its comment; True when they were."""
    ref = turn.draft.comment_for
    if not ref:
        return False
    turn.draft.comment_for = None
    turn.store.rate(ref, turn.now, comment=text[:2000])
    turn.events.append(TicketChanged(ref, "commented"))
    turn.say("comment_thanks")
    return True


def on_followup(turn: Turn, choice_id: str) -> None:
    """Answers to "is it fixed?" and the rating. Their buttons name the ticket,
    so they work whatever report the user is busy with meanwhile.
    """
    _, kind, ref, answer = ([*choice_id.split(":"), "", "", "", ""])[:4]
    ticket = turn.store.find_ticket(ref) if ref else None
    event = turn.event
    mine = ticket is not None and (
        ticket.channel == event.channel
        and ticket.user_id == event.user_id
        and ticket.chat_id == event.chat_id
    )
    if ticket is None or not mine:
        turn.say("stale_button")
    elif kind == "fu" and answer == "y" and ticket.status in _RESOLVED:
        turn.store.confirm_fixed(ref, turn.now)
        turn.events.append(TicketChanged(ref, "confirmed"))
        if ticket.status == Status.WORKAROUND.value:
            turn.say("followup_workaround_kept")
        turn.replies.append(rating_prompt(turn.lang, ref))
    elif kind == "fu" and answer == "n" and ticket.status in (*_RESOLVED, Status.CONFIRMED):
        turn.store.reopen(ref, turn.now, reason="the user says it is not fixed")
        turn.events.append(TicketChanged(ref, "reopened"))
        turn.say("followup_reopened", ref=ref)
    elif kind == "rate" and len(answer) == 1 and answer in "12345" and ticket.satisfaction is None:
        turn.store.rate(ref, turn.now, satisfaction=int(answer))
        turn.events.append(TicketChanged(ref, "rated"))
        turn.draft.comment_for = ref
        turn.say("rate_thanks")
    else:
        turn.say("stale_button")
