"""The base store of the bad-input corpus over every import path (issue #10).

Three NRW Kreise and six Gemeinden with Einwohner 2021 (``tests/ingest``'s base), plus
Köln's Stadtbezirk Innenstadt with four Stadtteile (real numbers 101-104 as local keys,
no geometries), one good survey wave, one good Leitbild, one good services dataset and a
member list (Düsseldorf 2012, Köln 2017) of "Kein Kind zurücklassen!".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kekiz.app import Kekiz
from kekiz.domain.model import Unit
from kekiz.settings import load_settings
from kekiz.storage import open_store
from tests.ingest.conftest import build_base

DATA = Path(__file__).resolve().parents[1] / "data"
BAD = DATA / "bad"
GOOD = DATA / "good"
PROGRAMME = "Kein Kind zurücklassen!"

KOELN = [
    Unit("05315000-1", "Innenstadt", "stadtbezirk", parent_id="05315000", keys={"local": "1"}),
    Unit("05315000-101", "Altstadt/Süd", "stadtteil", parent_id="05315000-1",
         keys={"local": "101"}),
    Unit("05315000-102", "Neustadt/Süd", "stadtteil", parent_id="05315000-1",
         keys={"local": "102"}),
    Unit("05315000-103", "Altstadt/Nord", "stadtteil", parent_id="05315000-1",
         keys={"local": "103"}),
    Unit("05315000-104", "Neustadt/Nord", "stadtteil", parent_id="05315000-1",
         keys={"local": "104"}),
]


def monitor_for(url: str) -> Any:
    return Kekiz(load_settings({"store": url}, environ={}))


def build_corpus_base(url: str, tmp: Path) -> None:
    build_base(url)
    store = open_store(url)
    try:
        with store.transaction() as tx:
            tx.upsert_units(KOELN)
    finally:
        store.dispose()
    m = monitor_for(url)
    try:
        m.imports.members(GOOD / "mitglieder.csv", PROGRAMME)
        m.cooperation.import_wave(GOOD / "kooperation_cp1252.csv", 1)
        m.directory.import_services(GOOD / "angebote_cp1252.csv", dataset="Bestand",
                                    level="gemeinde")
        leitbild = tmp / "leitbild.yaml"
        leitbild.write_text((BAD / "leitbild" / "indikator_unbekannt.yaml").read_text(
            encoding="utf-8").replace("einwohnr", "einwohner"), encoding="utf-8")
        m.goals.import_leitbild(leitbild)
    finally:
        m.close()
