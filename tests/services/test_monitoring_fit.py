"""Monitoring on a store of the user's own indicators (issue #18): derived rates get the
given id and names; `monitor run` without GISD picks the composite index or asks for
`--score` with the candidates; the priority list names the children count it needs and
takes one by option."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kekiz.domain.errors import MethodError
from kekiz.domain.model import Aggregation, Dataset, Indicator, Polarity
from tests.services.test_monitoring import _build, _grid_ids, _monitor, _score


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kekiz", "--store", url, *args],
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "COLUMNS": "250"})


@pytest.fixture
def url(tmp_path: Path) -> str:
    out = f"sqlite:///{tmp_path / 'own.db'}"
    _build(out)
    return out


# -- rates: id and names -----------------------------------------------------------------
def test_rate_gets_the_given_id_and_names(url: str) -> None:
    done = _run(url, "monitor", "rates", "--level", "gemeinde", "--numerator", "faelle",
                "--denominator", "kinder", "--id", "fallanteil", "--name-de",
                "Anteil der Fälle", "--name-en", "Share of cases", "--json")
    assert done.returncode == 0, done.stderr
    [result] = json.loads(done.stdout)
    assert result["indicator"] == "fallanteil"
    m = _monitor(url)
    ind = m.store.indicator("fallanteil")
    assert (ind.name_de, ind.name_en) == ("Anteil der Fälle", "Share of cases")
    # 10 cases of 100 children in G00 (2021): 10 %
    obs = m.store.observations(indicator_id="fallanteil", unit_ids=["G00"], period="2021")
    assert obs["value"].iloc[0] == pytest.approx(10.0)
    # the same rate again (no names): recomputed, not refused
    m.monitoring.derive_rate("fallanteil", "faelle", "kinder", "gemeinde")
    m.close()


def test_rate_without_id_gets_a_readable_default(url: str) -> None:
    m = _monitor(url)
    [result] = m.monitoring.derive_rate(None, "faelle", "kinder", "gemeinde")
    assert result.indicator_id == "anteil_faelle_an_kinder"
    ind = m.store.indicator("anteil_faelle_an_kinder")
    assert (ind.name_de, ind.name_en) == ("Anteil Fälle an Kinder", "Share of cases in children")
    # several numerators: the first and their number, not a chain of every name
    with m.store.transaction() as tx:
        ds = tx.add_dataset(Dataset(name="Neue Fälle", kind="indicators"))
        tx.upsert_indicators([Indicator("neue_faelle", "Neue Fälle", "new cases",
                                        aggregation=Aggregation.SUM, decimals=0)])
        tx.upsert_observations(pd.DataFrame({
            "indicator_id": "neue_faelle", "unit_id": _grid_ids(), "period": "2021",
            "value": 1.0, "status": "ok", "dataset_id": ds.id}))
    m.monitoring.derive_rate("zwei", "faelle+neue_faelle", "kinder", "gemeinde",
                             kind="rate", multiplier=1000)
    assert m.store.indicator("zwei").name_de == "Fälle und 1 weitere je 1.000 Kinder"
    assert m.store.indicator("zwei").name_en == "cases and 1 more per 1,000 children"
    m.close()


@pytest.mark.parametrize("existing", ["score", "faelle"])
def test_rate_with_an_existing_id_is_refused(url: str, existing: str) -> None:
    done = _run(url, "monitor", "rates", "--level", "gemeinde", "--numerator", "faelle",
                "--denominator", "kinder", "--id", existing, "--name-de", "Neu")
    assert done.returncode != 0
    assert f"Den Indikator '{existing}' gibt es schon" in done.stderr
    assert "andere --id" in done.stderr
    m = _monitor(url)
    assert m.store.indicator(existing).name_de != "Neu"
    m.close()


def test_rate_with_new_names_for_an_existing_rate_is_refused(url: str) -> None:
    m = _monitor(url)
    m.monitoring.derive_rate("fallanteil", "faelle", "kinder", "gemeinde", name_de="Alt")
    with pytest.raises(MethodError, match="gibt es schon"):
        m.monitoring.derive_rate("fallanteil", "faelle", "kinder", "gemeinde", name_de="Neu")
    m.close()


# -- monitor run without GISD ---------------------------------------------------------------
def test_run_without_gisd_asks_for_score_with_candidates(url: str) -> None:
    done = _run(url, "monitor", "run", "--level", "gemeinde", "--permutations", "99")
    assert done.returncode != 0
    assert "--score" in done.stderr and "Kandidaten: score" in done.stderr


def test_run_without_gisd_picks_the_one_composite_index(url: str) -> None:
    m = _monitor(url)
    ids = [*_grid_ids(), "INSEL"]
    with m.store.transaction() as tx:
        ds = tx.add_dataset(Dataset(name="Index", kind="derived"))
        tx.upsert_indicators([Indicator("mein_index", "Mein Index", "my index",
                                        polarity=Polarity.HIGHER_IS_WORSE, decimals=2)])
        for year in ("2020", "2021"):
            tx.upsert_observations(pd.DataFrame({
                "indicator_id": "mein_index", "unit_id": ids, "period": year,
                "value": [_score(u) for u in ids], "status": "ok",
                "method": "index/weighted_z", "dataset_id": ds.id}))
    run = m.monitoring.run_monitoring("gemeinde", permutations=99)
    kinds = {(r.kind, r.indicator_id) for r in run.results}
    assert ("classes", "mein_index_klasse") in kinds
    assert ("priority", "mein_index_prioritaet") in kinds
    m.close()


def test_priority_names_the_children_it_needs_and_takes_them_by_option(url: str) -> None:
    done = _run(url, "monitor", "run", "--level", "gemeinde", "--score", "score",
                "--permutations", "99", "--json")
    assert done.returncode == 0, done.stderr
    pr = next(r for r in json.loads(done.stdout)["results"] if r["kind"] == "priority")
    assert "einwohner_u18" in pr["summary"]["rule"] and "--children" in pr["summary"]["rule"]
    done = _run(url, "monitor", "run", "--level", "gemeinde", "--score", "score",
                "--children", "kinder", "--permutations", "99", "--json")
    assert done.returncode == 0, done.stderr
    pr = next(r for r in json.loads(done.stdout)["results"] if r["kind"] == "priority")
    assert pr["summary"]["children"] == "Kinder 2021 (kinder)"
    g00 = next(r for r in pr["rows"] if r["unit_id"] == "G00")
    assert g00["children"] == pytest.approx(100.0)
