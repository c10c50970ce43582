"""The complaint report as text and as JSON, for the CLI and for Slack."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from core.analytics import ComplaintReport
from core.taxonomy import subtype


def report_json(r: ComplaintReport) -> dict[str, Any]:
    return {
        "since": r.since.isoformat(),
        "until": r.until.isoformat(),
        "reports": r.reports,
        "tickets": r.tickets,
        "self_served": r.self_served,
        "self_service_share": r.self_service_share,
        "previous_reports": r.previous_reports,
        "by_category": r.by_category,
        "subtypes": [
            {
                "subtype": f.subtype,
                "reports": f.reports,
                "tickets": f.tickets,
                "self_served": f.self_served,
                "previous": f.previous,
                "p0": f.p0,
            }
            for f in r.subtypes
        ],
        "priorities": [
            {
                "priority": p.priority,
                "tickets": p.tickets,
                "responded": p.responded,
                "responded_in_time": p.responded_in_time,
                "median_first_response_minutes": p.median_first_response_minutes,
            }
            for p in r.priorities
        ],
        "resolved": r.resolved,
        "root_fixes": r.root_fixes,
        "workarounds": r.workarounds,
        "median_resolution_hours": r.median_resolution_hours,
        "reopened": r.reopened,
        "causes": r.causes,
        "rated": len(r.ratings),
        "csat": r.csat,
        "unhappy": r.unhappy,
        "owed_root_fixes": r.owed_root_fixes,
        "oldest_owed": [{"ref": ref, "created_at": at.isoformat()} for ref, at in r.oldest_owed],
        "kb_gaps": r.kb_gaps,
        "kb_unhelpful": r.kb_unhelpful,
        "incidents": None if r.incidents is None else asdict(r.incidents),
        "corrections": None if r.corrections is None else asdict(r.corrections),
    }


def _minutes(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} min"


def _incident_lines(r: ComplaintReport) -> list[str]:
    i = r.incidents
    if i is None:
        return []
    lines = ["", "Incidents (one fault that many reported)"]
    if not i.incidents:
        return [*lines, "  none"]
    reporters = "-" if i.median_reporters is None else f"{i.median_reporters:g}"
    return [
        *lines,
        f"  {i.incidents} incidents ({i.p0} P0, {i.unresolved} not resolved); reporters: "
        f"median {reporters}, most {i.most_reporters}",
        f"  median time to acknowledge {_minutes(i.median_minutes_to_acknowledge)}, "
        f"to the first public update {_minutes(i.median_minutes_to_first_update)}, "
        f"to resolve {_minutes(i.median_minutes_to_resolve)}",
        f"  tickets handled through incidents: {i.tickets_through_incidents} of {i.tickets} "
        f"({_pct(i.through_incidents_share)})",
    ]


def _correction_lines(r: ComplaintReport) -> list[str]:
    c = r.corrections
    if c is None:
        return []
    share = c.tickets / r.tickets if r.tickets else None
    lines = [
        "",
        "Triage corrected by agents",
        f"  {c.tickets} of {r.tickets} tickets ({_pct(share)}); {c.priority_only} only in priority",
    ]
    if c.by_subtype:
        lines.append(
            "  subtype changed, by what triage said: "
            + ", ".join(f"{s} {n}" for s, n in c.by_subtype.items())
        )
    return lines


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def _listed(refs: list[str], label: str = "") -> str:
    return f" ({label}{', '.join(refs[:10])})" if refs else ""


def _change(now: int, before: int) -> str:
    """How a count moved, in words: "up 20%", "down 50%", "no change", "none before"."""
    if not before:
        return "none before" if now else "-"
    if now == before:
        return "no change"
    share = abs(now - before) / before
    return f"{'up' if now > before else 'down'} {share:.0%}"


def format_report(r: ComplaintReport) -> str:
    days = (r.until - r.since) / timedelta(days=1)
    lines = [
        f"Complaints {r.since:%Y-%m-%d %H:%M} to {r.until:%Y-%m-%d %H:%M} UTC ({days:g} days)",
        f"  reports: {r.reports}; in the {days:g} days before: {r.previous_reports} "
        f"({_change(r.reports, r.previous_reports)})",
        f"  tickets: {r.tickets}; solved by the knowledge base: {r.self_served} "
        f"({_pct(r.self_service_share)})",
    ]
    if r.by_category:
        lines.append("  by category: " + ", ".join(f"{c} {n}" for c, n in r.by_category.items()))
    lines.append("")
    lines.append("Most reported (reports, change from the period before, P0 tickets)")
    for f in r.subtypes[:10]:
        st = subtype(f.subtype)
        lines.append(
            f"  {f.subtype:<18} {f.reports:>4}  {_change(f.reports, f.previous):>11}  "
            f"P0 {f.p0:<3} {st.name_zh} / {st.name_en}"
        )
    if not r.subtypes:
        lines.append("  none")
    lines += ["", "First response (answered, within target, median)"]
    for p in r.priorities:
        median = p.median_first_response_minutes
        lines.append(
            f"  {p.priority}  {p.tickets:>4} tickets  {p.responded:>4} answered  "
            f"{_pct(p.in_time_share):>4} in time  median "
            f"{'-' if median is None else f'{median:.0f} min'}"
        )
    hours = r.median_resolution_hours
    lines += [
        "",
        "Resolution",
        f"  resolved {r.resolved} of {r.tickets}: {r.root_fixes} root fixes, "
        f"{r.workarounds} workarounds; median {'-' if hours is None else f'{hours:.1f} h'}",
        f"  reopened: {len(r.reopened)}{_listed(r.reopened)}",
    ]
    if r.causes:
        lines.append("  causes: " + ", ".join(f"{c} {n}" for c, n in r.causes.items()))
    lines += [
        "",
        "Satisfaction",
        f"  {'-' if r.csat is None else f'{r.csat:.1f} of 5'} from {len(r.ratings)} ratings"
        f"{_listed(r.unhappy, 'rated 1-2: ')}",
        "",
        "Retrospective",
        f"  workarounds still owed a root fix: {r.owed_root_fixes}"
        + _listed([f"{ref} since {at:%Y-%m-%d}" for ref, at in r.oldest_owed], "oldest: "),
    ]
    if r.kb_gaps:
        lines.append(
            "  knowledge base searched, no article found: "
            + ", ".join(f"{s} {n}" for s, n in r.kb_gaps.items())
        )
    if r.kb_unhelpful:
        lines.append(
            "  knowledge base offered articles, none helped: "
            + ", ".join(f"{s} {n}" for s, n in r.kb_unhelpful.items())
        )
    return "\n".join([*lines, *_incident_lines(r), *_correction_lines(r)])
