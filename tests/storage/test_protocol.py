"""The store's protocols list every method of the implementation, import only the domain,
and the read path stays light (issue #17: no SQLAlchemy, Alembic or pandas)."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from kekiz.storage import protocol
from kekiz.storage.auth import SqlAuthStore, SqlAuthWriter
from kekiz.storage.store import SqlStore, open_store
from kekiz.storage.writer import SqlWriter
from tests.storage.sample import fill

SRC = Path(__file__).resolve().parents[2] / "src"
PAIRS = [(protocol.Store, SqlStore), (protocol.Writer, SqlWriter),
         (protocol.AuthStore, SqlAuthStore), (protocol.AuthWriter, SqlAuthWriter)]


def _public(cls: type) -> dict[str, list[str]]:
    """Public methods and properties -> their parameter names."""
    out: dict[str, list[str]] = {}
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(member, property):
            out[name] = []
        elif inspect.isfunction(member):
            out[name] = list(inspect.signature(member).parameters)
    return out


@pytest.mark.parametrize(("proto", "impl"), PAIRS, ids=lambda c: c.__name__)
def test_protocol_lists_every_method(proto: type, impl: type) -> None:
    assert _public(proto) == _public(impl)


def test_protocol_imports_only_the_domain() -> None:
    tree = ast.parse((SRC / "kekiz" / "storage" / "protocol.py").read_text(encoding="utf-8"))
    allowed = {"__future__", "collections.abc", "contextlib", "datetime", "typing"}
    type_only: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            type_only |= {a.name for n in node.body if isinstance(n, ast.Import)
                          for a in n.names}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    bad = {m for m in found - type_only
           if m not in allowed and not m.startswith("kekiz.domain.")}
    assert bad == set() and type_only == {"pandas"}


def test_reading_units_imports_no_sqlalchemy_alembic_pandas(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    store = open_store(url)
    fill(store)
    store.dispose()
    code = ("import sys, kekiz.storage\n"
            f"store = kekiz.storage.open_store({url!r})\n"
            "units = store.units(level='kreis')\n"
            "store.level('kreis'); store.indicators(); store.datasets(); store.data_version()\n"
            "store.dispose()\n"
            "print([u.id for u in units])\n"
            "print(sorted(m for m in ('sqlalchemy', 'alembic', 'pandas') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PYTHONPATH": str(SRC)}, check=True, timeout=60)
    assert done.stdout.splitlines() == ["['05314', '05315']", "[]"]
