"""`livedesk chat` with piped stdin: whole conversations scripted line by line."""

from __future__ import annotations

import io
import sys

from bot.cli import main


def chat(monkeypatch, capsys, tmp_path, lines: list[str], *args: str) -> str:
    config = tmp_path / "livedesk.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    monkeypatch.delenv("LIVEDESK_DATABASE_URL", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["-c", str(config), "chat", *args]) == 0
    return capsys.readouterr().out


def test_a_scripted_chinese_report_becomes_a_ticket(monkeypatch, capsys, tmp_path):
    out = chat(
        monkeypatch,
        capsys,
        tmp_path,
        ["直播间 8848 一直卡成PPT，iPhone 13，用的WiFi", "3", "1", "1", "1", "/mytickets"],
        "--lang",
        "zh",
    )
    assert "工单号 LD-1001" in out
    assert "LD-1001  卡顿、延迟、缓冲  待处理" in out


def test_an_english_user_gets_english_and_numbered_choices(monkeypatch, capsys, tmp_path):
    out = chat(monkeypatch, capsys, tmp_path, ["/help", "my gift never showed up"], "--lang", "en")
    assert "Commands:" in out
    assert "[1]" in out


def test_a_missing_file_is_reported_not_sent(monkeypatch, capsys, tmp_path):
    out = chat(monkeypatch, capsys, tmp_path, ["/file /no/such/file.png"])
    assert "no such file" in out
