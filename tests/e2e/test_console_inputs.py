"""`livedesk chat` with lines no terminal user should be able to crash it with."""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.cli import main
from core.config import settings_from_mapping
from core.conversation import Reply
from core.conversation.answers import choice_number, small_number
from core.outbox import enqueue
from core.storage.db import Database
from core.storage.outbox_tables import OutboxMessageRow

STUTTER = "直播间 8848 一直卡成PPT，iPhone 13，用的WiFi"


def chat(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    lines: list[str],
) -> str:
    config = tmp_path / "livedesk.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    monkeypatch.delenv("LIVEDESK_DATABASE_URL", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["-c", str(config), "chat", "--lang", "zh"]) == 0
    return capsys.readouterr().out


def test_an_all_digit_line_longer_than_pythons_int_limit_is_only_text(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Past 4,300 digits int() raises; the line is asked for a choice by number twice:
    # once by the console (a number picks a shown choice), once by the engine.
    huge = "9" * 5000
    out = chat(monkeypatch, capsys, tmp_path, [STUTTER, huge, "3", "1", "1", "1", "/mytickets"])
    assert "工单号 LD-1001" in out


def test_lone_surrogates_from_the_terminal_are_dropped_not_fatal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # What Python hands over for undecodable bytes under surrogateescape.
    out = chat(
        monkeypatch, capsys, tmp_path, [STUTTER + "\udcff", "3", "1", "1", "1", "/mytickets"]
    )
    assert "工单号 LD-1001" in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),
        ("007", 7),
        ("9" * 9, 999_999_999),
        ("9" * 10, None),
        ("9" * 5000, None),
        ("²", None),
        ("٣", None),
        ("", None),
        ("-1", None),
    ],
)
def test_only_short_ascii_digit_runs_are_numbers(text: str, expected: int | None) -> None:
    assert small_number(text) == expected


def test_a_huge_number_is_no_choice() -> None:
    assert choice_number("9" * 5000, 3) is None
    assert choice_number(" 2 ", 3) == 1


def test_the_console_prints_what_the_outbox_holds_for_its_user_and_nobody_elses(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # No dispatcher serves the console: `livedesk chat` delivers its own user's rows.
    settings = settings_from_mapping({"storage": {"data_dir": str(tmp_path / "data")}})
    db = Database(settings.database_url())
    db.upgrade()
    now = datetime.now(UTC)
    with db.session() as s:
        for chat_id, text in (("console-user", "故障已修复"), ("someone-else", "not yours")):
            enqueue(
                s,
                channel="console",
                chat_id=chat_id,
                language="zh",
                reply=Reply(text),
                dedupe_key=f"incident-update:1:{chat_id}",
                now=now,
            )
    out = chat(monkeypatch, capsys, tmp_path, ["/help"])
    assert "bot> 故障已修复" in out
    assert "not yours" not in out
    with db.session() as s:
        rows = {r.chat_id: r.status for r in s.exec(select(OutboxMessageRow)).all()}
    assert rows == {"console-user": "sent", "someone-else": "pending"}
    db.engine.dispose()
