"""Sub-commands of the CLI. Each module has `register(subparsers)`, which adds
its parser and sets `handler=function(args) -> exit code`.
"""

from __future__ import annotations

from types import ModuleType

from bot.commands import (
    audit_cmd,
    chat_cmd,
    config_cmd,
    db_cmd,
    kb,
    report_cmd,
    run_cmd,
    tickets_cmd,
    triage,
)

COMMAND_MODULES: list[ModuleType] = [
    config_cmd,
    db_cmd,
    audit_cmd,
    tickets_cmd,
    report_cmd,
    chat_cmd,
    run_cmd,
    triage,
    kb,
]
