from collections import deque

import pytest

from core.errors import IllegalTransitionError, InvalidInputError
from core.incidents.model import (
    TRANSITIONS,
    IncidentStatus,
    check_incident_transition,
    check_severity,
    incident_ref,
    is_incident_ref,
    severity_for,
)
from core.taxonomy import Priority

S = IncidentStatus


def test_every_status_has_a_transition_entry():
    assert set(TRANSITIONS) == set(IncidentStatus)


@pytest.mark.parametrize("status", list(IncidentStatus))
def test_resolved_is_reachable_from_every_status(status):
    seen, todo = {status}, deque([status])
    while todo:
        for nxt in TRANSITIONS[todo.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert S.RESOLVED in seen


def test_every_status_is_reachable_from_investigating():
    seen, todo = {S.INVESTIGATING}, deque([S.INVESTIGATING])
    while todo:
        for nxt in TRANSITIONS[todo.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(IncidentStatus)


@pytest.mark.parametrize("status", [s for s in IncidentStatus if s is not S.RESOLVED])
def test_an_open_status_may_be_repeated_by_a_later_update(status):
    check_incident_transition(status, status)


def test_a_fix_that_did_not_hold_goes_back_to_investigating():
    check_incident_transition(S.MONITORING, S.INVESTIGATING)


@pytest.mark.parametrize("target", list(IncidentStatus))
def test_resolved_is_final(target):
    with pytest.raises(IllegalTransitionError, match="it is final"):
        check_incident_transition(S.RESOLVED, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [(c, t) for c in IncidentStatus for t in IncidentStatus if t not in TRANSITIONS[c]],
)
def test_every_illegal_transition_is_refused_naming_both_statuses(current, target):
    with pytest.raises(IllegalTransitionError) as err:
        check_incident_transition(current, target)
    assert str(current) in str(err.value) and str(target) in str(err.value)


def test_severity_is_p0_for_a_p0_outage_and_p1_otherwise():
    assert severity_for(Priority.P0) is Priority.P0
    assert [severity_for(p) for p in (Priority.P1, Priority.P2, Priority.P3)] == [Priority.P1] * 3


def test_only_p0_and_p1_are_incident_severities():
    assert check_severity(Priority.P1) is Priority.P1
    with pytest.raises(InvalidInputError, match="P0 or P1"):
        check_severity(Priority.P2)


def test_incident_refs_are_told_apart_from_ticket_refs():
    assert incident_ref(1) == "INC-101"
    assert is_incident_ref("INC-101") and not is_incident_ref("LD-1001")
