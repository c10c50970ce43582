"""Tamper evidence of the audit trail, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from core.audit import verify_chain
from core.storage.audit_store import iter_links, latest_hash, verify_trail
from core.storage.personal import erase_subjects, reveal, subjects_of_user, ticket_subject
from core.storage.tables import PersonalDataRow, TicketRow
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


def verify_all(db, anchor=None):
    with db.session() as s:
        return verify_trail(s, anchor=anchor)


def test_personal_data_is_stored_sealed_and_readable_with_its_key(trail):
    with trail.session() as s:
        rows = s.exec(select(PersonalDataRow)).all()
        assert rows and all(r.subject for r in rows)
        summary = next(r for r in rows if r.field == "summary")
        assert "卡" not in (summary.value or "")  # not stored as plain text
        assert reveal(s, summary) == draft().summary


def test_an_edited_personal_value_breaks_the_chain(trail):
    assert verify_all(trail).ok
    with trail.session() as s:
        s.execute(text("UPDATE personal_data SET value = 'forged' WHERE field = 'summary'"))
    result = verify_all(trail)
    assert not result.ok
    assert "personal data" in result.reason and "changed" in result.reason


def test_a_deleted_personal_value_row_breaks_the_chain(trail):
    with trail.session() as s:
        s.execute(text("DELETE FROM personal_data WHERE field = 'summary'"))
    result = verify_all(trail)
    assert not result.ok
    assert "deleted" in result.reason


def test_erasing_a_ticket_destroys_its_key_and_keeps_the_chain_valid(trail, clock):
    with trail.session() as s:
        ref = s.exec(select(PersonalDataRow.ticket_ref)).first()
        assert ref is not None
        erased = erase_subjects(s, [ticket_subject(ref)], clock.now())
    assert erased >= 1
    with trail.session() as s:
        rows = s.exec(select(PersonalDataRow).where(PersonalDataRow.ticket_ref == ref)).all()
        assert rows and all(r.erased_at is not None and reveal(s, r) is None for r in rows)
        others = s.exec(select(PersonalDataRow).where(PersonalDataRow.ticket_ref != ref)).all()
        assert all(reveal(s, r) is not None for r in others)
    assert verify_all(trail).ok


def test_erasing_a_user_reaches_every_ticket_of_theirs(trail, clock):
    with trail.session() as s:
        ticket = s.exec(select(TicketRow)).first()
        assert ticket is not None
        subjects = subjects_of_user(s, ticket.channel, ticket.external_user_id)
        erase_subjects(s, subjects, clock.now())
        left = s.exec(select(PersonalDataRow)).all()
        assert all(reveal(s, r) is None for r in left)
    assert verify_all(trail).ok
