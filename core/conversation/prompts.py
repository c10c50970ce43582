"""Prompts rebuilt from the stored state: the question of each state and its buttons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.conversation.messages import Choice, Reply
from core.conversation.requirements import AFFECTED, ANSWER_CHOICES
from core.conversation.tried import STEPS_SHOWN, remaining_steps
from core.conversation.turn import ConvState, Turn
from core.i18n import localize, t
from core.ports import ArticleSuggestion
from core.taxonomy import CATEGORY_NAMES, SUBTYPES, Category, priority_for


def prompt(turn: Turn) -> None:
    """(Re)send the question of the current state with its buttons."""
    text = prompt_text(turn)
    if text is None:
        return
    turn.replies.append(
        Reply(text, tuple(choices(turn)), request_file=turn.state is ConvState.ATTACH)
    )


def prompt_text(turn: Turn) -> str | None:
    lang, draft = turn.lang, turn.draft
    match turn.state:
        case ConvState.IDLE:
            return None
        case ConvState.DESCRIBE:
            return t(lang, "describe_prompt")
        case ConvState.ASK_WHAT:
            return t(lang, "ask_what")
        case ConvState.TWO_PROBLEMS:
            return t(
                lang,
                "two_problems",
                first=SUBTYPES[subtype_of(turn)].name(lang),
                second=SUBTYPES[draft.second or ""].name(lang),
            )
        case ConvState.CHOOSE_TYPE:
            # No subtype yet: the user chose a category instead of saying what is wrong.
            return t(lang, "choose_type" if draft.subtype else "choose_in_category")
        case ConvState.CHOOSE_CATEGORY:
            return t(lang, "choose_category")
        case ConvState.KB_OFFER:
            # One article: the latest shown, its steps short and without those tried.
            on_screen = offered(turn)
            intro = t(lang, "kb_intro" if draft.kb_shown <= 1 else "kb_next_intro")
            if not on_screen:
                return intro
            article = on_screen[-1]
            steps = remaining_steps(article.steps(lang), draft.tried, STEPS_SHOWN)
            body = t(lang, "kb_article", n=draft.kb_shown, title=article.title(lang), steps=steps)
            return f"{intro}\n\n{body}"
        case ConvState.ASK_DETAIL | ConvState.TICKET_DETAIL:
            return t(lang, f"ask_{draft.pending}")
        case ConvState.ATTACH:
            return t(lang, "attach_prompt")
        case ConvState.CONFIRM:
            shown = {k: v for k, v in draft.details.to_json().items() if k != "extras"}
            if draft.affected is not None:
                shown[AFFECTED] = draft.affected
            details = "".join(
                t(lang, "detail_line", label=t(lang, f"label_{k}"), value=_shown(turn, k, v))
                for k, v in shown.items()
            )
            return t(
                lang,
                "confirm_summary",
                subtype=SUBTYPES[subtype_of(turn)].name(lang),
                priority=priority(turn),
                summary=shorten(summary(turn), 500),
                details=details,
                attachments=len(draft.attachments),
            )


def choices(turn: Turn) -> list[Choice]:
    lang, draft = turn.lang, turn.draft
    match turn.state:
        case ConvState.CHOOSE_TYPE:
            picks = [turn.choice(f"pick:{s}", SUBTYPES[s].name(lang)) for s in draft.candidates]
            return [*picks, turn.choice("other", t(lang, "other_type"))]
        case ConvState.CHOOSE_CATEGORY | ConvState.ASK_WHAT:
            return [turn.choice(f"cat:{c.value}", category_name(c, lang)) for c in Category]
        case ConvState.TWO_PROBLEMS:
            both = turn.choice("both", t(lang, "both_button"))
            ones = [
                turn.choice(f"pick:{s}", t(lang, "only_button", subtype=SUBTYPES[s].name(lang)))
                for s in (subtype_of(turn), draft.second or "")
            ]
            return [both, *ones]
        case ConvState.KB_OFFER:
            n = draft.kb_shown
            buttons = [turn.choice(f"fixed:{n - 1}", t(lang, "kb_fixed_button", n=n))]
            if n < len(draft.offers):
                buttons.append(turn.choice("none:next", t(lang, "kb_next_button")))
            return [*buttons, turn.choice("none", t(lang, "kb_none_button"))]
        case ConvState.ASK_DETAIL | ConvState.TICKET_DETAIL:
            options = ANSWER_CHOICES.get(draft.pending or "", ())
            buttons = [turn.choice(f"ans:{value}", label(text, lang)) for value, text in options]
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


def offered(turn: Turn) -> list[ArticleSuggestion]:
    found = (turn.deps.kb.get(a) for a in turn.draft.offers[: turn.draft.kb_shown])
    return [a for a in found if a is not None]


def subtype_of(turn: Turn) -> str:
    subtype = turn.draft.subtype
    if subtype is None:
        raise ValueError(f"state {turn.state} needs a classified report")
    return subtype


def priority(turn: Turn) -> str:
    return priority_for(subtype_of(turn), turn.draft.scope).value


def summary(turn: Turn) -> str:
    """The user's words: those that did not say what was wrong first, if any."""
    draft = turn.draft
    before = [draft.vague_words] if draft.vague_words else []
    return "\n".join([*before, draft.description or "", *draft.extra_texts])


def rating_prompt(lang: str, ref: str) -> Reply:
    stars = tuple(Choice(f"g:rate:{ref}:{n}", "⭐" * n) for n in range(1, 6))
    return Reply(t(lang, "rate_prompt"), stars)


def followup_question(lang: str, ref: str) -> Reply:
    """Asked after an agent resolved the ticket."""
    return Reply(
        t(lang, "followup_question"),
        (
            Choice(f"g:fu:{ref}:y", t(lang, "followup_yes")),
            Choice(f"g:fu:{ref}:n", t(lang, "followup_no")),
        ),
    )


def coalesce(replies: list[Reply]) -> list[Reply]:
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


def _shown(turn: Turn, key: str, value: Any) -> str:
    if key == "occurred_at":
        moment = datetime.fromisoformat(value).astimezone(turn.settings.timezone)
        return moment.strftime("%Y-%m-%d %H:%M")
    labels = dict(ANSWER_CHOICES.get(key, ()))
    if value in labels:
        return label(labels[value], turn.lang)
    return shorten(str(value), 80)


def label(text: str, lang: str) -> str:
    """A button label: "@key" names a text of the language, anything else is literal."""
    return t(lang, text[1:]) if text.startswith("@") else text


def category_name(category: Category, lang: str) -> str:
    zh, en = CATEGORY_NAMES[category]
    return localize(lang, zh) if lang.startswith("zh") else en


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
