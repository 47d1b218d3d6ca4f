"""Acceptance of issue #2: `KEKIZ_STORE=sqlite:////tmp/x.db kekiz demo` builds the store."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from kekiz.demo import attributions, demo_dir
from kekiz.storage import open_store
from tests.conftest import copy_demo


@pytest.fixture(scope="module")
def demo_db(demo_build: tuple[Path, dict[str, Any]],
            tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the session's demo store, built by ``KEKIZ_STORE=... kekiz demo --json``
    (tests/conftest.py); the summary it printed is checked here."""
    db, summary = demo_build
    assert summary["units"] == {"gemeinde": 396, "kreis": 53, "stadtbezirk": 9,
                                "stadtteil": 86}
    assert summary["store"].endswith(str(db))
    return copy_demo(db, tmp_path_factory.mktemp("demo") / "x.db")


def test_units_and_parents(demo_db: str) -> None:
    store = open_store(demo_db)
    assert store.count_units() == {"gemeinde": 396, "kreis": 53, "stadtbezirk": 9,
                                   "stadtteil": 86}
    gem = {u.id: u for u in store.units("gemeinde")}
    assert all(u.parent_id == u.id[:5] for u in gem.values())
    assert gem["05315000"].name == "Köln"
    bezirke = {u.id: u for u in store.units("stadtbezirk")}
    assert all(u.parent_id == "05315000" for u in bezirke.values())
    assert bezirke["05315000-1"].name == "Innenstadt"
    teile = store.units("stadtteil")
    assert all(u.parent_id == f"05315000-{u.id.split('-')[1][0]}" for u in teile)
    assert {u.id for u in teile if u.parent_id == "05315000-1"} == {
        f"05315000-{n}" for n in (101, 102, 103, 104, 105)}
    store.dispose()


def test_gisd_24_years_and_values(demo_db: str) -> None:
    store = open_store(demo_db)
    assert store.periods()["gisd_score"] == [str(y) for y in range(1998, 2022)]
    obs = store.observations(indicator_id="gisd_score", level="gemeinde")
    assert len(obs) == 396 * 24
    # the file's value for Köln (gvb_id 053150000) in 2021
    path = demo_dir() / "gisd" / "GISD_Nordrhein-Westfalen_Gemeindeverband.csv"
    with path.open(encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh)
                   if r["gvb_id"] == "053150000" and r["year"] == "2021")
    koeln = obs[(obs.unit_id == "05315000") & (obs.period == "2021")].iloc[0]
    assert koeln.value == pytest.approx(float(row["gisd_score"]), abs=1e-12)
    assert len(store.observations(indicator_id="gisd_score", level="kreis")) == 53 * 24
    store.dispose()


def test_members_and_population(demo_db: str) -> None:
    store = open_store(demo_db)
    kekiz = store.members("Kein Kind zurücklassen!")
    assert len(kekiz) == 40
    assert sum(m.joined.year == 2012 for m in kekiz) == 18
    assert sum(m.joined.year == 2017 for m in kekiz) == 22
    assert len(store.members("kinderstark")) == 32
    ew = store.observations(indicator_id="einwohner", period="2022", level="gemeinde")
    assert ew.value.sum() == 18_139_116  # VG250-EW NRW 31.12.2022
    store.dispose()


def test_koeln_population_and_aggregation(demo_db: str) -> None:
    store = open_store(demo_db)
    u3 = store.observations(indicator_id="einwohner_u3", period="2012")
    teile = u3[u3.unit_id.str.len() == 12]
    city = u3[u3.unit_id == "05315000"].iloc[0]
    # the city total of the source equals the sum over the 86 Stadtteile
    assert len(teile) == 86
    assert city.value == teile.value.sum()
    # Kreis sums of unemployed from Gemeinden: imported Kreis values win, so compare
    # the aggregated Gemeinde sums with the Kreis file where both exist
    arb = store.observations(indicator_id="arbeitslose", period="2019")
    gem = arb[arb.unit_id.str.len() == 8]
    kreis = arb[arb.unit_id == "05958"].iloc[0]  # Hochsauerlandkreis
    assert gem[gem.unit_id.str.startswith("05958")].value.sum() == pytest.approx(
        kreis.value, rel=0.01)
    store.dispose()


def test_attribution_ships_with_the_data() -> None:
    files = {a["file"] for a in attributions()}
    data_files = {str(p.relative_to(demo_dir())) for p in demo_dir().rglob("*")
                  if p.is_file() and p.suffix in (".csv", ".geojson")}
    assert data_files <= files
    assert (demo_dir() / "PROVENANCE.md").exists()
    assert Path(demo_dir() / "LICENSES").is_dir()
