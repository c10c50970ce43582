"""`livedesk report`: complaint analytics for a period, for the retrospective."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.analytics_format import format_report, report_json
from bot.bootstrap import build_services, clock_for, settings_for
from core.analytics import DEFAULT_DAYS, MAX_DAYS, load_report
from core.errors import InvalidInputError


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "report", help=f"complaint analytics for a period (default: the last {DEFAULT_DAYS} days)"
    )
    parser.add_argument(
        "--days", type=int, default=DEFAULT_DAYS, help="length of the period in days"
    )
    parser.add_argument("--until", help="ISO time the period ends (default: now)")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    parser.set_defaults(handler=run_report)


def _period(args: argparse.Namespace) -> tuple[datetime, datetime]:
    """[since, until) in UTC."""
    if not 1 <= args.days <= MAX_DAYS:
        raise InvalidInputError(f"--days must be between 1 and {MAX_DAYS}")
    until = clock_for(args).now()
    if args.until:
        try:
            until = datetime.fromisoformat(args.until)
        except ValueError:
            raise InvalidInputError(f"--until is not an ISO time: {args.until!r}") from None
        if until.tzinfo is None:
            raise InvalidInputError("--until needs a timezone offset, e.g. 2026-11-25T00:00+08:00")
    until = until.astimezone(UTC)
    return until - timedelta(days=args.days), until


def run_report(args: argparse.Namespace) -> int:
    since, until = _period(args)
    services = build_services(settings_for(args))
    try:
        report = load_report(services.db, since, until)
    finally:
        services.close()
    if args.json:
        print(json.dumps(report_json(report), ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    return 0
