"""Training of the learned triage models (`livedesk triage train`).

Needs the optional `[train]` extra (scikit-learn); run time never imports this
module. Hyperparameters are chosen by stratified cross-validation on the
training examples only; the temperatures that calibrate the probabilities are
fitted on the out-of-fold scores of the chosen configuration. The same data
gives a byte-identical file: fixed fold seed, sorted vocabulary and labels,
single-threaded solvers, weights rounded to int16.
"""

from __future__ import annotations

import hashlib
import math
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from core.taxonomy import SUBTYPES, Priority, Scope, can_be_p0, is_fault, priority_for
from core.text import normalize
from core.triage.calibration import (
    info_ask_cut,
    nll_sigmoid,
    nll_softmax,
    reliability,
    simplest_within_noise,
    urgent_ask_cut,
    widespread_threshold,
)
from core.triage.examples import Example
from core.triage.features import features
from core.triage.linear import LinearModel, softmax
from core.triage.modelfile import dumps, pack, self_check
from core.triage.scope import decide_scope, writer_text
from core.triage.typos import fix_typos

MIN_DF = 2
FOLDS = 5
SEED = 13
# (model, C): logistic regression gives probabilities by construction; the
# linear SVM only scores and relies on the fitted temperature.
CANDIDATES: tuple[tuple[str, float], ...] = (
    ("logreg", 30.0),
    ("svm", 0.3),
    ("svm", 1.0),
    ("svm", 3.0),
    ("svm", 10.0),
)
SCOPE_CANDIDATES: tuple[float, ...] = (10.0, 30.0, 100.0)
# Geometric from 0.02 to about 6: SVM scores need a small temperature.
_TEMPERATURES = tuple(round(0.02 * 1.1**i, 4) for i in range(61))


@dataclass(frozen=True, slots=True)
class Fitted:
    weights: list[list[float]]  # feature x column
    bias: list[float]


def message_features(text: str) -> set[str]:
    """What run time sees: normalized, typo-repaired, then featurized."""
    return features(fix_typos(normalize(text)))


def scope_features(text: str) -> set[str]:
    """The scope head sees only the writer's own words, as at run time."""
    return features(writer_text(fix_typos(normalize(text))))


def data_hash(files: Sequence[tuple[str, list[str]]]) -> str:
    digest = hashlib.sha256()
    for name, lines in sorted(files):
        digest.update(name.encode() + b"\0")
        for line in lines:
            if line.strip():
                digest.update(line.strip().encode() + b"\n")
    return digest.hexdigest()


def _vocab(feature_sets: Sequence[set[str]]) -> list[str]:
    counts = Counter(f for feats in feature_sets for f in feats)
    return sorted(f for f, n in counts.items() if n >= MIN_DF)


def _matrix(feature_sets: Sequence[set[str]], vocab: Sequence[str]) -> Any:
    from scipy.sparse import csr_matrix

    index = {f: i for i, f in enumerate(vocab)}
    indptr, indices, data = [0], [], []
    for feats in feature_sets:
        cols = sorted(index[f] for f in feats if f in index)
        value = 1.0 / math.sqrt(len(cols)) if cols else 0.0
        indices.extend(cols)
        data.extend([value] * len(cols))
        indptr.append(len(indices))
    return csr_matrix((data, indices, indptr), shape=(len(feature_sets), len(vocab)))


def _fit(kind: str, c: float, x: Any, y: Sequence[str]) -> Fitted:
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    if kind == "logreg":
        model: Any = LogisticRegression(C=c, max_iter=1000)
    elif kind == "svm":
        model = LinearSVC(C=c, random_state=SEED, max_iter=20000)
    else:
        raise ValueError(f"unknown model kind {kind!r}")
    model.fit(x, list(y))
    coef = model.coef_
    if coef.shape[0] == 1 and len(set(y)) == 2 and "1" not in y:
        # Two subtypes: one score for the second, split evenly so that the
        # softmax over both columns gives the same probability.
        half = (coef / 2).T.tolist()
        b = float(model.intercept_[0]) / 2
        return Fitted([[-w[0], w[0]] for w in half], [-b, b])
    if coef.shape[0] == 1:  # the scope head: one column, for "widespread"
        return Fitted(coef.T.tolist(), [float(model.intercept_[0])])
    return Fitted(coef.T.tolist(), [float(b) for b in model.intercept_])


def _scores(fitted: Fitted, x: Any) -> list[list[float]]:
    import numpy as np

    out = x @ np.asarray(fitted.weights) + np.asarray(fitted.bias)
    return [[float(v) for v in row] for row in out]


def _folds(labels: Sequence[str]) -> list[tuple[list[int], list[int]]]:
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    return [(train.tolist(), test.tolist()) for train, test in splitter.split(labels, list(labels))]


def _out_of_fold(
    fit: Callable[[Any, list[str]], Fitted],
    feature_sets: Sequence[set[str]],
    y: Sequence[str],
    folds: Sequence[tuple[list[int], list[int]]],
) -> list[list[float]]:
    scores: list[list[float]] = [[] for _ in y]
    for train, test in folds:
        vocab = _vocab([feature_sets[i] for i in train])
        fitted = fit(_matrix([feature_sets[i] for i in train], vocab), [y[i] for i in train])
        held_out = _matrix([feature_sets[i] for i in test], vocab)
        for i, row in zip(test, _scores(fitted, held_out), strict=True):
            scores[i] = row
    return scores


def _top(scores: Sequence[float]) -> int:
    return max(range(len(scores)), key=scores.__getitem__)


def _log(message: str) -> None:
    sys.stderr.write(message + "\n")


def train(
    examples: Sequence[Example],
    data_sha256: str = "",
    candidates: Sequence[tuple[str, float]] = CANDIDATES,
    scope_candidates: Sequence[float] = SCOPE_CANDIDATES,
    log: Callable[[str], None] = _log,
    calibrate: bool = True,
) -> dict[str, Any]:
    """The model file's content (a JSON object) trained from `examples`.

    With one candidate per head and `calibrate` off, no cross-validation runs
    (temperatures 1): a quick model for experiments and tests.
    """
    from threadpoolctl import threadpool_limits

    if len({e.subtype for e in examples}) < 2:
        raise ValueError("training needs examples of at least two labels")
    if calibrate and len({e.scope for e in examples if not e.vague}) < 2:
        raise ValueError("cross-validated training needs examples of both scopes")
    with threadpool_limits(limits=1):
        return _train(examples, data_sha256, candidates, scope_candidates, log, calibrate)


def train_model(examples: Sequence[Example]) -> LinearModel:
    """A quick model from `examples` with the shipped model's hyperparameters."""
    from core.triage.linear import load_model, shipped_model_path

    record = load_model(shipped_model_path()).training
    subtype = record.get("subtype_model", {"model": "logreg", "C": 30.0})
    scope_c = record.get("scope_model", {"C": 10.0})["C"]
    raw = train(
        examples,
        candidates=((subtype["model"], subtype["C"]),),
        scope_candidates=(scope_c,),
        calibrate=False,
        log=lambda _: None,
    )
    return LinearModel.from_json(raw)


def train_bundled(
    log: Callable[[str], None] = _log, extra: Sequence[tuple[str, list[str]]] = ()
) -> str:
    """The shipped model file's text, trained from every bundled example file
    and any `extra` ones (agents' corrections: name and JSONL lines).
    """
    files, examples = training_set(extra)
    return dumps(train(examples, data_sha256=data_hash(files), log=log))


def training_set(
    extra: Sequence[tuple[str, list[str]]] = (),
) -> tuple[list[tuple[str, list[str]]], list[Example]]:
    """The example files a training run reads, and their records."""
    from core.triage.examples import example_lines, parse_examples

    files = [*example_lines(), *extra]
    return files, [e for name, lines in files for e in parse_examples(lines, name)]


def _train(
    examples: Sequence[Example],
    data_sha256: str,
    candidates: Sequence[tuple[str, float]],
    scope_candidates: Sequence[float],
    log: Callable[[str], None],
    calibrate: bool,
) -> dict[str, Any]:
    feature_sets = [message_features(e.text) for e in examples]
    y = [e.subtype for e in examples]
    labels = sorted(set(y))
    gold = [labels.index(s) for s in y]
    if len(candidates) == 1 and len(scope_candidates) == 1 and not calibrate:
        return _final(examples, feature_sets, labels, candidates[0], scope_candidates[0], 1.0, 1.0)
    folds = _folds(y)

    cv: list[dict[str, Any]] = []
    tried: list[tuple[float, str, float, list[list[float]]]] = []
    for kind, c in candidates:
        oof = _out_of_fold(partial(_fit, kind, c), feature_sets, y, folds)
        acc = sum(_top(s) == g for s, g in zip(oof, gold, strict=True)) / len(y)
        log(f"cv {kind} C={c}: subtype accuracy {acc:.4f}")
        cv.append({"model": kind, "C": c, "accuracy": round(acc, 4)})
        tried.append((acc, kind, c, oof))
    pick = simplest_within_noise([(a, k, c) for a, k, c, _ in tried], len(y))
    cv_acc, kind, c, oof = tried[pick]
    temperature = min(_TEMPERATURES, key=lambda t: (nll_softmax(oof, gold, t), t))
    probs = [softmax(s, temperature) for s in oof]
    calibration = reliability(
        [max(p) for p in probs],
        [_top(p) == g for p, g in zip(probs, gold, strict=True)],
    )
    log(f"chose {kind} C={c}; temperature {temperature}; ECE {calibration['ece']}")

    # The scope head learns from complaints only: a vague message names no fault.
    scoped = [i for i, e in enumerate(examples) if not e.vague]
    scope_y = ["1" if examples[i].scope is Scope.WIDESPREAD else "0" for i in scoped]
    scope_sets = [scope_features(examples[i].text) for i in scoped]
    scope_folds = _folds(scope_y)
    scope_tried: list[tuple[float, float, list[list[float]]]] = []
    for sc in scope_candidates:
        oof_scope = _out_of_fold(partial(_fit, "logreg", sc), scope_sets, scope_y, scope_folds)
        right = sum((s[0] > 0) == (g == "1") for s, g in zip(oof_scope, scope_y, strict=True))
        acc = right / len(scope_y)
        log(f"cv scope logreg C={sc}: accuracy {acc:.4f}")
        cv.append({"model": "scope-logreg", "C": sc, "accuracy": round(acc, 4)})
        scope_tried.append((acc, sc, oof_scope))
    pick = simplest_within_noise([(a, "logreg", sc) for a, sc, _ in scope_tried], len(scope_y))
    scope_acc, scope_c, oof_scope = scope_tried[pick]
    scope_gold = [int(g) for g in scope_y]
    scope_t = min(
        _TEMPERATURES, key=lambda t: (nll_sigmoid([s[0] for s in oof_scope], scope_gold, t), t)
    )

    scope_probs = [1.0 / (1.0 + math.exp(-s[0] / scope_t)) for s in oof_scope]
    widespread_at, balanced = widespread_threshold(scope_probs, scope_gold)
    log(f"scope threshold {widespread_at}: balanced accuracy {balanced:.4f}")

    info = {lab for lab in labels if lab in SUBTYPES and not is_fault(lab)}
    cuts = info_ask_cut(
        [e.subtype for e in examples],
        [labels[_top(p)] for p in probs],
        [sum(q for lab, q in zip(labels, p, strict=True) if lab in info) for p in probs],
    )
    log(f"ask before fix steps from service/suggestion probability {cuts}")
    urgent = _urgent_cut(
        examples, labels, probs, dict(zip(scoped, scope_probs, strict=True)), widespread_at
    )
    cuts.update(urgent)
    log(f"ask before filing a widespread report below P0 from P0-capable probability {urgent}")

    raw = _final(examples, feature_sets, labels, (kind, c), scope_c, temperature, scope_t)
    raw["widespread_at"] = widespread_at
    raw["info_ask_at"] = cuts["info_ask_at"]
    raw["urgent_ask_at"] = cuts["urgent_ask_at"]
    raw["training"] = {
        "data_sha256": data_sha256,
        "examples": len(examples),
        "subtype_model": {"model": kind, "C": c},
        "scope_model": {"model": "logreg", "C": scope_c},
        "cross_validation": {
            "folds": FOLDS,
            "subtype_accuracy": round(cv_acc, 4),
            "scope_accuracy": round(scope_acc, 4),
            "scope_balanced_accuracy": round(balanced, 4),
            "calibration": calibration,
            "ask_type": cuts,
            "candidates": cv,
        },
    }
    raw["training"].update(self_check(raw, examples))
    return raw


def _urgent_cut(
    examples: Sequence[Example],
    labels: list[str],
    probs: Sequence[list[float]],
    widespread: dict[int, float],
    widespread_at: float,
) -> dict[str, float]:
    """urgent_ask_cut on the out-of-fold subtype and scope predictions, the
    scope decided as at run time (fixed phrases, then the head's cut).
    """
    gold_p0, misread, mass = [], [], []
    urgent = [can_be_p0(label) if label in SUBTYPES else False for label in labels]
    for i, (e, p) in enumerate(zip(examples, probs, strict=True)):
        gold_p0.append(not e.vague and priority_for(e.subtype, e.scope) is Priority.P0)
        best = labels[_top(p)]
        wide = widespread.get(i)
        scope = Scope.SINGLE
        if wide is not None:
            writer = writer_text(fix_typos(normalize(e.text)))
            scope = decide_scope(writer, wide, widespread_at)[0]
        misread.append(scope is Scope.WIDESPREAD and best in SUBTYPES and not can_be_p0(best))
        mass.append(sum(q for q, u in zip(p, urgent, strict=True) if u))
    return urgent_ask_cut(gold_p0, misread, mass)


def _final(
    examples: Sequence[Example],
    feature_sets: Sequence[set[str]],
    labels: list[str],
    candidate: tuple[str, float],
    scope_c: float,
    temperature: float,
    scope_t: float,
) -> dict[str, Any]:
    """Both heads fitted on all the examples, packed into one model file."""
    scoped = [i for i, e in enumerate(examples) if not e.vague]
    scope_sets = [scope_features(examples[i].text) for i in scoped]
    # One vocabulary for both heads: the subtype features plus any n-gram
    # that only the shortened writer's text produces (often none).
    vocab = sorted(set(_vocab(feature_sets)) | set(_vocab(scope_sets)))
    subtype = _fit(*candidate, _matrix(feature_sets, vocab), [e.subtype for e in examples])
    scope_y = ["1" if examples[i].scope is Scope.WIDESPREAD else "0" for i in scoped]
    if len(set(scope_y)) == 2:
        scope = _fit("logreg", scope_c, _matrix(scope_sets, vocab), scope_y)
    else:  # one scope only: the head always answers it
        scope = Fitted([[0.0] for _ in vocab], [10.0 if scope_y[:1] == ["1"] else -10.0])
    columns = [[*row, srow[0]] for row, srow in zip(subtype.weights, scope.weights, strict=True)]
    return pack(labels, vocab, columns, [*subtype.bias, scope.bias[0]], temperature, scope_t)
