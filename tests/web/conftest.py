"""Fixtures of the web tests: a copy of the session's demo store, with withheld values added.

The demo holds no suppressed values, so two are added: the number of children under 3
in Altstadt/Süd (Köln, Stadtteil) in 2012 and the GISD of the city of Köln in 2021.  Their
true values carry the digits of :data:`SECRET`, which must never appear in a response.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kekiz.app import Kekiz
from kekiz.domain.model import Dataset
from kekiz.settings import Settings, load_settings
from kekiz.web import create_app
from tests.conftest import copy_demo

SECRET = "8642097531"
SUPPRESSED_STADTTEIL = ("einwohner_u3", "05315000-101", "2012")
SUPPRESSED_GEMEINDE = ("gisd_score", "05315000", "2021")
REASON_DE = "Fallzahl unter 3 (Testsperre)"
REASON_EN = "fewer than 3 cases (test suppression)"


def build_web_store(demo: Path, path: Path) -> str:
    """A copy of the demo store ``demo`` at ``path`` with the two withheld test values."""
    url = copy_demo(demo, path)
    monitor = Kekiz(load_settings({"store": url}, environ={}))
    try:
        with monitor.store.transaction() as tx:
            ds = tx.add_dataset(Dataset(name="Testsperre", kind="indicators",
                                        licence="CC0", source="kekiz tests"))
            params = json.dumps({"reason_de": REASON_DE, "reason_en": REASON_EN})
            tx.upsert_observations(pd.DataFrame([
                {"indicator_id": ind, "unit_id": unit, "period": period,
                 "value": float(SECRET) if ind == "einwohner_u3" else float("0." + SECRET),
                 "numerator": float(SECRET), "denominator": float(SECRET),
                 "status": "suppressed", "dataset_id": ds.id, "params": params}
                for ind, unit, period in (SUPPRESSED_STADTTEIL, SUPPRESSED_GEMEINDE)]))
    finally:
        monitor.close()
    return url


@pytest.fixture(scope="session")
def web_db(demo_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "kekiz.db"
    build_web_store(demo_store_file, path)
    return path


@pytest.fixture(scope="session")
def web_url(web_db: Path) -> str:
    return f"sqlite:///{web_db}"


@pytest.fixture(scope="session")
def web_settings(web_url: str) -> Settings:
    return load_settings({"store": web_url, "lang": "de"}, environ={})


@pytest.fixture(scope="session")
def app(web_settings: Settings) -> FastAPI:
    return create_app(web_settings)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def fresh_client(app: FastAPI) -> Iterator[TestClient]:
    """A client without cookies (language tests)."""
    with TestClient(app) as c:
        yield c
