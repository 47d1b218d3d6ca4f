"""A city-sized table: 84 Stadtteile in 9 Stadtbezirke x sex x 3 years."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from kekiz.privacy import Table, frequency_rule, protect_table


def _city(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    teil = 0
    for bezirk in range(9):
        for _ in range(int(rng.integers(7, 12))):
            teil += 1
            size = rng.lognormal(2.5, 1.0)  # many small Stadtteile: lots of counts 1 and 2
            for year in (2022, 2023, 2024):
                for sex in ("m", "w"):
                    rows.append((f"SB{bezirk}", f"ST{teil:02d}", sex, year,
                                 int(rng.poisson(size / 2))))
    return pd.DataFrame(rows, columns=["stadtbezirk", "stadtteil", "geschlecht", "jahr", "n"])


@pytest.mark.slow
def test_city_sized_table_is_protected_in_reasonable_time() -> None:
    cells = _city(1)
    table = Table.from_cells(cells, [["stadtbezirk", "stadtteil"], "geschlecht", "jahr"],
                             count="n")
    assert table.n_cells > 1000
    start = time.monotonic()
    result = protect_table(table, [frequency_rule(table, 3)], method="heuristic")
    elapsed = time.monotonic() - start
    assert result.primary.mask.sum() > 100
    assert result.audit.passed and not result.audit.frame["derivable"].any()
    published = table.count[~result.suppressed]
    assert np.all((published == 0) | (published >= 3))
    assert elapsed < 120  # typically 3-10 s on two cores
