"""Security (issue #10): formula injection in CSV/XLSX downloads, request body limit (413),
path traversal on /static and file-name parameters, security headers on every page, no
hard-coded secrets in src/."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kekiz.domain.model import Unit
from kekiz.reporting.export import neutralise
from kekiz.settings import load_settings
from kekiz.storage import open_store
from kekiz.web.app import SECURITY_HEADERS, create_app
from tests.ingest.conftest import build_base

SRC = Path(__file__).resolve().parents[2] / "src" / "kekiz"
EVIL = {"05111000": '=HYPERLINK("http://evil.example","x")', "05315000": "+1+cmd|' /C calc'!A0",
        "05334002": "-2+3", "05334004": "@SUM(A1:A9)"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    url = f"sqlite:///{tmp_path_factory.mktemp('sec') / 'kekiz.db'}"
    build_base(url)
    store = open_store(url)
    try:
        parents = {"05111000": "05111", "05315000": "05315", "05334002": "05334",
                   "05334004": "05334"}
        with store.transaction() as tx:
            tx.upsert_units([Unit(k, v, "gemeinde", parent_id=parents[k])
                             for k, v in EVIL.items()])
    finally:
        store.dispose()
    return create_app(load_settings({"store": url, "lang": "de", "max_upload": 1000},
                                    environ={}))


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-A1*2", "@SUM(A1)", "\t=1", "\r=1",
                                  "-2+3"])
def test_neutralise_formula_starts(text: str) -> None:
    assert neutralise(text) == "'" + text
    # plain (signed) numbers stay numbers; ordinary text is untouched
    assert neutralise("-1") == "-1" and neutralise("+2,5") == "+2,5"
    assert neutralise("Köln") == "Köln" and neutralise(5) == 5


def test_csv_download_neutralises_formulas(client: TestClient) -> None:
    r = client.get("/api/v1/download", params={"format": "csv", "indicator": "einwohner",
                                               "level": "gemeinde"})
    assert r.status_code == 200, r.text
    text = r.content.decode("utf-8-sig", errors="replace")
    for name in EVIL.values():
        assert name not in text.replace("'" + name, ""), name  # only the neutralised form
    assert "'=HYPERLINK" in text or "'=HYPERLINK" in text.replace('""', '"')


def test_xlsx_download_neutralises_formulas(client: TestClient) -> None:
    r = client.get("/api/v1/download", params={"format": "xlsx", "indicator": "einwohner",
                                               "level": "gemeinde"})
    assert r.status_code == 200, r.text
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert all(c.data_type != "f" for c in cells)
    for name in EVIL.values():
        assert "'" + name in texts, name
        assert name not in texts


def test_request_body_over_the_limit_is_413(client: TestClient) -> None:
    r = client.post("/login", content=b"x" * 5000,
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    assert "größer als erlaubt" in r.json()["description"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        for _ in range(10):
            yield b"y" * 500

    r = client.post("/login", content=chunks(),
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    small = client.post("/login", content=b"a=b",
                        headers={"content-type": "application/x-www-form-urlencoded"})
    assert small.status_code != 413


@pytest.mark.parametrize("path", [
    "/static/../../settings.py", "/static/..%2f..%2fsettings.py", "/static/%2e%2e/app.py",
    "/static/..%252f..%252fsettings.py", "/static/....//....//settings.py",
    "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fpyproject.toml", "/static//etc/passwd",
    "/static/..\\..\\settings.py", "/static/%00", "/../../etc/passwd",
    "/api/v1/units/..%2f..%2fetc%2fpasswd", "/unit/..%2f..%2f..%2fetc%2fpasswd",
])
def test_path_traversal_is_not_served(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (400, 404, 405), (path, r.status_code)
    body = r.text
    assert "root:" not in body and "SETTINGS" not in body and "[project]" not in body
    assert "def create_app" not in body


def test_download_file_name_cannot_be_chosen(client: TestClient) -> None:
    r = client.get("/api/v1/download", params={"format": "../../etc/passwd"})
    assert r.status_code in (400, 422)
    r = client.get("/api/v1/download", params={"format": "csv", "indicator": "../../x"})
    assert r.status_code in (200, 400, 404, 422)
    assert "/" not in r.headers.get("content-disposition", "").split("''")[-1].replace(
        "%2F", "/").strip("/") or r.status_code != 200


def _concrete(path: str) -> str:
    return (path.replace("{unit_id}", "05111000").replace("{indicator_id}", "einwohner")
            .replace("{collection_id}", "gemeinde").replace("{feature_id}", "05111000")
            .replace("{path:path}", "style.css").replace("{path}", "style.css"))


def test_security_headers_on_every_route(app: FastAPI, client: TestClient) -> None:
    found = {p for p, ops in app.openapi()["paths"].items() if "get" in ops}
    for included in app.routes:  # page routers (not in the OpenAPI document)
        for route in getattr(getattr(included, "original_router", None), "routes", []):
            if "GET" in (getattr(route, "methods", None) or set()):
                found.add(route.path)
    paths = sorted({_concrete(p) for p in found} | {"/nicht-da", "/static/nicht-da.css"})
    assert len(paths) >= 20
    for path in paths:
        r = client.get(path, follow_redirects=False)
        for name, value in SECURITY_HEADERS.items():
            assert r.headers.get(name) == value, (path, name, r.status_code)
        assert "default-src 'self'" in r.headers["content-security-policy"]


SECRET_PATTERNS = [
    re.compile(r"""(?i)\b(password|passwort|secret|api_?key|token)\b\s*[:=]\s*["'][^"'\s]{6,}["'](?!\s*\+)"""),
    re.compile(r"postgres(?:ql)?(?:\+psycopg)?://[^:/@\s]+:[^@\s]+@"),  # URL with password
    re.compile(r"-----BEGIN (?:RSA |EC )?PRIVATE KEY-----"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
]


def test_no_hard_coded_secrets_in_src() -> None:
    hits = []
    for path in SRC.rglob("*"):
        if path.suffix not in {".py", ".toml", ".html", ".js", ".yaml", ".cfg", ".ini"}:
            continue
        if "vendor" in path.relative_to(SRC).parts:
            continue  # npm packages, unchanged (tests/web/test_vendored.py checks their hashes)
        text = path.read_text(encoding="utf-8", errors="replace")
        for pat in SECRET_PATTERNS:
            hits += [f"{path.relative_to(SRC)}: {m.group(0)[:60]}" for m in pat.finditer(text)]
    assert hits == []


def test_secrets_only_from_the_environment(tmp_path: Path) -> None:
    """A setting marked secret is ignored in kekiz.toml (only KEKIZ_* environment)."""
    from kekiz.settings import SETTINGS

    secret = [s.name for s in SETTINGS if s.secret]
    for name in secret:
        (tmp_path / "kekiz.toml").write_text(f'{name} = "aus-der-datei"\n', encoding="utf-8")
        with pytest.raises(Exception, match=name):
            load_settings(environ={}, cwd=tmp_path)
        got = load_settings(environ={f"KEKIZ_{name.upper()}": "aus-der-umgebung"},
                            cwd=tmp_path / "leer")
        assert getattr(got, name) == "aus-der-umgebung"
