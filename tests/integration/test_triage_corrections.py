"""Agents correcting triage: stored as training examples, counted in the report,
erased with the ticket, and read by the next training run."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from core.analytics import load_report
from core.errors import InvalidInputError, ReasonRequiredError
from core.storage.correction_tables import TriageCorrectionRow
from core.storage.corrections import correction_lines
from core.storage.personal import erase_subjects, ticket_subject
from core.taxonomy import Priority
from core.tickets import TicketService
from core.triage.examples import parse_examples
from core.triage.train import training_set
from tests.factories import draft


@pytest.fixture
def tickets(db, settings):
    return TicketService(db, settings)


def corrections(db) -> list[TriageCorrectionRow]:
    with db.session() as s:
        return list(s.exec(select(TriageCorrectionRow)).all())


def test_reclassifying_moves_the_ticket_and_keeps_a_labelled_example(tickets, db, clock):
    t = tickets.create(
        draft("fin.recharge", summary="I tipped 500 coins, the gift never showed"), clock.now()
    )
    assert t.team == "finance"
    row = tickets.reclassify(t.ref, "U1", "func.gift", "a tip is a gift", clock.now())
    assert (row.subtype, row.category, row.team, row.priority) == (
        "func.gift",
        "functional",
        "support",
        "P1",
    )
    [c] = corrections(db)
    assert (c.subtype_before, c.subtype_after, c.text) == (
        "fin.recharge",
        "func.gift",
        "I tipped 500 coins, the gift never showed",
    )
    assert tickets.history(t.ref)[-1].action == "ticket.reclassified"


def test_a_reclassification_needs_a_reason_and_a_known_subtype(tickets, clock):
    t = tickets.create(draft(), clock.now())
    with pytest.raises(ReasonRequiredError):
        tickets.reclassify(t.ref, "U1", "av.blur", None, clock.now())
    with pytest.raises(InvalidInputError):
        tickets.reclassify(t.ref, "U1", "av.nonsense", "why", clock.now())


def test_a_priority_change_is_a_correction_and_its_scope_follows(tickets, db, clock):
    t = tickets.create(draft("av.no_audio"), clock.now())
    tickets.set_priority(t.ref, "U1", Priority.P0, "whole platform is silent", clock.now())
    [line] = [json.loads(x) for x in _lines(db)]
    assert (line["subtype"], line["scope"], line["priority"]) == ("av.no_audio", "widespread", "P0")


def test_an_unchanged_label_is_no_correction(tickets, db, clock):
    t = tickets.create(draft("av.stutter"), clock.now())
    tickets.set_priority(t.ref, "U1", Priority.P2, "confirming", clock.now())
    assert corrections(db) == []


def _lines(db) -> list[str]:
    with db.session() as s:
        return correction_lines(s)


def test_the_next_training_run_reads_the_corrections(tickets, db, clock):
    t = tickets.create(
        draft("fin.recharge", summary="cheered 500 bits and nothing showed"), clock.now()
    )
    tickets.reclassify(t.ref, "U1", "func.gift", "bits are a gift", clock.now())
    # The latest correction of a ticket is the one that counts.
    tickets.reclassify(t.ref, "U2", "func.gift", "still a gift", clock.now())
    files, examples = training_set([("corrections (database)", _lines(db))])
    assert files[-1][0] == "corrections (database)"
    learned = [e for e in examples if e.text == "cheered 500 bits and nothing showed"]
    assert [e.subtype for e in learned] == ["func.gift"]
    assert parse_examples(_lines(db))  # valid example records


def test_the_report_counts_corrections_by_triages_subtype(tickets, db, clock):
    a = tickets.create(draft("fin.recharge"), clock.now())
    b = tickets.create(draft("av.no_audio"), clock.now())
    tickets.create(draft("av.blur"), clock.now())
    tickets.reclassify(a.ref, "U1", "func.gift", "tip", clock.now())
    tickets.set_priority(b.ref, "U1", Priority.P0, "everyone", clock.now())
    report = load_report(db, clock.now() - timedelta(days=1), clock.now() + timedelta(hours=1))
    assert report.corrections is not None
    assert report.corrections.tickets == 2
    assert report.corrections.by_subtype == {"fin.recharge": 1}
    assert report.corrections.priority_only == 1


def test_erasing_a_ticket_deletes_its_corrections(tickets, db, clock):
    t = tickets.create(draft("fin.recharge"), clock.now())
    tickets.reclassify(t.ref, "U1", "func.gift", "tip", clock.now())
    with db.session() as s:
        erase_subjects(s, [ticket_subject(t.ref)], clock.now())
    assert corrections(db) == []
