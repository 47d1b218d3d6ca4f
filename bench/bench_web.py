"""Benchmark: the web application under 50 concurrent clients on loopback (issue #8).

Builds the demo store (SQLite in a temporary folder; PostgreSQL too when a server can be
started: ``tests/pg.py`` runs a private cluster from Debian's binaries, or
``KEKIZ_TEST_PG_URL`` names one), starts ``kekiz serve`` on a free loopback port and lets
50 asynchronous clients (httpx) request a seeded mix of

* area profiles as HTML pages (``/unit/{id}``),
* area profiles as JSON (``/api/v1/units/{id}/profile``),
* atlas GeoJSON (``/api/v1/atlas?level=&indicator=&period=``) of Kreise, Gemeinden
  and Köln's Stadtteile,
* OGC API items of the Stadtteile (pages of 10 with offsets, all 86, bbox queries),

in two phases: first every distinct URL of the mix once (the *first pass*: what readers
wait for before the response cache holds an answer, issue #17), then the seeded mix
until the request budget or the time limit is used up (the *mixed load*).
Prints latency percentiles per
kind (p50/p95/p99 in ms), errors, the throughput and the CPU time of the client itself:
once the server answers from its cache, these Python clients (about 2.5 ms of CPU per
request) fill a core and measure their own queue.  So the mixed load is then sent a
second time by wrk (Debian package ``wrk``, a client in C; ``bench/wrk_side.py``) over
the same number of connections for ``--wrk-seconds``; its figures are the server's.

``--before SRC`` runs everything once more, in the same run, against the kekiz of
another source tree (the ``src`` folder of e.g. ``git worktree add /tmp/before
2d3881c``, the main of the issue), with a demo store built by that tree's own ``kekiz
demo``: the baseline, and the ratios after/before are printed.  Only 127.0.0.1 is
contacted; every loop is bounded in count and time.  Benchmarks assert nothing.

Then, when pygeoapi is installed (``.venv/bin/pip install pygeoapi``; not a kekiz
dependency), our OGC API items endpoint (``/ogcapi/collections/stadtteil/items``) and
pygeoapi serving the same Stadtteile, exported from that endpoint to GeoJSON, get the
same seeded item requests (pages of 10 with offsets, all 86 features, bbox queries) from
the same clients, one after the other, with the same number of workers; the ratios of
p50, p95 and throughput are printed (see ``bench/pygeoapi_side.py``).

    .venv/bin/python bench/bench_web.py [--requests 2000] [--seconds 90] [--workers 2]
                                        [--clients 50] [--backend sqlite|postgresql|both]
                                        [--ogc-requests 1000] [--pygeoapi auto|off]
                                        [--wrk-seconds 20] [--before SRC]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pygeoapi_side import available, export_collection, pygeoapi_serve  # noqa: E402
from bench.wrk_side import WrkResult, run_wrk  # noqa: E402
from bench.wrk_side import available as wrk_missing  # noqa: E402
from tests.web.server import LAUNCHER, kekiz_serve  # noqa: E402

from kekiz.app import Kekiz  # noqa: E402
from kekiz.demo import build_demo as build_demo_store  # noqa: E402
from kekiz.settings import load_settings  # noqa: E402

SEED = 20170101


def build_demo(url: str, source: str | None = None) -> None:
    """The demo store at ``url``; by ``kekiz demo`` of the tree ``source`` if given."""
    if source is not None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KEKIZ_")}
        subprocess.run([sys.executable, "-c", LAUNCHER, "--store", url, "demo"],
                       env={**env, "PYTHONPATH": source}, check=True,
                       stdout=subprocess.DEVNULL, timeout=1800)
        return
    monitor = Kekiz(load_settings({"store": url}, environ={}))
    try:
        build_demo_store(monitor)
    finally:
        monitor.close()


def client_cpu() -> float:
    """CPU seconds used by this process (the Python clients) so far."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def timed_hammer(base: str, jobs: list[tuple[str, str]], clients: int, seconds: float,
                 ) -> tuple[dict[str, list[float]], dict[str, int], float, int, float]:
    """:func:`hammer` and the CPU seconds the clients used meanwhile."""
    cpu = client_cpu()
    latencies, errors, elapsed, done = asyncio.run(hammer(base, jobs, clients, seconds))
    return latencies, errors, elapsed, done, client_cpu() - cpu


@contextmanager
def postgres_url() -> Iterator[str | None]:
    """A fresh database on KEKIZ_TEST_PG_URL or a private cluster; None if neither."""
    from tests.pg import Cluster, PgUnavailable, create_database, drop_database

    cluster = None
    admin = os.environ.get("KEKIZ_TEST_PG_URL")
    if not admin:
        try:
            cluster = Cluster()
        except PgUnavailable as exc:
            print(f"PostgreSQL skipped: {exc}")
            yield None
            return
        admin = cluster.url
    name = "kekiz_bench_" + uuid.uuid4().hex[:8]
    try:
        yield create_database(admin, name)
    finally:
        drop_database(admin, name)
        if cluster is not None:
            cluster.stop()


def workload(base: str, n: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, url) pairs: profiles (HTML and JSON), atlas GeoJSON and OGC API items."""
    units = []
    for level in ("kreis", "gemeinde", "stadtteil"):
        page = httpx.get(f"{base}/api/v1/units?level={level}&limit=10000", timeout=60).json()
        units += [u["id"] for u in page["items"]]
    atlases = ([("kreis", "arbeitslose", str(y)) for y in range(1995, 2022)]
               + [("gemeinde", "gisd_score", str(y)) for y in range(1998, 2022)]
               + [("stadtteil", "einwohner_u3", str(y)) for y in range(2005, 2013)])
    box = httpx.get(f"{base}/ogcapi/collections/stadtteil", timeout=60).json()
    bbox = box["extent"]["spatial"]["bbox"][0]
    count = httpx.get(f"{base}/ogcapi/collections/stadtteil/items?f=json&limit=1",
                      timeout=60).json()["numberMatched"]
    items = items_workload(n, random.Random(rng.random()), int(count), bbox)
    out = []
    for i in range(n):
        r = rng.random()
        if r < 0.35:
            out.append(("profile.html", f"/unit/{rng.choice(units)}"))
        elif r < 0.55:
            out.append(("profile.json", f"/api/v1/units/{rng.choice(units)}/profile"))
        elif r < 0.8:
            level, ind, year = rng.choice(atlases)
            out.append(("atlas.geojson",
                        f"/api/v1/atlas?level={level}&indicator={ind}&period={year}"))
        else:
            out.append(("ogc.items", f"/ogcapi/collections/stadtteil/items{items[i][1]}"))
    return out


async def hammer(base: str, jobs: list[tuple[str, str]], clients: int,
                 seconds: float) -> tuple[dict[str, list[float]], dict[str, int], float, int]:
    latencies: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    samples: list[str] = []
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    done = 0

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120.0) as client:
        async def worker() -> None:
            nonlocal done
            while time.monotonic() < deadline:
                try:
                    kind, url = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t0 = time.perf_counter()
                try:
                    r = await client.get(url)
                    ok = r.status_code == 200
                    await r.aread()
                    if not ok and len(samples) < 5:
                        samples.append(f"{r.status_code} {url}: {r.text[:200]}")
                except httpx.HTTPError as exc:
                    ok = False
                    if len(samples) < 5:
                        samples.append(f"{type(exc).__name__} {url}: {exc}")
                ms = (time.perf_counter() - t0) * 1000
                done += 1
                if ok:
                    latencies.setdefault(kind, []).append(ms)
                else:
                    errors[kind] = errors.get(kind, 0) + 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - start
    for line in samples:
        print(f"error: {line}")
    return latencies, errors, elapsed, done


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def report(name: str, latencies: dict[str, list[float]], errors: dict[str, int],
           elapsed: float, done: int, cpu: float | None = None) -> None:
    print(f"\n## {name}")
    print(f"{'kind':<16}{'n':>7}{'errors':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}"
          f"{'mean ms':>10}")
    every: list[float] = []
    for kind in sorted(set(latencies) | set(errors)):
        values = latencies.get(kind, [])
        every += values
        print(f"{kind:<16}{len(values):>7}{errors.get(kind, 0):>8}{pct(values, 50):>10.1f}"
              f"{pct(values, 95):>10.1f}{pct(values, 99):>10.1f}"
              f"{(statistics.fmean(values) if values else float('nan')):>10.1f}")
    print(f"{'all':<16}{len(every):>7}{sum(errors.values()):>8}{pct(every, 50):>10.1f}"
          f"{pct(every, 95):>10.1f}{pct(every, 99):>10.1f}"
          f"{(statistics.fmean(every) if every else float('nan')):>10.1f}")
    print(f"throughput: {done / elapsed:.1f} requests/s ({done} in {elapsed:.1f} s)")
    if cpu is not None:
        print(f"client CPU: {cpu:.1f} s in {elapsed:.1f} s ({100 * cpu / elapsed:.0f} % of a "
              f"core; near 100 % the client, not the server, limits these figures)")


def items_workload(n: int, rng: random.Random, count: int,
                   bbox: list[float]) -> list[tuple[str, str]]:
    """(kind, query) pairs for an items endpoint: pages of 10, all features, bbox."""
    out = []
    x0, y0, x1, y1 = bbox
    for _ in range(n):
        r = rng.random()
        if r < 0.6:
            out.append(("items.page10", f"?f=json&limit=10&offset={rng.randrange(count)}"))
        elif r < 0.8:
            out.append(("items.all", f"?f=json&limit={count}"))
        else:
            w, h = (x1 - x0) / 4, (y1 - y0) / 4
            bx, by = x0 + rng.random() * (x1 - x0 - w), y0 + rng.random() * (y1 - y0 - h)
            out.append(("items.bbox", f"?f=json&limit=100&bbox={bx:.5f},{by:.5f},"
                        f"{bx + w:.5f},{by + h:.5f}"))
    return out


def ogc_beside_pygeoapi(name: str, base: str, args: argparse.Namespace) -> None:
    """Our items endpoint and pygeoapi on the same collection, same requests."""
    collection = "stadtteil"
    with tempfile.TemporaryDirectory(prefix="kekiz-pygeoapi-") as tmp:
        folder = Path(tmp)
        data = folder / f"{collection}.geojson"
        count, bbox = export_collection(base, collection, data)
        print(f"\n{name}: {count} features of '{collection}' exported to GeoJSON "
              f"({data.stat().st_size / 1024:.0f} KiB) for pygeoapi")
        queries = items_workload(args.ogc_requests, random.Random(SEED + 1), count, bbox)
        ours = [(k, f"/ogcapi/collections/{collection}/items{q}") for k, q in queries]
        with pygeoapi_serve(folder, collection, data, bbox, workers=args.workers,
                            timeout=240) as pga:
            theirs = [(k, f"/collections/{collection}/items{q}") for k, q in queries]
            results = {}
            fast: dict[str, WrkResult] = {}
            for label, url, jobs in (("kekiz", base, ours), ("pygeoapi", pga, theirs)):
                check = httpx.get(url + jobs[0][1], timeout=60).json()
                if check.get("type") != "FeatureCollection":
                    raise RuntimeError(f"{label} did not return features: {check}")
                for _kind, warm in jobs[:20]:
                    httpx.get(url + warm, timeout=120)
                lat, err, elapsed, done, cpu = timed_hammer(url, jobs, args.clients,
                                                            args.seconds)
                report(f"{name}: OGC API items, {label}, {args.workers} worker(s), "
                       f"{args.clients} clients", lat, err, elapsed, done, cpu)
                every = [v for vs in lat.values() for v in vs]
                results[label] = (pct(every, 50), pct(every, 95), done / elapsed,
                                  sum(err.values()))
                if use_wrk(args):
                    fast[label] = run_wrk(url, [u for _, u in jobs],
                                          connections=args.clients, seconds=args.wrk_seconds)
                    print(fast[label].line(f"{name}: OGC API items, {label}, wrk, "
                                           f"{args.clients} connections"))
    k, p = results["kekiz"], results["pygeoapi"]
    print(f"\n{name}: pygeoapi / kekiz: p50 {p[0] / k[0]:.2f}x, p95 {p[1] / k[1]:.2f}x "
          f"(latency; >1 = kekiz faster); throughput kekiz / pygeoapi "
          f"{k[2] / p[2]:.2f}x; errors kekiz {k[3]}, pygeoapi {p[3]} (Python clients)")
    if fast:
        kw, pw = fast["kekiz"], fast["pygeoapi"]
        print(f"{name}: wrk: throughput kekiz / pygeoapi {kw.throughput / pw.throughput:.2f}x;"
              f" p95 pygeoapi / kekiz {pw.p95_ms / kw.p95_ms:.2f}x; errors kekiz "
              f"{kw.errors}, pygeoapi {pw.errors}")


def use_wrk(args: argparse.Namespace) -> bool:
    return args.wrk_seconds > 0 and wrk_missing() is None


def run(name: str, url: str, args: argparse.Namespace,
        source: str | None = None) -> WrkResult | None:
    """Every phase against one server; the wrk figures of the mixed load (if run)."""
    t0 = time.perf_counter()
    build_demo(url, source)
    print(f"{name}: demo store built in {time.perf_counter() - t0:.1f} s")
    fast = None
    with kekiz_serve(url, workers=args.workers, timeout=240, source=source) as server:
        rng = random.Random(SEED)
        jobs = workload(server.url, args.requests, rng)
        first = list(dict.fromkeys(jobs))
        latencies, errors, elapsed, done, cpu = timed_hammer(server.url, first, args.clients,
                                                             args.seconds)
        report(f"{name}: first pass, each of {len(first)} distinct URLs once, "
               f"{args.workers} worker(s), {args.clients} clients", latencies, errors,
               elapsed, done, cpu)
        latencies, errors, elapsed, done, cpu = timed_hammer(server.url, jobs, args.clients,
                                                             args.seconds)
        report(f"{name}: mixed load, {args.workers} worker(s), {args.clients} clients",
               latencies, errors, elapsed, done, cpu)
        if use_wrk(args):
            fast = run_wrk(server.url, [u for _, u in jobs], connections=args.clients,
                           seconds=args.wrk_seconds)
            print(fast.line(f"\n{name}: mixed load, wrk, {args.workers} worker(s), "
                            f"{args.clients} connections"))
        elif args.wrk_seconds > 0:
            print(f"\n{name}: mixed load with wrk skipped: {wrk_missing()}")
        if args.pygeoapi != "off" and source is None:
            missing = available()
            if missing:
                print(f"\npygeoapi comparison skipped: {missing}")
            else:
                ogc_beside_pygeoapi(name, server.url, args)
    return fast


def backend(name: str, make_url: Any, args: argparse.Namespace) -> None:
    """The run of this tree and, with ``--before``, of the other tree on ``name``."""
    with make_url() as url:
        if url is None:
            return
        after = run(name, url, args)
    if not args.before:
        return
    with make_url() as url:
        before = run(f"{name} before ({args.before})", url, args, source=args.before)
    if after is not None and before is not None:
        print(f"\n{name}, wrk mixed load: throughput after / before "
              f"{after.throughput / before.throughput:.1f}x ({before.throughput:.1f} -> "
              f"{after.throughput:.1f} requests/s); p95 {before.p95_ms:.0f} -> "
              f"{after.p95_ms:.1f} ms")


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="kekiz-bench-") as tmp:
        yield f"sqlite:///{Path(tmp) / 'kekiz.db'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--ogc-requests", type=int, default=1000)
    parser.add_argument("--pygeoapi", choices=["auto", "off"], default="auto")
    parser.add_argument("--wrk-seconds", type=float, default=20.0,
                        help="length of the wrk runs (0: no wrk)")
    parser.add_argument("--before", default="",
                        help="src folder of another kekiz tree: the baseline of the same run")
    args = parser.parse_args()
    print(f"# kekiz web benchmark: {platform.platform()}, Python {platform.python_version()},"
          f" {os.cpu_count()} CPUs; {args.requests} requests max, {args.seconds:.0f} s max")
    if args.before:
        args.before = str(Path(args.before).resolve())
    if args.backend in ("sqlite", "both"):
        backend("SQLite", sqlite_url, args)
    if args.backend in ("postgresql", "both"):
        backend("PostgreSQL", postgres_url, args)


if __name__ == "__main__":
    main()
