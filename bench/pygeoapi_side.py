"""pygeoapi beside kekiz: the same collection from the same data, for bench_web.py.

The Stadtteile with their indicator values are read from kekiz's own OGC API items
endpoint (all features, JSON) and written as a GeoJSON file; pygeoapi (PyPI, not a
kekiz dependency) serves that file with its GeoJSON provider under uvicorn (its Starlette
app), with the same number of worker processes as ``kekiz serve``.  pygeoapi's OGR
provider would need GDAL's Python bindings and its SQLite/GeoPackage provider needs
SpatiaLite; neither is installed, so GeoJSON it is.  Only 127.0.0.1 is contacted.

pygeoapi may live outside the project's environment, so that its dependencies (Flask,
rasterio ...) do not enter it: ``pip install --target DIR pygeoapi`` and name DIR in
``KEKIZ_PYGEOAPI_PATH``; it is put in front of the import path here and in pygeoapi's
server process.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

CONFIG = """\
server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  languages: [de]
  cors: false
  pretty_print: false
  limits: {{default_items: 10, max_items: 10000}}
  map: {{url: "http://127.0.0.1/{{z}}/{{x}}/{{y}}.png", attribution: "none"}}
logging:
  level: ERROR
metadata:
  identification:
    title: kekiz benchmark
    description: Stadtteile mit Indikatorwerten (aus kekiz exportiert)
    keywords: [kekiz]
    keywords_type: theme
    terms_of_service: none
    url: http://127.0.0.1
  license: {{name: dl-de/by-2-0, url: "https://www.govdata.de/dl-de/by-2-0"}}
  provider: {{name: kekiz, url: "http://127.0.0.1"}}
  contact: {{name: bench, position: bench, address: x, city: x, stateorprovince: x,
            postalcode: x, country: DE, phone: x, fax: x, email: x, url: x, hours: x,
            instructions: x, role: pointOfContact}}
resources:
  {collection}:
    type: collection
    title: {collection}
    description: {collection}
    keywords: [kekiz]
    extents:
      spatial: {{bbox: {bbox}, crs: "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}}
    providers:
      - type: feature
        name: GeoJSON
        data: {data}
        id_field: id
"""


EXTRA = os.environ.get("KEKIZ_PYGEOAPI_PATH", "")
if EXTRA and EXTRA not in sys.path:
    sys.path.append(EXTRA)


def available() -> str | None:
    """None if pygeoapi and uvicorn can be imported, else the reason."""
    try:
        import pygeoapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        return f"{exc} (install with '.venv/bin/pip install pygeoapi')"
    return None


def export_collection(base: str, collection: str, out: Path) -> tuple[int, list[float]]:
    """All features of kekiz's collection as a GeoJSON file; (count, bbox)."""
    r = httpx.get(f"{base}/ogcapi/collections/{collection}/items",
                  params={"limit": 10000, "f": "json"}, timeout=120)
    r.raise_for_status()
    feats = r.json()["features"]
    xs: list[float] = []
    ys: list[float] = []

    def walk(c: object) -> None:
        if isinstance(c, list) and c and isinstance(c[0], int | float):
            xs.append(float(c[0]))
            ys.append(float(c[1]))
        elif isinstance(c, list):
            for x in c:
                walk(x)

    out_feats = []
    for f in feats:
        if f.get("geometry"):
            walk(f["geometry"]["coordinates"])
        out_feats.append({"type": "Feature", "id": f["id"], "geometry": f["geometry"],
                          "properties": {**f["properties"], "id": f["id"]}})
    out.write_text(json.dumps({"type": "FeatureCollection", "features": out_feats}),
                   encoding="utf-8")
    return len(out_feats), [min(xs), min(ys), max(xs), max(ys)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def pygeoapi_serve(folder: Path, collection: str, data: Path, bbox: list[float], *,
                   workers: int = 1, timeout: float = 90.0) -> Iterator[str]:
    """Start pygeoapi (uvicorn, its Starlette app) on a free loopback port; yield its URL."""
    port = _free_port()
    config = folder / "pygeoapi.yml"
    openapi = folder / "pygeoapi-openapi.yml"
    config.write_text(CONFIG.format(port=port, collection=collection, data=data,
                                    bbox=json.dumps([round(v, 6) for v in bbox])),
                      encoding="utf-8")
    env = {**os.environ, "PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi)}
    if EXTRA:
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (os.environ.get("PYTHONPATH", ""), EXTRA) if p)
    subprocess.run([sys.executable, "-c", "from pygeoapi import cli; cli()", "openapi",
                    "generate", str(config),
                    "--output-file", str(openapi)], env=env, check=True,
                   capture_output=True, timeout=300)
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "pygeoapi.starlette_app:APP",
                             "--host", "127.0.0.1", "--port", str(port), "--workers",
                             str(workers), "--log-level", "warning", "--no-access-log"],
                            env=env, cwd=folder, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                raise RuntimeError(f"pygeoapi exited with {proc.returncode}: {out[-3000:]}")
            try:
                if httpx.get(f"{url}/collections/{collection}?f=json",
                             timeout=2.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"pygeoapi did not answer within {timeout:.0f} s")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()
