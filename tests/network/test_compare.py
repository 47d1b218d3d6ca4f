"""Members against non-members, rankings, funnel limits, and the demo's DiD illustration."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from kekiz.domain.model import Member
from kekiz.network.compare import cohorts, funnel, group_trends, rank_with_intervals
from tests.inprocess import run_kekiz


def test_cohorts_take_the_earlier_of_own_and_kreis_membership() -> None:
    units = pd.DataFrame({"id": ["K1", "G1", "G2", "G3"],
                          "level": ["kreis", "gemeinde", "gemeinde", "gemeinde"],
                          "parent_id": [None, "K1", "K1", None]})
    members = [Member("K1", "", "p", date(2017, 1, 1)), Member("G1", "", "p", date(2012, 5, 1))]
    assert cohorts(members, units, "gemeinde").to_dict() == {"G1": 2012, "G2": 2017, "G3": 0}


def test_group_trends_hand_computed() -> None:
    values = pd.DataFrame({"unit_id": ["a", "b", "c", "d"], "period": ["2020"] * 4,
                           "value": [1.0, 3.0, 10.0, 14.0]})
    groups = pd.Series({"a": "M", "b": "M", "c": "N", "d": "N"})
    out = group_trends(values, groups).set_index("group")
    assert out.loc["M", "mean"] == 2.0 and out.loc["N", "mean"] == 12.0
    half = stats.t.ppf(0.975, 1) * (2 ** 0.5 / 2 ** 0.5)  # sd(1,3)=sqrt(2), se=1
    assert out.loc["M", "upper"] == pytest.approx(2.0 + half)
    weighted = group_trends(values, groups, pd.Series({"a": 3, "b": 1, "c": 1, "d": 1}))
    assert weighted.set_index("group").loc["M", "mean"] == pytest.approx(1.5)


def test_rank_with_intervals() -> None:
    frame = pd.DataFrame({"unit_id": ["a", "b", "c"], "value": [1.0, 2.0, 10.0],
                          "lower": [0.5, 1.5, 9.0], "upper": [1.6, 2.5, 11.0]})
    out = rank_with_intervals(frame).set_index("unit_id")
    assert out["rank"].to_dict() == {"a": 1, "b": 2, "c": 3}
    # a and b overlap: each can be rank 1 or 2; c is clearly last
    assert out.loc["b", "rank_best"] == 1 and out.loc["a", "rank_worst"] == 2
    assert out.loc["c", "rank_best"] == 3 and out.loc["c", "rank_worst"] == 3


def test_funnel_limits_exact_binomial() -> None:
    frame = pd.DataFrame({"unit_id": ["a", "b"], "numerator": [10, 100],
                          "denominator": [100, 300]})
    out = funnel(frame).set_index("unit_id")
    p = 110 / 400
    assert out.loc["a", "target"] == pytest.approx(27.5)
    assert out.loc["a", "lower_95"] == pytest.approx(stats.binom.ppf(0.025, 100, p))
    # b: 33.3 % with n=300 lies above the 95 % limit (32.7 %) but inside 99.8 % (35.7 %)
    assert out.loc["b", "upper_95"] == pytest.approx(stats.binom.ppf(0.975, 300, p) / 3)
    assert out.loc["a", "outside"] == -2  # 10 % is far below 25 % with n=100
    assert out.loc["b", "outside"] == 1


@pytest.fixture(scope="module")
def demo_url(demo_module_url: str) -> str:
    return demo_module_url


def test_demo_did_illustration_and_chart(demo_url: str, tmp_path: Path) -> None:
    out, chart = tmp_path / "did.json", tmp_path / "did.png"
    done = run_kekiz(
        ["network", "did", "--indicator", "gisd_score", "--start", "2005", "-o", str(out),
         "--chart", str(chart)], env={**os.environ, "KEKIZ_STORE": demo_url})
    assert done.returncode == 0, done.stderr
    assert "Illustration, kein kausaler Befund" in done.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["method"]["cohort_sizes"] == {"2012": 53, "2017": 112}
    assert data["method"]["n_units"] == 396
    assert chart.stat().st_size > 10_000
    cmp = run_kekiz(["network", "compare", "--indicator", "arbeitslosenanteil", "--json"],
                    env={**os.environ, "KEKIZ_STORE": demo_url})
    assert cmp.returncode == 0, cmp.stderr
    rows = json.loads(cmp.stdout)
    assert {r["group"] for r in rows} == {"Mitglied seit 2012", "Mitglied seit 2017",
                                         "nie Mitglied"}


def test_size_classes_hand_checked() -> None:
    from kekiz.network.peers import kreis_type, size_class

    classes = size_class(pd.Series({"a": 4_999.0, "b": 5_000.0, "c": 99_999.0,
                                    "d": 100_000.0, "e": 1_000_000.0}))
    assert classes.to_dict() == {
        "a": "Landgemeinde (unter 5.000)", "b": "Kleinstadt (5.000 bis unter 20.000)",
        "c": "Mittelstadt (20.000 bis unter 100.000)",
        "d": "Großstadt (100.000 bis unter 500.000)", "e": "Metropole (500.000 und mehr)"}
    types = kreis_type(pd.Series(["K1", "K2"]), pd.Series({"G1": "K1", "G2": "K2",
                                                           "G3": "K2"}))
    assert types.to_dict() == {"K1": "kreisfreie Stadt", "K2": "Kreis"}


def test_demo_benchmark_with_funnel(demo_url: str, tmp_path: Path) -> None:
    chart = tmp_path / "funnel.png"
    env = {**os.environ, "KEKIZ_STORE": demo_url}
    done = run_kekiz(["network", "benchmark", "--indicator", "arbeitslosenanteil", "--unit",
                      "05513000", "--period", "2021", "--json"], env=env)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["peer_group"] == "Großstadt (100.000 bis unter 500.000)"
    assert data["units_ranked"] >= 390
    # Gelsenkirchen has the highest unemployment share of all NRW Gemeinden in 2021
    assert data["rank"]["rank"] == data["units_ranked"]
    assert data["funnel"]["outside"] == 2
    groups = {r["group"] for r in data["trends"]}
    assert {"Gebiet", "Mitglieder", "übrige Nicht-Mitglieder"} <= groups
    done = run_kekiz(["network", "benchmark", "--indicator", "arbeitslosenanteil", "--unit",
                      "05513000", "--funnel", str(chart)], env=env)
    assert done.returncode == 0, done.stderr
    assert "Funnel-Plot: über der 99,8-%-Grenze" in done.stdout
    assert chart.stat().st_size > 10_000
