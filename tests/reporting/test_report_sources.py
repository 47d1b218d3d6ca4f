"""A report lists only the data it uses (issue #18): in a store holding two cities, the
report of one lists its own boundaries and indicator datasets, never the other city's
datasets, members or funding (today Köln/NRW demo sources appeared in a Berlin report)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from kekiz.app import Kekiz
from kekiz.domain.model import Aggregation, Dataset, Indicator, Member, Unit
from kekiz.reporting.report_config import ReportConfig
from kekiz.settings import load_settings

CITIES = {"11000000": ("Berlin", 13.0, "Amt für Statistik Berlin-Brandenburg"),
          "05315000": ("Köln", 7.0, "Stadt Köln, Amt für Statistik")}


def _build(k: Kekiz) -> None:
    with k.store.transaction() as tx:
        for key, (name, x, source) in CITIES.items():
            bounds = tx.add_dataset(Dataset(name=f"Grenzen {name}", kind="boundaries",
                                            source=source, licence="dl-de/by-2-0"))
            units = [Unit(key, name, "gemeinde", dataset_id=bounds.id,
                          geometry=shapely.to_wkb(box(x, 52, x + 0.4, 52.2)))]
            units += [Unit(f"{key}-{i}", f"{name} {i}", "stadtteil", parent_id=key,
                           dataset_id=bounds.id,
                           geometry=shapely.to_wkb(box(x + 0.1 * i, 52, x + 0.1 * i + 0.1,
                                                       52.2)))
                      for i in range(4)]
            tx.upsert_units(units)
            if name == "Köln":  # members and funding of the NRW network
                members = tx.add_dataset(Dataset(name="kinderstark Mitglieder",
                                                 kind="members", source="MKJFGFI NRW"))
                tx.replace_members("kinderstark", [Member(key, name, "kinderstark",
                                                          date(2012, 1, 1),
                                                          dataset_id=members.id)])
                tx.add_dataset(Dataset(name="kinderstark Förderung", kind="funding",
                                       source="MKJFGFI NRW"))
            tx.upsert_indicators([Indicator("einwohner", "Einwohner", "Inhabitants",
                                            unit="Personen", aggregation=Aggregation.SUM,
                                            decimals=0)])
            data = tx.add_dataset(Dataset(name=f"Einwohner {name}", kind="indicators",
                                          source=source, licence="dl-de/by-2-0",
                                          details={"indicators": ["einwohner"]}))
            tx.upsert_observations(pd.DataFrame({
                "indicator_id": "einwohner", "unit_id": [u.id for u in units],
                "period": "2020", "value": [4000.0, *[1000.0 + 10 * i for i in range(4)]],
                "status": "ok", "dataset_id": data.id}))


@pytest.mark.parametrize("key, other", [("11000000", "Köln"), ("05315000", "Berlin")])
def test_report_lists_only_its_own_sources(tmp_path: Path, key: str, other: str) -> None:
    k = Kekiz(load_settings({"store": f"sqlite:///{tmp_path / 'two.db'}"}, environ={}))
    try:
        _build(k)
        inp = k.reports.report_input(key, ReportConfig(indicators=["einwohner"]))
        name = CITIES[key][0]
        assert inp.datasets is not None
        assert sorted(inp.datasets["name"]) == sorted([f"Einwohner {name}", f"Grenzen {name}"]
                                                      + (["kinderstark Mitglieder"]
                                                         if name == "Köln" else []))
        shown = " ".join(str(a) for a in inp.attributions)
        assert other not in shown and CITIES[key][2] in shown
        if name == "Berlin":
            assert "NRW" not in shown and "kinderstark" not in " ".join(inp.datasets["name"])
    finally:
        k.close()
