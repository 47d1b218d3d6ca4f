"""Empirical Bayes smoothing against spdep (REFERENCE.md: spdata/ auckland, huddersfield)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kekiz.analysis.smoothing import binomial_eb, global_eb, local_eb
from kekiz.analysis.spatial import weights_from_neighbours
from kekiz.domain.errors import MethodError


def read_gal(path: Path) -> dict[int, list[int]]:
    """A GAL neighbour file (header line, then 'id count' / 'neighbour ids' pairs)."""
    lines = path.read_text().splitlines()
    neighbours: dict[int, list[int]] = {}
    i = 1
    while i < len(lines) and lines[i].strip():
        area, count = (int(v) for v in lines[i].split()[:2])
        neighbours[area] = [int(v) for v in lines[i + 1].split()] if count else []
        i += 2
    return neighbours


@pytest.fixture(scope="module")
def auckland(refdata: Path) -> pd.DataFrame:
    data = pd.read_csv(refdata / "spdata" / "auckland.csv", dtype={"rowname": str})
    data.index = pd.RangeIndex(1, len(data) + 1)
    return data


def test_auckland_global_eb_marshall(auckland: pd.DataFrame) -> None:
    """REFERENCE.md (Marshall 1991, spdep EBest): deaths M77_85 over 9 * Und5_81 give
    a = 7.284173e-07 and b = 0.002633436."""
    result = global_eb(auckland["Deaths.1977.85"], 9 * auckland["Under.5.1981"])
    assert result.a == pytest.approx(7.284173e-07, rel=1e-6)
    assert result.b == pytest.approx(0.002633436, abs=5e-10)
    assert result.a_unclipped == result.a
    # smoothed = b + a (r - b) / (a + b / n) for one area, by hand
    n0 = 9 * auckland["Under.5.1981"].iloc[0]
    r0 = auckland["Deaths.1977.85"].iloc[0] / n0
    hand = result.b + result.a * (r0 - result.b) / (result.a + result.b / n0)
    assert result.smoothed.iloc[0] == pytest.approx(hand, rel=1e-12)
    frame = result.to_frame()
    assert frame.columns.tolist() == ["events", "population", "raw", "smoothed"]


def test_huddersfield_binomial_eb(refdata: Path) -> None:
    """REFERENCE.md (Martuzzi & Elliott): raw 42.86% -> 34.44%; 0.00% -> 29.73%;
    63.64% -> 33.57% (rows 21/49, 0/1, 7/11), to 0.005 percentage points."""
    data = pd.read_csv(refdata / "spdata" / "huddersfield.csv")
    result = binomial_eb(data["cases"], data["total"])
    percent = result.to_frame()[["raw", "smoothed"]] * 100
    for raw, smoothed in [(42.86, 34.44), (0.00, 29.73), (63.64, 33.57)]:
        row = percent[(percent["raw"] - raw).abs() < 0.005]
        assert len(row) == 1
        assert row["smoothed"].iloc[0] == pytest.approx(smoothed, abs=0.005)
    assert 0.0 < result.variance < result.s2


def spdep_eblocal(events: np.ndarray, pop: np.ndarray,
                  neighbours: dict[int, list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """A loop-by-loop transcription of spdep::EBlocal (geoda = FALSE) as an oracle."""
    estimate = np.empty(len(events))
    a_values = np.empty(len(events))
    for i in range(len(events)):
        group = [i, *[j - 1 for j in neighbours[i + 1]]]
        r_i, n_i = events[group].sum(), pop[group].sum()
        m_i = r_i / n_i
        nbar = pop[group].mean()
        rates = events[group] / pop[group]
        c_i = np.sum(pop[group] * (rates - m_i) ** 2)
        a_i = max(c_i / n_i - m_i / nbar, 0.0)
        x_i = events[i] / pop[i]
        estimate[i] = m_i + (x_i - m_i) * (a_i / (a_i + m_i / pop[i]))
        a_values[i] = a_i
    return estimate, a_values


def test_local_eb_matches_spdep_eblocal_on_auckland(refdata: Path,
                                                    auckland: pd.DataFrame) -> None:
    """Local EB on Auckland with auckland.nb.gal equals the spdep::EBlocal algorithm."""
    neighbours = read_gal(refdata / "spdata" / "auckland.nb.gal")
    weights = weights_from_neighbours(neighbours, ids=list(auckland.index))
    events = auckland["Deaths.1977.85"].to_numpy(dtype=float)
    pop = 9 * auckland["Under.5.1981"].to_numpy(dtype=float)
    result = local_eb(pd.Series(events, index=auckland.index),
                      pd.Series(pop, index=auckland.index), weights)
    expected, a_values = spdep_eblocal(events, pop, neighbours)
    np.testing.assert_allclose(result.smoothed.to_numpy(), expected, rtol=1e-10)
    np.testing.assert_allclose(result.a.to_numpy(), a_values, rtol=1e-10, atol=1e-18)


def test_local_eb_hand_computed() -> None:
    """Three areas in a row A-B-C, events 1/30/2, population 100/200/100.
    For A (with B): m = 31/300, a = 1.30667/300 - m/150 = 0.0036667,
    smoothed = m + (0.01 - m) * a / (a + m/100) = 0.030520."""
    weights = weights_from_neighbours({"A": ["B"], "B": ["A", "C"], "C": ["B"]},
                                      transform="b")
    result = local_eb(pd.Series([1, 30, 2], index=["A", "B", "C"]),
                      pd.Series([100, 200, 100], index=["A", "B", "C"]), weights)
    assert result.m["A"] == pytest.approx(31 / 300, rel=1e-12)
    assert result.a["A"] == pytest.approx(0.0036667, abs=1e-7)
    assert result.smoothed["A"] == pytest.approx(0.030520, abs=1e-6)


def test_local_eb_island_keeps_its_rate_and_data_align_by_index() -> None:
    weights = weights_from_neighbours({"A": ["B"], "B": ["A"], "C": []})
    events = pd.Series([3, 5, 4], index=["C", "B", "A"])
    pop = pd.Series([100, 200, 150], index=["C", "B", "A"])
    result = local_eb(events, pop, weights)
    assert result.smoothed["C"] == pytest.approx(0.03)
    assert result.m["A"] == pytest.approx(9 / 350)


def test_local_eb_on_complete_graph_uses_global_rate() -> None:
    ids = list("ABCDE")
    weights = weights_from_neighbours({i: [j for j in ids if j != i] for i in ids})
    events = pd.Series([1, 4, 9, 2, 7], index=ids)
    pop = pd.Series([100, 120, 300, 90, 210], index=ids)
    result = local_eb(events, pop, weights)
    np.testing.assert_allclose(result.m, events.sum() / pop.sum())


def test_global_eb_clips_negative_variance_at_zero() -> None:
    """Rates that vary less than Poisson noise: the moment estimate of a is negative; it
    is clipped at 0 (spdep; esda would not) and every area is smoothed to b."""
    result = global_eb([10, 10, 10, 11], [1000, 1000, 1000, 1000])
    assert result.a_unclipped < 0
    assert result.a == 0.0
    np.testing.assert_allclose(result.smoothed, result.b)
    np.testing.assert_allclose(result.shrinkage, 0.0)


def test_binomial_eb_without_extra_variation_smooths_to_b() -> None:
    result = binomial_eb([10, 10, 10], [100, 100, 100])
    assert result.variance == 0.0
    np.testing.assert_allclose(result.smoothed, 0.1)


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: global_eb([1, 2], [10, 0]), "Bevölkerung 0"),
        (lambda: global_eb([1, -2], [10, 10]), "Negative Fallzahlen"),
        (lambda: global_eb([1, None], [10, 10]), "Fehlende Fallzahlen"),
        (lambda: global_eb([1, 2, 3], [10, 10]), "unterschiedlich lang"),
        (lambda: global_eb([1], [10]), "mindestens 2 Gebiete"),
        (lambda: binomial_eb([5, 12], [10, 10]), "Mehr Fälle als Untersuchte"),
        (lambda: local_eb([1, 2], [10, 10], "queen"), "Räumliche Gewichte erwartet"),
        (lambda: local_eb([1, 2, 3], [10, 10, 10],
                          weights_from_neighbours({1: [2], 2: [1]})), "Gewichte beschreiben"),
    ],
)
def test_errors_say_what_was_expected(call: Any, fragment: str) -> None:
    with pytest.raises(MethodError) as info:
        call()
    assert fragment in info.value.message
    assert "Expected" in info.value.message_en


@settings(max_examples=150, deadline=None)
@given(data=st.lists(st.tuples(st.integers(0, 500), st.integers(1, 5000)), min_size=2,
                     max_size=30))
def test_global_eb_shrinks_between_raw_and_b(data: list[tuple[int, int]]) -> None:
    events = [min(e, p) for e, p in data]
    pop = [p for _, p in data]
    result = global_eb(events, pop)
    assert result.a >= 0
    low = np.minimum(result.raw, result.b) - 1e-12
    high = np.maximum(result.raw, result.b) + 1e-12
    assert ((result.smoothed >= low) & (result.smoothed <= high)).all()
    assert ((result.shrinkage >= 0) & (result.shrinkage <= 1)).all()


@settings(max_examples=150, deadline=None)
@given(data=st.lists(st.tuples(st.integers(0, 500), st.integers(1, 5000)), min_size=2,
                     max_size=30))
def test_binomial_eb_stays_a_share(data: list[tuple[int, int]]) -> None:
    cases = [min(c, n) for c, n in data]
    totals = [n for _, n in data]
    result = binomial_eb(cases, totals)
    assert ((result.smoothed >= -1e-12) & (result.smoothed <= 1 + 1e-12)).all()
    low = np.minimum(result.raw, result.b) - 1e-12
    high = np.maximum(result.raw, result.b) + 1e-12
    assert ((result.smoothed >= low) & (result.smoothed <= high)).all()
