"""Which model file classifies: the shipped one, or one activated deliberately.

`livedesk triage activate FILE` copies a trained model into the model
directory as `active.json` and keeps the one it replaces as `previous.json`;
`livedesk triage rollback` swaps them back. The directory is the
`LIVEDESK_TRIAGE_MODEL_DIR` setting (`core.config.triage_model_dir`); without
it, or with nothing activated there, the model shipped in the package is used.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from core.config import triage_model_dir
from core.triage.linear import LinearModel, shipped_model_path

ACTIVE = "active.json"
PREVIOUS = "previous.json"


class ActivationError(ValueError):
    """Activation or rollback that cannot be done; the message says why."""


def active_model_path(directory: Path | None = None) -> Path:
    directory = directory if directory is not None else triage_model_dir()
    if directory is not None and (directory / ACTIVE).is_file():
        return directory / ACTIVE
    return shipped_model_path()


def _replace(source: Path, target: Path) -> None:
    # Copy next to the target, then rename: a reader never sees half a file.
    partial = target.with_suffix(".partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)


def activate(model_file: Path, directory: Path) -> LinearModel:
    """Make `model_file` the active model; the one it replaces is kept."""
    model = LinearModel.load(model_file)  # refuses a broken file before anything moves
    directory.mkdir(parents=True, exist_ok=True)
    active = directory / ACTIVE
    current = active if active.is_file() else shipped_model_path()
    _replace(current, directory / PREVIOUS)
    _replace(model_file, active)
    return model


def rollback(directory: Path) -> LinearModel:
    """Swap the active and previous models; refuses when there is no previous."""
    active, previous = directory / ACTIVE, directory / PREVIOUS
    if not previous.is_file():
        raise ActivationError(f"nothing to roll back to: no {PREVIOUS} in {directory}")
    model = LinearModel.load(previous)
    swap = directory / "swap.partial"
    shutil.copyfile(active if active.is_file() else shipped_model_path(), swap)
    _replace(previous, active)
    os.replace(swap, previous)
    return model
