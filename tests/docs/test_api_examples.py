"""The REST and OGC API examples of the reference answer as documented (demo store)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kekiz.settings import load_settings
from kekiz.web import create_app
from tests.conftest import copy_sqlite
from tests.docs.snippets import DOCS, blocks

URL = re.compile(r'curl [^"]*"http://localhost:8000(/[^"]+)"')


def _examples(page: str) -> list[str]:
    return [m.group(1) for b in blocks(DOCS / "reference" / page) if b.lang == "sh"
            for m in URL.finditer(b.text)]


@pytest.fixture(scope="module")
def client(demo_store_file: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("api") / "kekiz.db"
    copy_sqlite(demo_store_file, db)
    app = create_app(load_settings({"store": f"sqlite:///{db}"}, environ={}))
    with TestClient(app) as c:
        yield c


@pytest.mark.parametrize("page", ["api.md", "ogc-qgis.md"])
def test_documented_requests_succeed(client: TestClient, page: str) -> None:
    paths = _examples(page)
    assert len(paths) >= 7
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, f"{page}: {path} -> {response.status_code} " \
                                            f"{response.text[:300]}"
        if "download" not in path:
            assert response.json() is not None


def test_documented_sample_answer(client: TestClient) -> None:
    body = client.get("/api/v1/observations?indicator=einwohner_u3&unit=05315000-101"
                      "&limit=2").json()
    first = body["items"][0]
    assert body["number_matched"] == 8 and body["limit"] == 2
    assert (first["name"], first["period"], first["value"]) == ("Altstadt/Süd", "2005", 463.0)
    page = (DOCS / "reference" / "api.md").read_text(encoding="utf-8")
    assert '"number_matched": 8' in page and '"value": 463.0' in page


def test_unknown_ogc_parameter_is_rejected_as_documented(client: TestClient) -> None:
    response = client.get("/ogcapi/collections/stadtteil/items?farbe=rot")
    assert response.status_code == 400


def test_python_example_runs(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python block runs as printed; httpx.get goes to the demo app, not the network."""
    import httpx

    [code] = [b.text for b in blocks(DOCS / "reference" / "api.md") if b.lang == "python"]
    monkeypatch.setattr(httpx, "get", client.get)
    scope: dict[str, object] = {}
    exec(compile(code, "api.md", "exec"), scope)  # the documentation's own code
    rows = scope["rows"]
    assert isinstance(rows, list) and rows
    assert {r["level"] for r in rows} == {"kreis"}
    assert {r["indicator_id"] for r in rows} == {"gisd_score"}
