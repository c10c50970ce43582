"""`make soak`: the soak scenarios against real `livedesk run` processes, on SQLite
and (when LIVEDESK_TEST_POSTGRES_URL is set) PostgreSQL. Prints one table per
database and exits non-zero on any lost message, duplicate, unauthorized action
or crash. See docs/reliability.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from tests.soak import telegram_scenarios as tg
from tests.soak.audit_tamper import tampered_trail
from tests.soak.canaries import canary_secrets
from tests.soak.db_outage import database_outage
from tests.soak.figures import Figures, table
from tests.soak.file_names import hostile_file_names
from tests.soak.floods import flooding_user, too_many_requests
from tests.soak.hostile_inputs import hostile_inputs
from tests.soak.slack_authz import authorization_matrix
from tests.soak.slack_relay import kill_while_relaying, redelivery_storm
from tests.soak.slack_scenarios import claim_race_and_outsiders
from tests.soak.two_instances import two_instances

Scenario = Callable[[Path, str | None], Awaitable[Figures]]

SCENARIOS: list[tuple[str, Scenario]] = [
    ("tg-redelivery-webhook", lambda t, u: tg.redelivery_storm(t, u, "webhook", 30, 5)),
    ("tg-redelivery-polling", lambda t, u: tg.redelivery_storm(t, u, "polling", 30, 5)),
    ("tg-kill-webhook", lambda t, u: tg.kill_during_load(t, u, "webhook", 60)),
    ("tg-kill-polling", lambda t, u: tg.kill_during_load(t, u, "polling", 60)),
    ("tg-kill-worker-webhook", lambda t, u: tg.kill_during_load(t, u, "webhook", 60, worker=True)),
    ("tg-kill-worker-polling", lambda t, u: tg.kill_during_load(t, u, "polling", 60, worker=True)),
    ("hostile-inputs", hostile_inputs),
    ("slack-claims", claim_race_and_outsiders),
    ("slack-kill", kill_while_relaying),
    ("slack-redelivery", redelivery_storm),
    ("slack-authz", authorization_matrix),
    ("db-outage", database_outage),
    ("tg-429", too_many_requests),
    ("tg-flood", flooding_user),
    ("file-names", hostile_file_names),
    ("canaries", canary_secrets),
    ("audit-tamper", tampered_trail),
    ("two-instances", two_instances),
]


async def run_database(name: str, url: str | None, only: set[str], root: Path) -> list[Figures]:
    rows: list[Figures] = []
    for key, scenario in SCENARIOS:
        if only and key not in only:
            continue
        started = time.monotonic()
        try:
            figures = await scenario(root / name / key, url)
        except Exception as error:  # a scenario that cannot finish is a crash, not a pass
            figures = Figures(key, crashed=1, notes=[f"{type(error).__name__}: {error}"])
        print(f"  {name} {key}: {time.monotonic() - started:.0f}s", file=sys.stderr, flush=True)
        rows.append(figures)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.soak")
    parser.add_argument("--only", action="append", default=[], help="scenario key (repeatable)")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument(
        "--keep", type=Path, help="write the scenarios' logs and data here and keep them"
    )
    args = parser.parse_args(argv)
    databases: list[tuple[str, str | None]] = [("SQLite", None)]
    postgres = os.environ.get("LIVEDESK_TEST_POSTGRES_URL")
    if postgres and not args.sqlite_only:
        databases.append(("PostgreSQL", postgres))
    failed = False
    with contextlib.ExitStack() as stack:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            root = str(args.keep)
        else:
            root = stack.enter_context(tempfile.TemporaryDirectory(prefix="livedesk-soak-"))
        for name, url in databases:
            rows = asyncio.run(run_database(name, url, set(args.only), Path(root)))
            print(table(name, rows) + "\n", flush=True)
            failed = failed or any(r.failed for r in rows)
    if not postgres:
        print("PostgreSQL NOT run: set LIVEDESK_TEST_POSTGRES_URL", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
