"""The conversation engine: from a user's first words to a ticket.

Adapters hand it neutral `Inbound` events and render the `Reply` objects it
returns. Everything it knows about a user's report lives in the database
(`conversation` row), so a restart in the middle of a report loses nothing.
Each event is handled in one transaction together with its inbox record, so
a redelivered update changes nothing.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from core.conversation import answers
from core.conversation.messages import (
    ArticlesOffered,
    Attachment,
    Choice,
    DomainEvent,
    HandleResult,
    Inbound,
    Reply,
    SelfServiceResolved,
    TicketChanged,
    TicketCreated,
    UserAddedToTicket,
)
from core.conversation.requirements import (
    AFFECTED,
    ANSWER_CHOICES,
    RELATIVE_TIMES,
    attachments_help,
    missing_details,
    needs_security_warning,
)
from core.diagnostics import Diagnostics
from core.i18n import language_of, t
from core.ports import ArticleSuggestion, AttachmentStore, KnowledgeBase
from core.statuses import Status
from core.storage.audit_store import append_event, personal_ref
from core.storage.db import Database
from core.storage.feedback import count_votes
from core.storage.inbox import claim_delivery
from core.storage.tables import (
    AttachmentRow,
    ConversationRow,
    SelfServiceRow,
    TicketMessageRow,
    TicketRow,
)
from core.taxonomy import CATEGORY_NAMES, SUBTYPES, Category, Scope, priority_for, subtypes_of
from core.tickets import TicketDraft, TicketService
from core.triage import Verdict, extract_details, others_affected

Classify = Callable[[str, datetime], Verdict]
_RECENT_SWEEP_MIN = 1024  # flood windows kept before quiet users are swept


class ConvState(StrEnum):
    IDLE = "idle"
    DESCRIBE = "describe"
    CHOOSE_TYPE = "choose_type"
    CHOOSE_CATEGORY = "choose_category"
    KB_OFFER = "kb_offer"
    ASK_DETAIL = "ask_detail"
    ATTACH = "attach"
    CONFIRM = "confirm"


COMMANDS = frozenset({"start", "help", "new", "mytickets", "cancel", "lang", "human"})
# Shown to agents among the classifier's cues ("why P0").
OTHERS_AFFECTED_CUE = "reporter: others are affected too"
GREETINGS = frozenset({"hi", "hello", "hey", "你好", "您好", "在吗", "在不在", "哈喽", "嗨"})


@dataclass(frozen=True, slots=True)
class IntakeSettings:
    timezone: ZoneInfo
    default_language: str = "zh"
    confidence_threshold: float = 0.45
    kb_limit: int = 3
    max_message_chars: int = 4000
    max_attachment_bytes: int = 20 * 1024 * 1024
    max_attachments: int = 10
    flood_messages: int = 20
    flood_window: timedelta = timedelta(minutes=1)


@dataclass
class _Turn:
    """One event being handled: the conversation, and what to answer."""

    session: Session
    conv: ConversationRow
    event: Inbound
    data: dict[str, Any]
    replies: list[Reply] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return self.conv.language

    @property
    def now(self) -> datetime:
        return self.event.at

    @property
    def state(self) -> ConvState:
        return ConvState(self.conv.state)

    def say(self, key: str, **values: object) -> None:
        self.replies.append(Reply(t(self.lang, key, **values)))

    def enter(self, state: ConvState) -> None:
        """A new prompt: buttons of earlier prompts become stale."""
        self.conv.state = state.value
        self.conv.step += 1

    def choice(self, action: str, label: str) -> Choice:
        return Choice(id=f"{self.conv.step}:{action}", label=label)


class ConversationEngine:
    def __init__(
        self,
        db: Database,
        tickets: TicketService,
        kb: KnowledgeBase,
        classify: Classify,
        attachments: AttachmentStore,
        settings: IntakeSettings,
    ) -> None:
        self.db = db
        self.tickets = tickets
        self.kb = kb
        self.classify = classify
        self.attachments = attachments
        self.settings = settings
        self._recent: dict[tuple[str, str], deque[datetime]] = {}
        self._sweep_recent_at = _RECENT_SWEEP_MIN

    # -- entry point -----------------------------------------------------------

    def handle(self, event: Inbound) -> HandleResult:
        if self._flooded(event):
            lang = language_of(event.language, self.settings.default_language)
            return HandleResult([Reply(t(lang, "flood"))])
        with self.db.session() as s:
            if event.delivery_id is not None and not claim_delivery(
                s, event.channel, event.delivery_id, event.at
            ):
                return HandleResult(duplicate=True)
            conv = self._load(s, event)
            # A deep copy: the column only saves when the value compares unequal.
            turn = _Turn(s, conv, event, copy.deepcopy(conv.data))
            self._dispatch(turn)
            conv.data = turn.data
            conv.updated_at = event.at
            s.add(conv)
        return HandleResult(_coalesce(turn.replies), turn.events)

    def _flooded(self, event: Inbound) -> bool:
        """A per-user sliding window, so a looping client gets a polite answer
        instead of an endless stream of reports.
        """
        key = (event.channel, event.user_id)
        if len(self._recent) > self._sweep_recent_at:
            # Users quiet for a whole window are forgotten: memory stays bounded.
            limit = self.settings.flood_window
            self._recent = {
                k: w for k, w in self._recent.items() if w and event.at - w[-1] <= limit
            }
            self._sweep_recent_at = max(_RECENT_SWEEP_MIN, 2 * len(self._recent))
        window = self._recent.setdefault(key, deque())
        while window and event.at - window[0] > self.settings.flood_window:
            window.popleft()
        window.append(event.at)
        return len(window) > self.settings.flood_messages

    def _load(self, s: Session, event: Inbound) -> ConversationRow:
        query = select(ConversationRow).where(
            ConversationRow.channel == event.channel, ConversationRow.user_id == event.user_id
        )
        conv = s.exec(query.with_for_update()).first()
        if conv is None:
            conv = ConversationRow(
                channel=event.channel,
                user_id=event.user_id,
                chat_id=event.chat_id,
                display_name=event.display_name[:200],
                language=language_of(event.language, self.settings.default_language),
                state=ConvState.IDLE.value,
                data={"fresh": True},
                updated_at=event.at,
            )
            s.add(conv)
        elif event.display_name:
            conv.display_name = event.display_name[:200]
        return conv

    def _dispatch(self, turn: _Turn) -> None:
        ev = turn.event
        if ev.command is not None:
            self._command(turn, ev.command)
        elif ev.choice is not None:
            self._choice(turn, ev.choice)
        elif ev.attachment is not None:
            self._attachment(turn, ev.attachment)
            if ev.text:  # a caption travels with the file
                self._extra_text(turn, self._clean(ev.text))
        elif ev.text is not None:
            self._text(turn, ev.text)
        else:
            turn.say("empty_message")

    # -- commands ----------------------------------------------------------------

    def _command(self, turn: _Turn, command: str) -> None:
        command = command.lower().lstrip("/").split("@")[0]
        if command not in COMMANDS:
            turn.say("unknown_command")
            return
        if command == "start":
            self._greet(turn)
            if turn.state in (ConvState.IDLE, ConvState.DESCRIBE):
                turn.enter(ConvState.DESCRIBE)
            else:
                self._prompt(turn)
        elif command == "help":
            turn.say("help")
            self._prompt(turn)
        elif command == "new":
            self._reset(turn)
            turn.enter(ConvState.DESCRIBE)
            turn.say("describe_prompt")
        elif command == "cancel":
            if turn.state is ConvState.IDLE:
                turn.say("nothing_to_cancel")
            else:
                self._reset(turn)
                turn.say("cancelled")
        elif command == "mytickets":
            self._my_tickets(turn)
        elif command == "lang":
            turn.replies.append(
                Reply(
                    t(turn.lang, "language_prompt"),
                    (Choice("g:lang:zh", "中文"), Choice("g:lang:en", "English")),
                )
            )
        elif command == "human":
            self._human(turn)

    def _greet(self, turn: _Turn) -> None:
        name = turn.conv.display_name
        turn.say("greeting", name=f" {name}" if name else "")
        turn.say("help")
        turn.data.pop("fresh", None)

    def _reset(self, turn: _Turn) -> None:
        turn.data = {}
        turn.enter(ConvState.IDLE)

    def _human(self, turn: _Turn) -> None:
        turn.data["skip_kb"] = True
        if turn.data.get("description") and turn.state not in (ConvState.IDLE,):
            self._details(turn)
        else:
            self._reset(turn)
            turn.data["skip_kb"] = True
            turn.enter(ConvState.DESCRIBE)
            turn.say("human_prompt")

    def _my_tickets(self, turn: _Turn) -> None:
        rows = turn.session.exec(
            select(TicketRow)
            .where(
                TicketRow.channel == turn.event.channel,
                TicketRow.external_user_id == turn.event.user_id,
            )
            .order_by(col(TicketRow.created_at).desc())
            .limit(10)
        ).all()
        if not rows:
            turn.say("my_tickets_none")
            return
        lines = [t(turn.lang, "my_tickets_header")]
        for row in rows:
            lines.append(
                t(
                    turn.lang,
                    "my_tickets_line",
                    ref=row.ref,
                    subtype=SUBTYPES[row.subtype].name(turn.lang),
                    status=t(turn.lang, f"status_{row.status}"),
                )
            )
        turn.replies.append(Reply("\n".join(lines)))

    # -- buttons and typed choices ----------------------------------------------------

    def _choice(self, turn: _Turn, choice_id: str) -> None:
        if choice_id.startswith(("g:fu:", "g:rate:")):
            self._followup_choice(turn, choice_id)
            return
        if choice_id.startswith("g:lang:"):
            lang = choice_id.removeprefix("g:lang:")
            if lang in ("zh", "en"):
                turn.conv.language = lang
                turn.say("language_set")
                self._prompt(turn)
            return
        step, _, action = choice_id.partition(":")
        stale = (
            step != str(turn.conv.step)
            or turn.state is ConvState.IDLE
            or turn.event.chat_id != turn.conv.chat_id
        )
        if stale:
            turn.say("stale_button")
            self._prompt(turn)
            return
        self._act(turn, action)

    def _act(self, turn: _Turn, action: str) -> None:
        kind, _, value = action.partition(":")
        state = turn.state
        if state is ConvState.CHOOSE_TYPE and kind == "pick" and value in SUBTYPES:
            self._set_subtype(turn, value)
        elif state is ConvState.CHOOSE_TYPE and kind == "other":
            turn.enter(ConvState.CHOOSE_CATEGORY)
            self._prompt(turn)
        elif state is ConvState.CHOOSE_CATEGORY and kind == "cat" and value in set(Category):
            self._set_subtype(turn, self._best_in_category(turn, Category(value)))
        elif state is ConvState.KB_OFFER and kind == "fixed" and value.isdigit():
            self._kb_fixed(turn, int(value))
        elif state is ConvState.KB_OFFER and kind == "none":
            self._kb_none(turn)
        elif state is ConvState.ASK_DETAIL and kind == "ans":
            self._answer_choice(turn, value)
        elif state is ConvState.ASK_DETAIL and kind == "skip":
            self._next_detail(turn)
        elif state is ConvState.ATTACH and kind == "done":
            self._confirm(turn)
        elif state is ConvState.CONFIRM and kind == "submit":
            self._submit(turn)
        elif state is ConvState.CONFIRM and kind == "edit":
            turn.enter(ConvState.DESCRIBE)
            turn.data["editing"] = True
            turn.say("describe_prompt")
        elif state is ConvState.CONFIRM and kind == "cancel":
            self._reset(turn)
            turn.say("cancelled")
        else:
            turn.say("stale_button")
            self._prompt(turn)

    def _typed_choice(self, turn: _Turn, text: str) -> str | None:
        """The action a typed answer selects among the current prompt's buttons."""
        choices = self._choices(turn)
        if not choices:
            return None
        index = answers.choice_number(text, len(choices))
        if index is not None:
            return choices[index].id.partition(":")[2]
        simple = answers.simplify(text)
        for c in choices:
            if answers.simplify(c.label) == simple:
                return c.id.partition(":")[2]
        word = answers.word_kind(text)
        wanted = {
            "no": "none",
            "skip": "skip",
            "done": "done",
            "cancel": "cancel",
            "edit": "edit",
            "yes": "submit" if turn.state is ConvState.CONFIRM else "fixed:0",
        }.get(word or "")
        if wanted == "fixed:0" and len(turn.data.get("offers", [])) != 1:
            return None  # "yes" is ambiguous when several articles were offered
        actions = {c.id.partition(":")[2] for c in choices}
        return wanted if wanted in actions else None

    # -- free text -----------------------------------------------------------------

    def _clean(self, text: str) -> str:
        # NUL and unpaired surrogates carry no meaning and cannot be stored everywhere.
        text = text.replace("\x00", "")
        return text.encode("utf-8", "replace").decode("utf-8")

    def _text(self, turn: _Turn, raw: str) -> None:
        text = self._clean(raw).strip()
        if not text:
            turn.say("empty_message")
            return
        if len(text) > self.settings.max_message_chars:
            turn.say("message_too_long", limit=self.settings.max_message_chars)
            return
        state = turn.state
        if state is ConvState.IDLE and turn.data.get("comment_for"):
            ref = turn.data.pop("comment_for")
            self.tickets.rate(ref, turn.now, comment=text[:2000], session=turn.session)
            turn.events.append(TicketChanged(ref, "commented"))
            turn.say("comment_thanks")
            return
        if state is ConvState.IDLE:
            if self._open_ticket(turn) is not None:
                self._add_to_ticket(turn, text, None)
                return
            if answers.simplify(text) in GREETINGS:
                self._greet(turn)
                turn.enter(ConvState.DESCRIBE)
                return
            self._describe(turn, text)
            return
        if state is ConvState.DESCRIBE:
            if answers.simplify(text) in GREETINGS:
                self._greet(turn)
                return
            self._describe(turn, text)
            return
        action = self._typed_choice(turn, text)
        if action is not None:
            self._act(turn, action)
        elif state is ConvState.ASK_DETAIL:
            self._answer_text(turn, text)
        elif state in (ConvState.ATTACH, ConvState.CONFIRM):
            self._extra_text(turn, text)
            self._prompt(turn) if state is ConvState.ATTACH else self._confirm(turn)
        else:
            turn.say("unknown_input")
            self._prompt(turn)

    def _extra_text(self, turn: _Turn, text: str) -> None:
        """More words after the description: kept for the agent, details extracted."""
        if not text.strip() or turn.state in (ConvState.IDLE, ConvState.DESCRIBE):
            return
        turn.data.setdefault("extra_texts", []).append(text[: self.settings.max_message_chars])
        found = extract_details(text, turn.now, self.settings.timezone)
        self._merge_details(turn, found.to_json())

    def _merge_details(self, turn: _Turn, new: dict[str, Any]) -> None:
        merged = Diagnostics.from_json(turn.data.get("details", {})).merged(
            Diagnostics.from_json(new)
        )
        turn.data["details"] = merged.to_json()

    # -- the report flow -------------------------------------------------------------

    def _describe(self, turn: _Turn, text: str) -> None:
        if len(text) < 4 and not any("\u4e00" <= ch <= "\u9fff" for ch in text):
            turn.enter(ConvState.DESCRIBE)
            turn.say("too_short")
            return
        verdict = self.classify(text, turn.now)
        editing = turn.data.pop("editing", False)
        skip_kb = turn.data.get("skip_kb", False)
        previous = turn.data if editing else {}
        runners_up = [s for s, _ in verdict.alternatives if s != verdict.subtype][:2]
        turn.data = {
            "description": text,
            "subtype": verdict.subtype,
            "scope": verdict.scope.value,
            "confidence": round(verdict.confidence, 3),
            "cues": list(verdict.cues)[:10],
            "candidates": [verdict.subtype, *runners_up],
            "details": previous.get("details", {}),
            "attachments": previous.get("attachments", []),
            "asked": [],
            "skip_kb": skip_kb,
        }
        self._merge_details(turn, verdict.details.to_json())
        if others_affected(text) is False:
            # "只有我这样" already answers who else is affected.
            turn.data[AFFECTED] = "only_me"
        if verdict.confidence < self.settings.confidence_threshold:
            turn.enter(ConvState.CHOOSE_TYPE)
            self._prompt(turn)
        else:
            self._classified(turn)

    def _best_in_category(self, turn: _Turn, category: Category) -> str:
        for candidate in turn.data.get("candidates", []):
            if SUBTYPES[candidate].category is category:
                return str(candidate)
        return subtypes_of(category)[0].id

    def _set_subtype(self, turn: _Turn, subtype: str) -> None:
        turn.data["subtype"] = subtype
        self._classified(turn)

    def _priority(self, turn: _Turn) -> str:
        return priority_for(turn.data["subtype"], Scope(turn.data["scope"])).value

    def _classified(self, turn: _Turn) -> None:
        subtype = turn.data["subtype"]
        turn.say(
            "understood", subtype=SUBTYPES[subtype].name(turn.lang), priority=self._priority(turn)
        )
        if subtype == "acct.stolen":
            turn.say("stolen_now")
        if needs_security_warning(subtype):
            turn.say("security_warning")
        if turn.data.get("skip_kb"):
            self._details(turn)
            return
        suggestions = self.kb.suggest(turn.data["description"], subtype, self.settings.kb_limit)
        actionable = [a for a in suggestions if a.kind != "info"]
        if actionable:
            offers = [a.article_id for a in actionable]
            turn.data["offers"] = offers
            count_votes(turn.session, offers, "offers")
            turn.events.append(ArticlesOffered(subtype, tuple(offers)))
            turn.enter(ConvState.KB_OFFER)
            self._prompt(turn)
            return
        if suggestions:
            info = suggestions[0]
            lang = turn.lang
            body = f"{t(lang, 'info_intro')}\n{info.title(lang)}\n{info.steps(lang)}"
            turn.replies.append(Reply(body))
        self._details(turn)

    def _offered(self, turn: _Turn) -> list[ArticleSuggestion]:
        found = (self.kb.get(a) for a in turn.data.get("offers", []))
        return [a for a in found if a is not None]

    def _kb_fixed(self, turn: _Turn, index: int) -> None:
        offers = turn.data.get("offers", [])
        if index >= len(offers):
            turn.say("unknown_input")
            self._prompt(turn)
            return
        article_id = offers[index]
        count_votes(turn.session, [article_id], "helped")
        subtype = turn.data["subtype"]
        turn.session.add(
            SelfServiceRow(
                channel=turn.event.channel,
                user_id=turn.event.user_id,
                subtype=subtype,
                article_id=article_id,
                created_at=turn.now,
            )
        )
        append_event(
            turn.session,
            at=turn.now,
            actor="user",
            action="selfservice.resolved",
            ticket_ref=None,
            payload={
                "subtype": subtype,
                "article_id": article_id,
                "reporter": personal_ref(
                    turn.session, None, "reporter", f"{turn.event.channel}:{turn.event.user_id}"
                ),
            },
        )
        turn.events.append(SelfServiceResolved(subtype, article_id))
        self._reset(turn)
        turn.say("kb_fixed_thanks")

    def _kb_none(self, turn: _Turn) -> None:
        tried = turn.data.pop("offers", [])
        count_votes(turn.session, tried, "not_helped")
        turn.data["kb_tried"] = tried
        turn.say("kb_none_noted")
        self._details(turn)

    def _details(self, turn: _Turn) -> None:
        self._next_detail(turn, first=True)

    def _next_detail(self, turn: _Turn, first: bool = False) -> None:
        if not first and (pending := turn.data.pop("pending", None)):
            turn.data.setdefault("asked", []).append(pending)
        known = set(turn.data.get("details", {})) | set(turn.data.get("asked", []))
        if AFFECTED in turn.data:
            known.add(AFFECTED)
        missing = missing_details(turn.data["subtype"], Scope(turn.data["scope"]), known)
        if missing:
            turn.data["pending"] = missing[0]
            turn.enter(ConvState.ASK_DETAIL)
            self._prompt(turn)
            return
        if attachments_help(turn.data["subtype"]) and not turn.data.get("attachments"):
            turn.enter(ConvState.ATTACH)
            self._prompt(turn)
            return
        self._confirm(turn)

    def _answer_choice(self, turn: _Turn, value: str) -> None:
        pending = turn.data.get("pending")
        allowed = {v for v, _ in ANSWER_CHOICES.get(pending or "", ())}
        if pending is None or value not in allowed:
            turn.say("stale_button")
            self._prompt(turn)
            return
        if pending == AFFECTED:
            self._affected(turn, value)
        elif pending == "occurred_at":
            self._merge_details(
                turn, {"occurred_at": (turn.now - RELATIVE_TIMES[value]).isoformat()}
            )
        else:
            self._merge_details(turn, {pending: value})
        self._next_detail(turn)

    def _answer_text(self, turn: _Turn, text: str) -> None:
        pending = turn.data.get("pending", "")
        if pending == AFFECTED:
            self._merge_details(
                turn, extract_details(text, turn.now, self.settings.timezone).to_json()
            )
            word = answers.word_kind(text)
            others = {"yes": True, "no": False, "done": False}.get(
                word or "", others_affected(text)
            )
            value = {True: "others_too", False: "only_me", None: "not_sure"}[others]
            self._affected(turn, value, words=text)
            self._next_detail(turn)
            return
        found, _answered = answers.detail_answer(pending, text, turn.now, self.settings.timezone)
        self._merge_details(turn, found)
        self._next_detail(turn)

    def _affected(self, turn: _Turn, value: str, words: str = "") -> None:
        """The user's answer to "is anyone else affected?"; others too makes it
        widespread, which is what raises a P1 fault to P0.
        """
        turn.data[AFFECTED] = value
        extras = {AFFECTED: value, **({"affected_words": words[:200]} if words else {})}
        self._merge_details(turn, {"extras": extras})
        if value == "others_too" and turn.data["scope"] == Scope.SINGLE.value:
            turn.data["scope"] = Scope.WIDESPREAD.value
            turn.data["cues"] = [*turn.data.get("cues", []), OTHERS_AFFECTED_CUE]
            turn.say("scope_raised", priority=self._priority(turn))

    def _attachment(self, turn: _Turn, attachment: Attachment) -> None:
        if attachment.size > self.settings.max_attachment_bytes:
            turn.say(
                "attachment_too_big", limit=self.settings.max_attachment_bytes // (1024 * 1024)
            )
            return
        if not attachment.data:
            turn.say("attachment_failed")
            return
        stored = self.attachments.save(attachment.data, attachment.file_name, attachment.mime)
        meta = {
            "kind": attachment.kind,
            "file_name": attachment.file_name[:255] or "file",
            "mime": attachment.mime[:128],
            "stored_path": stored.path,
            "size": stored.size,
        }
        if turn.state is ConvState.IDLE and self._open_ticket(turn) is not None:
            self._add_to_ticket(turn, "", meta)
            return
        if turn.state is ConvState.IDLE:
            turn.enter(ConvState.DESCRIBE)
        kept = turn.data.setdefault("attachments", [])
        if len(kept) >= self.settings.max_attachments:
            turn.say(
                "attachment_too_big", limit=self.settings.max_attachment_bytes // (1024 * 1024)
            )
            return
        kept.append(meta)
        turn.say("attach_received", name=meta["file_name"])
        if turn.state is ConvState.ATTACH:
            self._prompt(turn)
        elif turn.state is ConvState.DESCRIBE:
            turn.say("describe_prompt")

    def _summary(self, turn: _Turn) -> str:
        parts = [turn.data["description"], *turn.data.get("extra_texts", [])]
        return "\n".join(parts)

    def _confirm(self, turn: _Turn) -> None:
        turn.enter(ConvState.CONFIRM)
        self._prompt(turn)

    def _submit(self, turn: _Turn) -> None:
        data = turn.data
        draft = TicketDraft(
            channel=turn.event.channel,
            external_user_id=turn.event.user_id,
            chat_id=turn.conv.chat_id,
            display_name=turn.conv.display_name or turn.event.user_id,
            language=turn.lang,
            subtype=data["subtype"],
            scope=Scope(data["scope"]),
            summary=self._summary(turn),
            confidence=float(data.get("confidence", 0.0)),
            diagnostics=Diagnostics.from_json(data.get("details", {})),
            cues=tuple(data.get("cues", [])),
            kb_tried=tuple(data.get("kb_tried", [])),
        )
        ticket = self.tickets.create(draft, turn.now, actor="user", session=turn.session)
        assert ticket.id is not None and ticket.ref is not None
        for meta in data.get("attachments", []):
            turn.session.add(AttachmentRow(ticket_id=ticket.id, created_at=turn.now, **meta))
        self._reset(turn)
        turn.conv.active_ticket = ticket.ref
        turn.say(
            "ticket_created", ref=ticket.ref, promise=t(turn.lang, f"promise_{ticket.priority}")
        )
        turn.events.append(TicketCreated(ticket.ref))

    # -- after the ticket exists ---------------------------------------------------------

    def _open_ticket(self, turn: _Turn) -> TicketRow | None:
        ref = turn.conv.active_ticket
        if not ref:
            return None
        row = turn.session.exec(select(TicketRow).where(TicketRow.ref == ref)).first()
        if row is None or row.status == Status.CLOSED:
            return None
        return row

    def _add_to_ticket(self, turn: _Turn, text: str, meta: dict[str, Any] | None) -> None:
        ticket = self._open_ticket(turn)
        assert ticket is not None and ticket.id is not None and ticket.ref is not None
        attachment_id = None
        if meta is not None:
            row = AttachmentRow(ticket_id=ticket.id, created_at=turn.now, **meta)
            turn.session.add(row)
            turn.session.flush()
            attachment_id = row.id
        message = TicketMessageRow(
            ticket_id=ticket.id,
            direction="user",
            author=turn.conv.display_name or turn.event.user_id,
            text=text,
            attachment_id=attachment_id,
            created_at=turn.now,
        )
        turn.session.add(message)
        turn.session.flush()
        assert message.id is not None
        turn.events.append(UserAddedToTicket(ticket.ref, message.id))
        if ticket.status == Status.WAITING_USER:
            self.tickets.user_answered(ticket.ref, turn.now, session=turn.session)
            turn.events.append(TicketChanged(ticket.ref, "user_answered"))
        turn.say("added_to_ticket", ref=ticket.ref)

    # -- follow-up and satisfaction (stage 4) ----------------------------------------------

    def _followup_choice(self, turn: _Turn, choice_id: str) -> None:
        """Answers to "is it fixed?" and the rating. Their buttons name the ticket,
        so they work whatever report the user is busy with meanwhile.
        """
        _, kind, ref, answer = ([*choice_id.split(":"), "", "", "", ""])[:4]
        ticket = turn.session.exec(select(TicketRow).where(TicketRow.ref == ref)).first()
        mine = ticket is not None and (
            ticket.channel == turn.event.channel
            and ticket.external_user_id == turn.event.user_id
            and ticket.chat_id == turn.event.chat_id
        )
        resolved = (Status.FIXED.value, Status.WORKAROUND.value)
        if ticket is None or not mine:
            turn.say("stale_button")
        elif kind == "fu" and answer == "y" and ticket.status in resolved:
            was_workaround = ticket.status == Status.WORKAROUND.value
            self.tickets.confirm_fixed(ref, turn.now, session=turn.session)
            turn.events.append(TicketChanged(ref, "confirmed"))
            if was_workaround:
                turn.say("followup_workaround_kept")
            turn.replies.append(self._rating_prompt(turn.lang, ref))
        elif kind == "fu" and answer == "n" and ticket.status in (*resolved, Status.CONFIRMED):
            self.tickets.reopen(
                ref, "user", turn.now, reason="the user says it is not fixed", session=turn.session
            )
            turn.events.append(TicketChanged(ref, "reopened"))
            turn.say("followup_reopened", ref=ref)
        elif (
            kind == "rate"
            and answer in "12345"
            and len(answer) == 1
            and ticket.satisfaction is None
        ):
            self.tickets.rate(ref, turn.now, satisfaction=int(answer), session=turn.session)
            turn.events.append(TicketChanged(ref, "rated"))
            turn.data["comment_for"] = ref
            turn.say("rate_thanks")
        else:
            turn.say("stale_button")

    @staticmethod
    def _rating_prompt(lang: str, ref: str) -> Reply:
        stars = tuple(Choice(f"g:rate:{ref}:{n}", "⭐" * n) for n in range(1, 6))
        return Reply(t(lang, "rate_prompt"), stars)

    @staticmethod
    def followup_question(lang: str, ref: str) -> Reply:
        """Asked after an agent resolved the ticket."""
        return Reply(
            t(lang, "followup_question"),
            (
                Choice(f"g:fu:{ref}:y", t(lang, "followup_yes")),
                Choice(f"g:fu:{ref}:n", t(lang, "followup_no")),
            ),
        )

    # -- prompts, rebuilt from the stored state --------------------------------------------

    def _prompt(self, turn: _Turn) -> None:
        """(Re)send the question of the current state with its buttons."""
        text = self._prompt_text(turn)
        if text is None:
            return
        turn.replies.append(
            Reply(text, tuple(self._choices(turn)), request_file=turn.state is ConvState.ATTACH)
        )

    def _prompt_text(self, turn: _Turn) -> str | None:
        lang, data = turn.lang, turn.data
        match turn.state:
            case ConvState.IDLE:
                return None
            case ConvState.DESCRIBE:
                return t(lang, "describe_prompt")
            case ConvState.CHOOSE_TYPE:
                return t(lang, "choose_type")
            case ConvState.CHOOSE_CATEGORY:
                return t(lang, "choose_category")
            case ConvState.KB_OFFER:
                articles = [
                    t(lang, "kb_article", n=i + 1, title=a.title(lang), steps=a.steps(lang))
                    for i, a in enumerate(self._offered(turn))
                ]
                return "\n\n".join([t(lang, "kb_intro"), *articles])
            case ConvState.ASK_DETAIL:
                return t(lang, f"ask_{data['pending']}")
            case ConvState.ATTACH:
                return t(lang, "attach_prompt")
            case ConvState.CONFIRM:
                shown = {k: v for k, v in data.get("details", {}).items() if k != "extras"}
                if AFFECTED in data:
                    shown[AFFECTED] = data[AFFECTED]
                details = "".join(
                    t(
                        lang,
                        "detail_line",
                        label=t(lang, f"label_{k}"),
                        value=self._shown(k, v, lang),
                    )
                    for k, v in shown.items()
                )
                return t(
                    lang,
                    "confirm_summary",
                    subtype=SUBTYPES[data["subtype"]].name(lang),
                    priority=self._priority(turn),
                    summary=_shorten(self._summary(turn), 500),
                    details=details,
                    attachments=len(data.get("attachments", [])),
                )

    def _shown(self, key: str, value: Any, lang: str) -> str:
        if key == "occurred_at":
            moment = datetime.fromisoformat(value).astimezone(self.settings.timezone)
            return moment.strftime("%Y-%m-%d %H:%M")
        labels = dict(ANSWER_CHOICES.get(key, ()))
        if value in labels:
            return _label(labels[value], lang)
        return _shorten(str(value), 80)

    def _choices(self, turn: _Turn) -> list[Choice]:
        lang, data = turn.lang, turn.data
        match turn.state:
            case ConvState.CHOOSE_TYPE:
                picks = [
                    turn.choice(f"pick:{s}", SUBTYPES[s].name(lang)) for s in data["candidates"]
                ]
                return [*picks, turn.choice("other", t(lang, "other_type"))]
            case ConvState.CHOOSE_CATEGORY:
                return [turn.choice(f"cat:{c.value}", _category_name(c, lang)) for c in Category]
            case ConvState.KB_OFFER:
                fixed = [
                    turn.choice(f"fixed:{i}", t(lang, "kb_fixed_button", n=i + 1))
                    for i in range(len(data.get("offers", [])))
                ]
                return [*fixed, turn.choice("none", t(lang, "kb_none_button"))]
            case ConvState.ASK_DETAIL:
                options = ANSWER_CHOICES.get(data["pending"], ())
                buttons = [
                    turn.choice(f"ans:{value}", _label(label, lang)) for value, label in options
                ]
                return [*buttons, turn.choice("skip", t(lang, "skip_button"))]
            case ConvState.ATTACH:
                return [turn.choice("done", t(lang, "done_button"))]
            case ConvState.CONFIRM:
                return [
                    turn.choice("submit", t(lang, "submit_button")),
                    turn.choice("edit", t(lang, "edit_button")),
                    turn.choice("cancel", t(lang, "cancel_button")),
                ]
            case _:
                return []


def _coalesce(replies: list[Reply]) -> list[Reply]:
    """Plain texts join the reply that follows them: one message instead of two
    ("Got it: ..." and the question), fewer notifications for the user.
    """
    merged: list[Reply] = []
    for reply in replies:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and not previous.choices
            and not previous.request_file
            and previous.attachment is None
            and reply.attachment is None
        ):
            merged[-1] = Reply(
                f"{previous.text}\n\n{reply.text}", reply.choices, reply.request_file
            )
        else:
            merged.append(reply)
    return merged


def _label(label: str, lang: str) -> str:
    return t(lang, label[1:]) if label.startswith("@") else label


def _category_name(category: Category, lang: str) -> str:
    zh, en = CATEGORY_NAMES[category]
    return zh if lang == "zh" else en


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
