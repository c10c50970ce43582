"""`livedesk audit verify|anchor|erase`: the tamper-evident audit trail."""

from __future__ import annotations

import argparse
from typing import Any

from bot.bootstrap import build_services, clock_for, settings_for
from core.storage.anchors import AnchorFile, take_anchor
from core.storage.audit_store import latest_hash, verify_trail
from core.storage.personal import erase_subjects, subjects_of_user, ticket_subject


def register(sub: Any) -> None:
    parser = sub.add_parser("audit", help="the tamper-evident audit trail")
    inner = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = inner.add_parser(
        "verify", help="verify the hash chain against the latest saved anchor (exit 1 if broken)"
    )
    which = verify.add_mutually_exclusive_group()
    which.add_argument("--anchor", help="a hash printed earlier by `audit anchor`")
    which.add_argument(
        "--no-anchor", action="store_true", help="check the chain only, not its tail"
    )
    verify.set_defaults(handler=verify_cmd)
    anchor = inner.add_parser(
        "anchor", help="print the latest hash and append it to the anchor file"
    )
    anchor.add_argument("--print-only", action="store_true", help="print it without saving it")
    anchor.set_defaults(handler=anchor_cmd)
    erase = inner.add_parser(
        "erase", help="erase personal data (destroys its keys; the chain stays valid)"
    )
    whose = erase.add_mutually_exclusive_group(required=True)
    whose.add_argument("--ticket", help="one ticket's personal data, e.g. LD-1001")
    whose.add_argument("--user", help="all of a user's personal data, as CHANNEL:ID")
    erase.set_defaults(handler=erase_cmd)


def verify_cmd(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    anchors = AnchorFile(settings.audit.anchor_path(settings.storage.data_dir))
    anchor = args.anchor
    saved = None if anchor or args.no_anchor else anchors.latest()
    if saved is not None:
        anchor = saved.hash
    services = build_services(settings)
    try:
        with services.db.session(read_only=True) as s:
            result = verify_trail(s, anchor=anchor)
    finally:
        services.close()
    against = (
        f" (anchor of {saved.at.isoformat()}, event {saved.seq})"
        if saved
        else (" (given anchor)" if anchor else " (no anchor: a cut-off tail would go unseen)")
    )
    if result.ok:
        print(f"audit trail ok: {result.count} events, latest {result.last_hash}{against}")
        return 0
    print(f"audit trail BROKEN at event {result.bad_seq}: {result.reason}{against}")
    print(f"({result.count} events verified before it)")
    return 1


def anchor_cmd(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    services = build_services(settings)
    path = settings.audit.anchor_path(settings.storage.data_dir)
    try:
        if args.print_only:
            with services.db.session(read_only=True) as s:
                seq, digest = latest_hash(s)
        else:
            anchor = take_anchor(services.db, AnchorFile(path), clock_for(args).now())
            seq, digest = anchor.seq, anchor.hash
            print(f"saved to {path}")
    finally:
        services.close()
    print(f"{seq} {digest}")
    return 0


def erase_cmd(args: argparse.Namespace) -> int:
    services = build_services(settings_for(args))
    try:
        with services.db.session() as s:
            if args.ticket:
                subjects = [ticket_subject(args.ticket)]
            else:
                channel, sep, user = args.user.partition(":")
                if not sep or not channel or not user:
                    print("--user takes CHANNEL:ID, e.g. telegram:12345")
                    return 2
                subjects = subjects_of_user(s, channel, user)
            erased = erase_subjects(s, subjects, clock_for(args).now())
    finally:
        services.close()
    print(f"erased {erased} personal values ({len(subjects)} keys destroyed or absent)")
    return 0
