"""Sub-commands of the CLI. Each module has `register(subparsers)`, which adds
its parser and sets `handler=function(args) -> exit code`.
"""

from __future__ import annotations

from types import ModuleType

COMMAND_MODULES: list[ModuleType] = []
