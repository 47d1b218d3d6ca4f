"""Property-based tests (hypothesis, issue #10): the importers and the web API's inputs
never fail with an unhandled exception -- only KekizError subclasses (reported problems)
or 4xx answers."""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kekiz.domain.errors import KekizError, ValidationReport
from kekiz.ingest.cells import column_style, key_candidates, normalise_key, parse_number
from kekiz.ingest.hsds import parse_hsds
from kekiz.ingest.tables import read_table
from kekiz.settings import load_settings
from kekiz.web.app import create_app
from tests.ingest.conftest import build_base

FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
GERMANISH = st.text(alphabet="0123456789.,-+% eE€ \t'", max_size=20)


@FAST
@given(st.lists(st.one_of(CELL, GERMANISH), max_size=8), st.one_of(CELL, GERMANISH))
def test_cells_never_crash(column: list[str], cell: str) -> None:
    style = column_style(column)
    parsed = parse_number(cell, style)
    assert parsed is not None
    key = normalise_key(cell)
    assert isinstance(key, str)
    assert all(isinstance(k, str) for k in key_candidates(key))


SUFFIXES = [".csv", ".xlsx", ".xls", ".txt", ".tsv"]


@FAST
@given(st.binary(max_size=2000), st.sampled_from(SUFFIXES))
def test_read_table_on_arbitrary_bytes(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"x{suffix}"
        path.write_bytes(data)
        report = ValidationReport(path.name)
        table = read_table(path, report)
        assert (table is None) == (not report.ok) or table is not None
        for p in report.problems:
            assert p.expected and p.fix  # every problem says what and how to fix


@FAST
@given(st.lists(st.lists(st.one_of(CELL, GERMANISH), min_size=1, max_size=6),
                min_size=1, max_size=8), st.sampled_from([";", ",", "\t", "|"]))
def test_read_table_on_arbitrary_grids(rows: list[list[str]], sep: str) -> None:
    text = "\n".join(sep.join(r) for r in rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.csv"
        path.write_text(text, encoding="utf-8")
        report = ValidationReport(path.name)
        read_table(path, report)
        assert all(p.expected and p.fix for p in report.problems)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | CELL,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "name", "status", "contents", "organization", "locations",
                         "service_at_locations", "url", "email", "phones", "x"]) | CELL,
        inner, max_size=5), max_leaves=20)


@FAST
@given(JSON)
def test_hsds_parser_on_arbitrary_json(data: object) -> None:
    report = ValidationReport("x.json")
    with contextlib.suppress(KekizError):
        parse_hsds(json.loads(json.dumps(data)), report)


@FAST
@given(st.text(max_size=400))
def test_leitbild_parser_on_arbitrary_yaml(tmp_path: Path, text: str) -> None:
    from kekiz.ingest.goals import GoalContext, parse_leitbild

    path = tmp_path / "leitbild.yaml"
    path.write_text(text, encoding="utf-8")
    report = ValidationReport(path.name)
    with contextlib.suppress(KekizError):
        parse_leitbild(path, report, GoalContext(indicators={}, units={"05315000": "gemeinde"},
                                                 levels=["gemeinde"]))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'kekiz.db'}"
    build_base(url)
    app: FastAPI = create_app(load_settings({"store": url}, environ={}))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


ENDPOINTS = [
    ("/api/v1/units", ["level", "parent", "limit", "offset"]),
    ("/api/v1/observations", ["indicator", "unit", "level", "period", "limit", "offset"]),
    ("/api/v1/atlas", ["level", "indicator", "period", "method", "k"]),
    ("/api/v1/download", ["format", "indicator", "level", "period"]),
    ("/api/v1/reach", ["year", "age_max", "programme"]),
    ("/api/v1/funding", ["programme", "year"]),
    ("/ogcapi/collections/gemeinde/items", ["limit", "offset", "bbox", "datetime", "f"]),
    ("/ogcapi/collections", ["f"]),
]
QUERY_VALUE = st.one_of(CELL, st.integers(-10**12, 10**12).map(str),
                        st.sampled_from(["gemeinde", "kreis", "einwohner", "2021", "csv",
                                         "xlsx", "0", "-1", "1e309", "NaN", "../..", "'",
                                         "%00", "6.7,50.5,7.2,51.4"]))


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.sampled_from(ENDPOINTS), st.data(), st.sampled_from(["", "/{}"]))
def test_api_query_parameters_never_500(client: TestClient, endpoint: tuple[str, list[str]],
                                        data: st.DataObject, suffix: str) -> None:
    path, names = endpoint
    params = {n: data.draw(QUERY_VALUE) for n in names if data.draw(st.booleans())}
    if suffix and path.endswith(("units", "collections")):
        segment = data.draw(CELL.filter(lambda s: s not in ("", ".", "..")))
        path = path + "/" + quote(segment, safe="")
    r = client.get(path, params=params)
    assert r.status_code < 500, (path, params, r.status_code, r.text[:300])
