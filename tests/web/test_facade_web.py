"""The facade's read use cases for the web (kekiz.facade.web.WebJobs), against values
computed by hand from the store."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from kekiz.app import Kekiz
from kekiz.domain.errors import MethodError, NotFound
from kekiz.domain.model import Dataset
from kekiz.settings import Settings
from tests.web.conftest import SECRET, SUPPRESSED_GEMEINDE


@pytest.fixture(scope="module")
def monitor(web_settings: Settings) -> Iterator[Kekiz]:
    m = Kekiz(web_settings)
    yield m
    m.close()


def test_catalogue(monitor: Kekiz) -> None:
    cat = monitor.pages().web_catalogue()
    assert [e["level"].id for e in cat["levels"]] == ["kreis", "gemeinde", "stadtbezirk",
                                                      "stadtteil"]
    gisd = next(e for e in cat["indicators"] if e["indicator"].id == "gisd_score")
    assert gisd["periods"]["kreis"] == [str(y) for y in range(1998, 2022)]
    assert "stadtteil" not in gisd["periods"]


def test_atlas_classifies_published_values_only(monitor: Kekiz) -> None:
    data = monitor.pages().atlas("gemeinde", "gisd_score", "2021", method="quantiles", k=5)
    units = data.units
    assert len(units) == 396
    koeln = units[units["id"] == SUPPRESSED_GEMEINDE[1]].iloc[0]
    assert koeln["status"] == "suppressed" and pd.isna(koeln["klass"])
    assert sum(e["count"] for e in data.legend) == 395
    ok = units[units["status"] == "ok"]
    # quantiles: 395 values in 5 classes of 79
    assert [e["count"] for e in data.legend] == [79] * 5
    top = ok.sort_values("value").iloc[-1]
    assert top["klass"] == 5
    assert data.legend[0]["label_de"].startswith("0,000 bis unter")


def test_atlas_errors(monitor: Kekiz) -> None:
    with pytest.raises(NotFound):
        monitor.pages().atlas("gemeinde", "gisd_score", "1950")
    with pytest.raises(NotFound):
        monitor.pages().atlas("stadtteil", "gisd_score")
    with pytest.raises(MethodError):
        monitor.pages().atlas("gemeinde", "gisd_score", k=12)
    with pytest.raises(NotFound):
        monitor.pages().atlas("sozialraum", "gisd_score")  # a level without units


def test_profile_median_and_ancestors(monitor: Kekiz) -> None:
    p = monitor.pages().unit_profile("05315000-102")
    assert [a.id for a in p.ancestors] == ["05315000-1", "05315000", "05315"]
    obs = monitor.store.observations(indicator_id="einwohner", level="stadtteil",
                                     period="2012")
    med = p.medians.set_index("indicator_id").loc["einwohner"]
    assert med["period"] == "2012" and med["median"] == obs["value"].median()
    assert med["n"] == 86
    # the withheld einwohner_u3 of Altstadt/Süd is not part of the median
    u3 = monitor.store.observations(indicator_id="einwohner_u3", level="stadtteil",
                                    period="2012")
    u3 = u3[u3["status"] == "ok"]
    row = p.medians.set_index("indicator_id").loc["einwohner_u3"]
    assert row["n"] == 85 and row["median"] == u3["value"].median()
    assert {m["programme"] for m in p.memberships} == {"Kein Kind zurücklassen!"}
    assert len(p.peers) == 4 and len(p.context) == 5


def test_comparison_ranking(monitor: Kekiz) -> None:
    c = monitor.pages().comparison("gisd_score", ["05111000", "05513000"], "2021")
    r = c.ranking
    first = r.iloc[0]
    assert first["rank"] == 1 and first["value"] == r["value"].max()
    koeln = r[r["unit_id"] == "05315000"].iloc[0]
    assert pd.isna(koeln["rank"])
    assert set(c.series["unit_id"]) == {"05111000", "05513000"}
    with pytest.raises(MethodError):
        monitor.pages().comparison("gisd_score", [])


def test_network_overview(monitor: Kekiz) -> None:
    n = monitor.pages().network_overview(None, 2017)
    assert n.programme == "Kein Kind zurücklassen!" and n.years[0] == 2012
    assert n.reach.share == pytest.approx(0.5768, abs=1e-3)
    by_year = n.reach_by_year.set_index("year")
    assert by_year.loc[2012, "members"] == 18 and by_year.loc[2017, "members"] == 40
    assert (n.map["status"] == 2).sum() == 12  # member towns inside Kreise
    assert n.funding is not None and n.funding_error is None
    assert monitor.pages().network_overview(None, 2017) is n  # cached


def test_cache_follows_the_data_version(monitor: Kekiz) -> None:
    before = monitor.pages().web_catalogue()
    assert monitor.pages().web_catalogue() == before
    version = monitor.pages().data_version()
    with monitor.store.transaction() as tx:
        tx.add_dataset(Dataset(name="Cache-Test", kind="derived"))
    assert monitor.pages().data_version() != version
    assert monitor.pages().network_overview(None, 2017) is not None


def test_features_bbox_and_periods(monitor: Kekiz) -> None:
    page = monitor.pages().features("kreis", bbox=[6.9, 50.9, 7.0, 51.0], limit=5)
    assert "05315" in set(page.units["id"])
    page = monitor.pages().features("kreis", unit_id="05315", start="2005", end="2010")
    gisd = page.values[page.values["indicator_id"] == "gisd_score"].iloc[0]
    assert gisd["period"] == "2010"
    with pytest.raises(NotFound):
        monitor.pages().features("kreis", unit_id="05315000")


def test_download_reads_through_the_publication_gate(monitor: Kekiz) -> None:
    ind, unit, period = SUPPRESSED_GEMEINDE
    content, name, media = monitor.pages().download("csv", indicator_id=ind,
                                                    level="gemeinde", period=period)
    assert name == f"kekiz_{ind}_gemeinde_{period}.csv" and media.startswith("text/csv")
    text = content.decode("utf-8-sig")
    assert text.count("\n") == 397  # header and the 396 Gemeinden
    assert SECRET not in text and SECRET[:6] not in text
    row = next(line for line in text.splitlines() if line.startswith(unit))
    assert "suppressed" in row or "gesperrt" in row
