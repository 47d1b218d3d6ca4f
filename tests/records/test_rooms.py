"""The records room is pure computation; the command line goes through the facade."""

from __future__ import annotations

import ast
from pathlib import Path

import kekiz.records

SRC = Path(kekiz.records.__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "kekiz" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_records_room_never_imports_storage_web_cli_or_the_facade() -> None:
    for path in (SRC / "records").rglob("*.py"):
        bad = _imports(path) & {"storage", "web", "cli", "monitor", "facade"}
        assert not bad, f"{path.name} imports {sorted(bad)}"


def test_ingest_and_cli_files_keep_their_rules() -> None:
    for name in ("records.py", "streets.py"):
        bad = _imports(SRC / "ingest" / name) & {"storage", "web", "cli", "monitor"}
        assert not bad, name
    bad = _imports(SRC / "cli" / "records_cmd.py") & {"storage", "analysis", "privacy",
                                                      "web", "records", "ingest"}
    assert not bad
