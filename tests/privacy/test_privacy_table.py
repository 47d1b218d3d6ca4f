"""The table model: hierarchies, margins, additivity relations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kekiz.domain.errors import MethodError
from kekiz.privacy import Dimension, Table


def _records() -> pd.DataFrame:
    rows = []
    for bezirk, teil, sex, n in [("N", "N1", "m", 3), ("N", "N1", "w", 1), ("N", "N2", "w", 2),
                                 ("S", "S1", "m", 4), ("S", "S1", "w", 5)]:
        rows += [(bezirk, teil, sex)] * n
    return pd.DataFrame(rows, columns=["bezirk", "teil", "sex"])


def test_dimension_tree_is_preorder_with_totals_as_none() -> None:
    dim = Dimension.from_tuples(["bezirk", "teil"], [("S", "S1"), ("N", "N2"), ("N", "N1")])
    assert dim.codes == ((None, None), ("N", None), ("N", "N1"), ("N", "N2"),
                         ("S", None), ("S", "S1"))
    assert dim.parent == (-1, 0, 1, 1, 0, 4)
    assert dim.children[0] == (1, 4)
    assert dim.is_leaf.tolist() == [False, False, True, True, False, True]
    assert dim.name == "bezirk>teil"
    assert dim.node("N2") == 3 and dim.node(("S", None)) == 4


def test_hierarchical_margins_and_constraints() -> None:
    table = Table.from_records(_records(), [["bezirk", "teil"], "sex"])
    # 6 geo nodes x 3 sex nodes (Insgesamt, m, w)
    assert table.shape == (6, 3) and table.n_cells == 18
    assert table.count[table.index_of({})] == 15
    assert table.count[table.index_of({"bezirk": "N"})] == 6
    assert table.count[table.index_of({"bezirk": "N", "sex": "w"})] == 3
    assert table.count[table.index_of({"bezirk": "N", "teil": "N2", "sex": "m"})] == 0
    assert table.count[table.index_of({"bezirk": "S", "teil": "S1", "sex": "Insgesamt"})] == 9
    m = table.constraints
    assert np.allclose(m @ table.count, 0.0)
    # geo: (3 internal nodes: city, N, S) x 3 sex nodes; sex: 1 internal x 6 geo nodes
    assert m.shape == (3 * 3 + 6, 18)
    assert table.is_margin.sum() == 18 - 3 * 2


def test_labels_in_both_languages() -> None:
    table = Table.from_records(_records(), [["bezirk", "teil"], "sex"])
    de, en = table.labels("de"), table.labels("en")
    assert list(de.columns) == ["bezirk", "teil", "sex"]
    assert de.iloc[0].tolist() == ["Insgesamt"] * 3
    assert en.iloc[0].tolist() == ["Total"] * 3
    # a Stadtbezirk row has the Stadtteil column as margin
    row = de[(de["bezirk"] == "N") & (de["sex"] == "w")].iloc[0]
    assert row["teil"] == "Insgesamt"


def test_from_cells_equals_from_records() -> None:
    recs = _records()
    cells = recs.value_counts().rename("n").reset_index()
    a = Table.from_records(recs, [["bezirk", "teil"], "sex"])
    b = Table.from_cells(cells, [["bezirk", "teil"], "sex"], count="n")
    assert np.array_equal(a.count, b.count)


def test_top_contributions_per_cell() -> None:
    recs = pd.DataFrame({"g": ["a", "a", "a", "b"], "v": [5.0, 1.0, 7.0, 2.0]})
    table = Table.from_records(recs, ["g"], value="v", top_k=2)
    assert table.top is not None and table.value is not None
    assert table.top[table.index_of({"g": "a"})].tolist() == [7.0, 5.0]
    assert table.top[table.index_of({"g": "b"})].tolist() == [2.0, 0.0]
    assert table.top[table.index_of({})].tolist() == [7.0, 5.0]
    assert table.value[table.index_of({})] == 15.0


def test_errors_are_method_errors_with_both_languages() -> None:
    recs = _records()
    with pytest.raises(MethodError) as err:
        Table.from_records(recs, ["bezirk", "alter"])
    assert "alter" in err.value.message and "missing" in err.value.text("en")
    bad = recs.assign(sex=recs["sex"].where(recs.index != 2, "Insgesamt"))
    with pytest.raises(MethodError, match="reserviert"):
        Table.from_records(bad, ["sex"])
    with pytest.raises(MethodError, match="negativer Wert"):
        Table.from_records(recs.assign(v=-1.0), ["sex"], value="v")
    with pytest.raises(MethodError, match="leerer Wert"):
        Table.from_records(recs.assign(sex=None), ["sex"])
