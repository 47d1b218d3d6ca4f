"""The highspy path (one model per block, hot-started) against scipy's linprog.

Both answer the same attacker LPs; their optimal values (the attacker intervals) must
agree on random tables, and the patterns of both must pass the audit.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from kekiz.privacy import Table, attacker_intervals, audit, frequency_rule, protect_table
from kekiz.privacy import lp as lp_module
from kekiz.privacy.attacker import AttackerLP
from kekiz.privacy.lp import LPModel, solve_once


def _random_table(rng: np.random.Generator) -> Table:
    """Districts in regions x sex x age group, with many small counts."""
    n_reg = int(rng.integers(2, 4))
    rows = []
    for r in range(n_reg):
        for d in range(int(rng.integers(2, 5))):
            for sex in ("f", "m"):
                for age in ("0-2", "3-5", "6-9"):
                    rows.append({"region": f"R{r}", "district": f"R{r}D{d}", "sex": sex,
                                 "age": age, "n": int(rng.choice([0, 1, 2, 3, 5, 8, 20]))})
    cells = pd.DataFrame(rows)
    return Table.from_cells(cells, [["region", "district"], "sex", "age"], count="n")


@pytest.fixture
def backend() -> Iterator[None]:
    before = lp_module.BACKEND
    yield
    lp_module.BACKEND = before


def _reference_intervals(table: Table, mask: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The attacker's interval of each suppressed cell, one plain linprog per end: the
    table's relations, published cells fixed to their values, every cell >= 0."""
    a = table.count
    bounds = [(0.0, None) if mask[j] else (a[j], a[j]) for j in range(table.n_cells)]
    cells = np.flatnonzero(mask)
    lower, upper = np.empty(cells.size), np.empty(cells.size)
    for k, cell in enumerate(cells):
        c = np.zeros(table.n_cells)
        c[cell] = 1.0
        lo = linprog(c, A_eq=table.constraints, b_eq=np.zeros(table.constraints.shape[0]),
                     bounds=bounds, method="highs")
        hi = linprog(-c, A_eq=table.constraints, b_eq=np.zeros(table.constraints.shape[0]),
                     bounds=bounds, method="highs")
        assert lo.status == 0
        lower[k] = lo.fun
        upper[k] = np.inf if hi.status == 3 else -hi.fun
    return cells, lower, upper


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("which", ["highspy", "linprog"])
def test_random_tables_same_intervals(seed: int, which: str, backend: None) -> None:
    """Both paths of attacker_intervals (blocks, batched copies, caps) against one plain
    LP per interval end."""
    rng = np.random.default_rng(seed)
    table = _random_table(rng)
    mask = rng.random(table.n_cells) < rng.uniform(0.1, 0.5)
    lp_module.BACKEND = which  # type: ignore[assignment]
    cells_h, lo_h, hi_h = attacker_intervals(table, mask, "count")
    cells_l, lo_l, hi_l = _reference_intervals(table, mask)
    assert np.array_equal(cells_h, cells_l)
    assert cells_h.size == mask.sum() > 0
    np.testing.assert_allclose(lo_h, lo_l, atol=1e-7)
    assert np.array_equal(np.isinf(hi_h), np.isinf(hi_l))
    np.testing.assert_allclose(hi_h[np.isfinite(hi_h)], hi_l[np.isfinite(hi_l)], atol=1e-7)
    a = table.count[cells_h]
    assert (lo_h <= a + 1e-7).all() and (hi_h >= a - 1e-7).all()
    assert (lo_h >= -1e-7).all()


@pytest.mark.parametrize("which", ["highspy", "linprog"])
def test_unbounded_intervals(which: str, backend: None) -> None:
    """Everything suppressed: no cell is bounded above (the capped batch LP must notice),
    each can be 0."""
    lp_module.BACKEND = which  # type: ignore[assignment]
    table = _random_table(np.random.default_rng(7))
    mask = np.ones(table.n_cells, dtype=bool)
    mask[0] = False  # the grand total published: now every cell is bounded by it
    _, lower, upper = attacker_intervals(table, mask, "count")
    assert np.isfinite(upper).all()
    np.testing.assert_allclose(upper, table.count[0], atol=1e-7)
    np.testing.assert_allclose(lower, 0.0, atol=1e-7)
    _, lower, upper = attacker_intervals(table, np.ones(table.n_cells, dtype=bool))
    assert np.isinf(upper).all() and np.allclose(lower, 0.0, atol=1e-7)


@pytest.mark.parametrize("seed", range(6))
def test_random_tables_same_reach_with_bounds_and_cuts(seed: int, backend: None) -> None:
    """Finite upper bounds (as in the design problem) and valid capacity cuts."""
    rng = np.random.default_rng(100 + seed)
    table = _random_table(rng)
    mask = rng.random(table.n_cells) < 0.3
    a = table.count
    upper = np.full(table.n_cells, float(a.max()) + 4.0)
    answers = {}
    for which in ("highspy", "linprog"):
        lp_module.BACKEND = which  # type: ignore[assignment]
        attacker = AttackerLP(table.constraints, mask, a, upper)
        batched = AttackerLP(table.constraints, mask, a, upper)
        asks = [(int(c), d) for c in np.flatnonzero(mask) for d in (1, -1)]
        batched.prefetch(asks)  # one LP of copies; answers remembered
        for cell, d in asks:
            one, many = attacker.maximise(cell, d), batched.maximise(cell, d)
            assert many.reach == pytest.approx(one.reach, abs=1e-7)
            assert many.deviation is not None
            assert np.abs(table.constraints @ many.deviation).max() < 1e-6
            assert d * many.deviation[cell] == pytest.approx(many.reach, abs=1e-6)
        attacker = AttackerLP(table.constraints, mask, a, upper)
        got = []
        for cell in np.flatnonzero(mask):
            for d in (1, -1):
                attack = attacker.maximise(int(cell), d, cut=True)
                assert attack.cut is not None and attack.deviation is not None
                # the cut is exact for the current pattern, and the deviation moves the
                # cell by the reach within the table's relations
                assert float(attack.cut[mask].sum()) == pytest.approx(attack.reach, abs=1e-6)
                assert d * attack.deviation[cell] == pytest.approx(attack.reach, abs=1e-6)
                assert np.abs(table.constraints @ attack.deviation).max() < 1e-6
                got.append(attack.reach)
        answers[which] = np.array(got)
    np.testing.assert_allclose(answers["highspy"], answers["linprog"], atol=1e-7)


@pytest.mark.parametrize("seed", range(4))
def test_random_tables_both_patterns_protect(seed: int, backend: None) -> None:
    """Where the cheapest flow is not unique, the two HiGHS versions (scipy's and
    highspy's) may pick different ones, so the patterns may differ; each must pass the
    audit of the other path."""
    rng = np.random.default_rng(200 + seed)
    table = _random_table(rng)
    rules = [frequency_rule(table, 3)]
    patterns = {}
    for which in ("highspy", "linprog"):
        lp_module.BACKEND = which  # type: ignore[assignment]
        result = protect_table(table, rules, method="heuristic")
        assert result.audit.passed
        assert result.primary.mask.sum() > 0
        patterns[which] = (result.suppressed, result.primary)
    for which, other in (("highspy", "linprog"), ("linprog", "highspy")):
        lp_module.BACKEND = other  # type: ignore[assignment]
        pattern, primary = patterns[which]
        assert audit(table, pattern, primary).passed


def test_hot_start_hand_computed() -> None:
    """x1 + x2 = x3 with x in [-(3, 5, 8), +10]: each maximum and minimum by hand."""
    a_eq = np.array([[1.0, 1.0, -1.0]])
    model = LPModel(sp.csc_array(a_eq), None, -np.array([3.0, 5.0, 8.0]),
                    np.full(3, 10.0))
    expect = {(0, 1): 10.0, (0, -1): 3.0, (1, 1): 10.0, (1, -1): 5.0, (2, 1): 10.0,
              (2, -1): 8.0}
    for _ in range(2):  # solved again from the last basis: the same answers
        for (col, d), reach in expect.items():
            res = model.solve(np.array([col]), np.array([-float(d)]))
            assert res.status == 0 and res.x is not None
            assert -res.fun == pytest.approx(reach)
            assert res.x[0] + res.x[1] - res.x[2] == pytest.approx(0.0, abs=1e-9)
    unbounded = LPModel(sp.csc_array(a_eq), None, -np.array([3.0, 5.0, 8.0]),
                        np.full(3, np.inf))
    assert unbounded.solve(np.array([2]), np.array([-1.0])).status == 3
    once = solve_once(np.array([0.0, 0.0, -1.0]), sp.csc_array(a_eq), np.zeros(1),
                      -np.array([3.0, 5.0, 8.0]), np.full(3, 10.0))
    assert once.status == 0 and -once.fun == pytest.approx(10.0)
