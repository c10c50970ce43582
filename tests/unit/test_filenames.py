"""A sender's file name made safe for agents (core.filenames)."""

from __future__ import annotations

import unicodedata

import pytest

from core.filenames import MAX_CHARS, safe_file_name

HOSTILE = [
    "../../etc/passwd",
    "/etc/cron.d/x",
    "C:\\Windows\\System32\\drivers\\etc\\hosts",
    "report\x00.png",
    "\x00",
    "A" * 10_000 + ".png",
    "invoice\u202egnp.exe",
    "line1\nline2\r\n*approved*.txt",
    "$(reboot);`id`|rm -rf ~&>x*?.sh",
    "-rf --no-preserve-root.txt",
    "CON",
    "nul.txt",
    "COM1.jpg",
    "lpt9.tar.gz",
    "...",
    "..",
    ".",
    "",
    "   ",
    "<!channel> <@U0AGENT1> urgent.png",
    "pay\u200bment\ufeff.pdf",
    "\ud800.png",
]


def _unsafe(name: str) -> bool:
    stem = name.split(".")[0].upper()
    return (
        not name.strip(". ")
        or any(c in '/\\<>:"|?*$`;&' for c in name)
        or any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs") for c in name)
        or len(name) > MAX_CHARS
        or stem in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT9"}
        or name.startswith(("-", "."))
        or name.endswith((".", " "))
    )


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_name_comes_out_safe(name: str) -> None:
    assert _unsafe(name)
    assert not _unsafe(safe_file_name(name))


@pytest.mark.parametrize(
    "name", ["截图 2026-12-05.png", "screen recording (1).mp4", "账单_v2.pdf", "it's me.jpg"]
)
def test_an_ordinary_name_is_kept_as_it_is(name: str) -> None:
    assert safe_file_name(name) == name


def test_what_a_name_says_survives_and_a_long_one_keeps_its_extension() -> None:
    assert safe_file_name("../../etc/passwd") == "etc_passwd"
    assert safe_file_name("invoice\u202egnp.exe") == "invoice_gnp.exe"  # the real extension
    assert safe_file_name("CON") == "_CON"
    assert safe_file_name("...") == "file"
    long = safe_file_name("A" * 10_000 + ".png")
    assert len(long) == MAX_CHARS and long.endswith("A.png")
