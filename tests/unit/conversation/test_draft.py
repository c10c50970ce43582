"""The report in progress as a type, and the JSON rows written before it existed."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.conversation.draft import Draft, DraftError, StoredAttachment
from core.diagnostics import Diagnostics
from core.taxonomy import Scope

# A row as the engine wrote it before the Draft type: a report half-way through
# its detail questions, after the knowledge base did not help.
OLD_ROW = {
    "description": "直播间 8848 一直卡成PPT，iPhone 13，用的WiFi",
    "subtype": "av.stutter",
    "scope": "single",
    "confidence": 0.912,
    "cues": ["stutter: 卡成PPT"],
    "candidates": ["av.stutter", "av.blur", "av.black_screen"],
    "details": {"device_model": "iPhone 13", "network": "wifi", "room_id": "8848"},
    "attachments": [
        {
            "kind": "video",
            "file_name": "rec.mp4",
            "mime": "video/mp4",
            "stored_path": "f0",
            "size": 7,
        }
    ],
    "asked": [],
    "skip_kb": False,
    "kb_tried": ["av-stutter-network", "av-stutter-quality"],
    "pending": "occurred_at",
    "extra_texts": ["刚才又卡了"],
}


def test_a_row_in_the_old_shape_loads_into_the_typed_draft():
    draft = Draft.from_json(OLD_ROW)
    assert draft.description == OLD_ROW["description"]
    assert (draft.subtype, draft.scope, draft.confidence) == ("av.stutter", Scope.SINGLE, 0.912)
    assert draft.details == Diagnostics(device_model="iPhone 13", network="wifi", room_id="8848")
    assert draft.attachments == [StoredAttachment("video", "rec.mp4", "video/mp4", "f0", 7)]
    assert draft.pending == "occurred_at" and draft.asked == []
    assert draft.kb_tried == ["av-stutter-network", "av-stutter-quality"]
    assert draft.extra_texts == ["刚才又卡了"]
    assert not (draft.skip_kb or draft.editing or draft.fresh)


def test_the_stored_shape_keeps_the_old_keys():
    """Written back unchanged, so an older version could still read it."""
    assert Draft.from_json(OLD_ROW).to_json() == OLD_ROW


def test_every_field_survives_a_round_trip():
    draft = Draft(
        description="充值没到账",
        subtype="fin.recharge",
        scope=Scope.WIDESPREAD,
        confidence=0.5,
        cues=["a"],
        candidates=["fin.recharge"],
        details=Diagnostics(
            amount=Decimal("30.5"),
            occurred_at=datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
            extras={"affected": "others_too"},
        ),
        attachments=[StoredAttachment("photo", "a.jpg", "image/jpeg", "f1", 3)],
        extra_texts=["more"],
        pending="order_id",
        asked=["amount"],
        affected="others_too",
        offers=["x", "z"],
        kb_shown=1,
        kb_tried=["y"],
        tried=["switch_network"],
        skip_kb=True,
        editing=True,
        fresh=True,
        comment_for="LD-1001",
        vague_words="又不行了",
        second="av.stutter",
    )
    assert Draft.from_json(draft.to_json()) == draft


def test_vague_words_alone_survive_a_round_trip():
    draft = Draft(vague_words="又不行了", details=Diagnostics(room_id="8848"))
    assert Draft.from_json(draft.to_json()) == draft


def test_an_empty_draft_is_stored_as_an_empty_object():
    assert Draft().to_json() == {}
    assert Draft.from_json({}) == Draft()
    assert Draft(fresh=True).to_json() == {"fresh": True}
    assert Draft(comment_for="LD-1001").to_json() == {"comment_for": "LD-1001"}


def test_a_report_stored_when_all_offers_were_shown_at_once_shows_them_all():
    draft = Draft.from_json({"offers": ["a", "b"]})
    assert draft.kb_shown == 2
    assert Draft.from_json({"offers": ["a", "b"], "kb_shown": 0}).kb_shown == 0


def test_keys_of_a_newer_version_are_ignored():
    assert Draft.from_json({"skip_kb": True, "mood": "grumpy"}) == Draft(skip_kb=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected an object"),
        ({"scope": "galactic"}, "scope: unknown value"),
        ({"cues": "loud"}, "cues: expected a list of texts"),
        ({"skip_kb": "yes"}, "skip_kb: expected true or false"),
        ({"confidence": "high"}, "confidence: expected a number"),
        ({"attachments": [{"kind": "photo"}]}, "attachments: missing 'file_name'"),
        ({"attachments": [{**OLD_ROW["attachments"][0], "size": "7"}]}, "size: expected"),
        ({"pending": 3}, "pending: expected text"),
        ({"second": 3}, "second: expected text"),
        ({"vague_words": ["a"]}, "vague_words: expected text"),
    ],
)
def test_a_damaged_row_gets_an_error_naming_the_key(data, message):
    with pytest.raises(DraftError, match=message):
        Draft.from_json(data)
