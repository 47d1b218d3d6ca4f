"""Benchmark: the first view of every page the README lists, right after ``kekiz demo``
(issue #17: each under 1 s), and of ``goal_status`` over all Köln Stadtteile (< 1 s).

Builds the demo store (SQLite in a temporary folder, or ``--store``) with ``kekiz demo``
in its own process, starts ``kekiz serve`` (one worker, loopback only) and requests each
page once, one after the other, as a reader without an account would; then a second
time (what the response cache answers).  Prints both times per page and the slowest.
The baseline of the same run is the server's answer to ``/api/v1/health`` (a request
that reads one number from the store).  Every loop is bounded; benchmarks assert nothing.

    .venv/bin/python bench/bench_first_views.py [--store URL] [--repeat-goal-status 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.web.server import LAUNCHER, kekiz_serve  # noqa: E402

KOELN = "05315000"
#: The pages of the README (Webanwendung: atlas, profiles, comparison, chain,
#: cooperation, goals, finder, state network, sources; REST API, OGC API).
PAGES = [
    "/", "/atlas", f"/unit/{KOELN}", f"/unit/{KOELN}-101", "/compare", "/chain",
    "/cooperation", "/goals", "/finder", "/network", "/sources",
    "/api/v1/levels", "/api/v1/indicators", "/api/openapi.json", "/ogcapi",
    "/ogcapi/collections", "/ogcapi/collections/stadtteil/items",
]


def build(url: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEKIZ_")}
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", LAUNCHER, "--store", url, "demo"], env=env,
                   check=True, stdout=subprocess.DEVNULL, timeout=900)
    return time.perf_counter() - t


def timed(client: httpx.Client, path: str) -> tuple[float, int, int]:
    t = time.perf_counter()
    r = client.get(path)
    return time.perf_counter() - t, r.status_code, len(r.content)


def goal_status(url: str, repeat: int) -> None:
    """In a fresh process each time: ``goal_status()`` of Köln (its scorecard and the
    status of every level target over all Stadtteile), then ``goal_status`` of each
    Stadtteil - first calls, after the modules are imported (import time shown apart)."""
    code = ("import sys, time\n"
            "t = time.perf_counter()\n"
            "import kekiz.services.goals, kekiz.goals.charts\n"
            "from kekiz.app import Kekiz\nfrom kekiz.settings import load_settings\n"
            "m = Kekiz(load_settings({'store': sys.argv[1]}, environ={}))\n"
            "ids = [u.id for u in m.store.units(level='stadtteil')]\n"
            "imports = time.perf_counter() - t\n"
            "t = time.perf_counter()\nm.goals.status()\nkoeln = time.perf_counter() - t\n"
            "t = time.perf_counter()\n"
            "for uid in ids:\n    m.goals.status(uid)\n"
            "print(imports, koeln, time.perf_counter() - t, len(ids))\n")
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", code, url], check=True,
                              capture_output=True, text=True, timeout=600)
        imports, koeln, each, n = done.stdout.split()
        print(f"goal_status: Köln with its level targets over all {n} Stadtteile "
              f"{float(koeln):.2f} s; each of the {n} Stadtteile {float(each):.2f} s "
              f"(imports and store opening before: {float(imports):.2f} s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="store URL (a fresh SQLite store by default)")
    ap.add_argument("--repeat-goal-status", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kekiz-first-views-"))
    url = args.store or f"sqlite:///{tmp / 'demo.db'}"
    print(f"# first views: {platform.platform()}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs")
    print(f"kekiz demo: {build(url):.1f} s")
    with kekiz_serve(url, workers=1, timeout=240) as server, \
            httpx.Client(base_url=server.url, timeout=300) as client:
        base = timed(client, "/api/v1/health")[0]
        rows = []
        for path in PAGES:
            first, status, size = timed(client, path)
            second = timed(client, path)[0]
            rows.append((path, status, size, first, second))
        base = min(base, timed(client, "/api/v1/health")[0])
    print(f"\n{'page':<42}{'status':>7}{'KiB':>8}{'first s':>10}{'again s':>10}")
    for path, status, size, first, second in rows:
        flag = "" if first < 1.0 else "  > 1 s"
        print(f"{path:<42}{status:>7}{size / 1024:>8.0f}{first:>10.3f}{second:>10.3f}{flag}")
    worst = max(rows, key=lambda r: r[3])
    print(f"\nslowest first view: {worst[0]} {worst[3]:.2f} s; pages over 1 s: "
          f"{sum(r[3] >= 1.0 for r in rows)} of {len(rows)}; baseline /api/v1/health "
          f"{base * 1000:.1f} ms")
    goal_status(url, args.repeat_goal_status)


if __name__ == "__main__":
    main()
