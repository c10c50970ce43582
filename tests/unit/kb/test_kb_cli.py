from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from bot.cli import kb as kb_cmd
from core.ports import FeedbackCounts
from kb.model import Article
from tests.unit.kb.kb_helpers import FIXTURE_ARTICLES, WriteArticle

FIXTURES = ["--path", str(FIXTURE_ARTICLES)]


def run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="livedesk")
    kb_cmd.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sys.stdin", io.StringIO(stdin))
        mp.setattr("sys.stdout", out)
        mp.setattr("sys.stderr", err)
        code = args.handler(args)
    return code, out.getvalue(), err.getvalue()


def test_list_shows_id_kind_subtypes_and_english_title() -> None:
    code, out, _ = run(["kb", "list", *FIXTURES])
    assert code == 0
    assert "fin-refund-request\tinfo\tfin.refund\tHow to request a refund" in out.splitlines()
    assert len(out.splitlines()) == len(list(FIXTURE_ARTICLES.glob("*.md")))


def test_list_on_the_packaged_articles_works_without_a_path() -> None:
    code, out, _ = run(["kb", "list"])
    assert code == 0
    assert out.strip()


def test_lint_passes_on_good_articles() -> None:
    code, out, _ = run(["kb", "lint", *FIXTURES])
    assert code == 0
    assert "OK" in out


def test_lint_prints_each_problem_and_exits_1(tmp_path: Path, write_article: WriteArticle) -> None:
    write_article("av-bad", kind="nope")
    code, out, _ = run(["kb", "lint", "--path", str(tmp_path)])
    assert code == 1
    assert "av-bad.md: kind 'nope'" in out
    assert "subtype 'fin.refund' has no article" in out


def test_search_prints_ranked_readable_results() -> None:
    code, out, _ = run(["kb", "search", "收不到验证码", *FIXTURES])
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith("1. acct-login-code  [workaround] acct.login  score ")
    assert "登录不了或收不到验证码 / Cannot log in" in out


def test_search_honours_subtype_and_limit() -> None:
    code, out, _ = run(
        ["kb", "search", "画面卡顿而且模糊", "--subtype", "av.blur", "--limit", "1", *FIXTURES]
    )
    assert code == 0
    assert len([line for line in out.splitlines() if line[:2] == "1."]) == 1
    assert "av.blur" in out.splitlines()[0]
    assert "2." not in out


def test_search_says_so_when_nothing_is_relevant() -> None:
    code, out, _ = run(["kb", "search", "hello", *FIXTURES])
    assert code == 0
    assert out == "no relevant article\n"


def test_search_needs_either_text_or_jsonl() -> None:
    assert run(["kb", "search", *FIXTURES])[0] == 2
    assert run(["kb", "search", "text", "--jsonl", *FIXTURES])[0] == 2


def test_search_jsonl_answers_each_line_and_reports_bad_ones() -> None:
    stdin = "\n".join(
        [
            json.dumps({"text": "充值了金币没到账"}, ensure_ascii=False),
            "not json",
            json.dumps({"text": "hello"}),
            json.dumps({"text": "卡顿", "subtype": "no.such"}),
            "",
            json.dumps({"text": "客服太慢了", "subtype": "svc.slow_response"}, ensure_ascii=False),
            json.dumps({"subtype": "av.blur"}),
        ]
    )
    code, out, _ = run(["kb", "search", "--jsonl", *FIXTURES], stdin)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 6
    first = rows[0]["articles"][0]
    assert first["id"] == "fin-recharge-not-credited"
    assert first["title"] == {
        "zh": "充值未到账：核对订单后等待或申诉",
        "en": "Top-up not credited: check the order, then wait or appeal",
    }
    assert first["subtypes"] == ["fin.recharge"]
    assert first["kind"] == "workaround"
    assert 0 < first["score"] <= 100
    assert rows[1]["line"] == 2 and "error" in rows[1]
    assert rows[2] == {"articles": []}
    assert rows[3]["line"] == 4 and "no.such" in rows[3]["error"]
    assert all(a["kind"] == "info" for a in rows[4]["articles"])
    assert rows[5]["line"] == 7


def test_a_broken_knowledge_base_is_reported_not_raised(
    tmp_path: Path, write_article: WriteArticle
) -> None:
    write_article("av-bad", kind="nope")
    code, _, err = run(["kb", "search", "卡顿", "--path", str(tmp_path)])
    assert code == 2
    assert "av-bad.md" in err


def test_eval_prints_the_figures(tmp_path: Path) -> None:
    data = tmp_path / "labelled.jsonl"
    data.write_text(
        json.dumps({"text": "充值了金币没到账", "subtype": "fin.recharge", "category": "finance"})
        + "\n",
        encoding="utf-8",
    )
    code, out, _ = run(["kb", "eval", str(data), *FIXTURES])
    assert code == 0
    assert "mode: text only" in out
    assert "top-1 covers true subtype: 100.0% (1)" in out


def test_eval_with_triage_uses_the_classifier_when_it_exists(tmp_path: Path) -> None:
    data = tmp_path / "labelled.jsonl"
    data.write_text(json.dumps({"text": "直播一直卡顿", "subtype": "av.stutter"}) + "\n")
    code, out, _ = run(["kb", "eval", str(data), "--with-triage", *FIXTURES])
    assert code == 0
    assert "top-1 covers true subtype: 100.0%" in out


def test_eval_on_a_missing_file_fails_cleanly(tmp_path: Path) -> None:
    code, _, err = run(["kb", "eval", str(tmp_path / "none.jsonl"), *FIXTURES])
    assert code == 2
    assert "cannot read" in err


def test_format_stats_lists_articles_by_offers_with_helped_share(
    fixture_articles: list[Article],
) -> None:
    counts = {
        "acct-login-code": FeedbackCounts(offers=10, helped=3, not_helped=1),
        "fin-refund-request": FeedbackCounts(offers=4),
        "old-article": FeedbackCounts(offers=2, helped=0, not_helped=2),
    }
    text = kb_cmd.format_stats(fixture_articles, counts)
    lines = text.splitlines()
    assert lines[0].startswith(f"{len(fixture_articles)} articles (info 6, workaround 19)")
    assert "24/24 subtypes covered" in lines[0]
    assert lines[2].split() == ["acct-login-code", "10", "3", "1", "75%"]
    assert lines[3].split() == ["fin-refund-request", "4", "0", "0", "-"]
    assert lines[4].split() == ["old-article", "(retired)", "2", "0", "2", "0%"]
    assert lines[-1].split() == ["total", "16", "3", "3", "50%"]
