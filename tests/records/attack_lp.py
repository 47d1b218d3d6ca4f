"""An attacker's LP over published record tables, independent of ``kekiz.privacy``.

Variables: (indicator, unit, ``ja``/``nein``/``total``) of every table of one period,
plus one non-negative slack per inequality and Stadtteil.  Known: every published number.
Equalities: ``ja + nein = total`` per unit, every part of a unit the sum of its children
(the unit hierarchy), and the declared relations as the attacker knows them:

* ``population``: the findings' denominators are one number in every unit;
* ``nested`` (inner, outer): ``ja(inner) + slack = ja(outer)`` in every Stadtteil;
* ``partition`` (parts, complete): ``sum ja(parts) (+ slack) = total`` in every Stadtteil.

:func:`intervals` returns the attacker's [min, max] of every suppressed cell (solved with
``scipy.optimize.linprog`` on the connected block of the unknown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

Cell = tuple[str, str, str]


@dataclass
class Knowledge:
    """The declared relations (in stored indicator ids)."""

    population: Sequence[Sequence[str]] = ()
    nested: Sequence[tuple[str, str]] = ()
    partitions: Sequence[tuple[Sequence[str], bool]] = ()


def joint_lp(period_obs: pd.DataFrame, parent: dict[str, str], know: Knowledge
             ) -> tuple[list[Cell], sp.csr_array, np.ndarray]:
    tables = {str(ind): part.set_index("unit_id")
              for ind, part in period_obs.groupby("indicator_id")}
    cells: list[Cell] = []
    known: list[float] = []
    for ind, part in tables.items():
        num = part["numerator"].to_numpy(dtype=float)
        den = part["denominator"].to_numpy(dtype=float)
        for k, unit in enumerate(part.index):
            cells += [(ind, unit, "ja"), (ind, unit, "nein"), (ind, unit, "total")]
            known += [num[k], den[k] - num[k], den[k]]  # NaN where suppressed
    index = {c: k for k, c in enumerate(cells)}
    rows: list[dict[int, float]] = []
    any_table = next(iter(tables.values()))
    units = list(any_table.index)
    children: dict[str, list[str]] = {}
    for u in units:
        if parent.get(u) in any_table.index:
            children.setdefault(parent[u], []).append(u)
    leaves = [u for u in units if u not in children]
    for ind in tables:
        for u in units:
            rows.append({index[(ind, u, "ja")]: 1, index[(ind, u, "nein")]: 1,
                         index[(ind, u, "total")]: -1})
        for up, kids in children.items():
            for p in ("ja", "nein", "total"):
                row = {index[(ind, up, p)]: 1.0}
                row.update({index[(ind, k, p)]: -1.0 for k in kids})
                rows.append(row)
    for group in know.population:
        for other in group[1:]:
            for u in units:
                rows.append({index[(group[0], u, "total")]: 1, index[(other, u, "total")]: -1})

    def slack() -> int:
        cells.append(("slack", "", str(len(cells))))
        known.append(np.nan)
        return len(cells) - 1

    for inner, outer in know.nested:
        for u in leaves:
            rows.append({index[(inner, u, "ja")]: 1, slack(): 1, index[(outer, u, "ja")]: -1})
    for parts, complete in know.partitions:
        for u in leaves:
            row = {index[(p, u, "ja")]: 1.0 for p in parts}
            row[index[(parts[0], u, "total")]] = -1.0
            if not complete:
                row[slack()] = 1.0
            rows.append(row)
    r, c, v = zip(*[(i, j, x) for i, row in enumerate(rows) for j, x in row.items()],
                  strict=True)
    matrix = sp.csr_array((v, (r, c)), shape=(len(rows), len(cells)))
    return cells, matrix, np.array(known)


def intervals(period_obs: pd.DataFrame, parent: dict[str, str], know: Knowledge
              ) -> dict[Cell, tuple[float, float]]:
    """[min, max] of every suppressed (unknown, non-slack) cell of one period."""
    cells, matrix, known = joint_lp(period_obs, parent, know)
    free = np.isnan(known)
    cols = np.flatnonzero(free)
    a_eq = sp.csr_array(matrix[:, cols])
    b_eq = -(matrix[:, np.flatnonzero(~free)] @ known[~free])
    # blocks: unknowns linked by an equation (rows without unknowns are checks)
    used = np.flatnonzero(np.diff(a_eq.indptr) > 0)
    for row in np.flatnonzero(np.diff(a_eq.indptr) == 0):
        assert abs(b_eq[row]) < 1e-6, "the published numbers contradict the relations"
    m = len(cols)
    inc = sp.coo_array(a_eq[used])
    graph = sp.coo_array((np.ones(inc.nnz), (inc.col, m + inc.row)),
                         shape=(m + used.size, m + used.size))
    _, label = connected_components(graph, directed=False)
    out: dict[Cell, tuple[float, float]] = {}
    for block in np.unique(label[:m]):
        mine = np.flatnonzero(label[:m] == block)
        rows = used[np.flatnonzero(label[m:] == block)]
        a = a_eq[rows][:, mine].toarray() if rows.size else np.zeros((0, mine.size))
        b = b_eq[rows]
        for j, k in enumerate(mine):
            cell = cells[int(cols[k])]
            if cell[0] == "slack":
                continue
            c = np.zeros(mine.size)
            c[j] = 1.0
            lo = linprog(c, A_eq=a if rows.size else None, b_eq=b if rows.size else None,
                         bounds=(0, None), method="highs")
            hi = linprog(-c, A_eq=a if rows.size else None, b_eq=b if rows.size else None,
                         bounds=(0, None), method="highs")
            assert lo.status == 0, "the published numbers contradict the relations"
            out[cell] = (float(lo.fun), np.inf if hi.status == 3 else float(-hi.fun))
    return out
