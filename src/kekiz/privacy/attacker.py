"""The attacker's linear programme: how far can a suppressed cell move?

Given the published cells of a table, an attacker knows every additivity relation
``M x = 0`` and that cells are non-negative.  The suppressed cells are the unknowns.  In
deviation form ``z = x - a`` (``a`` the true table) the attacker's problem for cell ``i`` is

    max  d * z_i   subject to  M_S z_S = 0,  -lb_S <= z_S <= ub_S,

with ``d = +1`` for the upper and ``d = -1`` for the lower end of the interval; ``lb = a``
expresses non-negativity and ``ub`` is infinite unless external upper bounds are assumed.
Only suppressed cells are variables and only relations that touch them are constraints,
and the problem splits into independent blocks (connected components of suppressed cells
linked by relations), so the programmes stay small even for large tables.

The optimal dual ``y`` also yields a Fischetti-Salazar capacity cut (see
:meth:`AttackerLP.maximise`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from kekiz.domain.errors import MethodError

__all__ = ["Attack", "AttackerLP"]


@dataclass(frozen=True)
class Attack:
    """Result of one attacker programme.

    ``reach`` is how far the cell can move in the asked direction (``inf`` if unbounded).
    ``cut``, when asked for, is a vector ``g >= 0`` over all cells such that every
    suppression pattern ``x`` (0/1 per cell) that lets the cell move by ``level`` satisfies
    ``g @ x >= level``; for the current pattern ``g @ x == reach``.
    """

    reach: float
    cut: NDArray[np.float64] | None = None
    deviation: NDArray[np.float64] | None = None


class AttackerLP:
    """The attacker's view of a table with a given suppression pattern."""

    def __init__(self, matrix: sp.csr_array, suppressed: NDArray[np.bool_],
                 lower: NDArray[np.float64], upper: NDArray[np.float64]) -> None:
        """``lower``/``upper``: how far each cell may move down/up (``a`` and ``inf`` for an
        attacker who knows only non-negativity)."""
        self.matrix = sp.csc_array(matrix)
        self.n = matrix.shape[1]
        self.lower = lower
        self.upper = upper
        self.cells = np.flatnonzero(suppressed)
        self.position = np.full(self.n, -1, dtype=np.int64)
        self.position[self.cells] = np.arange(self.cells.size)
        sub = sp.csr_array(self.matrix[:, self.cells])
        touched = np.flatnonzero(np.diff(sub.indptr) > 0)
        self.rows = touched
        self.sub = sp.csr_array(sub[touched])
        # blocks of suppressed cells that share relations
        if self.cells.size:
            link = (self.sub.T @ self.sub) != 0
            _, labels = connected_components(sp.csr_array(link), directed=False)
            self.block = labels.astype(np.int64)
        else:
            self.block = np.zeros(0, dtype=np.int64)
        self._cache: dict[int, tuple[NDArray[np.int64], NDArray[np.int64],
                                     sp.csr_array]] = {}

    def block_cells(self, cell: int) -> NDArray[np.int64]:
        """The suppressed cells in the same block as ``cell``."""
        return self.cells[self._block(cell)[0]]

    def _block(self, cell: int) -> tuple[NDArray[np.int64], NDArray[np.int64],
                                         sp.csr_array]:
        pos = int(self.position[cell])
        if pos < 0:
            raise ValueError("cell is not suppressed")
        label = int(self.block[pos])
        if label not in self._cache:
            members = np.flatnonzero(self.block == label)
            part = sp.csc_array(self.sub[:, members])
            rows = np.unique(part.indices)
            self._cache[label] = (members, rows, sp.csr_array(part[rows]))
        return self._cache[label]

    def maximise(self, cell: int, direction: int, *, cut: bool = False) -> Attack:
        """How far ``cell`` (suppressed) can move up (``direction=1``) or down (``-1``)."""
        members, rows, a_eq = self._block(cell)
        cells = self.cells[members]
        c = np.zeros(members.size)
        c[np.searchsorted(cells, cell)] = -float(direction)
        bounds = np.column_stack([-self.lower[cells], self.upper[cells]])
        res = linprog(c, A_eq=a_eq if rows.size else None,
                      b_eq=np.zeros(rows.size) if rows.size else None,
                      bounds=bounds, method="highs")
        if res.status == 3:
            return Attack(float("inf"))
        if res.status != 0:
            raise MethodError(
                f"Angreifer-LP nicht lösbar (Status {res.status}: {res.message}).",
                message_en=f"attacker LP failed (status {res.status}: {res.message}).",
                status=500)
        reach = max(0.0, -float(res.fun))
        deviation = np.zeros(self.n)
        deviation[cells] = res.x
        if not cut:
            return Attack(reach, None, deviation)
        # reduced costs r = c - M^T y over *all* cells; weak duality gives, for every
        # pattern x, reach(x) <= sum_j x_j (r_j^+ lower_j + r_j^- upper_j)
        y = np.zeros(self.matrix.shape[0])
        y[self.rows[rows]] = res.eqlin.marginals if rows.size else 0.0
        r = -(self.matrix.T @ y)
        r[cell] -= float(direction)
        r[np.abs(r) < 1e-9] = 0.0
        with np.errstate(invalid="ignore"):
            g = (np.where(r > 0, r * self.lower, 0.0)
                 + np.where(r < 0, -r * self.upper, 0.0))
        return Attack(reach, g, deviation)
