"""`livedesk tickets list|show`."""

from __future__ import annotations

import argparse
import json
from typing import Any

from bot.bootstrap import build_services, settings_for
from core.masking import mask_diagnostics, mask_text
from core.statuses import Status
from core.storage.tables import AuditEventRow, TicketRow
from core.taxonomy import Category, Priority, subtype


def register(sub: Any) -> None:
    parser = sub.add_parser("tickets", help="list and inspect tickets")
    inner = parser.add_subparsers(dest="tickets_command", metavar="ACTION", required=True)
    lst = inner.add_parser("list", help="list tickets")
    lst.add_argument("--status", choices=[s.value for s in Status])
    lst.add_argument("--priority", choices=[p.value for p in Priority])
    lst.add_argument("--category", choices=[c.value for c in Category])
    lst.add_argument("--limit", type=int, default=200)
    lst.add_argument("--json", action="store_true", help="one JSON array")
    lst.add_argument("--viewer", default="", help="who is looking (finance agents see amounts)")
    lst.set_defaults(handler=list_tickets)
    show = inner.add_parser("show", help="one ticket with its event history")
    show.add_argument("ref", help="ticket reference, e.g. LD-1042")
    show.add_argument("--json", action="store_true")
    show.add_argument("--viewer", default="", help="who is looking (finance agents see amounts)")
    show.set_defaults(handler=show_ticket)


def _ticket_json(t: TicketRow, finance_viewer: bool) -> dict[str, Any]:
    return {
        "ref": t.ref,
        "status": t.status,
        "priority": t.priority,
        "category": t.category,
        "subtype": t.subtype,
        "scope": t.scope,
        "summary": mask_text(t.summary, t.diagnostics, finance_viewer=finance_viewer),
        "reporter": {
            "channel": t.channel,
            "user": t.external_user_id,
            "name": t.display_name,
            "language": t.language,
        },
        "diagnostics": mask_diagnostics(t.diagnostics, finance_viewer=finance_viewer),
        "assignee": t.assignee,
        "team": t.team,
        "tier": t.tier,
        "kb_tried": t.kb_tried,
        "cues": t.cues,
        "created_at": t.created_at.isoformat(),
        "first_response_due": t.first_response_due.isoformat(),
        "first_response_at": t.first_response_at.isoformat() if t.first_response_at else None,
        "outcome": t.outcome,
        "root_cause": t.root_cause,
        "cause_class": t.cause_class,
        "satisfaction": t.satisfaction,
    }


def _event_json(e: AuditEventRow) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "at": e.at.isoformat(),
        "actor": e.actor,
        "action": e.action,
        "payload": json.loads(e.payload),
    }


def list_tickets(args: argparse.Namespace) -> int:
    services = build_services(settings_for(args))
    try:
        finance = args.viewer in services.settings.slack.finance_agents
        rows = services.tickets.search(
            status=args.status, priority=args.priority, category=args.category, limit=args.limit
        )
    finally:
        services.close()
    if args.json:
        print(json.dumps([_ticket_json(t, finance) for t in rows], ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no tickets")
    for t in rows:
        summary = mask_text(t.summary, t.diagnostics, finance_viewer=finance)
        first_line = summary.splitlines()[0] if summary else ""
        print(
            f"{t.ref:<9} {t.priority} {t.status:<12} {t.subtype:<18} "
            f"{t.assignee or '-':<12} {first_line[:60]}"
        )
    return 0


def show_ticket(args: argparse.Namespace) -> int:
    services = build_services(settings_for(args))
    try:
        finance = args.viewer in services.settings.slack.finance_agents
        ticket = services.tickets.get(args.ref)
        events = services.tickets.history(args.ref)
    finally:
        services.close()
    data = _ticket_json(ticket, finance)
    data["events"] = [_event_json(e) for e in events]
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    st = subtype(ticket.subtype)
    print(f"{ticket.ref}  {ticket.priority}  {ticket.status}")
    print(f"  {st.category.value} / {st.id} ({st.name_zh} / {st.name_en}), scope {ticket.scope}")
    print(f"  reporter: {ticket.display_name} ({ticket.channel}:{ticket.external_user_id})")
    print(f"  assignee: {ticket.assignee or '-'}  team {ticket.team}, tier {ticket.tier}")
    print(f"  first response due: {ticket.first_response_due.isoformat()}")
    print(f"  summary: {data['summary']}")
    for key, value in data["diagnostics"].items():
        print(f"  {key}: {value}")
    print("  history:")
    for e in data["events"]:
        print(f"    #{e['seq']} {e['at']} {e['actor']}: {e['action']}")
    return 0
