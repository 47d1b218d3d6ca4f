"""A PostgreSQL restart during web traffic (issue #10): ``kekiz serve`` keeps running,
answers again after the restart without being restarted itself (a read reconnects once
on a broken connection, a transaction checks its connection first), and no
committed write is lost.  Uses its own private cluster (tests/pg.py) so that restarting it
disturbs no other test."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from kekiz.ingest.indicators import IndicatorOptions
from tests.conftest import IN_CI
from tests.ingest.conftest import GEMEINDEN, build_base, monitor_for
from tests.pg import Cluster, PgUnavailable, create_database
from tests.web.server import kekiz_serve

pytestmark = [pytest.mark.postgres, pytest.mark.slow]  # restarts a server under traffic


def write(url: str, tmp: Path, year: int) -> None:
    path = tmp / f"w{year}.csv"
    path.write_text("ags;jahr;einwohner\n" + "".join(f"{g};{year};{i + 1}\n"
                                                     for i, g in enumerate(GEMEINDEN)))
    m = monitor_for(url)
    try:
        m.imports.indicators(path, IndicatorOptions(level="gemeinde"), dataset=f"w{year}")
    finally:
        m.close()


def test_pg_restart_during_traffic(tmp_path: Path) -> None:
    try:
        cluster = Cluster()
    except PgUnavailable as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL required under CI=true: {exc}")
        pytest.skip(f"!!! PostgreSQL unavailable: {exc}")
    try:
        url = create_database(cluster.url, "restart")
        build_base(url)
        with kekiz_serve(url) as server:
            get = lambda p: httpx.get(server.url + p, timeout=30)  # noqa: E731
            assert get("/api/v1/units?level=gemeinde").status_code == 200
            write(url, tmp_path, 2022)
            statuses: list[int] = []
            stop = threading.Event()

            def traffic() -> None:  # reads keep coming while the database restarts
                while not stop.is_set():
                    try:
                        statuses.append(get("/api/v1/units?level=gemeinde").status_code)
                    except httpx.HTTPError:
                        statuses.append(0)

            reader = threading.Thread(target=traffic)
            reader.start()
            try:
                cluster.restart()
            finally:
                stop.set()
                reader.join()
            assert statuses and all(c in (200, 500, 503) for c in statuses), statuses
            answers = [get("/api/v1/observations?indicator=einwohner&period=2022").status_code
                       for _ in range(3)]
            assert answers == [200, 200, 200], answers  # stale connections are replaced
            write(url, tmp_path, 2023)  # writes work again
            cluster.restart()
            r = get("/api/v1/observations?indicator=einwohner&limit=1000")
            assert r.status_code == 200, r.text[:300]
            periods = sorted({i["period"] for i in r.json()["items"]})
            assert periods == ["2021", "2022", "2023"]  # nothing committed was lost
            assert server.process.poll() is None  # the app was never restarted
    finally:
        cluster.stop()
