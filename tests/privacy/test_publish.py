"""The publication gate (privacy/publish.py): the one place that decides what a reader sees."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kekiz.privacy.publish import PUBLIC, publish


def test_publish_withholds_suppressed_values_and_internal_columns() -> None:
    frame = pd.DataFrame({
        "unit_id": ["a", "b", "c"], "value": [1.5, 7.0, np.nan],
        "numerator": [3.0, 7.0, np.nan], "denominator": [2.0, 1.0, np.nan],
        "lower": [1.0, 6.0, np.nan], "upper": [2.0, 8.0, np.nan],
        "status": ["ok", "suppressed", "missing"],
        "klass": pd.array([1, 2, pd.NA], dtype="Int64"),
        "params": ['{"raw": 7}', '{"raw": 7}', None], "file": ["/x", "/x", "/x"],
        "user": ["u", "u", "u"]})
    out = publish(frame, PUBLIC)
    assert out.loc[0, "value"] == 1.5 and out.loc[0, "klass"] == 1
    row = out.loc[1]
    assert all(pd.isna(row[c]) for c in ("value", "numerator", "denominator", "lower",
                                         "upper", "klass"))
    assert row["status"] == "suppressed"
    assert not {"params", "file", "user"} & set(out.columns)
    assert frame.loc[1, "value"] == 7.0  # the input is unchanged


@pytest.mark.parametrize("frame", [pd.DataFrame({"a": [1]}), pd.DataFrame()])
def test_publish_passes_tables_without_status(frame: pd.DataFrame) -> None:
    assert publish(frame, PUBLIC).equals(frame)
