"""Composite index and typology use cases (issue #3, items 3 and 5) on a small store built
here with hand-computed expectations, and the CLI commands on the demo store."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from kekiz.analysis.indices import quantile_classes
from kekiz.app import Kekiz
from kekiz.domain.errors import MethodError
from kekiz.domain.model import Aggregation, Dataset, Indicator, Polarity, Unit
from kekiz.settings import load_settings
from kekiz.storage import open_store

VERSIONS = {"kekiz", "numpy", "pandas", "scipy"}
# gemeinde A..D: x higher is worse, y higher is better, z without direction
X = {"A": 10.0, "B": 20.0, "C": 30.0, "D": 99.0}
Y = {"A": 2.0, "B": 2.0, "C": 8.0, "D": 0.0}
Z = {"A": 1.0, "B": 2.0, "C": 3.0, "D": 4.0}
EW = {"A": 1000.0, "B": 5000.0, "C": 800.0, "D": 250.0}  # inhabitants 2021 (index: 2022)
# kreis K1..K8: two clear groups for the typology
TYP = {"K1": (1.0, 10.0), "K2": (1.2, 10.5), "K3": (0.8, 9.6), "K4": (1.1, 10.2),
       "K5": (5.0, 2.0), "K6": (5.3, 2.4), "K7": (4.8, 1.7), "K8": (9.0, 6.0)}


def _monitor(url: str) -> Kekiz:
    return Kekiz(load_settings({"store": url, "lang": "de"}))


def _build(url: str) -> None:
    store = open_store(url)
    units = [Unit(u, f"Gemeinde {u}", "gemeinde") for u in X]
    units += [Unit(u, f"Kreis {u}", "kreis") for u in TYP]
    inds = [Indicator("x", "Armut", "poverty", polarity=Polarity.HIGHER_IS_WORSE),
            Indicator("y", "Beschäftigung", "employment", polarity=Polarity.HIGHER_IS_BETTER),
            Indicator("z", "Ohne Richtung", "no direction"),
            Indicator("einwohner", "Einwohner", "inhabitants", aggregation=Aggregation.SUM,
                      decimals=0)]
    rows = [("x", u, "2022", v) for u, v in X.items()]
    rows += [("y", u, "2022", v) for u, v in Y.items()]
    rows += [("z", u, "2022", v) for u, v in Z.items()]
    rows += [("einwohner", u, "2021", v) for u, v in EW.items()]
    rows += [("x", u, "2022", a) for u, (a, _) in TYP.items()]
    rows += [("y", u, "2022", b) for u, (_, b) in TYP.items()]
    frame = pd.DataFrame(rows, columns=["indicator_id", "unit_id", "period", "value"])
    with store.transaction() as tx:
        ds = tx.add_dataset(Dataset(name="Testdaten", kind="indicators"))
        tx.upsert_units(units)
        tx.upsert_indicators(inds)
        tx.upsert_observations(frame.assign(status="ok", dataset_id=ds.id))
    store.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'extra.db'}"
    _build(url)
    return url


def _params(frame: pd.DataFrame, unit: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(str(frame.loc[unit, "params"]))
    return data


def _hand_weighted_z() -> dict[str, float]:
    """x: 10, 20, 30 -> z = -sqrt(1.5), 0, sqrt(1.5) (ddof 0; higher is worse, kept);
    y: 2, 2, 8 -> z = -1/sqrt(2), -1/sqrt(2), sqrt(2) (higher is better, sign flipped);
    weights x 2, y 1 -> (2 z_x - z_y) / 3."""
    zx = {"A": -math.sqrt(1.5), "B": 0.0, "C": math.sqrt(1.5)}
    zy = {"A": -1 / math.sqrt(2), "B": -1 / math.sqrt(2), "C": math.sqrt(2)}
    return {u: (2 * zx[u] - zy[u]) / 3 for u in zx}


# -- composite index ---------------------------------------------------------------------
def test_weighted_z_by_hand_with_exclusion_and_provenance(store_url: str) -> None:
    _build(store_url)
    m = _monitor(store_url)
    result = m.indices.composite_index("gemeinde", ["x", "y"], "2022", name="sozialindex",
                               weights={"x": 2, "y": 1})
    hand = _hand_weighted_z()  # A -0.5808, B 0.2357, C 0.3451
    assert hand["A"] == pytest.approx(-0.580794, abs=1e-6)
    stored = m.store.observations(indicator_id="sozialindex", period="2022").set_index(
        "unit_id")
    for unit, value in hand.items():
        assert stored.loc[unit, "value"] == pytest.approx(value, abs=1e-12)
        assert stored.loc[unit, "status"] == "ok"
    # D has 250 inhabitants (2021, the nearest period to 2022): excluded, with the reason
    assert result.excluded == [{"id": "D", "reason": "weniger als 300 Einwohner (250)",
                                "reason_en": "fewer than 300 inhabitants (250)"}]
    assert stored.loc["D", "status"] == "missing" and bool(stored["value"].isna()["D"])
    assert _params(stored, "D")["reason"] == "weniger als 300 Einwohner (250)"
    assert result.summary["population_period"] == "2021"
    assert result.summary["notes"] == ["Einwohnerzahlen aus 2021 (nächster Zeitraum zu 2022)."]
    # rank 1 = most disadvantaged; the table is sorted by the index
    table = result.table.set_index("unit_id")
    assert table.loc[["C", "B", "A"], "rank"].tolist() == [1, 2, 3]
    assert result.table["unit_id"].tolist()[:3] == ["C", "B", "A"]
    # quintiles after R type 9 of the three index values
    classes = m.store.observations(indicator_id="sozialindex_klasse").set_index("unit_id")
    expected = quantile_classes(pd.Series(hand), 5).astype(int).to_dict()
    assert classes["value"].astype(int).to_dict() == expected
    assert "D" not in classes.index
    # method, weights, polarity and versions in every value and in the dataset
    params = _params(stored, "A")
    assert params["method"] == "weighted_z" and params["weights"] == {"x": 2.0, "y": 1.0}
    assert params["polarity"] == {"x": -1, "y": 1} and params["rank"] == 3
    assert set(params["versions"]) >= VERSIONS
    assert set(_params(classes, "A")["versions"]) >= VERSIONS
    ds = result.dataset
    assert ds is not None and ds.kind == "derived" and ds.revision == 1
    details = next(d for d in m.store.datasets() if d.id == ds.id).details
    assert details["method"] == "weighted_z" and set(details["versions"]) >= VERSIONS
    assert details["params"]["min_population"] == 300
    ind = m.store.indicator("sozialindex")
    assert ind.polarity == Polarity.HIGHER_IS_WORSE and "Benachteiligung" in ind.definition_de
    m.close()  # type: ignore[attr-defined]


def test_polarity_orients_the_indicators(sqlite_url: str) -> None:
    m = _monitor(sqlite_url)
    # y alone (higher is better): the lowest y is the most disadvantaged
    only_y = m.indices.composite_index("gemeinde", ["y"], "2022", name="idx_y")
    t = only_y.table.set_index("unit_id")
    assert t.loc["C", "index"] == pytest.approx(-math.sqrt(2))
    assert t.loc["A", "index"] == pytest.approx(1 / math.sqrt(2))
    assert t.loc["C", "rank"] == 3
    # override y to "higher is worse": z_y enters with its own sign
    flipped = m.indices.composite_index("gemeinde", ["x", "y"], "2022", name="idx_flip",
                                weights=[2, 1], polarity={"y": -1})
    t = flipped.table.set_index("unit_id")
    assert t.loc["C", "index"] == pytest.approx((2 * math.sqrt(1.5) + math.sqrt(2)) / 3)
    assert t.loc["A", "index"] == pytest.approx((-2 * math.sqrt(1.5) - 1 / math.sqrt(2)) / 3)
    # an indicator without direction needs one
    with pytest.raises(MethodError, match="keine Richtung"):
        m.indices.composite_index("gemeinde", ["x", "z"], "2022", name="idx_z")


def test_exclusion_by_name_and_other_methods(sqlite_url: str) -> None:
    m = _monitor(sqlite_url)
    named = m.indices.composite_index("gemeinde", ["x", "y"], "2022", name="idx_named",
                              weights=[2, 1], min_population=None,
                              exclude={"D": "Sondergebiet"})
    assert named.excluded == [{"id": "D", "reason": "ausdrücklich ausgeschlossen: "
                               "Sondergebiet", "reason_en": "excluded by name: Sondergebiet"}]
    t = named.table.set_index("unit_id")["index"]
    for unit, value in _hand_weighted_z().items():
        assert t[unit] == pytest.approx(value)
    # min-max on x only: 0, 0.5, 1 over A, B, C
    mm = m.indices.composite_index("gemeinde", ["x"], "2022", name="idx_mm", method="minmax")
    assert mm.table.set_index("unit_id")["index"][["A", "B", "C"]].tolist() == \
        pytest.approx([0.0, 0.5, 1.0])
    for method in ("rank", "pca", "mss"):
        res = m.indices.composite_index("gemeinde", ["x", "y"], "2022", name=f"idx_{method}",
                                method=method)
        assert res.summary["units"] == 3 and res.excluded[0]["id"] == "D"
        assert json.loads(res.observations["params"].iloc[0])["method"] == method
    with pytest.raises(MethodError, match="keine Gewichte"):
        m.indices.composite_index("gemeinde", ["x", "y"], "2022", name="idx", method="mss",
                          weights=[1, 2])
    with pytest.raises(MethodError, match="Eingangsindikatoren"):
        m.indices.composite_index("gemeinde", ["x", "y"], "2022", name="x")
    with pytest.raises(MethodError, match="Zeitraum 1999"):
        m.indices.composite_index("gemeinde", ["x", "y"], "1999")


def test_rerun_replaces_the_revision(sqlite_url: str) -> None:
    m = _monitor(sqlite_url)
    first = m.indices.composite_index("gemeinde", ["x", "y"], "2022", name="sozialindex")
    before = m.store.observations(indicator_id=["sozialindex", "sozialindex_klasse"])
    second = m.indices.composite_index("gemeinde", ["x", "y"], "2022", name="sozialindex")
    after = m.store.observations(indicator_id=["sozialindex", "sozialindex_klasse"])
    assert first.dataset is not None and second.dataset is not None
    assert second.dataset.name == first.dataset.name
    assert second.dataset.revision == first.dataset.revision + 1
    assert second.replaced == len(first.observations) == 4 + 3
    assert first.sha256 == second.sha256
    pd.testing.assert_frame_equal(before.drop(columns="dataset_id"),
                                  after.drop(columns="dataset_id"))
    assert set(after["dataset_id"]) == {second.dataset.id}


# -- typology --------------------------------------------------------------------------------
def test_typology_same_seed_identical_with_profiles_and_params(store_url: str) -> None:
    _build(store_url)
    m = _monitor(store_url)
    first = m.indices.typology("kreis", ["x", "y"], "2022", k=2, seed=7, name="kreise")
    stored1 = m.store.observations(indicator_id="kreise_typ").set_index("unit_id")["value"]
    second = m.indices.typology("kreis", ["x", "y"], "2022", k=2, seed=7, name="kreise")
    stored2 = m.store.observations(indicator_id="kreise_typ").set_index("unit_id")["value"]
    pd.testing.assert_series_equal(stored1, stored2)
    assert first.table["type"].tolist() == second.table["type"].tolist()
    # type 1 = lower mean of the first indicator: K1..K4 (x about 1); the rest type 2
    types = stored2.astype(int).to_dict()
    assert {u for u, t in types.items() if t == 1} == {"K1", "K2", "K3", "K4"}
    assert first.sizes == {1: 4, 2: 4}
    assert first.profiles[1].startswith("Typ 1 (4 Gebiete)")
    assert "Armut" in first.profiles[1] and "deutlich unter dem Durchschnitt" in \
        first.profiles[1]
    assert first.profiles_en[1].startswith("Type 1 (4 areas)")
    params = json.loads(m.store.observations(indicator_id="kreise_typ", unit_ids=["K1"])[
        "params"].iloc[0])
    assert (params["method"], params["seed"], params["k"]) == ("kmeans", 7, 2)
    assert set(params["versions"]) >= VERSIONS and params["profile"] == first.profiles[1]
    assert second.dataset is not None and first.dataset is not None
    assert second.dataset.revision == first.dataset.revision + 1
    assert second.replaced == 8
    details = next(d for d in m.store.datasets() if d.id == second.dataset.id).details
    assert details["params"]["seed"] == 7 and details["params"]["profiles"]["1"] == \
        first.profiles[1]
    ward = m.indices.typology("kreis", ["x", "y"], "2022", k=3, method="ward", name="kreise_w")
    assert sum(ward.sizes.values()) == 8 and len(ward.sizes) == 3
    with pytest.raises(MethodError, match="Typisierungsverfahren"):
        m.indices.typology("kreis", ["x", "y"], "2022", method="dbscan")
    m.close()  # type: ignore[attr-defined]


# -- CLI on the demo store ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_url(demo_module_url: str) -> str:
    return demo_module_url


@pytest.fixture
def cli_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    """The real ``kekiz`` app; registers the commands and wires the mixin when
    ``cli/main.py`` and ``monitor.py`` do not do it yet."""
    from kekiz.cli import main as cli

    yield cli.app


def test_cli_index_and_typology_on_the_demo(demo_url: str, cli_app: typer.Typer) -> None:
    runner = CliRunner()
    args = ["--store", demo_url, "monitor", "index", "--level", "gemeinde", "--indicators",
            "kinderarmut,beschaeftigtenquote,kaufkraft", "--period", "2022", "--method",
            "weighted_z", "--name", "sozialindex", "--limit", "5"]
    res = runner.invoke(cli_app, args)
    assert res.exit_code == 0, res.output
    assert "Index sozialindex" in res.output and "Gebiete mit den höchsten Werten" in res.output
    assert "Gebiete mit den niedrigsten Werten" in res.output
    assert "Gespeichert:" in res.output and "Revision 1" in res.output
    # German number format: decimal comma in the index column
    assert any("," in line and "│" in line for line in res.output.splitlines())
    res = runner.invoke(cli_app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["dataset"]["revision"] == 2 and data["summary"]["units"] > 300
    rows = sorted(data["rows"], key=lambda r: (r["rank"] is None, r["rank"] or 0))
    top = rows[0]
    assert top["rank"] == 1 and top["class"] == 5
    assert isinstance(data["excluded"], list)
    typ_args = ["--store", demo_url, "monitor", "typology", "--level", "kreis",
                "--indicators", "kinderarmut,beschaeftigtenquote,kaufkraft,anteil_unter_6",
                "--period", "2022", "--k", "4", "--seed", "42"]
    res = runner.invoke(cli_app, typ_args)
    assert res.exit_code == 0, res.output
    assert "Typ 1 (" in res.output and "Abweichung vom Durchschnitt" in res.output
    res = runner.invoke(cli_app, [*typ_args, "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert sum(t["size"] for t in data["summary"]["types"]) == data["summary"]["units"]
    store = open_store(demo_url)
    try:
        typ = store.observations(indicator_id="sozialraum_typ", level="kreis")
        assert len(typ) == data["summary"]["units"] and set(typ["value"]) == {1.0, 2.0, 3.0,
                                                                                4.0}
        assert json.loads(typ["params"].iloc[0])["seed"] == 42
        assert np.isfinite(store.observations(indicator_id="sozialindex")["value"]).sum() > 300
    finally:
        store.dispose()
