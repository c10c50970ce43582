import argparse
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import triage as triage_cmd


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="livedesk")
    sub = p.add_subparsers(dest="command", required=True)
    triage_cmd.register(sub)
    return p


def run(argv: list[str], stdin: str = "") -> tuple[int, str]:
    args = parser().parse_args(argv)
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sys.stdin", io.StringIO(stdin))
        mp.setattr("sys.stdout", out)
        code = args.handler(args)
    return code, out.getvalue()


def test_triage_prints_a_readable_verdict_in_chinese_by_default() -> None:
    code, out = run(["triage", "大家都登陆不上了", "--now", "2024-05-10T04:00:00+00:00"])
    assert code == 0
    assert "acct.login" in out
    assert "登录异常" in out and "cannot log in" in out
    assert "P0" in out
    assert "大家都" in out


def test_triage_can_label_the_verdict_in_english() -> None:
    code, out = run(["triage", "no sound at all", "--lang", "en"])
    assert code == 0
    assert "subtype: av.no_audio" in out
    assert "priority: P1" in out


def test_jsonl_mode_reports_bad_lines_and_keeps_going() -> None:
    stdin = "\n".join(
        [
            json.dumps({"text": "冲值没到帐 648元", "id": 7}, ensure_ascii=False),
            "not json",
            json.dumps({"id": 3}),
            json.dumps({"text": 5}),
            json.dumps({"text": "   "}),
            json.dumps(["a list"]),
            json.dumps({"text": "black screen"}),
        ]
    )
    code, out = run(["triage", "--jsonl", "--now", "2024-05-10T04:00:00+00:00"], stdin)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert len(rows) == 7
    first = rows[0]
    assert first["id"] == 7
    assert first["subtype"] == "fin.recharge"
    assert first["details"]["amount"] == "648"
    for key in ("category", "scope", "priority", "confidence", "alternatives", "cues"):
        assert key in first
    assert [r["line"] for r in rows[1:6]] == [2, 3, 4, 5, 6]
    assert all("error" in r for r in rows[1:6])
    assert rows[6]["subtype"] == "av.black_screen"


def test_a_naive_now_is_refused() -> None:
    code, _ = run(["triage", "卡", "--now", "2024-05-10T04:00:00"])
    assert code == 2


def test_eval_reports_accuracy_without_printing_messages(tmp_path: Path) -> None:
    data = tmp_path / "labelled.jsonl"
    rows = [
        {
            "text": "直播间黑屏了",
            "category": "av_quality",
            "subtype": "av.black_screen",
            "scope": "single",
            "priority": "P1",
        },
        {
            "text": "大家都黑屏了",
            "category": "av_quality",
            "subtype": "av.black_screen",
            "scope": "widespread",
            "priority": "P0",
        },
        {
            "text": "客服态度差",
            "category": "service",
            "subtype": "svc.attitude",
            "scope": "single",
            "priority": "P2",
        },
    ]
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    code, out = run(["eval", str(data), "--json"])
    report = json.loads(out)
    assert code == 0
    assert report["total"] == 3
    assert report["accuracy"]["subtype"] == 1.0
    assert report["p0_recall"] == 1.0
    assert len(report["slowest"]) == 3
    assert "黑屏" not in out

    code, text_out = run(["eval", str(data)])
    assert code == 0
    assert "P0 recall: 100.0%" in text_out
    assert "黑屏" not in text_out


def _labelled(tmp_path: Path) -> Path:
    data = tmp_path / "labelled.jsonl"
    rows = [
        {"text": "直播间黑屏了", "subtype": "av.black_screen", "scope": "single", "lang": "zh"},
        {"text": "no sound on any stream", "subtype": "av.no_audio", "scope": "widespread"},
        {"text": "客服态度差 support was rude", "subtype": "svc.attitude", "scope": "single"},
    ]
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return data


def test_eval_compares_a_candidate_model_side_by_side(tmp_path: Path) -> None:
    from core.triage.linear import shipped_model_path

    data = _labelled(tmp_path)
    code, out = run(["eval", str(data), "--candidate", str(shipped_model_path())])
    assert code == 0
    assert "running" in out and "candidate" in out
    assert "zh subtype (n=1)" in out and "mixed subtype (n=1)" in out
    assert "黑屏" not in out
    code, out = run(["eval", str(data), "--candidate", str(data), "--json"])
    assert code == 2


def test_activate_keeps_the_previous_model_and_rollback_restores_it(tmp_path: Path) -> None:
    from core.triage.activation import active_model_path
    from core.triage.linear import shipped_model_path

    shipped = shipped_model_path().read_bytes()
    raw = json.loads(shipped)
    raw["training"]["note"] = "candidate"
    candidate = tmp_path / "candidate.json"
    candidate.write_text(json.dumps(raw), encoding="utf-8")
    models = tmp_path / "models"

    assert active_model_path(models) == shipped_model_path()
    code, _out = run(["triage", "activate", str(candidate), "--dir", str(models)])
    assert code == 0
    assert active_model_path(models) == models / "active.json"
    assert json.loads((models / "active.json").read_bytes())["training"]["note"] == "candidate"
    assert (models / "previous.json").read_bytes() == shipped

    code, _ = run(["triage", "rollback", "--dir", str(models)])
    assert code == 0
    assert (models / "active.json").read_bytes() == shipped
    assert "note" in json.loads((models / "previous.json").read_bytes())["training"]


def test_activating_a_broken_file_or_rolling_back_nothing_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{}", encoding="utf-8")
    models = tmp_path / "models"
    assert run(["triage", "activate", str(broken), "--dir", str(models)])[0] == 2
    assert not (models / "active.json").exists()
    assert run(["triage", "rollback", "--dir", str(models)])[0] == 2


def test_a_p0_read_as_one_users_counts_as_caught_only_when_its_subtype_asks() -> None:
    from core.triage.evaluate import evaluate

    def row(text: str, subtype: str) -> str:
        labels = {"subtype": subtype, "scope": "widespread", "priority": "P0"}
        return json.dumps({"text": text, **labels}, ensure_ascii=False)

    # One user's words: the verdict is P1, and the conversation asks who else.
    asked = row("直播间黑屏了，刷新也没用", "av.black_screen")
    # Read as stutter (P2 even when widespread): nobody is asked, the P0 is missed.
    missed = row("直播一直卡顿转圈", "av.black_screen")
    report = evaluate([asked, missed])
    assert (report.p0_recall, report.p0_caught) == (0.0, 0.5)


def test_a_p0_read_as_another_widespread_fault_counts_as_caught_when_its_type_is_offered() -> None:
    from dataclasses import replace

    from core.taxonomy import SUBTYPES, can_be_p0
    from core.triage.classifier import Classifier, default_classifier
    from core.triage.evaluate import evaluate

    text = "全平台的直播都卡得要命，好多人都在说，换了网络也一样"
    model = default_classifier().model
    never = Classifier(model=replace(model, urgent_ask_at=1.01))
    always = Classifier(model=replace(model, urgent_ask_at=0.0))
    offered = always.classify(text, datetime.now(UTC)).offered_types()
    outage = next(s for s in offered if can_be_p0(s))
    other = next(s for s in SUBTYPES if can_be_p0(s) and s not in offered)

    def row(subtype: str) -> str:
        labels = {"subtype": subtype, "scope": "widespread", "priority": "P0"}
        return json.dumps({"text": text, **labels}, ensure_ascii=False)

    report = evaluate([row(outage)], never)
    assert (report.p0_recall, report.p0_caught) == (0.0, 0.0)
    report = evaluate([row(outage)], always)
    assert (report.p0_recall, report.p0_caught) == (0.0, 1.0)
    # Offered, but the user's real fault is not among the choices: missed.
    assert evaluate([row(other)], always).p0_caught == 0.0
