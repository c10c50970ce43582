"""The modal an agent fills in to correct triage: the subtype (from the taxonomy),
optionally the priority, and the reason (kept with the correction for training).
"""

from __future__ import annotations

from typing import Any

from bot.slack.blocks.ids import (
    ACTION_RECLASSIFY,
    FIELD_PRIORITY,
    FIELD_SUBTYPE,
    PRIORITIES,
    priority_mark,
)
from bot.slack.blocks.modals import _input, _modal, _option, _reason_input
from bot.slack.blocks.parts import section
from bot.slack.blocks.safe_text import plain
from core.taxonomy import CATEGORY_NAMES, Category, subtypes_of

_NOTE = (
    "改正分类会记录为训练样本，下次训练模型时使用。/ "
    "The correction is kept as a training example for the next triage model."
)
_PRIORITY_HINT = (
    "留空则按分类规则和影响范围确定 / Leave empty: the taxonomy's rule for the ticket's scope"
)


def _subtype_groups() -> list[dict[str, Any]]:
    """The taxonomy's subtypes grouped by category, in the taxonomy's order."""
    groups = []
    for category in Category:
        members = subtypes_of(category)
        if not members:
            continue
        zh, en = CATEGORY_NAMES[category]
        groups.append(
            {
                "label": plain(f"{zh} / {en}", 75),
                "options": [_option(st.id, f"{st.name_zh} / {st.name_en}") for st in members],
            }
        )
    return groups


def _current(groups: list[dict[str, Any]], subtype: str) -> dict[str, Any] | None:
    for group in groups:
        for option in group["options"]:
            if option["value"] == subtype:
                return dict(option)
    return None


def reclassify_modal(ref: str, subtype: str, priority: str) -> dict[str, Any]:
    """Open on the ticket's current subtype; the priority select starts empty."""
    groups = _subtype_groups()
    select: dict[str, Any] = {
        "type": "static_select",
        "placeholder": plain("选择子类 / Pick a subtype", 150),
        "option_groups": groups,
    }
    if (initial := _current(groups, subtype)) is not None:
        select["initial_option"] = initial
    priorities = {
        "type": "static_select",
        "placeholder": plain(f"现在 / Now: {priority_mark(priority)}", 150),
        "options": [_option(p, priority_mark(p)) for p in PRIORITIES],
    }
    blocks = [
        section(_NOTE),
        _input(FIELD_SUBTYPE, "子类 / Subtype", select),
        _input(FIELD_PRIORITY, "优先级 / Priority", priorities, optional=True, hint=_PRIORITY_HINT),
        _reason_input(optional=False),
    ]
    return _modal(ACTION_RECLASSIFY, ref, "重新分类 / Reclassify", blocks)
