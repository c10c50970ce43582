"""Ticket statuses and the transitions between them: the whole state machine
as data, drawn in docs/ticket-lifecycle.md.
"""

from __future__ import annotations

from enum import StrEnum

from core.errors import IllegalTransitionError


class Stage(StrEnum):
    INTAKE = "intake"
    DIAGNOSIS = "diagnosis"
    SOLUTION = "solution"
    FOLLOW_UP = "follow_up"
    RETROSPECTIVE = "retrospective"


class Status(StrEnum):
    NEW = "new"  # confirmed by the user, waiting for an agent
    DIAGNOSING = "diagnosing"  # an agent owns it and is reproducing
    WAITING_USER = "waiting_user"  # the agent asked the user for details
    WORKAROUND = "workaround"  # a temporary workaround was given; root fix still owed
    FIXED = "fixed"  # a root fix was given
    CONFIRMED = "confirmed"  # the user confirmed it is fixed
    CLOSED = "closed"  # retrospective recorded


class Outcome(StrEnum):
    WORKAROUND = "workaround"
    ROOT_FIX = "root_fix"


STAGE_OF: dict[Status, Stage] = {
    Status.NEW: Stage.INTAKE,
    Status.DIAGNOSING: Stage.DIAGNOSIS,
    Status.WAITING_USER: Stage.DIAGNOSIS,
    Status.WORKAROUND: Stage.SOLUTION,
    Status.FIXED: Stage.SOLUTION,
    Status.CONFIRMED: Stage.FOLLOW_UP,
    Status.CLOSED: Stage.RETROSPECTIVE,
}

_S = Status
TRANSITIONS: dict[Status, frozenset[Status]] = {
    _S.NEW: frozenset({_S.DIAGNOSING, _S.WAITING_USER, _S.WORKAROUND, _S.FIXED, _S.CLOSED}),
    # Back to NEW is an unclaim.
    _S.DIAGNOSING: frozenset({_S.NEW, _S.WAITING_USER, _S.WORKAROUND, _S.FIXED, _S.CLOSED}),
    _S.WAITING_USER: frozenset({_S.DIAGNOSING, _S.NEW, _S.WORKAROUND, _S.FIXED, _S.CLOSED}),
    # "Not fixed" reopens into diagnosis; a workaround can later become a root fix.
    _S.WORKAROUND: frozenset({_S.CONFIRMED, _S.DIAGNOSING, _S.FIXED, _S.CLOSED}),
    _S.FIXED: frozenset({_S.CONFIRMED, _S.DIAGNOSING, _S.CLOSED}),
    _S.CONFIRMED: frozenset({_S.CLOSED, _S.DIAGNOSING}),
    _S.CLOSED: frozenset({_S.DIAGNOSING}),
}

OPEN_STATUSES = frozenset({_S.NEW, _S.DIAGNOSING, _S.WAITING_USER})

OUTCOME_STATUS: dict[Outcome, Status] = {
    Outcome.WORKAROUND: Status.WORKAROUND,
    Outcome.ROOT_FIX: Status.FIXED,
}


def check_transition(current: Status, target: Status) -> None:
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing"
        raise IllegalTransitionError(
            f"a ticket in status {current!s} cannot move to {target!s} (allowed: {allowed})"
        )
