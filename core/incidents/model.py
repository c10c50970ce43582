"""The incident: one outage, however many people report it. Pure, no I/O.

The status machine is data (`TRANSITIONS`); the other rules here are the
vocabulary the service and the adapters share: severities, filters, public
updates, and the commands agents give.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum

from core.errors import IllegalTransitionError, InvalidInputError
from core.statuses import Outcome
from core.taxonomy import Priority

REF_PREFIX = "INC-"
REF_OFFSET = 100


def incident_ref(incident_id: int) -> str:
    return f"{REF_PREFIX}{REF_OFFSET + incident_id}"


def is_incident_ref(ref: str) -> bool:
    return ref.startswith(REF_PREFIX)


class IncidentStatus(StrEnum):
    INVESTIGATING = "investigating"  # known, cause not yet found
    IDENTIFIED = "identified"  # cause found, fix under way
    MONITORING = "monitoring"  # fix out, watching whether it holds
    RESOLVED = "resolved"  # over; "is it fixed for you?" goes to every reporter


_I = IncidentStatus
# A status may repeat ("still investigating, next update at 21:00"). Resolved is
# final: a reporter for whom it is not fixed is split out into a ticket of their
# own, and a recurrence is a new incident.
TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    _I.INVESTIGATING: frozenset({_I.INVESTIGATING, _I.IDENTIFIED, _I.MONITORING, _I.RESOLVED}),
    _I.IDENTIFIED: frozenset({_I.IDENTIFIED, _I.INVESTIGATING, _I.MONITORING, _I.RESOLVED}),
    # The fix did not hold: back to investigating (or to a newly identified cause).
    _I.MONITORING: frozenset({_I.MONITORING, _I.INVESTIGATING, _I.IDENTIFIED, _I.RESOLVED}),
    _I.RESOLVED: frozenset(),
}


def check_incident_transition(current: IncidentStatus, target: IncidentStatus) -> None:
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing (it is final)"
        raise IllegalTransitionError(
            f"an incident in status {current!s} cannot move to {target!s} (allowed: {allowed})"
        )


# Incidents are urgent by nature: a widespread P2 fault is P1, a widespread P1 is P0.
SEVERITIES = (Priority.P0, Priority.P1)


def severity_for(priority: Priority) -> Priority:
    """The incident severity for its most urgent widespread ticket priority."""
    return Priority.P0 if priority is Priority.P0 else Priority.P1


def check_severity(value: Priority) -> Priority:
    if value not in SEVERITIES:
        raise InvalidInputError(f"an incident's severity is P0 or P1, not {value!s}")
    return value


@dataclass(frozen=True, slots=True)
class IncidentFilters:
    """What narrows an incident: only reports that do not contradict these join it.

    None means "any". A report that does not say (no room given) is not a
    contradiction: most reporters never name their app version.
    """

    room_id: str | None = None
    app_version: str | None = None
    os: str | None = None
    region: str | None = None

    def to_json(self) -> dict[str, str]:
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> IncidentFilters:
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise InvalidInputError(f"unknown incident filter {unknown[0]!r}")
        return cls(**{k: str(v) for k, v in data.items() if v})

    def admits(self, facts: IncidentFilters) -> bool:
        """True when the report's details do not contradict any of these."""
        for f in fields(self):
            wanted = getattr(self, f.name)
            given = getattr(facts, f.name)
            if wanted is not None and given is not None and normalised(given) != normalised(wanted):
                return False
        return True

    def key(self) -> str:
        """Canonical text, part of the open-incident key."""
        return "|".join(f"{k}={normalised(v)}" for k, v in sorted(self.to_json().items()))


def normalised(value: str) -> str:
    return " ".join(value.split()).casefold()


@dataclass(frozen=True, slots=True)
class PublicUpdate:
    """One update every reporter of the incident is told."""

    status: IncidentStatus
    message: str
    at: datetime
    author: str
    eta: datetime | None = None


# -- commands: what agents (or the surge rule) order ------------------------------------


@dataclass(frozen=True, slots=True)
class DeclareIncident:
    ticket_ref: str
    actor: str
    title: str | None = None  # None: the subtype's name
    severity: Priority | None = None  # None: from the ticket's widespread priority
    filters: IncidentFilters = field(default_factory=IncidentFilters)


@dataclass(frozen=True, slots=True)
class LinkTicket:
    incident_ref: str
    ticket_ref: str
    actor: str


@dataclass(frozen=True, slots=True)
class UnlinkTicket:
    incident_ref: str
    ticket_ref: str
    actor: str
    reason: str


@dataclass(frozen=True, slots=True)
class MergeIncidents:
    into_ref: str  # the incident that stays
    from_ref: str  # the incident folded into it
    actor: str


@dataclass(frozen=True, slots=True)
class AcknowledgeIncident:
    incident_ref: str
    actor: str  # becomes the owner; paging stops


@dataclass(frozen=True, slots=True)
class PostUpdate:
    incident_ref: str
    actor: str
    status: IncidentStatus
    message: str
    eta: datetime | None = None


@dataclass(frozen=True, slots=True)
class ResolveIncident:
    incident_ref: str
    actor: str
    outcome: Outcome
    cause_class: str
    message: str  # the public message every reporter gets


@dataclass(frozen=True, slots=True)
class SplitReporter:
    """A reporter says "not fixed for me": their ticket leaves the incident."""

    incident_ref: str
    ticket_ref: str
    actor: str
    reason: str
