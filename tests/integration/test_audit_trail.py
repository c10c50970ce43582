"""Tamper evidence of the audit trail, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.audit import verify_chain
from core.storage.audit_store import iter_links, latest_hash
from core.tickets import TicketService
from tests.factories import draft


@pytest.fixture
def trail(db, settings, clock):
    tickets = TicketService(db, settings)
    for _ in range(4):
        t = tickets.create(draft(), clock.now())
        tickets.claim(t.ref, "U1", clock.now())
    return db


def verify(db, anchor=None):
    with db.session() as s:
        return verify_chain(iter_links(s), anchor=anchor)


def test_an_untouched_trail_verifies(trail):
    result = verify(trail)
    assert result.ok
    assert result.count == 8


def test_an_edited_row_is_named(trail):
    with trail.session() as s:
        s.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE seq = 3"))
    result = verify(trail)
    assert not result.ok
    assert result.bad_seq == 3
    assert "changed" in result.reason


def test_a_deleted_row_is_named(trail):
    with trail.session() as s:
        s.execute(text("DELETE FROM audit_event WHERE seq = 5"))
    result = verify(trail)
    assert (result.ok, result.bad_seq) == (False, 5)


def test_reordered_rows_are_detected(trail):
    with trail.session() as s:
        s.execute(text("UPDATE audit_event SET seq = 100 WHERE seq = 2"))
        s.execute(text("UPDATE audit_event SET seq = 2 WHERE seq = 3"))
        s.execute(text("UPDATE audit_event SET seq = 3 WHERE seq = 100"))
    result = verify(trail)
    assert (result.ok, result.bad_seq) == (False, 2)


def test_a_truncated_tail_is_caught_by_the_anchor(trail):
    with trail.session() as s:
        _, anchor = latest_hash(s)
        s.execute(text("DELETE FROM audit_event WHERE seq >= 7"))
    assert verify(trail).ok  # without the anchor a cut tail looks whole
    result = verify(trail, anchor=anchor)
    assert not result.ok
    assert "anchor" in result.reason


def test_erasing_personal_data_keeps_the_chain_valid(trail):
    with trail.session() as s:
        s.execute(text("UPDATE personal_data SET value = NULL"))
    assert verify(trail).ok
