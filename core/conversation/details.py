"""Details: the questions each subtype needs, their answers, extra words and files."""

from __future__ import annotations

import re
from typing import Any

from core.conversation import answers
from core.conversation.draft import StoredAttachment
from core.conversation.followup import add_to_ticket, open_ticket
from core.conversation.prompts import priority, prompt, subtype_of
from core.conversation.requirements import (
    AFFECTED,
    ANSWER_CHOICES,
    RELATIVE_TIMES,
    attachments_help,
    missing_details,
)
from core.conversation.submit import confirm
from core.conversation.turn import ConvState, Turn
from core.diagnostics import Diagnostics
from core.filenames import safe_file_name
from core.taxonomy import Scope
from core.text import to_simplified
from core.triage import extract_details, others_affected

# States where no report is being told: words and files go to the open ticket.
_NO_DRAFT = (ConvState.IDLE, ConvState.DESCRIBE, ConvState.TICKET_DETAIL)

# Shown to agents among the classifier's cues ("why P0").
OTHERS_AFFECTED_CUE = "reporter: others are affected too"

# "我朋友也说没声音": someone else reports the same. The classifier's phrases miss
# hearsay, and reading it as "only me" would contradict the user.
_OTHERS_TOO = re.compile(
    r"(朋友|家人|同事|室友|同学|别人|其他人|其他用户|大家|好多人|他们|她们|我妈|我爸|老婆|老公)"
    r"[^，。！？,.!?]{0,4}(也|都)(?!正常|没问题|没事|能看|能听|好好的|可以)"
    r"(说|是|一样|这样|遇到|碰到|没|不|有|出现|反映)"
    r"|(friends?|family|others|everyone|other people)\b[^,.!?]{0,20}\b(too|as well|also|same)",
    re.IGNORECASE,
)


def others_said(text: str) -> bool | None:
    """Whether the user says others are affected: True, False (only them) or None."""
    if _OTHERS_TOO.search(to_simplified(text)) is not None:
        return True
    return others_affected(text)


def ask_details(turn: Turn, first: bool = True) -> None:
    """Ask the next missing detail; then for files where they help; then confirm."""
    draft = turn.draft
    if not first and draft.pending is not None:
        draft.asked.append(draft.pending)
        draft.pending = None
    # "extras" is never a detail's name; the old dict's keys included it, harmlessly.
    known = draft.details.known() | set(draft.asked)
    if draft.affected is not None:
        known.add(AFFECTED)
    subtype = subtype_of(turn)
    missing = missing_details(subtype, draft.scope, known)
    if missing:
        draft.pending = missing[0]
        turn.enter(ConvState.ASK_DETAIL)
        prompt(turn)
        return
    if attachments_help(subtype) and not draft.attachments:
        turn.enter(ConvState.ATTACH)
        prompt(turn)
        return
    confirm(turn)


def on_skip(turn: Turn, _value: str) -> None:
    ask_details(turn, first=False)


def on_answer(turn: Turn, value: str) -> None:
    """A button answer to the pending question."""
    if take_answer(turn, value):
        ask_details(turn, first=False)


def take_answer(turn: Turn, value: str) -> bool:
    """Keep a button answer; False (the prompt shown again) when the button is stale."""
    pending = turn.draft.pending
    allowed = {v for v, _ in ANSWER_CHOICES.get(pending or "", ())}
    if pending is None or value not in allowed:
        turn.say("stale_button")
        prompt(turn)
        return False
    if pending == AFFECTED:
        set_affected(turn, value)
    elif pending == "occurred_at":
        merge_details(turn, {"occurred_at": (turn.now - RELATIVE_TIMES[value]).isoformat()})
    else:
        merge_details(turn, {pending: value})
    return True


def on_answer_text(turn: Turn, text: str) -> None:
    """A typed answer to the pending question."""
    take_answer_text(turn, text)
    ask_details(turn, first=False)


def take_answer_text(turn: Turn, text: str) -> None:
    """Keep a typed answer to the pending question. The words themselves go to
    the report too ("所有直播间都没声音" says more than any field can hold).
    """
    pending = turn.draft.pending or ""
    tz = turn.settings.timezone
    keep_words(turn, text)
    if pending == AFFECTED:
        merge_details(turn, extract_details(text, turn.now, tz).to_json())
        word = answers.word_kind(text)
        others = {"yes": True, "no": False, "done": False}.get(word or "", others_said(text))
        value = {True: "others_too", False: "only_me", None: "not_sure"}[others]
        set_affected(turn, value, words=text)
        return
    if answers.word_kind(text) in ("skip", "done"):
        return  # "没有了" where an order id was asked: no answer, not an order id
    found, _answered = answers.detail_answer(pending, text, turn.now, tz)
    merge_details(turn, found)


def set_affected(turn: Turn, value: str, words: str = "", quiet: bool = False) -> None:
    """The user's answer to "is anyone else affected?"; others too makes it
    widespread, which is what raises a P1 fault to P0 (`quiet`: the description
    said so, and "understood" shows the raised priority anyway).
    """
    draft = turn.draft
    draft.affected = value
    extras = {AFFECTED: value, **({"affected_words": words[:200]} if words else {})}
    merge_details(turn, {"extras": extras})
    if value == "others_too" and draft.scope is Scope.SINGLE:
        draft.scope = Scope.WIDESPREAD
        draft.cues = [*draft.cues, OTHERS_AFFECTED_CUE]
        if not quiet:
            turn.say("scope_raised", priority=priority(turn))


def merge_details(turn: Turn, new: dict[str, Any]) -> None:
    turn.draft.details = turn.draft.details.merged(Diagnostics.from_json(new))


def keep_words(turn: Turn, text: str) -> None:
    """The user's own words for the summary and the ticket; a bare "yes" or
    "skip" says nothing an agent needs.
    """
    words = text.strip()
    if words and answers.word_kind(words) is None and not words.isdigit():
        turn.draft.extra_texts.append(words[: turn.settings.max_message_chars])


def extra_text(turn: Turn, text: str) -> None:
    """More words after the description: kept for the agent, details extracted."""
    if not text.strip() or turn.state in _NO_DRAFT:
        return
    turn.draft.extra_texts.append(text[: turn.settings.max_message_chars])
    found = extract_details(text, turn.now, turn.settings.timezone)
    merge_details(turn, found.to_json())


def on_extra_text(turn: Turn, text: str) -> None:
    """Words while waiting for files or the confirmation: kept, then asked again."""
    extra_text(turn, text)
    if turn.state is ConvState.ATTACH:
        prompt(turn)
    else:
        confirm(turn)


def on_attachment(turn: Turn, _value: str) -> None:
    """A file, and its caption: the caption travels with the file."""
    _keep_file(turn)
    if turn.event.text:
        extra_text(turn, answers.clean(turn.event.text))


def _keep_file(turn: Turn) -> None:
    attachment = turn.event.attachment
    if attachment is None:
        raise ValueError("an attachment event without an attachment")
    settings = turn.settings
    too_big = settings.max_attachment_bytes // (1024 * 1024)
    if attachment.size > settings.max_attachment_bytes:
        turn.say("attachment_too_big", limit=too_big)
        return
    if not attachment.data:
        turn.say("attachment_failed")
        return
    stored = turn.deps.attachments.save(attachment.data, attachment.file_name, attachment.mime)
    meta = StoredAttachment(
        kind=attachment.kind,
        # Shown to agents and uploaded to Slack under this name: made safe once, here.
        file_name=safe_file_name(attachment.file_name),
        mime=attachment.mime[:128],
        stored_path=stored.path,
        size=stored.size,
    )
    after = turn.state in (ConvState.IDLE, ConvState.TICKET_DETAIL)
    if after and (ticket := open_ticket(turn)) is not None:
        add_to_ticket(turn, ticket, "", meta)
        return
    if turn.state is ConvState.IDLE:
        turn.enter(ConvState.DESCRIBE)
    kept = turn.draft.attachments
    if len(kept) >= settings.max_attachments:
        turn.say("attachment_too_big", limit=too_big)
        return
    kept.append(meta)
    turn.say("attach_received", name=meta.file_name)
    if turn.state is ConvState.ATTACH:
        prompt(turn)
    elif turn.state is ConvState.DESCRIBE:
        turn.say("describe_prompt")
