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
kind (p50/p95/p99 in ms), errors and the throughput.  Only 127.0.0.1 is contacted; every
loop is bounded in count and time.  Benchmarks assert nothing.

Then, when pygeoapi is installed (``.venv/bin/pip install pygeoapi``; not a kekiz
dependency), our OGC API items endpoint (``/ogcapi/collections/stadtteil/items``) and
pygeoapi serving the same Stadtteile, exported from that endpoint to GeoJSON, get the
same seeded item requests (pages of 10 with offsets, all 86 features, bbox queries) from
the same clients, one after the other, with the same number of workers; the ratios of
p50, p95 and throughput are printed (see ``bench/pygeoapi_side.py``).

    .venv/bin/python bench/bench_web.py [--requests 2000] [--seconds 90] [--workers 2]
                                        [--clients 50] [--backend sqlite|postgresql|both]
                                        [--ogc-requests 1000] [--pygeoapi auto|off]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pygeoapi_side import available, export_collection, pygeoapi_serve  # noqa: E402
from tests.web.server import kekiz_serve  # noqa: E402

from kekiz.app import Kekiz  # noqa: E402
from kekiz.demo import build_demo as build_demo_store  # noqa: E402
from kekiz.settings import load_settings  # noqa: E402

SEED = 20170101


def build_demo(url: str) -> None:
    monitor = Kekiz(load_settings({"store": url}, environ={}))
    try:
        build_demo_store(monitor)
    finally:
        monitor.close()


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
           elapsed: float, done: int) -> None:
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
            for label, url, jobs in (("kekiz", base, ours), ("pygeoapi", pga, theirs)):
                check = httpx.get(url + jobs[0][1], timeout=60).json()
                if check.get("type") != "FeatureCollection":
                    raise RuntimeError(f"{label} did not return features: {check}")
                for _kind, warm in jobs[:20]:
                    httpx.get(url + warm, timeout=120)
                lat, err, elapsed, done = asyncio.run(
                    hammer(url, jobs, args.clients, args.seconds))
                report(f"{name}: OGC API items, {label}, {args.workers} worker(s), "
                       f"{args.clients} clients", lat, err, elapsed, done)
                every = [v for vs in lat.values() for v in vs]
                results[label] = (pct(every, 50), pct(every, 95), done / elapsed,
                                  sum(err.values()))
    k, p = results["kekiz"], results["pygeoapi"]
    print(f"\n{name}: pygeoapi / kekiz: p50 {p[0] / k[0]:.2f}x, p95 {p[1] / k[1]:.2f}x "
          f"(latency; >1 = kekiz faster); throughput kekiz / pygeoapi "
          f"{k[2] / p[2]:.2f}x; errors kekiz {k[3]}, pygeoapi {p[3]}")


def run(name: str, url: str, args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    build_demo(url)
    print(f"{name}: demo store built in {time.perf_counter() - t0:.1f} s")
    with kekiz_serve(url, workers=args.workers, timeout=240) as server:
        rng = random.Random(SEED)
        jobs = workload(server.url, args.requests, rng)
        first = list(dict.fromkeys(jobs))
        latencies, errors, elapsed, done = asyncio.run(
            hammer(server.url, first, args.clients, args.seconds))
        report(f"{name}: first pass, each of {len(first)} distinct URLs once, "
               f"{args.workers} worker(s), {args.clients} clients", latencies, errors,
               elapsed, done)
        latencies, errors, elapsed, done = asyncio.run(
            hammer(server.url, jobs, args.clients, args.seconds))
        report(f"{name}: mixed load, {args.workers} worker(s), {args.clients} clients",
               latencies, errors, elapsed, done)
        if args.pygeoapi != "off":
            missing = available()
            if missing:
                print(f"\npygeoapi comparison skipped: {missing}")
            else:
                ogc_beside_pygeoapi(name, server.url, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--ogc-requests", type=int, default=1000)
    parser.add_argument("--pygeoapi", choices=["auto", "off"], default="auto")
    args = parser.parse_args()
    print(f"# kekiz web benchmark: {platform.platform()}, Python {platform.python_version()},"
          f" {os.cpu_count()} CPUs; {args.requests} requests max, {args.seconds:.0f} s max")
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="kekiz-bench-") as tmp:
            run("SQLite", f"sqlite:///{Path(tmp) / 'kekiz.db'}", args)
    if args.backend in ("postgresql", "both"):
        with postgres_url() as url:
            if url is not None:
                run("PostgreSQL", url, args)


if __name__ == "__main__":
    main()
