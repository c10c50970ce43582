"""`livedesk triage` and `livedesk eval`: the complaint classifier from the shell."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.bootstrap import clock_for
from core.ports import Clock
from core.taxonomy import CATEGORY_NAMES, SUBTYPES
from core.triage import Verdict, classify
from core.triage.evaluate import EvalReport, evaluate


def register(subparsers: Any) -> None:
    """Add the `triage` and `eval` sub-commands."""
    triage = subparsers.add_parser("triage", help="classify a complaint message")
    triage.add_argument("text", nargs="?", help="the message (omit with --jsonl)")
    triage.add_argument("--lang", choices=("zh", "en"), default="zh", help="display language")
    triage.add_argument(
        "--jsonl",
        action="store_true",
        help='read {"text": ...} objects from stdin, one per line; write one verdict per line',
    )
    triage.add_argument("--now", help="ISO time the messages were sent (default: now)")
    triage.set_defaults(handler=run_triage)

    ev = subparsers.add_parser("eval", help="accuracy of triage on a labelled JSONL file")
    ev.add_argument("file", type=Path, help="JSONL with text, category, subtype, scope, priority")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.set_defaults(handler=run_eval)


def _parse_now(raw: str | None, clock: Clock) -> datetime:
    if not raw:
        return clock.now()
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        raise ValueError("--now needs a timezone offset, e.g. 2024-05-01T12:00:00+00:00")
    return value.astimezone(UTC)


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    return {
        "category": str(verdict.category),
        "subtype": verdict.subtype,
        "scope": str(verdict.scope),
        "priority": str(verdict.priority),
        "confidence": verdict.confidence,
        "alternatives": [[s, score] for s, score in verdict.alternatives],
        "cues": verdict.cues,
        "details": verdict.details.to_json(),
    }


def format_verdict(verdict: Verdict, lang: str) -> str:
    st = SUBTYPES[verdict.subtype]
    zh_cat, en_cat = CATEGORY_NAMES[verdict.category]
    zh = lang.startswith("zh")
    labels = (
        ("类别", "子类", "范围", "优先级", "置信度", "备选", "依据", "诊断信息")
        if zh
        else (
            "category",
            "subtype",
            "scope",
            "priority",
            "confidence",
            "alternatives",
            "cues",
            "details",
        )
    )
    scope_names = {"single": "单个用户", "widespread": "大范围"} if zh else {}
    alternatives = ", ".join(f"{s} ({score:.2f})" for s, score in verdict.alternatives) or "-"
    details = verdict.details.to_json()
    lines = [
        f"{labels[0]}: {verdict.category} ({zh_cat if zh else en_cat})",
        f"{labels[1]}: {verdict.subtype} ({st.name_zh} / {st.name_en})",
        f"{labels[2]}: {scope_names.get(str(verdict.scope), str(verdict.scope))}",
        f"{labels[3]}: {verdict.priority}",
        f"{labels[4]}: {verdict.confidence:.2f}",
        f"{labels[5]}: {alternatives}",
        f"{labels[6]}: {', '.join(verdict.cues) or '-'}",
        f"{labels[7]}:" + ("" if details else " -"),
    ]
    lines.extend(f"  {key}: {value}" for key, value in details.items())
    return "\n".join(lines)


def triage_stream(lines: TextIO, out: TextIO, now: datetime) -> int:
    """One verdict (or error object) per input line; returns the number of errors."""
    errors = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        result: dict[str, Any]
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            result = {"error": f"not JSON: {exc.msg}", "line": number}
        else:
            text = row.get("text") if isinstance(row, dict) else None
            if not isinstance(row, dict):
                result = {"error": "not a JSON object", "line": number}
            elif "text" not in row:
                result = {"error": "missing 'text'", "line": number}
            elif not isinstance(text, str):
                result = {"error": "'text' is not a string", "line": number}
            elif not text.strip():
                result = {"error": "'text' is empty", "line": number}
            else:
                result = {**row, **verdict_json(classify(text, now))}
        errors += "error" in result
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    return errors


def run_triage(args: argparse.Namespace) -> int:
    try:
        now = _parse_now(args.now, clock_for(args))
    except ValueError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    if args.jsonl:
        triage_stream(sys.stdin, sys.stdout, now)
        return 0
    if not args.text or not args.text.strip():
        sys.stderr.write("error: give a message, or --jsonl to read from stdin\n")
        return 2
    sys.stdout.write(format_verdict(classify(args.text, now), args.lang) + "\n")
    return 0


def format_report(report: EvalReport) -> str:
    acc = report.accuracy
    lines = [
        f"messages: {report.total}",
        *(f"{key:<9} accuracy: {acc[key]:.1%}" for key in acc),
        f"P0 recall: {report.p0_recall:.1%}  precision: {report.p0_precision:.1%}"
        f"  (support {report.p0_support})",
        "worst subtype confusions (expected -> predicted: count):",
        *(f"  {e} -> {p}: {n}" for e, p, n in report.confusions),
        "slowest messages (line: ms):",
        *(f"  line {n}: {ms:.2f} ms" for n, ms in report.slowest),
    ]
    if report.skipped:
        lines.append(f"skipped lines: {', '.join(map(str, report.skipped))}")
    return "\n".join(lines)


def run_eval(args: argparse.Namespace) -> int:
    try:
        lines = args.file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        sys.stderr.write(f"error: cannot read {args.file}: {exc.strerror}\n")
        return 2
    report = evaluate(lines)
    if args.json:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_report(report) + "\n")
    return 0
