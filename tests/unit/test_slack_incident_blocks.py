"""The incident card, page and modals stay valid Block Kit whatever the input:
huge titles and messages, many subtypes and versions, hostile text.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.sandbox.slack.blocks import (
    MESSAGE_MAX_BLOCKS,
    MESSAGE_MAX_TEXT,
    validate_blocks,
    validate_view,
)
from bot.slack.blocks.incident_card import (
    IncidentCardData,
    UpdateShown,
    batch_text,
    counts_text,
    incident_card,
    incident_page,
)
from bot.slack.blocks.incident_modals import (
    incident_resolve_modal,
    link_modal,
    merge_modal,
    unlink_modal,
    update_modal,
)

AT = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
HOSTILE = "<!channel> <@U123> *bold* `code` 🎬" * 300


def card(**changes: Any) -> IncidentCardData:
    values: dict[str, Any] = {
        "ref": "INC-101",
        "title": "No sound",
        "status": "investigating",
        "severity": "P0",
        "owner": None,
        "finance": False,
        "reports": 300,
        "reporters": 298,
        "per_minute": 12.5,
        "first_report": AT,
        "latest_report": AT + timedelta(minutes=20),
        "first_refs": ("LD-1001", "LD-1002", "LD-1003", "LD-1004", "LD-1005"),
        "timezone": "Asia/Shanghai",
        "by_subtype": {"av.no_audio": 290, "av.desync": 10},
        "by_app_version": {f"5.{i}.0": 300 - i for i in range(40)},
        "by_os": {"iOS": 120, "Android": 180},
    }
    values.update(changes)
    return IncidentCardData(**values)


def message_ok(text: str, blocks: list[dict[str, Any]]) -> str:
    assert validate_blocks(blocks, "/blocks", max_blocks=MESSAGE_MAX_BLOCKS) == []
    assert 0 < len(text) <= MESSAGE_MAX_TEXT
    return json.dumps(blocks, ensure_ascii=False)


def buttons(blocks: list[dict[str, Any]]) -> set[str]:
    return {e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]}


def test_the_card_shows_the_counts_and_every_incident_button():
    shown = message_ok(*incident_card(card()))
    assert "300" in shown and "298" in shown and "12.5/min" in shown
    assert "LD-1001" in shown and "+295" in shown
    assert "其他 / other" in shown  # forty versions: the largest five, the rest summed
    assert buttons(incident_card(card())[1]) == {
        "incident.ack",
        "incident.update",
        "incident.resolve",
        "incident.war_room",
        "incident.merge",
        "ticket.unlink_incident",
    }


def test_an_owned_card_has_no_acknowledge_and_a_resolved_one_no_buttons():
    assert "incident.ack" not in buttons(incident_card(card(owner="U0AGENT1"))[1])
    resolved = card(status="resolved", outcome="root_fix", cause_class="server_or_cdn")
    shown = message_ok(*incident_card(resolved))
    assert buttons(incident_card(resolved)[1]) == set()
    assert "Root fix" in shown


def test_hostile_and_huge_text_is_escaped_and_cut():
    update = UpdateShown("identified", HOSTILE, AT, "U0AGENT1", AT + timedelta(hours=1), 3, 9)
    text, blocks = incident_card(card(title=HOSTILE, latest_update=update))
    shown = message_ok(text, blocks)
    assert "<!channel>" not in shown and "<@U123>" not in shown
    assert "update sent to 3 of 9" in shown
    page_text, page_blocks = incident_page("INC-101", "P0", HOSTILE, "<!subteam^S1>", None)
    assert "<!channel>" not in message_ok(page_text, page_blocks)


def test_a_batch_names_the_first_refs_and_counts_the_rest():
    refs = [f"LD-{n}" for n in range(1000, 1100)]
    text = batch_text(refs, 250)
    assert "100 new reports (250 in all)" in text and "LD-1000" in text and "+60" in text
    assert "LD-1099" not in text


def test_counts_are_ordered_and_escaped():
    assert counts_text({}) == "—"
    assert counts_text({"b": 1, "a": 5, "<x>": 2}) == "a 5 · &lt;x&gt; 2 · b 1"


@pytest.mark.parametrize(
    "view",
    [
        update_modal("INC-101", "monitoring"),
        incident_resolve_modal("INC-101"),
        link_modal("LD-1001", [(f"INC-{n}", HOSTILE, n, n) for n in range(150)]),
        link_modal("LD-1001", []),
        merge_modal("INC-101", [("INC-101", "self", 1, 1), ("INC-102", "other", 3, 2)]),
        merge_modal("INC-101", [("INC-101", "self", 1, 1)]),
        unlink_modal("INC-101", [("LD-1001", HOSTILE)]),
        unlink_modal("INC-101", []),
    ],
)
def test_every_incident_modal_is_valid(view):
    assert validate_view(view, kind="modal") == []
    assert len(view["title"]["text"]) <= 24


def test_the_merge_modal_never_offers_the_incident_itself():
    shown = json.dumps(merge_modal("INC-101", [("INC-101", "a", 1, 1), ("INC-102", "b", 1, 1)]))
    assert '"value": "INC-102"' in shown and '"value": "INC-101"' not in shown
