"""The reclassify modal offers the whole taxonomy and opens on the ticket's subtype."""

from __future__ import annotations

import json

from bot.slack.blocks.reclassify_modal import reclassify_modal
from core.taxonomy import SUBTYPES


def test_every_subtype_is_offered_once_grouped_by_category():
    view = reclassify_modal("LD-7", "av.stutter", "P2")
    assert view["callback_id"] == "ticket.reclassify.submit"
    assert json.loads(view["private_metadata"]) == {"ref": "LD-7"}
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert set(inputs) == {"subtype", "priority", "reason"}
    select = inputs["subtype"]["element"]
    offered = [o["value"] for g in select["option_groups"] for o in g["options"]]
    assert sorted(offered) == sorted(SUBTYPES)
    assert select["initial_option"]["value"] == "av.stutter"
    assert inputs["priority"]["optional"] and not inputs["reason"]["optional"]
    assert [o["value"] for o in inputs["priority"]["element"]["options"]] == [
        "P0",
        "P1",
        "P2",
        "P3",
    ]


def test_an_unknown_current_subtype_opens_with_nothing_picked():
    view = reclassify_modal("LD-7", "gone.subtype", "P2")
    (select,) = [b["element"] for b in view["blocks"] if b.get("block_id") == "subtype"]
    assert "initial_option" not in select
