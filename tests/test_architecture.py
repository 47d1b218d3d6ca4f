"""The import rules between rooms stated in DESIGN.md."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "kekiz"
ROOMS = ("domain", "ingest", "storage", "analysis", "privacy", "prevention", "goals",
         "network", "reporting", "web", "cli")
FORBIDDEN = {
    "domain": set(ROOMS) - {"domain"} | {"monitor"},
    "ingest": {"storage", "web", "cli", "monitor"},
    "analysis": {"storage", "web", "cli", "monitor"},
    "privacy": {"storage", "web", "cli", "monitor"},
    "prevention": {"storage", "web", "cli", "monitor"},
    "goals": {"storage", "web", "cli", "monitor"},
    "records": {"storage", "web", "cli", "monitor"},
    "network": {"storage", "web", "cli", "monitor"},
    "reporting": {"storage", "web", "cli", "monitor"},
    # storage imports only the domain (issue #16)
    "storage": set(ROOMS) - {"storage", "domain"} | {"monitor", "facade", "records"},
    "web": {"storage", "ingest", "analysis", "privacy", "cli"},
    "cli": {"storage", "analysis", "privacy", "web"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "kekiz" and len(parts) > 1:
                found.add(parts[1])
    return found


def _room_files(room: str) -> list[Path]:
    return sorted((SRC / room).rglob("*.py")) if (SRC / room).is_dir() else []


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_room_imports(room: str) -> None:
    bad = []
    for path in _room_files(room):
        hits = _imports(path) & FORBIDDEN[room]
        if hits:
            bad.append(f"{path.relative_to(SRC)} imports {sorted(hits)}")
    assert not bad, "; ".join(bad)


#: Touching the store's connections: only ``kekiz.storage`` may (issue #16).
CONNECTION = re.compile(r"\._connect\b|\.engine\b|\btx\.conn\b|\._conn\b|\._db\b|"
                        r"^\s*(from|import) (sqlalchemy|alembic|sqlite3|psycopg)\b", re.M)


def test_only_storage_touches_connections() -> None:
    bad = []
    for path in sorted(SRC.rglob("*.py")):
        if path.is_relative_to(SRC / "storage"):
            continue
        for match in CONNECTION.finditer(path.read_text(encoding="utf-8")):
            bad.append(f"{path.relative_to(SRC)}: {match.group(0).strip()}")
    assert not bad, "; ".join(bad)


def test_connection_check_sees_violations() -> None:
    probe = ("with store._connect() as c: pass\nm.store.engine.dispose()\n"
             "tx.conn.execute(x)\nfrom sqlalchemy import delete\nimport psycopg\n")
    assert len(CONNECTION.findall(probe)) == 5
    assert not CONNECTION.search("store.transaction()\nprint('import sqlalchemy')\n")


def test_rule_checker_sees_violations(tmp_path: Path) -> None:
    probe = tmp_path / "x.py"
    probe.write_text("from kekiz.storage import open_store\nimport kekiz.web.app\n")
    assert _imports(probe) == {"storage", "web"}


def test_every_room_exists() -> None:
    for room in ROOMS:
        assert (SRC / room / "__init__.py").exists(), room
    assert (SRC / "monitor.py").exists()
