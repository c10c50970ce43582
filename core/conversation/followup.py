"""After the ticket exists: words and files for it, "is it fixed?", the rating."""

from __future__ import annotations

import re
from datetime import timedelta

from core.conversation import answers
from core.conversation.draft import StoredAttachment
from core.conversation.messages import TicketChanged, UserAddedToTicket
from core.conversation.outage import incident_news
from core.conversation.prompts import rating_prompt
from core.conversation.store import TicketView
from core.conversation.turn import Turn
from core.statuses import Status

_RESOLVED = (Status.FIXED.value, Status.WORKAROUND.value)

# "Still not fixed", short: a longer message is a new report, even if it says so.
_NOT_FIXED = re.compile(
    r"^(还|还是|仍然|依然)?\s*(没|没有|未)(解决|修好|好)(呢|啊|哦)?$|^(还是|仍然)(不行|不好|有问题)$|"
    r"^(still )?(not|isn'?t|hasn'?t been) (fixed|solved|working)( yet)?$|"
    r"^still (broken|not working)$"
)


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


def reopen_closed(turn: Turn, ticket: TicketView) -> None:
    """ "Not fixed" after the ticket closed: reopened within `[followup]
    reopen_within`, after that the user is asked to describe it anew.
    """
    window = turn.settings.reopen_within
    days = max(1, round(window / timedelta(days=1)))
    closed_at = ticket.closed_at
    if closed_at is None or turn.now - closed_at > window:
        turn.say("followup_too_late", ref=ticket.ref, days=days)
        return
    turn.store.reopen(ticket.ref, turn.now, reason="the user says it is not fixed after it closed")
    turn.events.append(TicketChanged(ticket.ref, "reopened"))
    turn.conv.active_ticket = ticket.ref
    turn.say("followup_closed_reopened", ref=ticket.ref)


def not_fixed_after_close(turn: Turn, text: str) -> bool:
    """Typed "还没解决" while the latest ticket is closed: handled like its button;
    True when it was.
    """
    ref = turn.conv.active_ticket
    if not ref or _NOT_FIXED.search(answers.simplify(text)) is None:
        return False
    ticket = turn.store.find_ticket(ref)
    if ticket is None or ticket.status != Status.CLOSED:
        return False
    reopen_closed(turn, ticket)
    return True


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
    elif kind == "fu" and answer == "n" and ticket.status == Status.CLOSED:
        reopen_closed(turn, ticket)
    elif kind == "rate" and len(answer) == 1 and answer in "12345" and ticket.satisfaction is None:
        turn.store.rate(ref, turn.now, satisfaction=int(answer))
        turn.events.append(TicketChanged(ref, "rated"))
        turn.draft.comment_for = ref
        turn.say("rate_thanks")
    else:
        turn.say("stale_button")
