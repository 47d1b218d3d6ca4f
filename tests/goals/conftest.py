"""A small store with indicator series for Leitbild tests, and the monitor with GoalJobs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import kekiz.storage.schema_cooperation  # noqa: F401  (tables on the shared metadata)
from kekiz.app import Kekiz
from kekiz.domain.catalogue import CATALOGUE
from kekiz.domain.model import Dataset, Indicator, Unit
from kekiz.settings import load_settings
from kekiz.storage import open_store

#: The application object (cooperation and Leitbild are services of it).
GoalMonitor = Kekiz


UNITS = [
    Unit("05315", "Köln", "kreis"),
    Unit("05315000", "Köln", "gemeinde", parent_id="05315"),
    Unit("05315000-1", "Innenstadt", "stadtbezirk", parent_id="05315000"),
    Unit("05315000-101", "Altstadt/Süd", "stadtteil", parent_id="05315000-1"),
    Unit("05315000-102", "Neustadt/Süd", "stadtteil", parent_id="05315000-1"),
    Unit("05958", "Hochsauerlandkreis", "kreis"),
    Unit("05958004", "Arnsberg", "gemeinde", parent_id="05958"),
    Unit("05958008", "Brilon", "gemeinde", parent_id="05958"),
]
YEARS = list(range(2012, 2022))
GISD = [0.271, 0.273, 0.249, 0.238, 0.197, 0.192, 0.201, 0.201, 0.207, 0.195]
SCHULABG = [5.12, 4.27, 5.22, 5.12, 4.89, 4.58, 5.85, 5.96, 4.91, 5.26]
ARBEITSLOSE = [50173, 52124, 53054, 52653, 49596, 48227, 45968, 46397, 55194, 56528]
ERWERBSF = [708495, 715751, 724417, 733460, 743349, 745413, 748716, 749702, 745264, 735452]
SPRACHE = {"05315000-101": [30.0, 29.0, 28.5, 27.0], "05315000-102": [40.0, 41.0, 43.0, 44.0]}


def _obs(ind: str, unit: str, years: list[int], values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"indicator_id": ind, "unit_id": unit,
                         "period": [str(y) for y in years], "value": values, "status": "ok"})


def build_store(url: str) -> None:
    store = open_store(url)
    sprache = Indicator("seu_sprache", "Sprachförderbedarf", "Language support", unit="%",
                        polarity=-1)
    frames = [
        _obs("gisd_score", "05315000", YEARS, GISD),
        _obs("schulabgaenger_ohne_abschluss", "05315", YEARS, SCHULABG),
        _obs("arbeitslose", "05315000", YEARS, ARBEITSLOSE),
        _obs("erwerbsfaehige", "05315000", YEARS, ERWERBSF),
        _obs("kitas", "05315000", [2022], [708.0]),
        _obs("gisd_score", "05958004", YEARS, [0.4] * 10),
        *[_obs("seu_sprache", u, [2020, 2021, 2022, 2023], v) for u, v in SPRACHE.items()],
    ]
    with store.transaction() as tx:
        tx.upsert_units(UNITS)
        tx.upsert_indicators([CATALOGUE[i] for i in (
            "gisd_score", "schulabgaenger_ohne_abschluss", "arbeitslose", "erwerbsfaehige",
            "kitas")] + [sprache])
        ds = tx.add_dataset(Dataset("Testwerte", "indicators"))
        tx.upsert_observations(pd.concat(frames).assign(dataset_id=ds.id))
    store.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("goals") / "template.db"
    build_store(f"sqlite:///{path}")
    return path


@pytest.fixture
def monitor(template_db: Path, tmp_path: Path) -> Iterator[GoalMonitor]:
    db = tmp_path / "goals.db"
    db.write_bytes(template_db.read_bytes())
    m = GoalMonitor(load_settings({"store": f"sqlite:///{db}", "lang": "de"}))
    yield m
    m.close()


GOOD_YAML = """\
leitbild:
  id: test
  name: "Leitbild Test"
  gebiet: "05315000"
  basisjahr: 2017
  prognosefenster: 10
indikatoren:
  - id: seu_neu
    name_de: "Neuer Schuleingangsindikator"
    einheit: "%"
    polaritaet: -1
    hinweis: "kommt aus den Schuleingangsdaten"
ziele:
  - id: Z1
    ergebnis: "Kinder wachsen ohne Armut auf."
    indikatoren:
      - indikator: gisd_score
        zielwert: 0.17
        zieljahr: 2030
        richtung: senken
      - indikator: arbeitslosenanteil
        zielwert: 5,5
        zieljahr: 2030
        richtung: senken
    programme:
      - id: P1
        name: "Willkommensbesuche"
        traeger: "Jugendamt"
        kennzahlen:
          - {id: K1, art: wie viel, name: "Besuchte Familien", einheit: Familien,
             werte: {2023: 100, 2024: 120}}
          - {id: K2, art: besser gestellt, name: "Familien mit Anschlussangebot",
             einheit: "%", werte: {2024: 31}, ziel: 40}
  - id: Z2
    ergebnis: "Alle verlassen die Schule mit Abschluss."
    indikatoren:
      - {indikator: schulabgaenger_ohne_abschluss, zielwert: 4.0, zieljahr: 2030,
         richtung: senken}
      - {indikator: kitas, zielwert: 760, zieljahr: 2030, richtung: steigern}
  - id: Z3
    ergebnis: "Kinder kommen sprachlich gut vorbereitet in die Schule."
    indikatoren:
      - {indikator: seu_sprache, ebene: stadtteil, zielwert: 35, zieljahr: 2030,
         richtung: senken}
      - {indikator: seu_neu, zielwert: 20, zieljahr: 2030, richtung: senken}
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
