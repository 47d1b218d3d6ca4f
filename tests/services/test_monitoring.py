"""Monitoring use cases of the facade (issue #3) on a small store built here: derived
values with method, parameters and versions, identical recomputation, 0 denominators,
LISA against esda, hand-computed trends and classes."""

from __future__ import annotations

import json
import warnings
from datetime import date
from pathlib import Path

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from libpysal import weights as lpw
from shapely.geometry import box

from kekiz.analysis.indices import quantile_classes
from kekiz.app import Kekiz
from kekiz.domain.errors import MethodError
from kekiz.domain.model import Aggregation, Dataset, Indicator, Polarity, Unit
from kekiz.services.derived import LISA_CODES
from kekiz.settings import load_settings
from kekiz.storage import open_store

SEED = 4711
SIZE = 5  # a 5 x 5 grid of squares plus one island
VERSIONS = {"kekiz", "numpy", "pandas", "esda", "libpysal", "mapclassify"}


def _grid_ids() -> list[str]:
    return [f"G{r}{c}" for r in range(SIZE) for c in range(SIZE)]


def _score(uid: str) -> float:
    """High values in the top-left 3 x 3 block, low elsewhere, a little variation."""
    if uid == "INSEL":
        return 1.0
    r, c = int(uid[1]), int(uid[2])
    base = 10.0 if (r < 3 and c < 3) else 1.0
    return base + 0.1 * r + 0.05 * c


def _monitor(url: str) -> Kekiz:
    return Kekiz(load_settings({"store": url, "lang": "de"}))


def _build(url: str) -> None:
    store = open_store(url)
    units = [Unit(uid, f"Gebiet {uid}", "gemeinde",
                  geometry=shapely.to_wkb(box(7 + 0.01 * int(uid[2]), 51 - 0.01 * int(uid[1]),
                                              7.01 + 0.01 * int(uid[2]),
                                              51.01 - 0.01 * int(uid[1]))))
             for uid in _grid_ids()]
    units.append(Unit("INSEL", "Insel", "gemeinde", geometry=shapely.to_wkb(
        box(8.0, 52.0, 8.01, 52.01))))
    units.append(Unit("NEU", "Neugründung", "gemeinde", arisen_from=["ALT"],
                      valid_from=date(2020, 1, 1)))
    inds = [Indicator("faelle", "Fälle", "cases", aggregation=Aggregation.SUM, decimals=0),
            Indicator("kinder", "Kinder", "children", aggregation=Aggregation.SUM, decimals=0),
            Indicator("score", "Benachteiligung", "disadvantage",
                      polarity=Polarity.HIGHER_IS_WORSE, decimals=2)]
    rows = []
    for n, uid in enumerate([*_grid_ids(), "INSEL"]):
        for year in ("2019", "2020", "2021"):
            rows.append(("score", uid, year, _score(uid) + 0.5 * (int(year) - 2019) *
                         (1 if uid == "G00" else 0)))
        rows.append(("faelle", uid, "2021", float(10 + n)))
        rows.append(("kinder", uid, "2021", float(100 + 10 * n)))
    rows += [("faelle", "G44", "2020", 10.0), ("kinder", "G44", "2020", 100.0),
             ("faelle", "G43", "2020", 3.0), ("kinder", "G43", "2020", 20.0),
             ("faelle", "G42", "2020", 5.0), ("kinder", "G42", "2020", 0.0),
             ("faelle", "G41", "2020", 4.0), ("kinder", "G41", "2020", np.nan)]
    rows += [("score", "NEU", "2019", 1.0), ("score", "NEU", "2020", 2.0),
             ("score", "NEU", "2021", 4.0)]
    frame = pd.DataFrame(rows, columns=["indicator_id", "unit_id", "period", "value"])
    frame["status"] = np.where(frame["value"].isna(), "missing", "ok")
    with store.transaction() as tx:
        ds = tx.add_dataset(Dataset(name="Testdaten", kind="indicators"))
        tx.upsert_units(units)
        tx.upsert_indicators(inds)
        tx.upsert_observations(frame.assign(dataset_id=ds.id))
    store.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'monitoring.db'}"
    _build(url)
    return url


def _params(obs: pd.DataFrame, unit: str, period: str) -> dict[str, object]:
    row = obs[(obs["unit_id"] == unit) & (obs["period"] == period)].iloc[0]
    data: dict[str, object] = json.loads(row["params"])
    return data


# -- rates ------------------------------------------------------------------------------------
def test_rate_values_intervals_provenance_and_zero_denominator(store_url: str) -> None:
    _build(store_url)
    m = _monitor(store_url)
    [result] = m.monitoring.derive_rate("fallquote", "faelle", "kinder", "gemeinde",
                             name_de="Fälle je 100 Kinder", name_en="cases per 100 children")
    obs = m.store.observations(indicator_id="fallquote").set_index(["unit_id", "period"])
    # Wilson 95 % for 10 of 100 (PHEindicatormethods / Wilson 1927): 5.5229 .. 17.4366
    ok = obs.loc[("G44", "2020")]
    assert ok["value"] == pytest.approx(10.0)
    assert (ok["lower"], ok["upper"]) == pytest.approx((5.52291, 17.43657), abs=1e-4)
    assert (ok["numerator"], ok["denominator"], ok["status"]) == (10.0, 100.0, "ok")
    small = obs.loc[("G43", "2020")]  # 3 of 20: Wilson 5.2369 .. 36.0419, below 30
    assert (small["lower"], small["upper"]) == pytest.approx((5.23688, 36.04189), abs=1e-4)
    assert small["status"] == "unreliable"
    zero = obs.loc[("G42", "2020")]  # 5 cases, 0 children: no infinity, no crash
    assert zero["status"] == "missing" and pd.isna(zero["value"])
    assert zero["numerator"] == 5.0 and zero["denominator"] == 0.0
    assert json.loads(zero["params"])["reason"] == "Nenner ist 0"
    gap = obs.loc[("G41", "2020")]
    assert gap["status"] == "missing" and json.loads(gap["params"])["reason"] == "Nenner fehlt"
    params = json.loads(ok["params"])
    assert params["method"] == "share/wilson" and params["confidence"] == 0.95
    assert set(params["versions"]) >= VERSIONS  # type: ignore[arg-type]
    assert ok["method"] == "share/wilson"
    ds = result.dataset
    assert ds is not None and ds.kind == "derived" and ds.revision == 1
    stored = next(d for d in m.store.datasets() if d.id == ds.id)
    assert set(stored.details["versions"]) >= VERSIONS
    assert stored.details["params"]["numerator"] == "faelle"
    ind = m.store.indicator("fallquote")
    assert (ind.name_de, ind.numerator, ind.denominator, ind.scale) == (
        "Fälle je 100 Kinder", "faelle", "kinder", 100.0)
    m.close()  # type: ignore[attr-defined]


def test_share_with_numerator_above_denominator_is_missing_with_reason(
        sqlite_url: str) -> None:
    m = _monitor(sqlite_url)
    [result] = m.monitoring.derive_rate("kinder_je_fall", "kinder", "faelle", "gemeinde")
    row = result.table.set_index(["unit_id", "period"]).loc[("G44", "2020")]
    assert row["status"] == "missing"
    assert row["reason"] == "Zähler größer als Nenner (Daten prüfen)"
    # as a rate the same counts are fine: 100 per 10 = 10 000 per 1 000 (but only 10 at
    # risk, below the minimum of 30: unreliable)
    [rate] = m.monitoring.derive_rate("kinder_je_fall", "kinder", "faelle", "gemeinde", kind="rate",
                           multiplier=1000)
    row = rate.table.set_index(["unit_id", "period"]).loc[("G44", "2020")]
    assert row["value"] == pytest.approx(10000.0)
    assert (row["status"], row["reason"]) == ("unreliable", "Nenner unter dem Mindestwert 30")


def test_recompute_gives_identical_values_and_replaces_the_revision(sqlite_url: str) -> None:
    m = _monitor(sqlite_url)
    first = m.monitoring.run_monitoring("gemeinde", score="score", permutations=199, seed=SEED)
    before = m.store.observations().drop(columns="dataset_id")
    second = m.monitoring.run_monitoring("gemeinde", score="score", permutations=199, seed=SEED)
    after = m.store.observations().drop(columns="dataset_id")
    pd.testing.assert_frame_equal(before, after)
    assert [d.sha256 for d in first.results] == [d.sha256 for d in second.results]
    for old, new in zip(first.results, second.results, strict=True):
        assert new.dataset is not None and old.dataset is not None
        assert new.dataset.name == old.dataset.name
        assert new.dataset.revision == old.dataset.revision + 1
        assert new.replaced == len(old.observations)
    kinds = [d.kind for d in second.results]
    assert kinds == ["classes", "lisa", "trend", "priority"]
    # nothing of the earlier revisions is left behind
    old_ids = {d.dataset.id for d in first.results if d.dataset}
    assert not m.store.observations()["dataset_id"].isin(old_ids).any()
    # another seed gives other permutation p-values (the seed is really used)
    other = m.monitoring.lisa("score", "gemeinde", "2021", permutations=199, seed=SEED + 1)
    p_other = other.table["p_sim"].dropna().to_numpy()
    p_first = first.of("lisa")[0].table["p_sim"].dropna().to_numpy()
    assert not np.array_equal(p_other, p_first)


# -- LISA ------------------------------------------------------------------------------------
def _esda_codes(seed: int, permutations: int) -> tuple[pd.Series, pd.Series]:
    ids = sorted([*_grid_ids(), "INSEL"])
    geoms = [box(7 + 0.01 * int(i[2]), 51 - 0.01 * int(i[1]), 7.01 + 0.01 * int(i[2]),
                 51.01 - 0.01 * int(i[1])) if i != "INSEL" else box(8.0, 52.0, 8.01, 52.01)
             for i in ids]
    gdf = gpd.GeoDataFrame({"id": ids}, geometry=geoms, crs=4326)
    w = lpw.Queen.from_dataframe(gdf, ids=ids, silence_warnings=True)
    w.transform = "r"
    y = np.array([_score(i) for i in ids]) + np.array(
        [1.0 if i == "G00" else 0.0 for i in ids])
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore")
        lm = esda.Moran_Local(y, w, permutations=permutations, seed=seed)
    quad = {1: 1, 2: 4, 3: 2, 4: 3}  # esda: 1 HH 2 LH 3 LL 4 HL -> ours: 1 HH 2 LL 3 HL 4 LH
    codes = [9 if not w.neighbors[i] else (quad[int(q)] if p <= 0.05 else 0)
             for i, q, p in zip(ids, lm.q, lm.p_sim, strict=True)]
    return pd.Series(codes, index=ids), pd.Series(lm.p_sim, index=ids)


def test_lisa_on_a_grid_matches_esda_with_islands(sqlite_url: str) -> None:
    m = _monitor(sqlite_url)
    result = m.monitoring.lisa("score", "gemeinde", "2021", permutations=999, seed=SEED)
    codes, p_sim = _esda_codes(SEED, 999)
    stored = m.store.observations(indicator_id="score_lisa", period="2021")
    ours = pd.Series(stored["value"].to_numpy(int), index=stored["unit_id"])
    pd.testing.assert_series_equal(ours.sort_index(), codes, check_names=False)
    assert result.summary["no_geometry"] == ["NEU"]  # no boundary: left out, named
    table = result.table.set_index("unit_id")
    np.testing.assert_allclose(table["p_sim"].drop("INSEL").to_numpy(),
                               p_sim.drop("INSEL").to_numpy())
    # hand check: the centre of the high block (all 8 neighbours high) is a hot spot, the
    # low corner beside it a cold spot; the island is marked and never significant
    assert ours["G11"] == 1 and LISA_CODES[1][0] == "HH"
    assert ours["G04"] == 2 and LISA_CODES[2][0] == "LL" and ours["INSEL"] == 9
    assert result.summary["islands"] == ["INSEL"]
    params = json.loads(stored.set_index("unit_id").loc["G11", "params"])
    assert (params["seed"], params["permutations"], params["weights"]) == (SEED, 999, "queen")
    assert set(params["versions"]) >= VERSIONS


def test_lisa_fdr_is_stricter(sqlite_url: str) -> None:
    m = _monitor(sqlite_url)
    plain = m.monitoring.lisa("score", "gemeinde", "2021", permutations=999, seed=SEED)
    fdr = m.monitoring.lisa("score", "gemeinde", "2021", permutations=999, seed=SEED, fdr=True)
    n_plain = int(plain.table["code"].isin([1, 2, 3, 4]).sum())
    n_fdr = int(fdr.table["code"].isin([1, 2, 3, 4]).sum())
    assert 0 < n_fdr <= n_plain
    tested = fdr.table[fdr.table["unit_id"] != "INSEL"]
    assert (tested["p_fdr"] >= tested["p_sim"]).all()
    assert fdr.observations["params"].map(lambda p: json.loads(p)["fdr"]).all()


# -- classes, trend, priority --------------------------------------------------------------
def test_classes_are_type9_quintiles(sqlite_url: str) -> None:
    m = _monitor(sqlite_url)
    result = m.monitoring.classify("score", "gemeinde", "2021")
    obs = m.store.observations(indicator_id="score_klasse", period="2021")
    values = m.store.observations(indicator_id="score", period="2021").set_index("unit_id")[
        "value"]
    expected = quantile_classes(values, 5)
    got = obs.set_index("unit_id")["value"].astype(int)
    assert got.to_dict() == expected.astype(int).to_dict()
    assert [item["class"] for item in result.summary["legend"]] == [1, 2, 3, 4, 5]
    assert sum(item["count"] for item in result.summary["legend"]) == len(values)
    assert "bis" in result.summary["legend"][0]["label"]
    defn = m.store.indicator("score_klasse").definition_de
    assert "R-Typ 9" in defn


def test_trend_hand_computed_with_break_marker(sqlite_url: str) -> None:
    m = _monitor(sqlite_url)
    result = m.monitoring.trend("score", "gemeinde", since=2019, until=2021)
    table = result.table.set_index("unit_id")
    # G00 rises by 0.5 a year: slope 0.5, change 1.0, zero residuals
    assert table.loc["G00", "slope"] == pytest.approx(0.5)
    assert table.loc["G00", "change"] == pytest.approx(1.0)
    # NEU (arisen 2020 from ALT): values 1, 2, 4 -> only 2020..2021 count after the break
    assert bool(table.loc["NEU", "broken"])
    assert pd.isna(table.loc["NEU", "change"])
    assert table.loc["NEU", "n"] == 2 and table.loc["NEU", "slope"] == pytest.approx(2.0)
    obs = m.store.observations(indicator_id=["score_trend", "score_veraenderung"],
                               unit_ids=["NEU"]).set_index("indicator_id")
    assert obs.loc["score_trend", "status"] == "unreliable"
    assert obs.loc["score_veraenderung", "status"] == "missing"
    reason = json.loads(obs.loc["score_veraenderung", "params"])["reason"]
    assert reason == "Gebietsänderung zwischen 2019 und 2021: nicht vergleichbar"
    # without the break, the whole series 1, 2, 4: slope 1.5, 95 % CI 1.5 ± 12.7062 * 0.288675
    from kekiz.analysis.trends import slopes

    fit = slopes(pd.DataFrame({"unit": "x", "period": [2019, 2020, 2021],
                               "value": [1.0, 2.0, 4.0]}))
    assert fit.loc[0, "slope"] == pytest.approx(1.5)
    assert (fit.loc[0, "ci_low"], fit.loc[0, "ci_high"]) == pytest.approx(
        (1.5 - 12.7062047 * 0.2886751, 1.5 + 12.7062047 * 0.2886751), abs=1e-6)
    # G00 has the largest increase: the only negative dynamics (z > 1)
    assert table.loc["G00", "dynamics_class"] == 3
    assert result.summary["dynamics"]["negativ"] == 1


def test_priority_ranks_with_german_reasons(sqlite_url: str) -> None:
    m = _monitor(sqlite_url)
    result = m.monitoring.priority("gemeinde", "score", "2021", 2019, permutations=999, seed=SEED)
    top = result.table.iloc[0]
    assert top["unit_id"] == "G00"  # highest value, rising, in the hot spot
    assert top["rank"] == 1 and bool(top["priority"])
    assert "Status sehr niedrig (Statusklasse 4): +4 Punkte" in top["reasons"]
    assert "Dynamik negativ" in top["reasons"] and "Hot Spot" in top["reasons"]
    assert "status very low" in top["reasons_en"]
    stored = m.store.observations(indicator_id="score_prioritaet", unit_ids=["G00"])
    params = json.loads(stored["params"].iloc[0])
    assert params["rank"] == 1 and params["priority"] is True
    assert stored["value"].iloc[0] == pytest.approx(top["score"])


def test_errors_name_the_problem(sqlite_url: str) -> None:
    m = _monitor(sqlite_url)
    with pytest.raises(MethodError, match="Zähler und Nenner"):
        m.monitoring.derive_rate("unbekannt", None, None, "gemeinde")
    with pytest.raises(MethodError, match="Keine Werte für 'score'"):
        m.monitoring.lisa("score", "gemeinde", "1990")
    with pytest.raises(MethodError, match="Startjahr"):
        m.monitoring.trend("score", "gemeinde", since=2021, until=2019)
