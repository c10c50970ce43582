"""Only the SQL store of the conversation knows tables and SQL."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "core" / "conversation"
SQL = ("sqlmodel", "sqlalchemy", "core.storage.tables", "core.storage.inbox")
SQL += ("core.storage.feedback", "core.storage.audit_store")


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_module_but_the_sql_store_touches_sql():
    modules = sorted(PACKAGE.glob("*.py"))
    assert PACKAGE / "sql_store.py" in modules and len(modules) > 10
    offenders = {
        path.name: sorted(n for n in imported(path) if n.startswith(SQL))
        for path in modules
        if path.name != "sql_store.py"
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert "sqlmodel" in imported(PACKAGE / "sql_store.py")
