"""The clearly labelled synthetic Köln offers (issue #5)."""

from __future__ import annotations

import geopandas as gpd

from kekiz.demo.offers import (
    KINDS,
    PREFIX,
    SYNTHETIC_SOURCE,
    default_boundaries,
    synthetic_offers,
)
from kekiz.prevention.chain import TOTAL, chain_matrix
from kekiz.prevention.geo import points_in_units
from kekiz.prevention.hsds import export_hsds


def test_synthetic_offers_are_labelled_and_deterministic() -> None:
    d = synthetic_offers()
    offers = d.offers()
    assert len(offers) == sum(k.count for k in KINDS)
    assert offers["synthetic"].all() and offers["name"].str.startswith(PREFIX).all()
    assert (offers["source"] == SYNTHETIC_SOURCE).all()
    assert offers["organization"].str.startswith(PREFIX).all()
    assert offers["description"].str.contains("kein echtes Angebot").all()
    again = synthetic_offers().offers()
    assert offers[["offer_id", "lat", "lon"]].equals(again[["offer_id", "lat", "lon"]])
    other = synthetic_offers(seed=1).offers()
    assert not offers["lat"].equals(other["lat"])


def test_synthetic_offers_lie_in_their_stadtteil() -> None:
    offers = synthetic_offers().offers()
    shapes = gpd.read_file(default_boundaries(), engine="pyogrio")
    inside = points_in_units(offers["lon"], offers["lat"], shapes, "STT_NR")
    assert inside.notna().all()
    assert (("05315000-" + inside).to_numpy() == offers["unit_id"].to_numpy()).all()


def test_synthetic_offers_fill_the_chain_and_say_so_in_hsds() -> None:
    d = synthetic_offers()
    m = chain_matrix(d.offers())
    total = m.matrix(TOTAL)
    assert total.loc["pregnancy", "health"] > 0 and total.loc["16-25", "employment"] > 0
    assert "sport_culture" in m.sectors and "safety" in m.sectors
    for doc in export_hsds(d, "services")["contents"]:
        codes = {a["taxonomy_term"]["code"]: a["value"] for a in doc["attributes"]}
        assert codes["kekiz:synthetic"] == "true" and doc["name"].startswith(PREFIX)
