"""Invariants of protection on random small tables (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kekiz.privacy import Table, audit, frequency_rule, protect_table

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def flat_tables(draw: st.DrawFn) -> pd.DataFrame:
    """Region (2-4) x sex (2) x optionally age group (2), counts 0..9 per inner cell."""
    regions = draw(st.integers(2, 4))
    ages = draw(st.sampled_from([1, 2]))
    rows = []
    for r in range(regions):
        for s in ("m", "w"):
            for a in range(ages):
                rows.append((f"R{r}", s, f"A{a}", draw(st.integers(0, 9))))
    return pd.DataFrame(rows, columns=["region", "sex", "age", "n"])


@st.composite
def city_tables(draw: st.DrawFn) -> pd.DataFrame:
    """City > 1-3 Bezirke > 1-3 Stadtteile each, x sex; counts 0..12."""
    rows = []
    for b in range(draw(st.integers(1, 3))):
        for t in range(draw(st.integers(1, 3))):
            for s in ("m", "w"):
                rows.append((f"B{b}", f"B{b}T{t}", s, draw(st.integers(0, 12))))
    return pd.DataFrame(rows, columns=["bezirk", "teil", "sex", "n"])


def _check(table: Table, threshold: int, zeros_sensitive: bool, method: str) -> None:
    rule = frequency_rule(table, threshold, zeros_sensitive=zeros_sensitive)
    result = protect_table(table, [rule], method=method)  # type: ignore[arg-type]
    # an independent audit of the final pattern passes ...
    check = audit(table, result.suppressed, result.primary)
    assert check.passed
    # ... every suppressed cell has a positive-width interval ...
    assert not check.frame["derivable"].any()
    # ... and no published cell is below the threshold, except zeros where allowed
    published = table.count[~result.suppressed]
    small = published[published < threshold]
    if zeros_sensitive:
        assert small.size == 0
    else:
        assert np.all(small == 0)
    # primary cells are exactly those the rule flags; they are all suppressed
    assert np.array_equal(result.primary.mask, rule.mask)
    assert result.suppressed[rule.mask].all()


@SETTINGS
@given(cells=flat_tables(), threshold=st.integers(2, 4), zeros=st.booleans(),
       method=st.sampled_from(["optimal", "heuristic"]))
def test_random_flat_tables_always_pass_the_audit(cells: pd.DataFrame, threshold: int,
                                                  zeros: bool, method: str) -> None:
    by = ["region", "sex", "age"] if cells["age"].nunique() > 1 else ["region", "sex"]
    table = Table.from_cells(cells, by, count="n")
    _check(table, threshold, zeros, method)


@SETTINGS
@given(cells=city_tables(), threshold=st.integers(2, 4), zeros=st.booleans(),
       method=st.sampled_from(["optimal", "heuristic"]))
def test_random_hierarchies_always_pass_the_audit(cells: pd.DataFrame, threshold: int,
                                                  zeros: bool, method: str) -> None:
    table = Table.from_cells(cells, [["bezirk", "teil"], "sex"], count="n")
    _check(table, threshold, zeros, method)


@SETTINGS
@given(cells=city_tables())
def test_optimal_never_costs_more_than_heuristic(cells: pd.DataFrame) -> None:
    table = Table.from_cells(cells, [["bezirk", "teil"], "sex"], count="n")
    rule = [frequency_rule(table, 3)]
    opt = protect_table(table, rule, method="optimal")
    heu = protect_table(table, rule, method="heuristic")
    w = table.count + 1.0
    assert w[opt.suppressed].sum() <= w[heu.suppressed].sum() + 1e-6
