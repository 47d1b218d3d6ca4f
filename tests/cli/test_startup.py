"""Start-up stays light (issue #17): importing the command line, ``kekiz --help`` and a
small command (``kekiz units --level kreis`` on the demo store) import none of the heavy
libraries; commands are registered lazily (:data:`kekiz.cli.main.COMMANDS`) and the
application object imports analysis, reporting and web modules on first use.

Each check runs in a fresh interpreter (the test process itself has imported everything
by now) and calls the entry point :func:`kekiz.cli.main.run` in that interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import copy_demo

SRC = Path(__file__).resolve().parents[2] / "src"

#: Never imported before a command needs them.
HEAVY = ("pandas", "numpy", "scipy", "matplotlib", "weasyprint", "sklearn", "esda",
         "libpysal", "mapclassify", "fastapi", "starlette", "uvicorn", "geopandas",
         "shapely", "pyproj", "pyogrio", "pyarrow", "openpyxl", "jinja2", "sqlalchemy",
         "alembic", "psycopg")


def _imported(code: str) -> tuple[list[str], str]:
    """Run ``code`` in a fresh interpreter; the heavy top-level modules it imported and
    what it printed."""
    probe = (f"{code}\n"
             "import json, sys\n"
             "sys.stdout.flush()\n"
             "print('\\nMODULES ' + json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin",
                               "COLUMNS": "120"}, check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    head, _, last = done.stdout.rpartition("\nMODULES ")
    modules = set(json.loads(last))
    return [m for m in HEAVY if m in modules], head


def _run_cli(*argv: str) -> str:
    return ("import sys\n"
            f"sys.argv = ['kekiz', *{list(argv)!r}]\n"
            "from kekiz.cli.main import run\n"
            "try:\n    run()\n"
            "except SystemExit as exc:\n    assert not exc.code, exc.code\n")


def test_importing_the_cli_imports_no_heavy_library() -> None:
    heavy, _ = _imported("import kekiz.cli.main")
    assert heavy == []


def test_help_lists_every_command_without_importing_them() -> None:
    heavy, printed = _imported(_run_cli("--help") + "\nprint(sorted(m for m in sys.modules "
                                                     "if m.endswith('_cmd')))")
    assert heavy == []
    for name in ("demo", "units", "monitor", "report", "serve", "admin"):
        assert f"  {name} " in printed
    assert printed.rstrip().splitlines()[-1] == "[]"  # no command module was imported


def test_units_on_the_demo_store_imports_no_heavy_library(demo_store_file: Path,
                                                          tmp_path: Path) -> None:
    url = copy_demo(demo_store_file, tmp_path / "kekiz.db")
    heavy, printed = _imported(_run_cli("--store", url, "units", "--level", "kreis"))
    assert heavy == []
    assert "Düsseldorf" in printed and "05315" in printed  # Köln, a Kreis-level unit
    assert printed.count("│ kreis ") == 53


@pytest.mark.parametrize("module", ["pandas", "matplotlib", "fastapi"])
def test_the_probe_sees_a_heavy_import(module: str) -> None:
    """The check can fail: a command line that imports a heavy library is caught."""
    heavy, _ = _imported(f"import kekiz.cli.main, {module}")
    assert heavy and module in heavy
