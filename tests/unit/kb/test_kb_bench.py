"""The benchmark's synthetic expansion (timings are printed by the benchmark, not tested)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from kb.model import Article

BENCH = Path(__file__).resolve().parents[3] / "bench" / "bench_kb.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_kb", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_expansion_makes_unique_ids_spread_over_every_subtype(
    fixture_articles: list[Article],
) -> None:
    expanded = _bench().expand(fixture_articles, 240)
    assert len(expanded) == 240
    assert len({a.id for a in expanded}) == 240
    covered = {s for a in expanded for s in a.subtypes}
    assert covered == {s for a in fixture_articles for s in a.subtypes}


def test_the_benchmark_runs_on_a_small_expansion(capsys: pytest.CaptureFixture[str]) -> None:
    assert _bench().main(["--articles", "200", "--queries", "20"]) == 0
    out = capsys.readouterr().out
    assert "index build" in out
    assert "p95" in out
