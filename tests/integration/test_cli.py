"""The CLI end to end on a real database file."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.cli import main
from core.config import load_settings
from core.storage.db import Database
from core.tickets import TicketService
from tests.factories import draft, finance_draft


@pytest.fixture
def config(tmp_path, db_url, monkeypatch):
    monkeypatch.delenv("LIVEDESK_DATABASE_URL", raising=False)
    path = tmp_path / "livedesk.toml"
    path.write_text(
        f'[storage]\nurl = "{db_url}"\ndata_dir = "{tmp_path / "data"}"\n\n'
        '[slack]\nfinance_agents = ["UFIN"]\n'
    )
    return str(path)


@pytest.fixture
def seeded(config, clock):
    assert main(["-c", config, "db", "upgrade"]) == 0
    settings = load_settings(config, environ={})
    db = Database(settings.database_url())
    tickets = TicketService(db, settings)
    a = tickets.create(draft("func.stream_push"), clock.now())
    b = tickets.create(finance_draft(), clock.now())
    tickets.claim(a.ref, "U1", clock.now())
    yield {"config": config, "refs": (a.ref, b.ref), "db": db}
    db.dispose()


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for command in ("config", "db", "audit", "tickets"):
        assert command in out


def test_commands_refuse_an_unmigrated_database(config, capsys):
    assert main(["-c", config, "tickets", "list"]) == 2
    assert "livedesk db upgrade" in capsys.readouterr().err


def test_tickets_list_filters_and_prints_json(seeded, capsys):
    capsys.readouterr()
    assert (
        main(["-c", seeded["config"], "tickets", "list", "--status", "diagnosing", "--json"]) == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert [r["ref"] for r in rows] == [seeded["refs"][0]]


def test_tickets_show_masks_finance_fields_except_for_finance_agents(seeded, capsys):
    ref = seeded["refs"][1]
    capsys.readouterr()
    assert main(["-c", seeded["config"], "tickets", "show", ref, "--json"]) == 0
    masked = json.loads(capsys.readouterr().out)
    assert masked["diagnostics"]["order_id"].endswith("5001")
    assert "ORD2026" not in json.dumps(masked)
    assert masked["diagnostics"]["amount"] == "***"
    assert masked["events"][0]["action"] == "ticket.created"
    assert main(["-c", seeded["config"], "tickets", "show", ref, "--json", "--viewer", "UFIN"]) == 0
    clear = json.loads(capsys.readouterr().out)
    assert clear["diagnostics"]["order_id"] == "ORD20261125001"


def test_tickets_show_of_an_unknown_ref_is_a_clear_error(seeded, capsys):
    assert main(["-c", seeded["config"], "tickets", "show", "LD-99999"]) == 2
    assert "no ticket LD-99999" in capsys.readouterr().err


def test_audit_verify_passes_then_names_the_tampered_event(seeded, capsys):
    config = seeded["config"]
    assert main(["-c", config, "audit", "verify"]) == 0
    assert main(["-c", config, "audit", "anchor"]) == 0
    anchor = capsys.readouterr().out.strip().splitlines()[-1].split()[1]
    with seeded["db"].session() as s:
        s.execute(text("UPDATE audit_event SET action = 'ticket.deleted' WHERE seq = 2"))
    assert main(["-c", config, "audit", "verify"]) == 1
    assert "BROKEN at event 2" in capsys.readouterr().out
    with seeded["db"].session() as s:
        s.execute(text("DELETE FROM audit_event WHERE seq >= 2"))
    assert main(["-c", config, "audit", "verify", "--anchor", anchor]) == 1
    assert "anchor" in capsys.readouterr().out


def test_audit_verify_checks_the_latest_saved_anchor_by_default(seeded, capsys):
    config = seeded["config"]
    assert main(["-c", config, "audit", "anchor"]) == 0
    assert main(["-c", config, "audit", "verify"]) == 0
    assert "anchor of" in capsys.readouterr().out
    with seeded["db"].session() as s:
        s.execute(text("DELETE FROM audit_event WHERE seq >= 3"))
    assert main(["-c", config, "audit", "verify"]) == 1
    assert "tail was cut off" in capsys.readouterr().out
    assert main(["-c", config, "audit", "verify", "--no-anchor"]) == 0


def test_audit_erase_keeps_the_trail_valid(seeded, capsys):
    config = seeded["config"]
    assert main(["-c", config, "audit", "erase", "--user", "telegram:42"]) == 0
    assert "erased" in capsys.readouterr().out
    assert main(["-c", config, "audit", "verify"]) == 0
    assert main(["-c", config, "audit", "erase", "--user", "nochannel"]) == 2


def test_db_status_reports_up_to_date(seeded, capsys):
    assert main(["-c", seeded["config"], "db", "status"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_the_config_option_works_after_the_command_too(config, capsys):
    assert main(["db", "upgrade", "-c", config]) == 0
    assert main(["tickets", "list", "-c", config]) == 0
    assert "no tickets" in capsys.readouterr().out


def test_report_prints_the_periods_figures_as_text_and_json(seeded, capsys, clock):
    capsys.readouterr()
    until = (clock.now() + timedelta(hours=1)).isoformat()
    period = ["report", "--days", "1", "--until", until]
    assert main(["-c", seeded["config"], *period, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["tickets"], data["reports"], data["previous_reports"]) == (2, 2, 0)
    assert {s["subtype"] for s in data["subtypes"]} == {"func.stream_push", "fin.recharge"}
    assert main(["-c", seeded["config"], *period]) == 0
    out = capsys.readouterr().out
    assert "func.stream_push" in out and "推流中断" in out
    assert "workarounds still owed a root fix: 0" in out
    assert "Incidents (one fault that many reported)\n  none" in out
    assert "Triage corrected by agents\n  0 of 2 tickets (0%)" in out
    assert data["incidents"]["incidents"] == 0 and data["corrections"]["tickets"] == 0


def test_report_without_until_ends_at_the_clock_the_cli_was_given(seeded, capsys, clock):
    capsys.readouterr()
    clock.advance(timedelta(hours=2))
    assert main(["-c", seeded["config"], "report", "--days", "1", "--json"], clock=clock) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["until"] == clock.now().isoformat()
    assert data["tickets"] == 2  # created two hours before the clock's now: inside the day


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "0"], "--days must be between 1 and 366"),
        (["--until", "yesterday"], "not an ISO time"),
        (["--until", "2026-11-25T00:00"], "needs a timezone offset"),
    ],
)
def test_report_refuses_a_bad_period_with_a_clear_error(seeded, capsys, args, message):
    capsys.readouterr()
    assert main(["-c", seeded["config"], "report", *args]) == 2
    assert message in capsys.readouterr().err
