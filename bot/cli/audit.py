"""`livedesk audit verify|anchor`: check the hash chain of the audit trail."""

from __future__ import annotations

import argparse
from typing import Any

from bot.bootstrap import build_services, settings_for
from core.audit import verify_chain
from core.storage.audit_store import iter_links, latest_hash


def register(sub: Any) -> None:
    parser = sub.add_parser("audit", help="the tamper-evident audit trail")
    inner = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = inner.add_parser("verify", help="verify the hash chain (exit 1 if broken)")
    verify.add_argument("--anchor", help="a hash printed earlier by `audit anchor`")
    verify.set_defaults(handler=verify_cmd)
    inner.add_parser("anchor", help="print the latest hash to keep elsewhere").set_defaults(
        handler=anchor_cmd
    )


def verify_cmd(args: argparse.Namespace) -> int:
    services = build_services(settings_for(args))
    try:
        with services.db.session() as s:
            result = verify_chain(iter_links(s), anchor=args.anchor)
    finally:
        services.close()
    if result.ok:
        print(f"audit trail ok: {result.count} events, latest {result.last_hash}")
        return 0
    print(f"audit trail BROKEN at event {result.bad_seq}: {result.reason}")
    print(f"({result.count} events verified before it)")
    return 1


def anchor_cmd(args: argparse.Namespace) -> int:
    services = build_services(settings_for(args))
    try:
        with services.db.session() as s:
            seq, digest = latest_hash(s)
    finally:
        services.close()
    print(f"{seq} {digest}")
    return 0
