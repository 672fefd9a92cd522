"""The house rules, checked: route modules hold no SQL, and only the request's own session
(or a named exception with its reason) commits — services and repositories never do.

A route module is any module that builds an `APIRouter`. Each check also runs on a small
tree with a deliberate violation, so a check that stopped seeing anything would fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "interp_service"

# Query calls on a session or connection: they belong in a repository or service.
SQL_CALLS = {"execute", "scalar", "scalars", "query"}
# Modules that commit by design, each with its reason.
COMMITTING_MODULES = {
    "api/deps.py": "the request's session commits when the handler returns; a token's use",
    "db/session.py": "release_connection ends a request's transaction before a long wait",
    "db/migrate.py": "migrations run outside any request",
    "speech/processing.py": "a background job owns its sessions",
    "jobs/execution.py": "a queued job's run owns its sessions",
    "transcripts/processing.py": "a queued job owns its sessions (state, then results)",
    "audit/detached.py": "the audit of a refused attempt survives the request's rollback",
}
WHY_LINES = 3  # a commit in a route module needs a comment on its line or just above


def _is_route_module(source: str) -> bool:
    return "APIRouter(" in source


def _is_cli(relative: str) -> bool:
    return relative.endswith("cli.py")


def violations(package: Path) -> list[str]:
    """Every breach of the rules under `package`, as 'path:line: what'."""
    found: list[str] = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        route = _is_route_module(source)
        for node in ast.walk(tree):
            if route and isinstance(node, ast.ImportFrom) and node.module == "sqlalchemy":
                found.append(f"{relative}:{node.lineno}: SQL construct imported in a route module")
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            name = node.func.attr
            if route and name in SQL_CALLS:
                found.append(f"{relative}:{node.lineno}: .{name}() in a route module")
            if name != "commit" or node.args:
                continue
            if relative in COMMITTING_MODULES or _is_cli(relative):
                continue
            if not route:
                found.append(f"{relative}:{node.lineno}: commit outside a request handler")
                continue
            context = lines[max(0, node.lineno - 1 - WHY_LINES) : node.lineno]
            if not any("#" in line for line in context):
                found.append(f"{relative}:{node.lineno}: commit in a route without a reason")
    return found


def test_the_package_keeps_the_rules() -> None:
    assert violations(PACKAGE) == []


def test_the_checks_see_a_deliberate_violation(tmp_path: Path) -> None:
    (tmp_path / "things").mkdir()
    (tmp_path / "things" / "service.py").write_text(
        "def save(session):\n    session.add(1)\n    session.commit()\n"
    )
    (tmp_path / "things" / "routes.py").write_text(
        "from fastapi import APIRouter\n"
        "from sqlalchemy import select\n"
        "router = APIRouter()\n"
        "def show(db):\n"
        "    db.scalars(select(1))\n"
        "    db.commit()\n"
    )
    (tmp_path / "things" / "pages.py").write_text(
        "from fastapi import APIRouter\n"
        "router = APIRouter()\n"
        "def start(db):\n"
        "    # before the job below, which reads the row in its own session\n"
        "    db.commit()\n"
    )
    assert violations(tmp_path) == [
        "things/routes.py:2: SQL construct imported in a route module",
        "things/routes.py:5: .scalars() in a route module",
        "things/routes.py:6: commit in a route without a reason",
        "things/service.py:3: commit outside a request handler",
    ]
