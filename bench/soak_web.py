"""Soak test: the web application on PostgreSQL under concurrent reads and writes (issue #10).

Starts a private PostgreSQL cluster (``tests/pg.py``; or a fresh database on
``KEKIZ_TEST_PG_URL``), builds a small store (three NRW Kreise, six Gemeinden, Einwohner
2021 — the base of the import tests), starts ``kekiz serve`` on a free loopback port and
for ``--minutes`` minutes

* ``--clients`` asynchronous HTTP clients read a seeded mix of pages and API calls
  (profiles as HTML and JSON, atlas GeoJSON, observations, units, datasets, OGC API
  items, CSV/XLSX downloads), and
* one writer commits an indicator import through the facade every ``--write-every``
  seconds (a new revision of the dataset "Soak", Einwohner 2030 = 600000 + n) and checks
  through the web API that the committed value is served.

The resident memory (RSS) of the server process tree is sampled every 5 s.  At the end
the script prints requests, errors, latency percentiles, writes committed and found, and
the RSS growth between the end of the warm-up (first minute, or 20 % of a shorter run)
and the end.  Exit status 1 when any request failed, a committed write is missing, or the
RSS grew by more than ``--max-growth-mb`` (default 64 MB).  Only 127.0.0.1 is contacted.

    .venv/bin/python bench/soak_web.py [--minutes 5] [--clients 8] [--workers 2]
                                       [--write-every 2] [--max-growth-mb 64]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.ingest.conftest import build_base  # noqa: E402
from tests.web.server import kekiz_serve  # noqa: E402

from kekiz.app import Kekiz  # noqa: E402
from kekiz.ingest.indicators import IndicatorOptions  # noqa: E402
from kekiz.settings import load_settings  # noqa: E402

SEED = 20260101
GEMEINDEN = ["05111000", "05315000", "05334002", "05334004", "05334008", "05334012"]
KREISE = ["05111", "05315", "05334"]


@contextmanager
def postgres_url() -> Iterator[str]:
    from tests.pg import Cluster, create_database, drop_database

    cluster = None
    admin = os.environ.get("KEKIZ_TEST_PG_URL")
    if not admin:
        cluster = Cluster()
        admin = cluster.url
    name = "kekiz_soak_" + uuid.uuid4().hex[:8]
    try:
        yield create_database(admin, name)
    finally:
        drop_database(admin, name)
        if cluster is not None:
            cluster.stop()


def rss_tree_kb(pid: int) -> int:
    """Resident set size of ``pid`` and all its descendants in kB (from /proc)."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        for task in Path(f"/proc/{p}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in (task / "children").read_text().split()]
    return total


def read_urls() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for g in GEMEINDEN:
        out += [("profile.html", f"/unit/{g}"), ("profile.json", f"/api/v1/units/{g}/profile")]
    for k in KREISE:
        out.append(("units", f"/api/v1/units?parent={k}"))
    out += [
        ("atlas", "/api/v1/atlas?level=gemeinde&indicator=einwohner&period=2021"),
        ("observations", "/api/v1/observations?indicator=einwohner&limit=100"),
        ("datasets", "/api/v1/datasets"),
        ("ogc", "/ogcapi/collections"),
        ("download.csv", "/api/v1/download?format=csv&indicator=einwohner&level=gemeinde"),
        ("download.xlsx", "/api/v1/download?format=xlsx&indicator=einwohner&level=gemeinde"),
        ("index", "/"),
    ]
    return out


class Writer(threading.Thread):
    """Commits one indicator import every ``every`` seconds through the facade."""

    def __init__(self, store_url: str, base: str, every: float, stop: threading.Event,
                 folder: Path) -> None:
        super().__init__(daemon=True)
        self.store_url, self.base, self.every, self.stop = store_url, base, every, stop
        self.folder = folder
        self.committed: list[int] = []
        self.errors: list[str] = []
        self.stale = 0

    def run(self) -> None:
        monitor = Kekiz(load_settings({"store": self.store_url}, environ={}))
        n = 0
        try:
            while not self.stop.wait(self.every):
                n += 1
                path = self.folder / f"soak_{n % 2}.csv"
                path.write_text("ags;jahr;einwohner\n" + "".join(
                    f"{g};2030;{600000 + n + i}\n" for i, g in enumerate(GEMEINDEN)),
                    encoding="utf-8")
                try:
                    monitor.imports.indicators(path, IndicatorOptions(level="gemeinde"),
                                              dataset="Soak")
                except Exception as exc:  # counted and reported, the soak goes on
                    self.errors.append(f"write {n}: {type(exc).__name__}: {exc}")
                    continue
                self.committed.append(n)
                try:
                    r = httpx.get(f"{self.base}/api/v1/observations", params={
                        "indicator": "einwohner", "unit": GEMEINDEN[0], "period": "2030"},
                        timeout=60)
                    values = [i["value"] for i in r.json()["items"]]
                    if r.status_code != 200:
                        self.errors.append(f"read-back {n}: HTTP {r.status_code}")
                    elif values != [600000 + n]:
                        self.stale += 1
                except httpx.HTTPError as exc:
                    self.errors.append(f"read-back {n}: {type(exc).__name__}: {exc}")
        finally:
            monitor.close()


async def readers(base: str, clients: int, seconds: float, rng: random.Random,
                  stats: dict[str, list[float]], errors: list[str]) -> int:
    urls = read_urls()
    deadline = time.monotonic() + seconds
    done = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120.0) as client:
        async def worker(seed: int) -> None:
            nonlocal done
            r_local = random.Random(seed)
            while time.monotonic() < deadline:
                kind, url = r_local.choice(urls)
                t0 = time.perf_counter()
                try:
                    r = await client.get(url)
                    await r.aread()
                    if r.status_code != 200:
                        errors.append(f"{r.status_code} {url}: {r.text[:200]}")
                except httpx.HTTPError as exc:
                    errors.append(f"{type(exc).__name__} {url}: {exc}")
                stats.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
                done += 1

        await asyncio.gather(*(worker(rng.randrange(1 << 30)) for _ in range(clients)))
    return done


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--write-every", type=float, default=2.0)
    ap.add_argument("--max-growth-mb", type=float, default=64.0)
    args = ap.parse_args()
    seconds = args.minutes * 60
    warmup = min(60.0, 0.2 * seconds)
    rng = random.Random(SEED)
    print(f"kekiz soak: {args.minutes:g} min, {args.clients} clients, {args.workers} workers, "
          f"one write every {args.write_every:g} s; {platform.python_version()}, "
          f"{os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="kekiz-soak-") as tmp, postgres_url() as url:
        t0 = time.perf_counter()
        build_base(url)
        print(f"store built in {time.perf_counter() - t0:.1f} s")
        with kekiz_serve(url, workers=args.workers) as server:
            pid = server.process.pid
            samples: list[tuple[float, int]] = []
            stop = threading.Event()

            def sample() -> None:
                start = time.monotonic()
                while not stop.wait(5.0):
                    samples.append((time.monotonic() - start, rss_tree_kb(pid)))

            sampler = threading.Thread(target=sample, daemon=True)
            writer = Writer(url, server.url, args.write_every, stop, Path(tmp))
            stats: dict[str, list[float]] = {}
            errors: list[str] = []
            rss_start = rss_tree_kb(pid)
            sampler.start()
            writer.start()
            t0 = time.perf_counter()
            done = asyncio.run(readers(server.url, args.clients, seconds, rng, stats, errors))
            elapsed = time.perf_counter() - t0
            stop.set()
            writer.join(timeout=120)
            sampler.join(timeout=10)
            rss_end = rss_tree_kb(pid)
            alive = server.process.poll() is None
        monitor = Kekiz(load_settings({"store": url}, environ={}))
        try:
            soak = [d for d in monitor.store.datasets() if d.name == "Soak"]
        finally:
            monitor.close()

    after_warm = [kb for t, kb in samples if t >= warmup] or [rss_start]
    base_kb = after_warm[0]
    peak_kb = max([kb for _, kb in samples] + [rss_end])
    growth_mb = (rss_end - base_kb) / 1024
    print(f"\nreads: {done} requests in {elapsed:.0f} s ({done / elapsed:.1f}/s), "
          f"errors {len(errors)}")
    for kind in sorted(stats):
        ms = stats[kind]
        print(f"  {kind:14s} n={len(ms):6d}  p50 {statistics.median(ms):7.1f} ms  "
              f"p95 {pct(ms, 0.95):7.1f} ms  p99 {pct(ms, 0.99):7.1f} ms")
    print(f"writes: {len(writer.committed)} committed, {len(soak)} revisions in the store, "
          f"errors {len(writer.errors)}, read-back not yet visible {writer.stale}")
    print(f"server RSS: start {rss_start / 1024:.0f} MB, after warm-up {base_kb / 1024:.0f} MB, "
          f"end {rss_end / 1024:.0f} MB, peak {peak_kb / 1024:.0f} MB; growth after warm-up "
          f"{growth_mb:+.1f} MB (bound {args.max_growth_mb:g} MB); server alive: {alive}")
    for e in (errors + writer.errors)[:10]:
        print("  error:", e)
    lost = len(writer.committed) != len(soak)
    failed = bool(errors or writer.errors or lost or not alive
                  or growth_mb > args.max_growth_mb)
    print("RESULT:", "FAILED" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
