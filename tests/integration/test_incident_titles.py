"""Issue 17: a surge's incident is named in English for agents; its reporters
read the subtype's name in their own language, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlmodel import col, select

from core.i18n.titles import incident_title
from core.incidents.model import IncidentStatus, PostUpdate
from core.incidents.service import IncidentService
from core.storage.incident_tables import IncidentRow
from core.storage.outbox_tables import OutboxMessageRow
from core.tickets import TicketService
from tests.outage import outage


def test_a_surge_incident_reads_in_each_reporters_language(db, settings, clock):
    tickets = TicketService(db, settings)
    incidents = IncidentService(db, tickets)
    found = outage(tickets, incidents, clock, 6, languages=("zh", "en", "zh-Hant"))
    with db.session(read_only=True) as s:
        (row,) = s.exec(select(IncidentRow)).all()
    assert row.title == "No sound at all"  # the agents' (generated) title
    incidents.post_update(
        PostUpdate(found.incident_ref, "agent", IncidentStatus.INVESTIGATING, "查看中"),
        clock.now(),
    )
    with db.session(read_only=True) as s:
        queued = s.exec(select(OutboxMessageRow).order_by(col(OutboxMessageRow.id))).all()
    texts = {r.language: r.body["text"] for r in queued}
    assert "没有声音" in texts["zh"] and "No sound at all" not in texts["zh"]
    assert "沒有聲音" in texts["zh-Hant"]
    assert "No sound at all" in texts["en"]


def test_a_title_an_agent_wrote_stays_as_written():
    assert incident_title("Audio mixer rollback", "zh") == "Audio mixer rollback"
    assert incident_title("No sound at all", "zh") == "没有声音"
    assert incident_title("No sound at all", "en") == "No sound at all"
