"""`livedesk triage` and `livedesk eval`: the complaint classifier from the shell."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.bootstrap import build_services, clock_for, settings_for
from core.ports import Clock
from core.taxonomy import CATEGORY_NAMES, SUBTYPES
from core.triage import Verdict, classify
from core.triage.evaluate import EvalReport, evaluate


def register(subparsers: Any) -> None:
    """Add the `triage` and `eval` sub-commands."""
    triage = subparsers.add_parser(
        "triage",
        help="classify a complaint message; or: train [--out FILE], activate FILE, rollback",
    )
    triage.add_argument(
        "text",
        nargs="*",
        help="the message (omit with --jsonl); or the model actions train, activate, rollback",
    )
    triage.add_argument("--lang", choices=("zh", "en"), default="zh", help="display language")
    triage.add_argument(
        "--jsonl",
        action="store_true",
        help='read {"text": ...} objects from stdin, one per line; write one verdict per line',
    )
    triage.add_argument("--now", help="ISO time the messages were sent (default: now)")
    triage.add_argument(
        "--out", type=Path, help="train: model file to write (default: the shipped one)"
    )
    triage.add_argument(
        "--include-corrections",
        action="store_true",
        help="train: also learn from agents' corrections stored in the database",
    )
    triage.add_argument(
        "--dir",
        type=Path,
        help="activate, rollback: model directory (default: $LIVEDESK_TRIAGE_MODEL_DIR)",
    )
    triage.set_defaults(handler=run_triage)

    ev = subparsers.add_parser("eval", help="accuracy of triage on a labelled JSONL file")
    ev.add_argument("file", type=Path, help="JSONL with text, category, subtype, scope, priority")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.add_argument(
        "--candidate", type=Path, help="also evaluate this model file and print both side by side"
    )
    ev.set_defaults(handler=run_eval)


def _corrections(args: argparse.Namespace) -> list[tuple[str, list[str]]]:
    """Agents' corrections as one more example file, read from the database."""
    from core.storage.corrections import correction_lines

    services = build_services(settings_for(args))
    try:
        with services.db.session(read_only=True) as s:
            return [("corrections (database)", correction_lines(s))]
    finally:
        services.close()


def run_model_action(args: argparse.Namespace) -> int:
    """`livedesk triage train|activate|rollback`: the logic lives in core.triage."""
    from core.config import TRIAGE_MODEL_DIR_ENV, triage_model_dir
    from core.triage.activation import ActivationError, activate, rollback
    from core.triage.linear import ModelFileError, shipped_model_path

    action = args.text[0]
    if action == "activate" and len(args.text) != 2:
        sys.stderr.write("error: usage: livedesk triage activate FILE [--dir DIR]\n")
        return 2
    if action != "activate" and len(args.text) != 1:
        sys.stderr.write(f"error: usage: livedesk triage {action} (no message words)\n")
        return 2
    if action == "train":
        from core.triage.train import train_bundled

        out = args.out or shipped_model_path()
        extra = _corrections(args) if args.include_corrections else []
        if args.include_corrections:
            sys.stdout.write(f"{len(extra[0][1])} corrections from the database\n")
        try:
            text = train_bundled(extra=extra)
        except ImportError as exc:
            sys.stderr.write(f"error: training needs the [train] extra ({exc.name} missing)\n")
            return 2
        out.write_text(text, encoding="utf-8")
        sys.stdout.write(f"wrote {out}\n")
        return 0
    directory = args.dir or triage_model_dir()
    if directory is None:
        sys.stderr.write(f"error: give --dir or set {TRIAGE_MODEL_DIR_ENV}\n")
        return 2
    try:
        model = (
            activate(Path(args.text[1]), directory) if action == "activate" else rollback(directory)
        )
    except (ModelFileError, ActivationError, OSError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    record = model.training.get("cross_validation", {})
    sys.stdout.write(
        f"{action}: {directory / 'active.json'} now classifies "
        f"(cross-validated subtype accuracy {record.get('subtype_accuracy', '?')})\n"
    )
    return 0


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
        "vague": verdict.vague,
        "second_subtype": verdict.second_subtype,
        "maybe_info": verdict.maybe_info,
        "maybe_urgent": verdict.maybe_urgent,
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


_MODEL_ACTIONS = ("train", "activate", "rollback")


def run_triage(args: argparse.Namespace) -> int:
    if args.text and args.text[0] in _MODEL_ACTIONS:
        return run_model_action(args)
    args.text = " ".join(args.text)
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
        f"P0 paged, or asked (others affected? or which type?): {report.p0_caught:.1%}",
        *(
            f"{group:<6} (n={int(g['messages'])}): subtype {g['subtype']:.1%}"
            f"  scope {g['scope']:.1%}"
            for group, g in report.groups.items()
        ),
        "worst subtype confusions (expected -> predicted: count):",
        *(f"  {e} -> {p}: {n}" for e, p, n in report.confusions),
        "slowest messages (line: ms):",
        *(f"  line {n}: {ms:.2f} ms" for n, ms in report.slowest),
    ]
    if report.skipped:
        lines.append(f"skipped lines: {', '.join(map(str, report.skipped))}")
    return "\n".join(lines)


def format_comparison(running: EvalReport, candidate: EvalReport) -> str:
    """Aggregate figures of both models side by side; no message is shown."""
    rows = [f"{'':<22}{'running':>10}{'candidate':>11}"]
    rows.append(f"{'messages':<22}{running.total:>10}{candidate.total:>11}")
    for key in running.accuracy:
        rows.append(
            f"{key + ' accuracy':<22}{running.accuracy[key]:>10.1%}{candidate.accuracy[key]:>11.1%}"
        )
    rows.append(f"{'P0 recall':<22}{running.p0_recall:>10.1%}{candidate.p0_recall:>11.1%}")
    rows.append(f"{'P0 precision':<22}{running.p0_precision:>10.1%}{candidate.p0_precision:>11.1%}")
    rows.append(f"{'P0 paged or asked':<22}{running.p0_caught:>10.1%}{candidate.p0_caught:>11.1%}")
    for group in sorted(set(running.groups) | set(candidate.groups)):
        a, b = running.groups.get(group, {}), candidate.groups.get(group, {})
        for key in ("subtype", "scope"):
            label = f"{group} {key} (n={int(a.get('messages', 0))})"
            rows.append(f"{label:<22}{a.get(key, 0.0):>10.1%}{b.get(key, 0.0):>11.1%}")
    return "\n".join(rows)


def run_eval(args: argparse.Namespace) -> int:
    from core.triage import Classifier
    from core.triage.linear import ModelFileError, load_model

    try:
        lines = args.file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        sys.stderr.write(f"error: cannot read {args.file}: {exc.strerror}\n")
        return 2
    candidate = None
    if args.candidate is not None:
        try:
            candidate = Classifier(model=load_model(args.candidate))
        except ModelFileError as exc:
            sys.stderr.write(f"error: {exc}\n")
            return 2
    report = evaluate(lines)
    other = evaluate(lines, candidate) if candidate is not None else None
    if args.json:
        out: dict[str, Any] = report.to_json()
        if other is not None:
            out = {"running": out, "candidate": other.to_json()}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    elif other is not None:
        sys.stdout.write(format_comparison(report, other) + "\n")
    else:
        sys.stdout.write(format_report(report) + "\n")
    return 0
