from collections import deque

import pytest

from core.errors import IllegalTransitionError
from core.statuses import STAGE_OF, TRANSITIONS, Stage, Status, check_transition


def test_every_status_has_a_stage_and_a_transition_entry():
    assert set(STAGE_OF) == set(Status)
    assert set(TRANSITIONS) == set(Status)
    assert set(STAGE_OF.values()) == set(Stage)


def test_every_status_is_reachable_from_new():
    seen, todo = {Status.NEW}, deque([Status.NEW])
    while todo:
        for nxt in TRANSITIONS[todo.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(Status)


def test_closed_is_reachable_from_every_status():
    for status in Status:
        seen, todo = {status}, deque([status])
        while todo:
            for nxt in TRANSITIONS[todo.popleft()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        assert Status.CLOSED in seen, status


@pytest.mark.parametrize(
    ("current", "target"),
    [(c, t) for c in Status for t in Status if t not in TRANSITIONS[c]],
)
def test_every_illegal_transition_is_refused_with_a_clear_error(current, target):
    with pytest.raises(IllegalTransitionError, match=f"{current} cannot move to {target}"):
        check_transition(current, target)


def test_a_workaround_and_a_root_fix_are_different_outcomes():
    assert Status.WORKAROUND != Status.FIXED
    assert Status.FIXED in TRANSITIONS[Status.WORKAROUND]
