"""The backup-and-restore procedure of docs/operations.md, executed as written against
PostgreSQL: fill a store, run the backup block, drop the database, run the restore block,
compare every row of every table (``Store.snapshot()``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from kekiz.storage import open_store
from tests.docs.snippets import DOCS, blocks

EXAMPLES = DOCS / "examples"
KEKIZ = str(Path(sys.executable).with_name("kekiz"))


def _block(marker: str) -> str:
    found = [b.text for b in blocks(DOCS / "operations.md")
             if b.lang == "bash" and b.text.lstrip().startswith(f"# kekiz: {marker}")]
    assert len(found) == 1, f"operations.md needs exactly one bash block '# kekiz: {marker}'"
    return found[0]


def _run(script: str, env: dict[str, str], cwd: Path) -> None:
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"{script}\nstdout: {done.stdout}\nstderr: {done.stderr}"


def _kekiz(url: str, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEKIZ_")}
    done = subprocess.run([KEKIZ, "--store", url, *args], env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow  # kekiz commands, pg_dump and pg_restore as processes
def test_documented_backup_and_restore_round_trip(pg_url: str, tmp_path: Path) -> None:
    _kekiz(pg_url, "init")
    _kekiz(pg_url, "import", "boundaries", str(EXAMPLES / "stadtbezirke.gpkg"),
           "--layer", "stadtbezirke", "--level", "stadtbezirk", "--id-field", "STB_NR",
           "--name-field", "STB_NAME", "--id-prefix", "05315000-")
    _kekiz(pg_url, "import", "boundaries", str(EXAMPLES / "stadtteile.geojson"),
           "--level", "stadtteil", "--id-field", "STT_NR", "--name-field", "STT_NAME",
           "--id-prefix", "05315000-", "--parent-field", "STB_NR", "--licence", "CC BY",
           "--source", "Stadt Köln")
    _kekiz(pg_url, "import", "indicators", str(EXAMPLES / "kinder_2012.csv"),
           "--level", "stadtteil", "--key", "Stadtteil-Nr.", "--id-prefix", "05315000-",
           "--period", "2012", "--column", "Einwohner=einwohner", "--column",
           "Kinder unter 3=einwohner_u3")
    _kekiz(pg_url, "aggregate")
    store = open_store(pg_url)
    before = store.snapshot()
    store.dispose()
    assert len(before["units"]) == 95
    assert sum(len(rows) for rows in before.values()) > 300

    url = make_url(pg_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEKIZ_", "PG"))}
    env.update(PGHOST=str(url.host), PGPORT=str(url.port or 5432), PGUSER=str(url.username),
               PGDATABASE=str(url.database), BACKUP=str(tmp_path / "kekiz-test.dump"),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    _run(_block("backup"), env, tmp_path)
    assert (tmp_path / "kekiz-test.dump").stat().st_size > 10_000

    # disaster: the data are gone
    libpq = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute("DROP TABLE units CASCADE")
    _run(_block("restore"), env, tmp_path)

    store = open_store(pg_url)
    after = store.snapshot()
    store.dispose()
    assert after == before


def test_restore_block_recreates_the_database() -> None:
    text = _block("restore")
    assert re.search(r"^dropdb .*\n^createdb .*\n^pg_restore ", text, re.M)
    assert "--exit-on-error" in text


@pytest.mark.parametrize("marker", ["backup", "restore"])
def test_blocks_use_only_the_documented_variables(marker: str) -> None:
    used = set(re.findall(r"\$\{?(\w+)", _block(marker)))
    assert used <= {"BACKUP", "PGDATABASE", "PGUSER", "PGHOST", "PGPORT"}, used
