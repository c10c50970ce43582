"""The transition table drawn as a mermaid state diagram, for docs/conversation.md.

`python -m core.conversation.diagram` prints it; a test holds the document to it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

from core.conversation.transitions import TABLE, InputKind, Transition
from core.conversation.turn import ConvState


def mermaid(table: Mapping[ConvState, Mapping[InputKind, Transition]] = TABLE) -> str:
    """The table as a mermaid state diagram: one arrow per pair of states, labelled
    with the inputs that can take it. Inputs that stay in their state are left out.
    """
    lines = ["stateDiagram-v2", f"    [*] --> {ConvState.IDLE.value}"]
    for state in ConvState:
        by_target: dict[ConvState, list[str]] = {}
        for kind in InputKind:
            transition = table[state].get(kind)
            if transition is None:
                continue
            for target in ConvState:
                if target in transition.targets and target is not state:
                    by_target.setdefault(target, []).append(kind.value)
        for target, kinds in by_target.items():
            lines.append(f"    {state.value} --> {target.value}: {', '.join(kinds)}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(mermaid())
