"""The import rules between rooms stated in DESIGN.md."""

from __future__ import annotations

import ast
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
    "storage": {"web", "cli", "monitor"},
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


def test_rule_checker_sees_violations(tmp_path: Path) -> None:
    probe = tmp_path / "x.py"
    probe.write_text("from kekiz.storage import open_store\nimport kekiz.web.app\n")
    assert _imports(probe) == {"storage", "web"}


def test_every_room_exists() -> None:
    for room in ROOMS:
        assert (SRC / room / "__init__.py").exists(), room
    assert (SRC / "monitor.py").exists()
