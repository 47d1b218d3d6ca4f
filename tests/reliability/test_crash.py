"""Crash safety (issue #10): ``kekiz import indicators`` of a large file (204,000 rows) is
killed with SIGKILL at random moments, five times in a row; the store must stay
consistent (schema check passes, no half dataset, no orphan observations, base data
unchanged) and the re-run must succeed -- on SQLite and PostgreSQL.

``KEKIZ_CRASH_DAYS`` (default 34000 days x 6 Gemeinden) and ``KEKIZ_CRASH_KILLS``
(default 5) scale the test."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kekiz.storage import open_store
from kekiz.storage import schema as t
from tests.ingest.conftest import GEMEINDEN, build_base
from tests.sql import connect

pytestmark = pytest.mark.slow  # kills kekiz processes in the middle of imports

DAYS = int(os.environ.get("KEKIZ_CRASH_DAYS", "34000"))
KILLS = int(os.environ.get("KEKIZ_CRASH_KILLS", "5"))
SEED = 20260110


def big_csv(path: Path) -> int:
    start = dt.date(1930, 1, 1)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("ags;datum;einwohner\n")
        for i in range(DAYS):
            day = (start + dt.timedelta(days=i)).isoformat()
            for j, g in enumerate(GEMEINDEN):
                fh.write(f"{g};{day};{1000 + i + j}\n")
    return DAYS * len(GEMEINDEN)


def consistent(url: str) -> dict[str, int]:
    """Check the store; return {dataset name: observations} of every dataset."""
    store = open_store(url)  # check=True: the schema version is verified
    try:
        with connect(url) as conn:
            datasets = conn.execute(select(t.datasets.c.id, t.datasets.c.name,
                                           t.datasets.c.rows, t.datasets.c.revision)
                                    .order_by(t.datasets.c.name, t.datasets.c.revision)).all()
            counts = dict(conn.execute(
                select(t.observations.c.dataset_id, func.count())
                .group_by(t.observations.c.dataset_id)).all())
        ids = {d.id for d in datasets}
        orphans = {k: v for k, v in counts.items() if k not in ids}
        assert orphans == {}, f"observations without dataset: {orphans}"
        latest = {d.name: d.id for d in datasets}  # ordered by revision: the last wins
        out = {}
        for d in datasets:
            n = counts.get(d.id, 0)
            if d.name.startswith("gross"):
                # the latest revision holds the whole file; a completed import of the same
                # file replaced every value of an earlier revision, which keeps none
                want = d.rows if latest[d.name] == d.id else 0
                assert n == want, f"half dataset {d.name} revision {d.revision}: {n} " \
                    f"rows, expected {want}"
            if latest[d.name] == d.id:
                out[d.name] = n
        return out
    finally:
        store.dispose()


def run_import(url: str, path: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEKIZ_")}
    return subprocess.Popen(
        [sys.executable, "-m", "kekiz", "--store", url, "import", "indicators", str(path),
         "--level", "gemeinde", "--period-column", "datum"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_sigkill_during_import_leaves_a_consistent_store(store_url: str,
                                                         tmp_path: Path) -> None:
    build_base(store_url)
    base = consistent(store_url)
    path = tmp_path / "gross.csv"
    rows = big_csv(path)
    rng = random.Random(SEED)
    killed = 0
    for _ in range(KILLS):
        proc = run_import(store_url, path)
        time.sleep(rng.uniform(0.5, 12.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.communicate(timeout=120)
        state = consistent(store_url)
        assert {k: v for k, v in state.items() if k in base} == base
        assert all(v == rows for k, v in state.items() if k.startswith("gross"))
    assert killed >= KILLS - 1, "the import finished before most kills: raise KEKIZ_CRASH_DAYS"
    proc = run_import(store_url, path)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
    state = consistent(store_url)
    assert [v for k, v in state.items() if k.startswith("gross")] == [rows]
    print(f"{killed} SIGKILLs survived; re-run stored {rows} rows")
