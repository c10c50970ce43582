"""Hostile file names: a reporter sends documents named to escape directories, hide
their type, break lines, ping a channel or trip a shell, via the fake Telegram; the
desk keeps each file and hands it to the agents in the ticket's Slack thread.

Figures: a document with no answer, or whose bytes never reach Slack or the data
directory, is lost; more than one upload of it is a duplicate. A name that reaches
Slack unsafe, and any file the process writes outside its data directory, count
as unauthorized (a user's input took effect where it may not); the notes say which.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import unicodedata
from pathlib import Path

from bot.sandbox.slack.records import UploadedFile
from tests.e2e.processes import TRIAGE
from tests.soak.desk import Desk, running_desk
from tests.soak.figures import Figures
from tests.wire.telegram_intake_fixtures import User

REPORTER = 8_300_000
P0_REPORT = "全平台的直播间都黑屏了，大家都看不了直播"
ADDED = "已补充到工单"
ESCAPES = (  # where a traversal or an absolute name would land; must not exist afterwards
    Path("/tmp/livedesk-soak-escape.txt"),
    Path("/tmp/livedesk-soak-absolute.txt"),
    Path("/etc/cron.d/livedesk-soak"),
)
HOSTILE = (
    ("traversal", "../../etc/passwd", "text/plain"),
    ("deep traversal", "../../../../../../../../tmp/livedesk-soak-escape.txt", "text/plain"),
    ("absolute", "/tmp/livedesk-soak-absolute.txt", "text/plain"),
    ("absolute cron", "/etc/cron.d/livedesk-soak", "text/plain"),
    ("windows path", "C:\\Windows\\System32\\drivers\\etc\\hosts", "text/plain"),
    ("NUL byte", "report\x00.png", "image/png"),
    ("only NUL", "\x00", "application/octet-stream"),
    ("10,000 chars", "A" * 10_000 + ".png", "image/png"),
    ("RTL override", "invoice\u202egnp.exe", "application/octet-stream"),
    ("newlines", "line1\nline2\r\n*approved by finance*.txt", "text/plain"),
    ("shell", "$(reboot);`id`|rm -rf ~&>x*?.sh", "text/x-sh"),
    ("leading dash", "-rf --no-preserve-root.txt", "text/plain"),
    ("windows CON", "CON", "text/plain"),
    ("windows nul.txt", "nul.txt", "text/plain"),
    ("windows COM1", "COM1.jpg", "image/jpeg"),
    ("only dots", "...", "text/plain"),
    ("dot dot", "..", "text/plain"),
    ("channel ping", "<!channel> <@U0AGENT1> urgent.png", "image/png"),
    ("zero-width", "pay\u200bment\ufeff.pdf", "application/pdf"),
)
CONTROL = ("plain Chinese name", "截图 2026-12-05.png", "image/png")
# Characters no safe name keeps: path separators, what Windows forbids, shell metacharacters.
_UNSAFE_CHARS = set('/\\<>:"|?*$`;&')
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(10)}


def unsafe(name: str) -> list[str]:
    """Why `name` is not safe to show an agent or to save on their machine."""
    reasons = []
    if not name.strip(". "):
        reasons.append("empty or only dots")
    if bad := sorted(_UNSAFE_CHARS.intersection(name)):
        reasons.append(f"characters {''.join(bad)!r}")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs") for c in name):
        reasons.append("control, format or bidi characters")
    if len(name.encode("utf-8", "surrogatepass")) > 255:
        reasons.append(f"{len(name)} characters")
    if name.split(".")[0].strip().upper() in _RESERVED:
        reasons.append("a Windows device name")
    if name.startswith("-") or name.endswith((".", " ")):
        reasons.append("leading dash or trailing dot/space")
    return reasons


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            try:
                stat = path.lstat()
            except OSError:
                continue
            found[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return found


def _written_outside(
    before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]], desk: Desk
) -> list[str]:
    """Files new or changed under the suite's root that are not the desk's data directory,
    nor the harness's own logs and configuration."""
    data = str(desk.tmp / "data") + os.sep
    own = {str(desk.config)} | {str(p) for p in desk.tmp.glob("*.log")}
    return [
        path
        for path, stat in after.items()
        if before.get(path) != stat and not path.startswith(data) and path not in own
    ]


def _passwd() -> str:
    return hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest()


def _stored_blobs(desk: Desk) -> set[str]:
    """Digests of the files in the data directory (the attachment store lives there)."""
    digests = set()
    for folder, _dirs, files in os.walk(desk.tmp / "data"):
        for name in files:
            path = Path(folder) / name
            if path.stat().st_size < 1_000_000:
                digests.add(hashlib.sha256(path.read_bytes()).hexdigest())
    return digests


async def hostile_file_names(tmp: Path, postgres_url: str | None) -> Figures:
    figures = Figures("hostile file names (webhook -> Slack)")
    suite_root = tmp.parent.parent  # /tmp/livedesk-soak-*/: every scenario's directory
    # One reporter sends 20 files within a minute: above the default flood limit.
    intake = "[intake]\nflood_messages = 100\n"
    async with running_desk(tmp, postgres_url, mode="webhook", extra_config=intake) as desk:
        before = await asyncio.to_thread(_snapshot, suite_root)
        passwd = await asyncio.to_thread(_passwd)
        desk.tg.add_chat(REPORTER)
        user = User(desk.tg, REPORTER)
        await user.says(P0_REPORT, expect="工单号")
        card = await desk.slack.wait_for_message(
            TRIAGE, lambda m: "ticket.claim" in str(m.blocks), timeout=30
        )
        sent: list[tuple[str, str, bytes]] = []
        for n, (kind, name, mime) in enumerate((*HOSTILE, CONTROL)):
            data = f"soak hostile file {n} {kind}\n".encode()
            desk.tg.user_sends_document(REPORTER, data, file_name=name, mime_type=mime)
            figures.sent += 1
            sent.append((kind, name, data))
            try:
                await user.expect(ADDED)
            except (AssertionError, TimeoutError):
                figures.lost += 1
                figures.notes.append(f"{kind}: no answer on Telegram")
        await _wait_for_uploads(desk, len(sent))
        stored = await asyncio.to_thread(_stored_blobs, desk)
        for kind, name, data in sent:
            _check_upload(desk, figures, kind, name, data, card.ts, stored)
        after = await asyncio.to_thread(_snapshot, suite_root)
        escaped = _written_outside(before, after, desk)
        escaped += [str(p) for p in ESCAPES if await asyncio.to_thread(p.exists)]
        escaped += ["/etc/passwd"] if await asyncio.to_thread(_passwd) != passwd else []
        figures.unauthorized += len(escaped)
        figures.notes += [f"written outside the data directory: {p!r}" for p in escaped]
        figures.server_errors += desk.tg.webhook_server_errors
        if not desk.alive():
            figures.crashed += 1
    figures.crashed += desk.crashes
    return figures


async def _wait_for_uploads(desk: Desk, count: int, limit: float = 60) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    quiet_since, last = loop.time(), -1
    while loop.time() < deadline:
        done = sum(f.completed for f in desk.slack.uploaded_files)
        if done != last:
            quiet_since, last = loop.time(), done
        if done >= count and loop.time() - quiet_since >= 4:
            return
        await asyncio.sleep(0.2)


def _check_upload(
    desk: Desk,
    figures: Figures,
    kind: str,
    name: str,
    data: bytes,
    thread: str,
    stored: set[str],
) -> None:
    if hashlib.sha256(data).hexdigest() not in stored:
        figures.lost += 1
        figures.notes.append(f"{kind}: not kept in the data directory")
    uploads: list[UploadedFile] = [
        f for f in desk.slack.uploaded_files if f.completed and f.content == data
    ]
    if not uploads:
        figures.lost += 1
        figures.notes.append(f"{kind}: never reached Slack")
        return
    figures.duplicated += len(uploads) - 1
    upload = uploads[0]
    if upload.thread_ts != thread:
        figures.lost += 1
        figures.notes.append(f"{kind}: uploaded outside the ticket's thread")
    problems = unsafe(upload.filename) + [f"title: {r}" for r in unsafe(upload.title or "")]
    comment = upload.initial_comment or ""
    if "<!" in comment or "<@" in comment:
        problems.append("the comment pings")
    if "\n" in comment or any(unicodedata.category(c) in ("Cc", "Cf") for c in comment):
        problems.append("the comment holds control characters or line breaks")
    if kind == CONTROL[0]:
        if problems or "截图" not in upload.filename:
            figures.notes.append(f"the plain name became {upload.filename!r}: {problems}")
        return
    if problems:
        figures.unauthorized += 1
        figures.notes.append(f"{kind}: Slack got {upload.filename[:80]!r} ({'; '.join(problems)})")
