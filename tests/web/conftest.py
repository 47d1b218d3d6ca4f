"""Fixtures of the web tests: a copy of the session's demo store, with withheld values added.

The demo holds no suppressed values, so two are added: the number of children under 3
in Altstadt/Süd (Köln, Stadtteil) in 2012 and the GISD of the city of Köln in 2021.  Their
true values carry the digits of :data:`SECRET`, which must never appear in a response.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kekiz.app import Kekiz
from kekiz.domain.model import Aggregation, Dataset, Indicator, Polarity
from kekiz.settings import Settings, load_settings
from kekiz.web import create_app
from tests.conftest import copy_demo

SECRET = "8642097531"
SUPPRESSED_STADTTEIL = ("einwohner_u3", "05315000-101", "2012")
SUPPRESSED_GEMEINDE = ("gisd_score", "05315000", "2021")
REASON_DE = "Fallzahl unter 3 (Testsperre)"
REASON_EN = "fewer than 3 cases (test suppression)"
#: Köln's private indicators (issue #20): one the state office may read, one it may not;
#: their ids and names all contain :data:`PRIVATE_MARK`, as does the derived class.
KOELN = "05315000"
PRIVATE_MARK = "kzprivat"
PRIVATE_SHARED = "kzprivat_hze"
PRIVATE_CLOSED = "kzprivat_intern"
PRIVATE_NAMES = ("kzprivat Hilfen zur Erziehung", "kzprivat intern")
#: a service dataset private to Köln (not shared with the state office) and its offer
PRIVATE_OFFERS = "kzprivat Angebote Köln"
PRIVATE_OFFER = "kzprivat Familienbüro"


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
        add_private(monitor)
    finally:
        monitor.close()
    return url


def add_private(monitor: Kekiz) -> None:
    """Köln's private indicators with values for every Stadtteil of Köln and the city
    (the shared one's first Stadtteil withheld, with the digits of :data:`SECRET`), and
    the classes derived from the shared one (stored as ``kzprivat_hze_klasse``)."""
    store = monitor.store
    districts = sorted(u.id for u in store.units(level="stadtteil")
                       if u.id.startswith(KOELN + "-"))
    with store.transaction() as tx:
        tx.upsert_indicators([
            Indicator(PRIVATE_SHARED, PRIVATE_NAMES[0], PRIVATE_NAMES[0] + " (en)",
                      unit="%", polarity=Polarity.HIGHER_IS_WORSE, aggregation=Aggregation.RATIO,
                      scale=100.0, private_to=KOELN, private_state=True),
            Indicator(PRIVATE_CLOSED, PRIVATE_NAMES[1], PRIVATE_NAMES[1] + " (en)",
                      unit="%", private_to=KOELN)])
        ds = tx.add_dataset(Dataset(name="kzprivat Köln", kind="indicators",
                                    private_to=KOELN, private_state=True))
        rows = [{"indicator_id": ind, "unit_id": unit, "period": "2021",
                 "value": 100.0 * (n % 7 + 3) / 40, "numerator": float(n % 7 + 3),
                 "denominator": 40.0, "status": "ok", "dataset_id": ds.id}
                for n, unit in enumerate([*districts, KOELN])
                for ind in (PRIVATE_SHARED, PRIVATE_CLOSED)]
        # a withheld private value: disclosure control holds for the owner too
        rows[0].update(value=float(SECRET), numerator=float(SECRET), status="suppressed")
        tx.upsert_observations(pd.DataFrame(rows))
    monitor.monitoring.classify(PRIVATE_SHARED, "stadtteil", method="equal_interval", k=3)
    with tempfile.TemporaryDirectory(prefix="kekiz-test-") as tmp:
        offers = Path(tmp) / "kzprivat_angebote.csv"
        offers.write_text(
            "Kennung;Angebot;Träger;Lebensphase;Bereich;Alter von;Alter bis;Themen;Stadtteil;"
            "lat;lon;veröffentlicht\n"
            f"KZP1;{PRIVATE_OFFER};kzprivat Träger;0-3;Kinder- und Jugendhilfe;0;3;Beratung;"
            f"{districts[0]};50,9400;6,9600;ja\n", encoding="utf-8")
        monitor.directory.import_services(offers, fmt="csv", dataset=PRIVATE_OFFERS,
                                          level="stadtteil")
    monitor.data.set_private("dataset", PRIVATE_OFFERS, KOELN, actor_name="pytest")


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
