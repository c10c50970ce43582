"""The transition table: complete, obeyed, and drawn in docs/conversation.md."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.conversation import Attachment, Inbound, IntakeSettings
from core.conversation import transitions as tr
from core.conversation.commands import COMMANDS
from core.conversation.diagram import mermaid
from core.conversation.draft import Draft
from core.conversation.store import Conversation
from core.conversation.transitions import TABLE, InputKind, Transition, TransitionError, run
from core.conversation.turn import ConvState, Deps, Turn
from core.diagnostics import Diagnostics
from core.triage import classify
from tests.factories import draft
from tests.fakes import MemoryAttachmentStore
from tests.unit.conversation.memory_store import MemoryStores

ROOT = Path(__file__).resolve().parents[3]

# Sample values of each input kind; every one is tried in every state.
SAMPLES: dict[InputKind, tuple[str, ...]] = {
    InputKind.TEXT: (
        "1",
        "2",
        "还是不行",
        "跳过",
        "没有了",
        "确认",
        "取消",
        "修改",
        "你好",
        "卡",
        "随便说说吧",
    ),
    InputKind.ATTACHMENT: ("",),
    InputKind.COMMAND: tuple(sorted(COMMANDS)),
    InputKind.FOLLOWUP: ("g:fu:LD-1001:y", "g:fu:LD-1001:n", "g:rate:LD-1001:5", "g:fu:LD-9:y"),
    InputKind.LANGUAGE: ("en", "xx"),
    InputKind.STALE: ("",),
    InputKind.PICK: ("av.blur", "no.such"),
    InputKind.OTHER: ("",),
    InputKind.CAT: ("finance", "no_such"),
    InputKind.FIXED: ("0", "1", "9", "x"),
    InputKind.NONE: ("",),
    InputKind.ANS: ("0m", "wifi", "bogus"),
    InputKind.SKIP: ("",),
    InputKind.DONE: ("",),
    InputKind.SUBMIT: ("",),
    InputKind.EDIT: ("",),
    InputKind.CANCEL: ("",),
    InputKind.BOTH: ("",),
}


def test_every_state_declares_every_kind_of_input():
    missing = [
        f"{state} x {kind}" for state in ConvState for kind in InputKind if kind not in TABLE[state]
    ]
    assert missing == [], "undeclared transitions: " + ", ".join(missing)
    assert set(TABLE) == set(ConvState)


def test_every_transition_names_a_handler_and_at_least_one_state():
    for state, row in TABLE.items():
        for kind, transition in row.items():
            assert callable(transition.handler), (state, kind)
            assert transition.targets and transition.targets <= set(ConvState), (state, kind)


def test_the_samples_cover_every_kind_of_input():
    assert set(SAMPLES) == set(InputKind)


def draft_for(state: ConvState) -> Draft:
    if state in (ConvState.IDLE, ConvState.DESCRIBE):
        return Draft()
    if state is ConvState.TICKET_DETAIL:
        return Draft(ticket_ref="LD-1001", pending="network", after=["os"])
    if state is ConvState.ASK_WHAT:
        return Draft(vague_words="又不行了", details=Diagnostics(room_id="8848"))
    return Draft(
        description="直播间 8848 一直卡成PPT",
        subtype="av.stutter",
        confidence=0.3,
        candidates=["av.stutter", "av.blur"],
        details=Diagnostics(room_id="8848"),
        offers=["av-stutter-network", "av-stutter-quality"] if state is ConvState.KB_OFFER else [],
        pending="network" if state is ConvState.ASK_DETAIL else None,
        second="fin.recharge" if state is ConvState.TWO_PROBLEMS else None,
    )


def turn_in(state: ConvState, kind: InputKind, clock, stores: MemoryStores, store) -> Turn:
    from tests.fakes import FakeKnowledgeBase, article

    kb = FakeKnowledgeBase()
    kb.add(article("av-stutter-network", "av.stutter"), article("av-stutter-quality", "av.stutter"))
    attachment = Attachment("photo", "a.jpg", "image/jpeg", b"jpeg")
    event = Inbound(
        channel="telegram",
        user_id="u1",
        chat_id="u1",
        at=clock.now(),
        attachment=attachment if kind is InputKind.ATTACHMENT else None,
    )
    conv = Conversation(
        channel="telegram",
        user_id="u1",
        chat_id="u1",
        display_name="Lin",
        language="zh",
        state=state.value,
        step=3,
        draft=draft_for(state),
        updated_at=clock.now(),
        active_ticket=None,
    )
    if state is ConvState.TICKET_DETAIL:
        store.create_ticket(draft("av.stutter"), [], clock.now())
        conv.active_ticket = "LD-1001"
    settings = IntakeSettings(timezone=ZoneInfo("Asia/Shanghai"))
    return Turn(store, conv, event, Deps(kb, classify, MemoryAttachmentStore(), settings))


@pytest.mark.parametrize("state", list(ConvState))
def test_every_input_in_every_state_moves_only_where_the_table_says(state, clock):
    """The walk: `run` raises TransitionError on an undeclared move."""
    for kind in InputKind:
        for value in SAMPLES[kind]:
            stores = MemoryStores()
            with stores.transaction() as store:
                turn = turn_in(state, kind, clock, stores, store)
                run(turn, kind, value)
                assert turn.state in TABLE[state][kind].targets


def test_a_handler_moving_to_an_undeclared_state_is_refused(clock, monkeypatch):
    def rogue(turn: Turn, _value: str) -> None:
        turn.enter(ConvState.CONFIRM)

    table = {state: dict(row) for state, row in TABLE.items()}
    table[ConvState.IDLE][InputKind.TEXT] = Transition(rogue, frozenset({ConvState.IDLE}))
    monkeypatch.setattr(tr, "TABLE", table)
    stores = MemoryStores()
    with stores.transaction() as store:
        turn = turn_in(ConvState.IDLE, InputKind.TEXT, clock, stores, store)
        with pytest.raises(TransitionError, match="text in idle moved to confirm"):
            run(turn, InputKind.TEXT, "hello there")


def test_the_documentation_shows_exactly_the_table():
    doc = (ROOT / "docs" / "conversation.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```mermaid\n(.*?)```", doc, flags=re.DOTALL)
    assert blocks == [mermaid()], "run: python -m core.conversation.diagram > the block"


def test_the_diagram_has_an_arrow_for_every_move_between_states():
    diagram = mermaid()
    for state, row in TABLE.items():
        for kind, transition in row.items():
            for target in transition.targets - {state}:
                arrow = re.search(rf"^    {state} --> {target}: (.*)$", diagram, flags=re.M)
                assert arrow is not None and kind.value in arrow.group(1).split(", ")
