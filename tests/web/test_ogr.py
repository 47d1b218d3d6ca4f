"""GDAL's OGC API - Features client reads every collection of a real ``kekiz serve``.

Needs Debian's ``gdal-bin`` (``ogrinfo``); scripts/test-services.sh installs it as root.
Under CI=true a missing ogrinfo fails; elsewhere the test skips with a loud reason.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import IN_CI
from tests.web.server import Server, kekiz_serve

pytestmark = pytest.mark.slow  # kekiz serve and GDAL's ogrinfo as processes


def _ogrinfo() -> str:
    path = shutil.which("ogrinfo")
    if path is None:
        reason = ("GDAL's ogrinfo not found: install Debian's 'gdal-bin' "
                  "(scripts/test-services.sh does this as root)")
        if IN_CI:
            pytest.fail(f"ogrinfo is required under CI=true: {reason}")
        print(f"\n!!! SKIPPING OGC API client test: {reason} !!!\n")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def server(web_db: Path) -> Iterator[Server]:
    with kekiz_serve(f"sqlite:///{web_db}") as s:
        yield s


def test_kekiz_serve_answers(server: Server) -> None:
    r = httpx.get(f"{server.url}/", timeout=30)
    assert r.status_code == 200 and '<html lang="de"' in r.text
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "server" not in r.headers


def test_ogrinfo_lists_and_reads_every_collection(server: Server) -> None:
    ogrinfo = _ogrinfo()
    collections = httpx.get(f"{server.url}/ogcapi/collections", timeout=30).json()
    expected = {c["id"]: None for c in collections["collections"]}
    for cid in expected:
        items = httpx.get(f"{server.url}/ogcapi/collections/{cid}/items?limit=1",
                          timeout=30).json()
        expected[cid] = items["numberMatched"]
    run = subprocess.run([ogrinfo, "-ro", "-al", "-so", f"OAPIF:{server.url}/ogcapi"],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    out = run.stdout
    layers = re.findall(r"^Layer name: (\S+)", out, re.M)
    assert sorted(layers) == sorted(expected), out[:2000]
    counts = dict(zip(layers, map(int, re.findall(r"^Feature Count: (\d+)", out, re.M)),
                      strict=True))
    assert counts == expected
    assert "gisd_score" in out and "einwohner_u3_status" in out
    assert "ERROR" not in run.stderr


def test_ogrinfo_reads_all_features_of_every_collection(server: Server) -> None:
    ogrinfo = _ogrinfo()
    run = subprocess.run([ogrinfo, "-ro", "-al", "-q", "-geom=SUMMARY",
                          f"OAPIF:{server.url}/ogcapi", "-oo", "PAGE_SIZE=50"],
                         capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    layers = re.findall(r"^OGRFeature\((\w+)\):\d+", run.stdout, re.M)
    counts = {name: layers.count(name) for name in set(layers)}
    assert counts == {"kreis": 53, "gemeinde": 396, "stadtbezirk": 9, "stadtteil": 86}
    assert run.stdout.count("POLYGON") + run.stdout.count("MULTIPOLYGON") >= 544
    names = re.findall(r"^\s+name \(String\) = (.+)$", run.stdout, re.M)
    assert len(names) == 544 and "Köln" in names and "Altstadt/Süd" in names
    assert "suppressed" in run.stdout and "8642097531" not in run.stdout
