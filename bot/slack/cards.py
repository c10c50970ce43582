"""From a ticket in the database to the card agents see."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.slack.blocks import CardData
from core.incidents.related import group_of
from core.incidents.store import incident_of_ticket
from core.masking import mask_diagnostics, mask_text
from core.ports import KnowledgeBase
from core.storage.db import Database
from core.storage.tables import AttachmentRow, PostClaimRow, TicketPostRow, TicketRow

PLATFORM = "slack"


def record_post(db: Database, ref: str, kind: str, answer: Any, now: datetime) -> None:
    """Which ticket or incident a message Slack has just posted belongs to (its
    card, a copy in another channel, a page): threads and refreshes find it so.
    `answer` is chat.postMessage's."""
    with db.session() as s:
        s.add(
            TicketPostRow(
                ticket_ref=ref,
                platform=PLATFORM,
                kind=kind,
                channel=str(answer["channel"]),
                ts=str(answer["ts"]),
                created_at=now,
            )
        )


# A claim on posting a card that was never followed by the card (its instance
# died in between, or Slack stayed away) is taken over after this long.
CLAIM_STALE = timedelta(seconds=60)


def claim_post(db: Database, key: str, now: datetime, stale: timedelta = CLAIM_STALE) -> bool:
    """Whether this instance posts the message `key` names (a ticket's or an
    incident's card): it is the first to claim it, or it takes over a claim
    older than `stale` whose instance never posted. Several instances learn of
    a new incident at once, and each sweeps for missing cards; one posts.
    """
    try:
        with db.session() as s:
            s.add(PostClaimRow(key=key, claimed_at=now))
        return True
    except IntegrityError:
        pass
    with db.session() as s:
        taken = s.execute(
            update(PostClaimRow)
            .where(col(PostClaimRow.key) == key, col(PostClaimRow.claimed_at) < now - stale)
            .values(claimed_at=now)
        )
        return bool(taken.rowcount == 1)  # type: ignore[attr-defined]


def card_data(
    s: Session, ticket: TicketRow, kb: KnowledgeBase, *, finance_view: bool, timezone: str
) -> CardData:
    assert ticket.ref is not None
    linked = incident_of_ticket(s, ticket.ref)
    incident = linked.ref if linked is not None else None
    attachments = s.exec(
        select(AttachmentRow)
        .where(AttachmentRow.ticket_id == ticket.id)
        .order_by(col(AttachmentRow.id))
    ).all()
    tried = [a.title_zh + " / " + a.title_en for a in map(kb.get, ticket.kb_tried) if a is not None]
    diagnostics = mask_diagnostics(ticket.diagnostics, finance_viewer=finance_view)
    shown = {k: str(v) for k, v in diagnostics.items() if k != "extras"}
    # The reporter's answer to "is anyone else affected?", when it was asked.
    if affected := ticket.diagnostics.get("extras", {}).get("affected"):
        shown["affected"] = str(affected)
    return CardData(
        ref=ticket.ref,
        priority=ticket.priority,
        status=ticket.status,
        category=ticket.category,
        subtype=ticket.subtype,
        scope=ticket.scope,
        summary=mask_text(ticket.summary, ticket.diagnostics, finance_viewer=finance_view),
        reporter=ticket.display_name,
        channel=ticket.channel,
        diagnostics=shown,
        attachments=[(a.file_name, None) for a in attachments],
        kb_tried=tried,
        cues=list(ticket.cues),
        due=ticket.first_response_due,
        first_response_at=ticket.first_response_at,
        assignee=ticket.assignee,
        tier=ticket.tier,
        outcome=ticket.outcome,
        root_cause=ticket.root_cause,
        timezone=timezone,
        incident=incident,
        can_form_incident=group_of(ticket.subtype) is not None,
        finance_masked=ticket.category == "finance" and not finance_view,
        language=ticket.language,
    )


def posts_of(
    s: Session, ref: str, kinds: tuple[str, ...] = ("card", "copy")
) -> list[TicketPostRow]:
    return list(
        s.exec(
            select(TicketPostRow).where(
                TicketPostRow.ticket_ref == ref,
                TicketPostRow.platform == PLATFORM,
                col(TicketPostRow.kind).in_(kinds),
            )
        ).all()
    )


def ticket_for_thread(s: Session, channel: str, thread_ts: str) -> str | None:
    post = s.exec(
        select(TicketPostRow).where(
            TicketPostRow.platform == PLATFORM,
            TicketPostRow.channel == channel,
            TicketPostRow.ts == thread_ts,
            col(TicketPostRow.kind).in_(("card", "copy")),
        )
    ).first()
    return post.ticket_ref if post else None
