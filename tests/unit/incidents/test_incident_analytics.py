from datetime import timedelta

import pytest

from core.incidents.analytics import IncidentFacts, build_incident_figures


def facts(clock, ref, reporters, *, ack=None, update=None, resolve=None, severity="P0"):
    start = clock.now()

    def at(minutes):
        return start + timedelta(minutes=minutes) if minutes is not None else None

    return IncidentFacts(ref, severity, start, at(ack), at(update), at(resolve), reporters)


def test_incident_figures_take_medians_from_each_declaration(clock):
    figures = build_incident_figures(
        [
            facts(clock, "INC-101", 30, ack=2, update=4, resolve=60),
            facts(clock, "INC-102", 6, ack=6, update=10, resolve=None, severity="P1"),
            facts(clock, "INC-103", 8, ack=None, update=None, resolve=None),
        ],
        tickets=50,
        tickets_through_incidents=44,
    )
    assert (figures.incidents, figures.p0, figures.unresolved) == (3, 2, 2)
    assert (figures.median_reporters, figures.most_reporters) == (8, 30)
    assert figures.median_minutes_to_acknowledge == 4
    assert figures.median_minutes_to_first_update == 7
    assert figures.median_minutes_to_resolve == 60
    assert figures.through_incidents_share == pytest.approx(0.88)


def test_a_period_without_incidents_has_no_medians():
    figures = build_incident_figures([], tickets=0, tickets_through_incidents=0)
    assert figures.incidents == 0 and figures.median_reporters is None
    assert figures.median_minutes_to_resolve is None and figures.through_incidents_share is None


def test_more_tickets_through_incidents_than_tickets_is_refused():
    with pytest.raises(ValueError, match="between 0 and all tickets"):
        build_incident_figures([], tickets=1, tickets_through_incidents=2)
