"""The module entry points the README and the docs name still start."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("bot.sandbox.telegram", "Local fake of the Telegram Bot API"),
        ("bot.sandbox.slack", "Run a local fake Slack"),
        ("bot.cli", "LiveDesk: complaint handling"),
    ],
)
def test_python_dash_m_prints_the_help(module: str, expected: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout
