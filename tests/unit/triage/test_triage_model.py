"""The shipped model: trained from the bundled files, reproducible, light at run time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.triage.examples import example_lines, labelled_examples, parse_examples
from core.triage.linear import LinearModel, ModelFileError, load_model, shipped_model_path

pytest.importorskip("sklearn")

from core.triage.modelfile import dumps, predictions_hash
from core.triage.train import data_hash, train

ROOT = Path(__file__).resolve().parents[3]


def test_the_shipped_model_was_trained_from_the_bundled_files() -> None:
    record = load_model(shipped_model_path()).training
    # Retrain with `livedesk triage train` whenever a data file changes.
    assert record["data_sha256"] == data_hash(example_lines())
    assert record["examples"] == sum(len(parse_examples(lines)) for _, lines in example_lines())


def test_the_shipped_model_classifies_the_bundled_examples_as_recorded() -> None:
    model = load_model(shipped_model_path())
    examples = [e for _, lines in example_lines() for e in parse_examples(lines)]
    digest, accuracy = predictions_hash(model, examples)
    assert digest == model.training["predictions_sha256"]
    assert accuracy == pytest.approx(model.training["training_accuracy"], abs=1e-4)


def test_the_shipped_model_records_its_cross_validation_and_calibration() -> None:
    cv = load_model(shipped_model_path()).training["cross_validation"]
    assert cv["folds"] == 5
    assert len(cv["candidates"]) >= 4
    assert 0.0 <= cv["calibration"]["ece"] < 0.1
    assert sum(row["n"] for row in cv["calibration"]["table"]) > 3000


def test_the_same_data_gives_a_byte_identical_model() -> None:
    subset = labelled_examples()[::6]
    kwargs = {"candidates": (("svm", 1.0),), "scope_candidates": (10.0,), "log": lambda _: None}
    first = dumps(train(subset, data_sha256="x", **kwargs))  # type: ignore[arg-type]
    second = dumps(train(subset, data_sha256="x", **kwargs))  # type: ignore[arg-type]
    assert first == second
    other = dumps(train(subset[1:], data_sha256="x", **kwargs))  # type: ignore[arg-type]
    assert other != first


def test_run_time_imports_no_numerical_library() -> None:
    code = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from core.triage import classify\n"
        "classify('直播没声音', datetime.now(UTC))\n"
        "print(sorted(m for m in ('sklearn', 'numpy', 'scipy') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_a_broken_model_file_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelFileError, match="not JSON"):
        LinearModel.load(path)
    raw = json.loads(shipped_model_path().read_text("utf-8"))
    raw["vocab"] = raw["vocab"][:-1]
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ModelFileError, match="vocabulary"):
        LinearModel.load(path)
    with pytest.raises(ModelFileError, match="cannot read"):
        LinearModel.load(tmp_path / "missing.json")
