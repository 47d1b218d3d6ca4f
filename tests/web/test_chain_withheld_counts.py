"""A withheld child count never enters coverage, 2SFCA or the need analysis."""

from __future__ import annotations

import math
from typing import Any

from fastapi.testclient import TestClient

from tests.web.conftest import SECRET, SUPPRESSED_STADTTEIL


def _monitor(client: TestClient) -> Any:
    return client.app.state.kekiz  # type: ignore[attr-defined]


def test_coverage_treats_a_withheld_child_count_as_unknown(client: TestClient) -> None:
    _, unit, period = SUPPRESSED_STADTTEIL
    cov = _monitor(client).chain.coverage(life_phase="0-3", period=period)
    table = cov.table.set_index("unit_id")
    assert math.isnan(table.loc[unit, "children"])
    assert float(SECRET) not in set(table["children"].dropna())
    # every other Stadtteil keeps its count: the gap is the withheld one only
    assert table["children"].isna().sum() == 1
    assert table["children"].sum() < float(SECRET)
