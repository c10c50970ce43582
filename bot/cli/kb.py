"""`livedesk kb`: list, lint, search and evaluate the knowledge base."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from bot.bootstrap import build_services, clock_for, settings_for
from core.config import load_settings
from core.ports import ArticleSuggestion, Clock, FeedbackCounts
from core.storage.feedback import SqlFeedbackStore
from core.taxonomy import SUBTYPES
from kb.evaluate import ASK, Classify, evaluate
from kb.lint import lint
from kb.loader import ArticleError, load_articles
from kb.matcher import CUTOFF, Matcher
from kb.memory_feedback import MemoryFeedbackStore
from kb.model import Article


def register(subparsers: Any) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--path", type=Path, default=None, help="articles directory (default: the packaged one)"
    )
    parser = subparsers.add_parser("kb", help="knowledge base: list, lint, search, eval")
    sub = parser.add_subparsers(dest="kb_command", metavar="KB_COMMAND", required=True)

    p = sub.add_parser("list", parents=[common], help="id, kind, subtypes and title of each")
    p.set_defaults(handler=_list)

    p = sub.add_parser("lint", parents=[common], help="check every article; exit 1 on problems")
    p.set_defaults(handler=_lint)

    p = sub.add_parser("search", parents=[common], help="articles for a message")
    p.add_argument("text", nargs="?", help="the message (omit with --jsonl)")
    p.add_argument("--subtype", choices=sorted(SUBTYPES), help="the classifier's subtype")
    p.add_argument("--limit", type=int, default=3)
    p.add_argument(
        "--jsonl",
        action="store_true",
        help='read {"text": ..., "subtype"?: ...} lines on stdin, write one result per line',
    )
    p.set_defaults(handler=_search)

    p = sub.add_parser("eval", parents=[common], help="measure on labelled JSONL messages")
    p.add_argument("file", type=Path, help="JSONL with text, subtype, category")
    p.add_argument(
        "--with-triage", action="store_true", help="take the subtype from core.triage.classify"
    )
    p.add_argument(
        "--cutoff", type=float, default=CUTOFF, help=f"relevance cutoff (default {CUTOFF:g})"
    )
    p.set_defaults(handler=_eval)

    p = sub.add_parser("stats", parents=[common], help="offers, helped and not-helped per article")
    p.set_defaults(handler=_stats)


def _stats(args: argparse.Namespace) -> int:
    articles = _load(args.path)
    if articles is None:
        return 1
    services = build_services(settings_for(args))
    try:
        counts = SqlFeedbackStore(services.db).counts()
    finally:
        services.close()
    print(format_stats(articles, counts))
    return 0


def _load(path: Path | None) -> list[Article] | None:
    try:
        return load_articles(path)
    except ArticleError as exc:
        sys.stderr.write(f"cannot load the knowledge base:\n{exc}\n")
        return None


def _list(args: argparse.Namespace) -> int:
    articles = _load(args.path)
    if articles is None:
        return 2
    for a in articles:
        sys.stdout.write(f"{a.id}\t{a.kind}\t{','.join(a.subtypes)}\t{a.title_en}\n")
    return 0


def _lint(args: argparse.Namespace) -> int:
    problems = lint(args.path)
    for problem in problems:
        sys.stdout.write(f"{problem}\n")
    if problems:
        sys.stdout.write(f"{len(problems)} problem(s)\n")
        return 1
    sys.stdout.write("knowledge base OK\n")
    return 0


def _search(args: argparse.Namespace) -> int:
    if args.jsonl == (args.text is not None):
        sys.stderr.write("give either a message or --jsonl\n")
        return 2
    articles = _load(args.path)
    if articles is None:
        return 2
    matcher = Matcher(articles, MemoryFeedbackStore())
    if args.jsonl:
        search_jsonl(matcher, sys.stdin, sys.stdout, limit=args.limit)
        return 0
    found = matcher.suggest(args.text, subtype=args.subtype, limit=args.limit)
    if not found:
        sys.stdout.write("no relevant article\n")
    for rank, s in enumerate(found, start=1):
        sys.stdout.write(
            f"{rank}. {s.article_id}  [{s.kind}] {', '.join(s.subtypes)}  score {s.score:.1f}\n"
            f"   {s.title_zh} / {s.title_en}\n"
        )
    return 0


def _as_json(s: ArticleSuggestion) -> dict[str, Any]:
    return {
        "id": s.article_id,
        "title": {"zh": s.title_zh, "en": s.title_en},
        "subtypes": list(s.subtypes),
        "kind": s.kind,
        "score": s.score,
    }


def search_jsonl(matcher: Matcher, lines: Iterable[str], out: TextIO, limit: int = 3) -> None:
    """One JSON answer per non-blank input line; a bad line gets an error and the rest go on."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        result: dict[str, Any]
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise ValueError('expected an object with a string "text"')
            subtype = row.get("subtype")
            if subtype is not None and subtype not in SUBTYPES:
                raise ValueError(f"unknown subtype {subtype!r}")
            found = matcher.suggest(row["text"], subtype=subtype, limit=limit)
            result = {"articles": [_as_json(s) for s in found]}
        except ValueError as exc:
            result = {"error": str(exc), "line": number}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()


def _triage_classifier(clock: Clock, ask_below: float) -> Classify | None:
    try:
        from core.triage import classify
    except ImportError:
        return None

    def subtype_of(text: str) -> str | None:
        verdict = classify(text, clock.now())
        # As the conversation does (core/conversation/describe.py): a vague
        # verdict, an unsure one or a fault that may be a wish asks the user
        # first, and no article is offered before the answer.
        if verdict.vague or verdict.asks_type(ask_below):
            return ASK
        return verdict.subtype if verdict.subtype in SUBTYPES else None

    return subtype_of


def _eval(args: argparse.Namespace) -> int:
    articles = _load(args.path)
    if articles is None:
        return 2
    classify: Classify | None = None
    if args.with_triage:
        # The conversation's own threshold (built-in default without a configuration).
        settings = load_settings(getattr(args, "config", None))
        ask_below = settings.intake.confidence_threshold
        classify = _triage_classifier(clock_for(args), ask_below)
        if classify is None:
            sys.stderr.write("core.triage is not available: measuring text only\n")
    try:
        with args.file.open(encoding="utf-8") as f:
            matcher = Matcher(articles, MemoryFeedbackStore(), cutoff=args.cutoff)
            report = evaluate(matcher, f, classify)
    except OSError as exc:
        sys.stderr.write(f"cannot read {args.file}: {exc}\n")
        return 2
    mode = "with triage subtype" if classify else "text only"
    sys.stdout.write(f"mode: {mode}\n{report.summary()}\n")
    return 0


def format_stats(articles: Sequence[Article], counts: dict[str, FeedbackCounts]) -> str:
    """Offers and answers per article, most offered first; ids with counts but no
    article any more are listed as retired.
    """
    by_kind: dict[str, int] = {}
    for a in articles:
        by_kind[a.kind] = by_kind.get(a.kind, 0) + 1
    covered = {s for a in articles for s in a.subtypes}
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(by_kind.items()))
    lines = [
        f"{len(articles)} articles ({kinds or 'none'}); "
        f"{len(covered & SUBTYPES.keys())}/{len(SUBTYPES)} subtypes covered",
        f"{'article':<44} {'offers':>7} {'helped':>7} {'not':>5} {'helped%':>8}",
    ]
    known = {a.id for a in articles}
    ids = sorted(known | counts.keys(), key=lambda i: (-counts.get(i, FeedbackCounts()).offers, i))
    total = FeedbackCounts()
    for article_id in ids:
        c = counts.get(article_id, FeedbackCounts())
        total = FeedbackCounts(
            total.offers + c.offers, total.helped + c.helped, total.not_helped + c.not_helped
        )
        name = article_id if article_id in known else f"{article_id} (retired)"
        lines.append(_stats_line(name, c))
    lines.append(_stats_line("total", total))
    return "\n".join(lines)


def _stats_line(name: str, c: FeedbackCounts) -> str:
    answered = c.helped + c.not_helped
    share = f"{c.helped / answered:.0%}" if answered else "-"
    return f"{name:<44} {c.offers:>7} {c.helped:>7} {c.not_helped:>5} {share:>8}"
