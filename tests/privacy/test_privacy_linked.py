"""Linked tables (issue #20): the sdcTable references and hand-checked relations.

Every attacker interval that a test relies on is recomputed here with an LP of its own
(``scipy.optimize.linprog`` on equations written out from the data), independent of
``kekiz.privacy``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from kekiz.domain.errors import MethodError
from kekiz.privacy import (
    Link,
    LinkedTable,
    Table,
    attacker_intervals,
    audit,
    combine,
    frequency_rule,
    manual_rule,
    protect_table,
)
from kekiz.privacy.secondary import Method

METHODS: list[Method] = ["optimal", "heuristic"]


def lp_intervals(n: int, rows: Sequence[dict[int, float]], values: np.ndarray,
                 unknown: Sequence[int]) -> dict[int, tuple[float, float]]:
    """The attacker's [min, max] of every unknown variable: ``sum(coef * x) == 0`` for
    every row, known variables at their values, every variable >= 0 (independent LP)."""
    unknown = list(unknown)
    pos = {v: k for k, v in enumerate(unknown)}
    a = np.zeros((len(rows), len(unknown)))
    b = np.zeros(len(rows))
    for r, row in enumerate(rows):
        for var, coef in row.items():
            if var in pos:
                a[r, pos[var]] += coef
            else:
                b[r] -= coef * values[var]
    out = {}
    for var in unknown:
        c = np.zeros(len(unknown))
        c[pos[var]] = 1.0
        lo = linprog(c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        assert lo.status == 0
        out[var] = (float(lo.fun), np.inf if hi.status == 3 else float(-hi.fun))
    return out


# ------------------------------------------------------- sdcTable test-linked-tables.r
# sdcTable (github.com/sdcTools/sdcTable, tests/testthat/test-linked-tables.r): eight
# regions with two hierarchies, county-1 = A+B+I+J, county-2 = K+L+M+N, big = L+M,
# small = A+B+I+J+K+N; counts <= 3 primary (maxN = 3).  Published result of
# protectLinkedTables: exactly one secondary suppression, N, in both tables.
SDC_REGIONS = list("ABIJKLMN")
SDC_COUNTS = [2, 2, 8, 8, 3, 3, 3, 7]
SDC_COUNTY = ["county-1"] * 4 + ["county-2"] * 4
SDC_GROUP = ["small"] * 5 + ["BIG", "BIG", "small"]


@pytest.fixture(scope="module")
def sdc_linked() -> LinkedTable:
    frame = pd.DataFrame({"region": SDC_REGIONS, "county": SDC_COUNTY, "group": SDC_GROUP,
                          "n": SDC_COUNTS})
    t1 = Table.from_cells(frame, [["county", "region"]], count="n")
    t2 = Table.from_cells(frame, [["group", "region"]], count="n")
    common = [((0, t1.index_of({})), (1, t2.index_of({})))]  # the grand total
    for region, county, group in zip(SDC_REGIONS, SDC_COUNTY, SDC_GROUP, strict=True):
        common.append(((0, t1.index_of({"county": county, "region": region})),
                       (1, t2.index_of({"group": group, "region": region}))))
    return LinkedTable([t1, t2], common, names=["county", "group"])


def _regions(linked: LinkedTable, mask: np.ndarray) -> set[str]:
    labels = linked.labels("en")
    return {str(r) for r, m in zip(labels["region"], mask, strict=True)
            if m and r not in ("", "Total")}


def test_sdc_linked_separate_protection_gives_k_away(sdc_linked: LinkedTable) -> None:
    """Each table protected on its own (maxN = 3: threshold 4) is safe alone; together
    they reveal K: small - county-1 = K + N = 30 - 20 = 10 and N = 7 is published."""
    t1, t2 = sdc_linked.tables
    union = np.zeros(sdc_linked.n_cells, dtype=bool)
    for k, table in enumerate((t1, t2)):
        alone = protect_table(table, [frequency_rule(table, 4)], method="optimal")
        assert alone.audit.passed  # safe on its own
        union[sdc_linked.index[k][alone.suppressed]] = True
    assert _regions(sdc_linked, union) == {"A", "B", "K", "L", "M"}
    cells, lower, upper = attacker_intervals(sdc_linked, union)
    k_cell = sdc_linked.ref(0, t1.index_of({"county": "county-2", "region": "K"}))
    found = dict(zip(cells.tolist(), zip(lower, upper, strict=True), strict=True))
    assert found[k_cell] == pytest.approx((3.0, 3.0))


@pytest.mark.parametrize("method", METHODS)
def test_sdc_linked_joint_protection_is_the_published_pattern(
        sdc_linked: LinkedTable, method: Method) -> None:
    result = protect_table(sdc_linked, [frequency_rule(sdc_linked, 4)], method=method)
    assert _regions(sdc_linked, result.primary.mask) == {"A", "B", "K", "L", "M"}
    # the published sdcTable result: N is the one secondary suppression, in both tables
    assert _regions(sdc_linked, result.secondary.secondary) == {"N"}
    assert result.n_secondary == 1 and result.audit.passed
    for k in range(2):
        part = sdc_linked.part(k, result)
        labels = part.table.labels("en")
        assert set(labels["region"][part.suppressed]) == {"A", "B", "K", "L", "M", "N"}
        assert part.audit.passed


def test_start_pattern_is_audited_jointly_and_completed(
        sdc_linked: LinkedTable, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tables' own patterns as the start: not enough together (K derivable), so the
    heuristic on the joint model adds N; a start that is enough is kept as it is."""
    t1, t2 = sdc_linked.tables
    union = np.zeros(sdc_linked.n_cells, dtype=bool)
    for k, table in enumerate((t1, t2)):
        alone = protect_table(table, [frequency_rule(table, 4)], method="heuristic")
        union[sdc_linked.index[k][alone.suppressed]] = True
    rule = frequency_rule(sdc_linked, 4)
    done = protect_table(sdc_linked, [rule], method="heuristic", start=union)
    assert _regions(sdc_linked, done.secondary.secondary) == {"N"} and done.audit.passed
    import kekiz.privacy.protect as protect_module

    def no_heuristic(*args: object, **kwargs: object) -> None:
        raise AssertionError("the start pattern suffices: no secondary suppression")

    monkeypatch.setattr(protect_module, "suppress_secondary", no_heuristic)
    again = protect_table(sdc_linked, [rule], method="heuristic", start=done.suppressed)
    assert np.array_equal(again.suppressed, done.suppressed) and again.audit.passed


def test_sdc_linked_pattern_checked_by_an_independent_lp() -> None:
    """Variables: the eight regions (margins published).  By hand: A + B = 20 - 16 = 4,
    L + M = 6 (big), K + N = 30 - 20 = 10 (small - county-1), K + L + M + N = 16; so
    A, B in [0, 4], L, M in [0, 6], K, N in [0, 10]: every primary cell can be 0 and can
    reach 4 (its protection for the threshold 4)."""
    x = {r: k for k, r in enumerate(SDC_REGIONS)}
    values = np.array(SDC_COUNTS, dtype=float)

    def row(total: float, members: str) -> dict[int, float]:
        return {**{x[m]: 1.0 for m in members}, len(SDC_REGIONS): -total}

    rows = [row(20, "ABIJ"), row(16, "KLMN"), row(6, "LM"), row(30, "ABIJKN")]
    values = np.append(values, 1.0)  # the constant
    got = lp_intervals(9, rows, values, [x[r] for r in "ABKLMN"])
    expect = {"A": (0, 4), "B": (0, 4), "K": (0, 10), "L": (0, 6), "M": (0, 6), "N": (0, 10)}
    for r, interval in expect.items():
        assert got[x[r]] == pytest.approx(interval), r


# ------------------------------------------------------------ sdcTable microData2
def _product_rows(labels: pd.DataFrame, cols: Sequence[Sequence[str]]) -> list[dict[int, float]]:
    """Additivity of a product of hierarchies, from the labels alone: for every cell whose
    node in one dimension has children, cell - sum(children cells) = 0."""
    key = {tuple(r): k for k, r in enumerate(labels.itertuples(index=False))}
    names = list(labels.columns)
    rows = []
    for cell, k in key.items():
        lab = dict(zip(names, cell, strict=True))
        for dim in cols:
            depth = next((j for j, c in enumerate(dim) if lab[c] == "Total"), len(dim))
            if depth == len(dim):
                continue
            kids = [other for other, j in key.items()
                    if all(dict(zip(names, other, strict=True))[c] == lab[c]
                           for c in names if c not in dim[depth:])
                    and dict(zip(names, other, strict=True))[dim[depth]] != "Total"
                    and all(dict(zip(names, other, strict=True))[c] == "Total"
                            for c in dim[depth + 1:])]
            rows.append({k: 1.0, **{key[o]: -1.0 for o in kids}})
    return rows


def test_sdc_microdata2_linked_example(refdata: Path) -> None:
    """sdcTable's ``protectLinkedTables`` example on microData2: table 1 gender x ecoOld
    (A > Aa, Ab; B > Ba, Bb), table 2 region x gender x ecoNew (C > Ca..Cc; D > Da..Dc);
    common cells: every gender with ecoOld Tot/A/B = ecoNew Tot/C/D (region total).
    The cell (f, A) - a common cell - is suppressed by hand.  sdcTable does not publish
    the resulting pattern; here the joint pattern is checked by an LP of its own over
    both tables and their common cells."""
    md = pd.read_csv(refdata / "sdc" / "microdata2.csv")
    md["eco1"] = md["ecoOld"].str[0]
    md["eco2"] = md["ecoNew"].str[0]
    assert ((md["eco1"] == "A") == (md["eco2"] == "C")).all()  # the link holds
    t1 = Table.from_records(md, ["gender", ["eco1", "ecoOld"]])
    t2 = Table.from_records(md, ["region", "gender", ["eco2", "ecoNew"]])
    common = []
    for gender, (old, new) in product([None, "f", "m"], [(None, None), ("A", "C"),
                                                         ("B", "D")]):
        common.append(((0, t1.index_of({"gender": gender, "eco1": old})),
                       (1, t2.index_of({"gender": gender, "eco2": new}))))
    linked = LinkedTable([t1, t2], common, names=["t1", "t2"])
    fa = linked.ref(0, t1.index_of({"gender": "f", "eco1": "A"}))
    rule = manual_rule(linked, [fa])  # protection 10 % of the count, at least 1
    result = protect_table(linked, [rule], method="optimal")
    assert result.audit.passed and result.suppressed[fa]
    # one status per common cell: the part views agree on every common cell
    parts = [linked.part(k, result) for k in range(2)]
    for (a, i), (b, j) in common:
        assert parts[a].suppressed[i] == parts[b].suppressed[j]
    # the independent LP: both tables' cells as variables, common cells equal
    l1, l2 = t1.labels("en"), t2.labels("en")
    rows = _product_rows(l1, [["gender"], ["eco1", "ecoOld"]])
    rows += [{t1.n_cells + k: c for k, c in r.items()}
             for r in _product_rows(l2, [["region"], ["gender"], ["eco2", "ecoNew"]])]
    rows += [{i: 1.0, t1.n_cells + j: -1.0} for (_, i), (_, j) in common]
    values = np.concatenate([t1.count, t2.count])
    hidden = np.concatenate([parts[0].suppressed, parts[1].suppressed])
    got = lp_intervals(values.size, rows, values, np.flatnonzero(hidden).tolist())
    x = t1.index_of({"gender": "f", "eco1": "A"})
    need = max(1.0, np.ceil(0.1 * t1.count[x]))
    lo, hi = got[x]
    assert lo <= t1.count[x] - need + 1e-6 and hi >= t1.count[x] + need - 1e-6
    assert all(h - lo_ > 1e-6 for lo_, h in got.values())  # nothing derivable


# ------------------------------------------------------------ relations
def _stadtteile(counts: Sequence[tuple[int, int]]) -> Table:
    """Stadtteile S1..Sn x answer (ja/nein, total = the children examined)."""
    rows = [(f"S{k + 1}", a, n) for k, (yes, den) in enumerate(counts)
            for a, n in (("ja", yes), ("nein", den - yes))]
    return Table.from_cells(pd.DataFrame(rows, columns=["teil", "merkmal", "n"]),
                            ["teil", "merkmal"], count="n")


def _nested(over: Sequence[tuple[int, int]], obese: Sequence[tuple[int, int]]
            ) -> LinkedTable:
    """Overweight and obesity tables: common denominators, obese <= overweight."""
    t_over, t_obese = _stadtteile(over), _stadtteile(obese)
    common, links = [], []
    for k in range(len(over)):
        teil = f"S{k + 1}"
        common.append(((0, t_over.index_of({"teil": teil})),
                       (1, t_obese.index_of({"teil": teil}))))
        links.append(Link(((1, t_obese.index_of({"teil": teil, "merkmal": "ja"}), 1.0),
                           (0, t_over.index_of({"teil": teil, "merkmal": "ja"}), -1.0)),
                          "at_most", f"obese <= overweight, {teil}"))
    common.append(((0, t_over.index_of({})), (1, t_obese.index_of({}))))
    return LinkedTable([t_over, t_obese], common, links, names=["over", "obese"])


def test_nested_answers_narrow_a_separately_protected_cell() -> None:
    """Obesity in S1 is 1 (primary); its table alone hides S1 and S2 (S1 + S2 = 5 from
    the total).  The overweight table publishes S2 = 4 (every overweight child of S2 is
    obese): obese(S2) <= 4, so obese(S1) >= 1 - provably not empty.  Joint protection
    with the relation as attacker knowledge avoids that."""
    over = [(3, 20), (4, 20), (10, 30)]
    obese = [(1, 20), (4, 20), (6, 30)]
    linked = _nested(over, obese)
    t_obese = linked.tables[1]
    alone = [protect_table(t, [frequency_rule(t, 3)], method="optimal")
             for t in linked.tables]
    union = np.zeros(linked.n_cells, dtype=bool)
    for k, res in enumerate(alone):
        union[linked.index[k][res.suppressed]] = True
    s1 = linked.ref(1, t_obese.index_of({"teil": "S1", "merkmal": "ja"}))
    cells, lower, _ = attacker_intervals(linked, union)
    at = int(np.flatnonzero(cells == s1)[0])
    assert lower[at] >= 1 - 1e-6  # the attacker proves obese(S1) >= 1
    primary = combine(linked, [frequency_rule(linked, 3)])
    assert not audit(linked, union, primary).passed
    joint = protect_table(linked, [frequency_rule(linked, 3)], method="optimal")
    assert joint.audit.passed
    assert linked.hidden.sum() == 3 and not joint.primary.mask[linked.hidden].any()
    assert set(joint.status[linked.hidden]) == {"hidden"}


def test_relations_and_common_cells_are_checked() -> None:
    with pytest.raises(MethodError, match="gilt nicht"):
        _nested([(3, 20), (4, 20)], [(4, 20), (1, 20)])  # obese > overweight in S1
    t1, t2 = _stadtteile([(3, 20)]), _stadtteile([(3, 21)])
    with pytest.raises(MethodError, match="zwei Werten"):
        LinkedTable([t1, t2], [((0, t1.index_of({})), (1, t2.index_of({})))])
    with pytest.raises(MethodError, match="gibt es nicht"):
        LinkedTable([t1, t2], [((0, 99), (1, 0))])


def test_lift_spread_and_part() -> None:
    linked = _nested([(3, 20), (4, 20)], [(1, 20), (4, 20)])
    t_over, t_obese = linked.tables
    rule = frequency_rule(t_obese, 3)
    lifted = linked.lift(1, rule)
    assert lifted.mask.sum() == rule.mask.sum() == 1
    costs = linked.spread([np.full(t.n_cells, float(k + 1)) for k, t in
                           enumerate(linked.tables)], fill=0.0)
    total = linked.ref(0, t_over.index_of({}))
    assert costs[total] == 2.0 and (costs[linked.hidden] == 0).all()
    result = protect_table(linked, [lifted], method="optimal")
    part = linked.part(1, result)
    assert part.table is t_obese and part.suppressed.shape == (t_obese.n_cells,)
    assert part.primary.mask.sum() == 1 and set(part.audit.frame["cell"]) <= set(
        np.flatnonzero(part.suppressed).tolist())
    frame = result.frame("en")
    assert (frame["status"] == "hidden").sum() == 2 and len(frame) == linked.n_cells


# ------------------------------------------------------------ random linked tables
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def two_hierarchies(draw: st.DrawFn) -> pd.DataFrame:
    """4-7 regions, each in one of 2 counties and (independently) one of 2 groups."""
    n = draw(st.integers(4, 7))
    return pd.DataFrame({"region": [f"R{k}" for k in range(n)],
                         "county": [f"C{draw(st.integers(0, 1))}" for _ in range(n)],
                         "group": [f"G{draw(st.integers(0, 1))}" for _ in range(n)],
                         "n": [draw(st.integers(0, 9)) for _ in range(n)]})


@SETTINGS
@given(frame=two_hierarchies(), method=st.sampled_from(METHODS))
def test_random_two_hierarchies_protected_jointly(frame: pd.DataFrame,
                                                  method: Method) -> None:
    t1 = Table.from_cells(frame, [["county", "region"]], count="n")
    t2 = Table.from_cells(frame, [["group", "region"]], count="n")
    common = [((0, t1.index_of({})), (1, t2.index_of({})))]
    for r in frame.itertuples():
        common.append(((0, t1.index_of({"county": r.county, "region": r.region})),
                       (1, t2.index_of({"group": r.group, "region": r.region}))))
    linked = LinkedTable([t1, t2], common)
    result = protect_table(linked, [frequency_rule(linked, 3)], method=method)
    # independent LP over the regions and both hierarchies' margins
    key = {("r", r): k for k, r in enumerate(frame["region"])}
    for col in ("county", "group"):
        for v in sorted(set(frame[col])):
            key[(col, v)] = len(key)
    key[("total", "")] = len(key)
    values = np.zeros(len(key))
    rows = []
    for col in ("county", "group"):
        for v, part in frame.groupby(col):
            values[key[(col, v)]] = part["n"].sum()
            rows.append({key[(col, v)]: -1.0, **{key[("r", r)]: 1.0
                                                 for r in part["region"]}})
        rows.append({key[("total", "")]: -1.0, **{key[(col, v)]: 1.0
                                                  for v in set(frame[col])}})
    values[:len(frame)] = frame["n"]
    values[key[("total", "")]] = frame["n"].sum()
    p1, p2 = linked.part(0, result), linked.part(1, result)
    hidden = set()
    for (k, v), var in key.items():
        if k == "r":
            c1 = t1.index_of({"county": frame.set_index("region").loc[v, "county"],
                              "region": v})
            assert p1.suppressed[c1] == p2.suppressed[linked.tables[1].index_of(
                {"group": frame.set_index("region").loc[v, "group"], "region": v})]
            sup = p1.suppressed[c1]
        elif k == "county":
            sup = p1.suppressed[t1.index_of({"county": v})]
        elif k == "group":
            sup = p2.suppressed[t2.index_of({"group": v})]
        else:
            sup = p1.suppressed[t1.index_of({})]
        if sup:
            hidden.add(var)
    got = lp_intervals(len(key), rows, values, sorted(hidden))
    for var, (lo, hi) in got.items():
        assert hi - lo > 1e-6, "a suppressed cell is derivable"
        if 0 < values[var] < 3:
            assert lo <= 1e-6 and hi >= 3 - 1e-6
    published = np.array([values[v] for v in range(len(key)) if v not in hidden])
    assert not ((published > 0) & (published < 3)).any()
