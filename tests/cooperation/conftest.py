"""A small store with Köln-like units and a monitor that has the issue #6 jobs."""

from __future__ import annotations

from pathlib import Path

import pytest

import kekiz.storage.schema_cooperation  # noqa: F401  (tables on the shared metadata)
from kekiz.app import Kekiz
from kekiz.domain.model import Unit
from kekiz.settings import load_settings
from kekiz.storage import open_store

#: The application object (cooperation and Leitbild are services of it).
GoalMonitor = Kekiz


UNITS = [
    Unit("05315", "Köln", "kreis"),
    Unit("05315000", "Köln", "gemeinde", parent_id="05315"),
    Unit("05315000-1", "Innenstadt", "stadtbezirk", parent_id="05315000"),
    Unit("05315000-101", "Altstadt/Süd", "stadtteil", parent_id="05315000-1",
         keys={"local": "101"}),
    Unit("05315000-102", "Neustadt/Süd", "stadtteil", parent_id="05315000-1",
         keys={"local": "102"}),
]


def make_monitor(url: str) -> GoalMonitor:
    store = open_store(url)
    with store.transaction() as tx:
        tx.upsert_units(UNITS)
    return GoalMonitor(load_settings({"store": url, "lang": "de"}), store)


@pytest.fixture
def monitor(tmp_path: Path) -> GoalMonitor:
    m = make_monitor(f"sqlite:///{tmp_path / 'coop.db'}")
    yield m
    m.close()


HEADER = ("synthetisch;welle;datum;befragte_id;befragte_organisation;befragte_sektor;"
          "befragte_lebensphasen;befragte_gebiet;partner_id;partner_organisation;"
          "partner_sektor;partner_lebensphasen;partner_gebiet;kooperationsart;richtung;"
          "intensitaet;vertrauen;nutzen")

GOOD_ROWS = [
    "nein;1;2024-03-01;K1;Kita Sonnenschein;Kinder- und Jugendhilfe;0-3, 3-6;05315000-101;"
    "G1;Grundschule Am Park;Bildung;6-10;05315000-101;Informationsaustausch, "
    "Kooperationsvereinbarung;gegenseitig;3;3,67;3,33",
    "nein;1;2024-03-01;K1;Kita Sonnenschein;Kinder- und Jugendhilfe;0-3, 3-6;05315000-101;"
    "JA;Jugendamt;Kinder- und Jugendhilfe;alle;05315000;Vermittlung;ausgehend;2;3;2,5",
    "nein;1;05.03.2024;G1;Grundschule Am Park;Bildung;6-10;05315000-101;K1;;;;;"
    "Informationsaustausch;;4;4;3",
    "nein;1;2024-03-09;AR;Kinderarztpraxis Dr. X;Gesundheit;0-3, 3-6, 6-10;101;;;;;;;;;;",
]


def good_csv(path: Path, rows: list[str] | None = None, header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *(GOOD_ROWS if rows is None else rows)]) + "\n",
                    encoding="utf-8")
    return path
