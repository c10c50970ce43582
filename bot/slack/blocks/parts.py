"""Small Block Kit pieces shared by the card, the modals and the home tab."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.slack.blocks.safe_text import ELLIPSIS, fit, fit_mrkdwn, mrkdwn, plain, utf16_len
from core.taxonomy import CATEGORY_NAMES, SUBTYPES, Category

SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
MAX_REF_CHARS = 64

_USER_ID = re.compile(r"[UW][A-Z0-9]{1,30}")
_SAFE_URL = re.compile(r"https?://[^\s<>|]+")
_MAX_URL_CHARS = 1000


def check_ref(ref: str) -> str:
    """Refs go into button values and metadata verbatim, so they must not need cutting."""
    if not ref or len(ref) > MAX_REF_CHARS or not ref.isprintable():
        raise ValueError(f"not a ticket ref: {ref[:MAX_REF_CHARS]!r}")
    return ref


def category_label(category: str) -> str:
    try:
        zh, en = CATEGORY_NAMES[Category(category)]
    except ValueError:
        return category
    return f"{zh} / {en}"


def subtype_label(subtype: str) -> str:
    """Both names of a subtype; an id the taxonomy no longer knows is shown as it is."""
    known = SUBTYPES.get(subtype)
    return f"{known.name_zh} / {known.name_en}" if known else subtype


def subtype_short(subtype: str) -> str:
    known = SUBTYPES.get(subtype)
    return known.name_zh if known else subtype


def user_mention(user_id: str | None, empty: str) -> str:
    """<@U123> for a Slack user id; anything else is escaped so it cannot ping anyone."""
    if user_id is None:
        return empty
    if _USER_ID.fullmatch(user_id):
        return f"<@{user_id}>"
    return fit_mrkdwn(user_id, 100)


def _zone(name: str) -> tuple[tzinfo, str]:
    try:
        return ZoneInfo(name), name
    except (ZoneInfoNotFoundError, ValueError):
        return UTC, "UTC"


def format_time(moment: datetime, timezone: str) -> str:
    """The time in the configured zone, then Slack's date token for each reader's zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: ticket times must be timezone-aware")
    zone, zone_name = _zone(timezone)
    local = moment.astimezone(zone)
    shown = f"{local:%Y-%m-%d %H:%M} ({zone_name})"
    epoch = int(moment.timestamp())
    return f"{shown}\n<!date^{epoch}^{{date_short_pretty}} {{time}}|{local:%Y-%m-%d %H:%M %z}>"


def clock_time(moment: datetime, timezone: str) -> str:
    """A time of day for a deadline: Slack's token for each reader's zone, falling
    back to the time in the team's zone (with seconds: warnings come minutes apart).
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: deadlines must be timezone-aware")
    zone, zone_name = _zone(timezone)
    local = moment.astimezone(zone)
    return f"<!date^{int(moment.timestamp())}^{{time_secs}}|{local:%H:%M:%S} ({zone_name})>"


def link_or_name(name: str, url: str | None, limit: int = 200) -> str:
    """A mrkdwn link when the URL is a plain http(s) URL, else just the escaped name."""
    label = fit_mrkdwn(name.replace("|", "¦"), limit) if name.strip() else "(unnamed)"
    if url and len(url) <= _MAX_URL_CHARS and _SAFE_URL.fullmatch(url):
        return f"<{url}|{label}>"
    return label


def bullet_text(title: str, items: Sequence[str], limit: int = SECTION_TEXT_MAX) -> str:
    """`title` and one bullet per item (already escaped), with as many items as fit and a
    count of the rest; each item is at most a few hundred characters, cut by the caller.
    """
    lines = [title]
    used = utf16_len(title)
    for index, item in enumerate(items):
        line = f"• {item}"
        rest = len(items) - index - 1
        tail = utf16_len(_more(rest)) + 1 if rest else 0
        if used + 1 + utf16_len(line) + tail > limit:
            lines.append(_more(len(items) - index))
            break
        lines.append(line)
        used += 1 + utf16_len(line)
    return "\n".join(lines)


def _more(count: int) -> str:
    return f"{ELLIPSIS} 另有 {count} 项 / and {count} more"


def more_context(count: int) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(_more(count))]}


def section(text: str) -> dict[str, Any]:
    """A section around mrkdwn text the caller escaped; cut again as a last safeguard."""
    return {"type": "section", "text": mrkdwn(fit(text, SECTION_TEXT_MAX), verbatim=True)}


def field(title: str, value: str) -> dict[str, Any]:
    return mrkdwn(fit(f"*{title}*\n{value}", FIELD_TEXT_MAX), verbatim=True)


def ref_button(text: str, action_id: str, ref: str, style: str | None = None) -> dict[str, Any]:
    """A card's button: its value is the ticket or incident it acts on."""
    button: dict[str, Any] = {
        "type": "button",
        "text": plain(text, 75),
        "action_id": action_id,
        "value": ref,
    }
    if style:
        button["style"] = style
    return button
