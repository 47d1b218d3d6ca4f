"""Secondary (complementary) cell suppression on HiGHS.

The many small LPs (attacker programmes, flows) go to HiGHS through ``highspy``
(:mod:`kekiz.privacy.lp`: models built once and re-solved, questions about one pattern
batched into one LP); the 0/1 master problem of ``optimal`` uses ``scipy.optimize.milp``.

The problem: choose additional cells to suppress, at minimum cost, so that for every
primary cell the interval an attacker derives from the published cells (see
:mod:`kekiz.privacy.attacker`) reaches its protection levels up and down.

Two solvers, both after Fischetti & Salazar (*Models and algorithms for optimizing cell
suppression in tabular data with linear constraints*, JASA 95, 2000, and the network
heuristic of their 1999 paper):

``heuristic``
    For each protection requirement not yet met, a min-cost flow LP finds a deviation
    ``y`` of the table (``M y = 0``, within the cells' bounds) that moves the primary cell
    by its protection level, where already suppressed cells are free and the others cost
    their weight per unit of change.  The support of ``y`` is suppressed: ``a + y`` is then
    a table consistent with everything published, so the requirement is met by
    construction, and more suppression never shrinks an interval.  A clean-up pass
    re-publishes secondary cells (most expensive first) whenever the audit shows that the
    requirements still hold without them.

``optimal``
    A 0/1 model ``min w @ x`` (``x = 1``: suppressed) solved with ``scipy.optimize.milp``
    by Benders-style cut generation: start from "every relation of a primary cell has a
    second suppressed cell", solve, run the attacker LP for every requirement, add the
    capacity cut ``g @ x >= level`` from its dual for every violated one, repeat.  The
    first master solution without violations is optimal.  The heuristic solution is the
    incumbent, so a time limit always returns a protected (if not proven optimal) pattern.

``auto`` uses ``optimal`` for tables up to :data:`AUTO_OPTIMAL_CELLS` cells and the
heuristic above.  With ``optimal``, the cut generation gets 75 % of ``time_limit``; if it
does not finish, the heuristic pattern is cleaned up in the remaining time and returned
(``SecondaryResult.optimal`` is then ``False``).

Linked tables (:class:`~kekiz.privacy.LinkedTable`) are one set of cells to both solvers;
their *hidden* cells (slacks of declared inequalities, never published) are suppressed
from the start at no cost and never re-published.  ``start`` lets the heuristic begin
from a given pattern (e.g. the union of the linked tables' own patterns): flows are then
needed only for the requirements that pattern does not meet.

Both solvers keep, per requirement, the supports of deviations already found ("witnesses");
a pattern containing one of them meets the requirement without another LP.  The clean-up
also rejects candidates cheaply when substitution alone (a relation with one unknown)
would pin down a primary cell.

Sizes (2 cores): a city of 84 Stadtteile in 9 Stadtbezirke x sex x 3-5 years
(1,100-1,700 cells, 140-310 primary cells) takes 3-20 s with the heuristic and 12-50 s
proven optimal; the optimal pattern was 7-8 % cheaper.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import Bounds, LinearConstraint, milp

from kekiz.domain.errors import MethodError
from kekiz.privacy.attacker import AttackerLP, BlockPool
from kekiz.privacy.lp import LPModel
from kekiz.privacy.rules import Primary, Requirement
from kekiz.privacy.table import Cells

__all__ = [
    "AUTO_OPTIMAL_CELLS",
    "Method",
    "SecondaryResult",
    "cell_weights",
    "suppress_secondary",
]

Method = Literal["auto", "optimal", "heuristic"]

#: ``method="auto"`` solves tables up to this many cells with the exact model.
AUTO_OPTIMAL_CELLS = 2000

_TOL = 1e-6


@dataclass(frozen=True)
class SecondaryResult:
    """The suppression pattern and how it was found."""

    suppressed: NDArray[np.bool_]
    secondary: NDArray[np.bool_]
    method: str
    optimal: bool
    cost: float
    seconds: float
    iterations: int


def cell_weights(table: Cells, cost: str | ArrayLike = "auto",
                 primary: Primary | None = None) -> NDArray[np.float64]:
    """Cost of suppressing each cell.

    ``"count"``: the count (suppress few cases), ``"value"``: the magnitude, ``"cells"``:
    1 per cell, ``"auto"``: ``value`` when a magnitude has its own protection
    requirements, else ``count``.  A small constant is added so that empty cells are never
    free.  An array gives the weights directly.
    """
    if not isinstance(cost, str):
        w = np.asarray(cost, dtype=np.float64)
        if w.shape != (table.n_cells,) or (w < 0).any():
            raise MethodError(
                f"Kosten: {w.size} Werte für {table.n_cells} Zellen oder negative Kosten.",
                message_en=f"costs: {w.size} values for {table.n_cells} cells or negative.")
        return w + 1e-6
    if cost == "auto":
        use_value = (table.value is not None and primary is not None
                     and bool((primary.upper.get("value", np.zeros(1)) > 0).any())
                     and not bool((primary.upper["count"] > 0).any()))
        cost = "value" if use_value else "count"
    if cost == "cells":
        return np.ones(table.n_cells)
    if cost not in ("count", "value"):
        raise MethodError(
            f"Unbekannte Kostenart '{cost}'. Erlaubt: count, value, cells.",
            message_en=f"unknown cost '{cost}'. Allowed: count, value, cells.")
    base = table.layer(cost)
    return base + max(1.0, 0.01 * float(base.mean()))


def suppress_secondary(table: Cells, primary: Primary, *, method: Method = "auto",
                       cost: str | ArrayLike = "auto", time_limit: float = 60.0,
                       forbidden: ArrayLike | None = None,
                       cleanup: bool = True, start: ArrayLike | None = None
                       ) -> SecondaryResult:
    """Find the secondary suppressions that protect every primary cell.

    ``cost`` chooses what to minimise (see :func:`cell_weights`), ``forbidden`` marks
    cells that must stay published (flat indices or a mask), ``time_limit`` (seconds)
    bounds the exact model and the clean-up; the first heuristic pass always runs to the
    end, so the result is protected even when time runs out.  ``start`` (a mask) is a
    pattern to start the heuristic from (e.g. the patterns of linked tables protected one
    by one): its cells stay suppressed and only requirements it does not meet get flows;
    the clean-up reconsiders only the cells added here.
    """
    began = time.monotonic()
    problem = _Problem(table, primary, cell_weights(table, cost, primary), forbidden,
                       start)
    if method not in ("auto", "optimal", "heuristic"):
        raise MethodError(
            f"Unbekanntes Verfahren '{method}'. Erlaubt: auto, optimal, heuristic.",
            message_en=f"unknown method '{method}'. Allowed: auto, optimal, heuristic.")
    exact = method == "optimal" or (method == "auto"
                                    and table.n_cells <= AUTO_OPTIMAL_CELLS)
    deadline = began + time_limit
    used, proven, rounds = "heuristic", False, 0
    if exact and problem.requirements:
        # the heuristic pattern is the incumbent; it is only cleaned up (re-publishing
        # superfluous cells) if the exact model does not finish within its share of time
        pattern = problem.heuristic(deadline, cleanup=False)
        better, proven, rounds = problem.optimal(pattern, began + 0.75 * time_limit)
        if better is not None:
            pattern, used = better, "optimal"
        elif cleanup:
            pattern = problem.cleanup(pattern, deadline)
    else:
        pattern = problem.heuristic(deadline, cleanup=cleanup)
    secondary = pattern & ~primary.mask & ~problem.hidden
    return SecondaryResult(pattern, secondary, used if not proven else "optimal",
                           proven or not problem.requirements,
                           float(problem.weights[secondary].sum()),
                           time.monotonic() - began, rounds)


class _Problem:
    """Data shared by both solvers."""

    def __init__(self, table: Cells, primary: Primary, weights: NDArray[np.float64],
                 forbidden: ArrayLike | None, start: ArrayLike | None = None) -> None:
        self.table = table
        self.primary = primary
        self.matrix = table.constraints
        self.n = table.n_cells
        # hidden cells are never published: suppressed from the start, at no cost
        hidden = table.hidden
        self.hidden = (np.zeros(self.n, dtype=bool) if hidden is None
                       else np.asarray(hidden, dtype=bool))
        self.weights = np.where(self.hidden, 0.0, weights)
        self.requirements: list[Requirement] = primary.requirements()
        # supports of table deviations known to meet each requirement
        self.witnesses: list[list[NDArray[np.bool_]]] = [[] for _ in self.requirements]
        self.relations = table.relations
        self.pools: dict[str, BlockPool] = {}
        self._last_attacker: dict[str, tuple[bytes, AttackerLP]] = {}
        self._flow_models: dict[str, LPModel] = {}
        self.flow_matrix = sp.hstack([self.matrix, -self.matrix], format="csr")
        self.needs_protection = np.zeros(self.n, dtype=bool)
        self.needs_protection[[r.cell for r in self.requirements]] = True
        self.forbidden = np.zeros(self.n, dtype=bool)
        if forbidden is not None:
            arr = np.asarray(forbidden)
            if arr.dtype == bool:
                self.forbidden[:] = arr
            else:
                self.forbidden[arr.astype(np.int64)] = True
        if (self.forbidden & (primary.mask | self.hidden)).any():
            raise MethodError(
                "Eine Zelle ist zugleich gesperrt (primär oder nie veröffentlicht) und zur "
                "Veröffentlichung erzwungen.",
                message_en="a cell is both suppressed (primary or never published) and "
                "forced to be published.")
        self.initial = primary.mask | self.hidden
        self.start = np.zeros(self.n, dtype=bool)
        if start is not None:
            self.start[:] = np.asarray(start, dtype=bool)
            if (self.start & self.forbidden).any():
                raise MethodError(
                    "Das Startmuster sperrt eine Zelle, die veröffentlicht werden muss.",
                    message_en="the start pattern suppresses a cell that must be published.")
        # how far each cell may move in the design problem: down to zero, and up by a
        # bound no requirement can exceed (finite, so that capacity cuts stay finite)
        self.lower: dict[str, NDArray[np.float64]] = {}
        self.upper: dict[str, NDArray[np.float64]] = {}
        for layer in table.layers:
            a = table.layer(layer)
            big = float(a.max(initial=0.0)) + float(primary.upper[layer].max(initial=0.0)) + 1
            self.lower[layer] = a.copy()
            self.upper[layer] = np.full(self.n, big)
        self.scale = {layer: max(1.0, float(table.layer(layer).max(initial=0.0)))
                      for layer in table.layers}

    # ------------------------------------------------------------ checks
    def attacker(self, pattern: NDArray[np.bool_], layer: str) -> AttackerLP:
        """The attacker LP of ``pattern``; block LPs are shared between patterns."""
        key = pattern.tobytes()
        last = self._last_attacker.get(layer)
        if last is not None and last[0] == key:
            return last[1]
        lp = AttackerLP(self.relations, pattern, self.lower[layer], self.upper[layer],
                        pool=self.pools.setdefault(layer, {}))
        self._last_attacker[layer] = (key, lp)
        return lp

    def met(self, reach: float, req: Requirement) -> bool:
        return reach >= req.level - _TOL * self.scale[req.layer]

    def witnessed(self, pattern: NDArray[np.bool_], k: int) -> bool:
        """Whether a known deviation for requirement ``k`` lies inside ``pattern``."""
        return any(not (w & ~pattern).any() for w in self.witnesses[k])

    def remember(self, k: int, deviation: NDArray[np.float64] | None) -> None:
        if deviation is not None:
            req = self.requirements[k]
            support = np.abs(deviation) > _TOL * self.scale[req.layer]
            self.witnesses[k].append(support)

    def prefetch(self, pattern: NDArray[np.bool_], ks: Sequence[int]) -> None:
        """Solve the attacker LPs of requirements ``ks`` on ``pattern`` at once (one HiGHS
        run per quantity instead of one per requirement; :meth:`check` then finds the
        answers)."""
        asks: dict[str, list[tuple[int, int]]] = {}
        for k in ks:
            if not self.witnessed(pattern, k):
                req = self.requirements[k]
                asks.setdefault(req.layer, []).append((req.cell, req.direction))
        for layer, pairs in asks.items():
            if len(pairs) > 1:
                self.attacker(pattern, layer).prefetch(pairs)

    def check(self, pattern: NDArray[np.bool_], ks: Sequence[int]) -> bool:
        """Whether ``pattern`` meets requirements ``ks`` (LPs only where no witness fits)."""
        attackers: dict[str, AttackerLP] = {}
        for k in ks:
            if self.witnessed(pattern, k):
                continue
            req = self.requirements[k]
            if req.layer not in attackers:
                attackers[req.layer] = self.attacker(pattern, req.layer)
            attack = attackers[req.layer].maximise(req.cell, req.direction)
            if not self.met(attack.reach, req):
                return False
            self.remember(k, attack.deviation)
        return True

    # ------------------------------------------------------------ heuristic
    def heuristic(self, deadline: float, *, cleanup: bool) -> NDArray[np.bool_]:
        pattern: NDArray[np.bool_] = self.initial | self.start
        fresh = True  # answers of the current pattern not yet fetched
        for k in range(len(self.requirements)):
            if fresh:
                # more suppression never shrinks an interval: what is met now stays met,
                # so the remaining requirements are asked at once, again after each flow
                self.prefetch(pattern, range(k, len(self.requirements)))
                fresh = False
            if self.check(pattern, [k]):
                continue
            fresh = True
            support = self._flow(pattern, self.requirements[k])
            self.witnesses[k].append(support)
            pattern |= support
        if cleanup:
            pattern = self.cleanup(pattern, deadline)
        return pattern

    def _flow(self, pattern: NDArray[np.bool_], req: Requirement) -> NDArray[np.bool_]:
        """Support of a cheapest table deviation that moves ``req.cell`` by its level."""
        n = self.n
        cost = np.where(pattern, 0.0, self.weights)
        up = self.upper[req.layer].copy()
        down = self.lower[req.layer].copy()
        up[self.forbidden] = 0.0
        down[self.forbidden] = 0.0
        lo = np.zeros(2 * n)
        hi = np.concatenate([up, down])
        i = req.cell
        if req.direction > 0:
            lo[i] = hi[i] = req.level
            hi[n + i] = 0.0
        else:
            lo[n + i] = hi[n + i] = req.level
            hi[i] = 0.0
        model = self._flow_models.get(req.layer)
        if model is None:
            model = LPModel(self.flow_matrix, np.zeros(self.flow_matrix.shape[0]), lo, hi,
                            presolve=True)
            self._flow_models[req.layer] = model
        res = model.solve_dense(np.concatenate([cost, cost]), lo, hi)
        if res.status != 0 or res.x is None:
            raise MethodError(
                "Für eine gesperrte Zelle lässt sich kein ausreichender Schutz finden "
                f"(Zelle {i}); vermutlich verhindern erzwungene Veröffentlichungen das.",
                message_en="no sufficient protection can be found for a suppressed cell "
                f"(cell {i}); probably cells forced to be published prevent it.")
        y = res.x[:n] - res.x[n:]
        return np.asarray(np.abs(y) > _TOL * self.scale[req.layer], dtype=bool)

    def cleanup(self, pattern: NDArray[np.bool_], deadline: float) -> NDArray[np.bool_]:
        """Re-publish secondary cells that are not needed, most expensive first."""
        candidates = np.flatnonzero(pattern & ~self.initial & ~self.start)
        everything = range(len(self.requirements))
        for cell in candidates[np.argsort(-self.weights[candidates], kind="stable")]:
            if time.monotonic() > deadline:
                break
            trial = pattern.copy()
            trial[cell] = False
            if self.fixed_by_elimination(trial)[self.needs_protection].any():
                continue  # cheap necessary condition failed, no LP needed
            self.prefetch(trial, everything)
            if self.check(trial, everything):
                pattern = trial
        return pattern

    def fixed_by_elimination(self, pattern: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """Suppressed cells an attacker pins down by substitution alone.

        A relation with a single unknown fixes it; that unknown then counts as known, and
        so on.  Cheap, and a necessary condition: a primary cell found here is derivable.
        """
        free = pattern.copy()
        rel = self.relations
        while True:
            f = free[rel.cols]
            per_row = np.bincount(rel.rows[f], minlength=rel.n_rows)
            hit = f & (per_row == 1)[rel.rows]
            if not hit.any():
                break
            free[rel.cols[hit]] = False
        return pattern & ~free

    # ------------------------------------------------------------ optimal
    def optimal(self, incumbent: NDArray[np.bool_], deadline: float
                ) -> tuple[NDArray[np.bool_] | None, bool, int]:
        """Cut generation on the 0/1 model; returns (pattern, proven optimal, rounds)."""
        best_cost = float(self.weights[incumbent].sum())
        rows, rhs = self._cover_cuts()
        lo = self.initial.astype(np.float64)
        hi = np.where(self.forbidden, 0.0, 1.0)
        rounds = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None, False, rounds
            rounds += 1
            constraints = []
            if rows:
                constraints.append(LinearConstraint(sp.vstack(rows, format="csr"),
                                                    np.array(rhs), np.inf))
            res = milp(self.weights, constraints=constraints,
                       integrality=np.ones(self.n), bounds=Bounds(lo, hi),
                       options={"time_limit": remaining, "mip_rel_gap": 1e-7})
            if res.x is None or res.status not in (0,):
                return None, False, rounds
            pattern = np.asarray(res.x > 0.5, dtype=bool)
            cost = float(self.weights[pattern].sum())
            if cost >= best_cost - 1e-9 * max(1.0, best_cost):
                return incumbent, True, rounds  # the incumbent reaches the lower bound
            added = self._violated_cuts(pattern, rows, rhs)
            if not added:
                return pattern, True, rounds

    def _cover_cuts(self) -> tuple[list[sp.csr_array], list[float]]:
        """Each relation containing a primary cell needs a second suppressed cell."""
        rows: list[sp.csr_array] = []
        rhs: list[float] = []
        matrix = self.matrix
        seen: set[tuple[int, int]] = set()
        by_cell = sp.csc_array(matrix)
        for req in self.requirements:
            start, stop = by_cell.indptr[req.cell], by_cell.indptr[req.cell + 1]
            for row in by_cell.indices[start:stop]:
                if (int(row), req.cell) in seen:
                    continue
                seen.add((int(row), req.cell))
                members = matrix.indices[matrix.indptr[row]:matrix.indptr[row + 1]]
                members = members[members != req.cell]
                cut = sp.csr_array((np.ones(members.size),
                                    (np.zeros(members.size, dtype=np.int64), members)),
                                   shape=(1, self.n))
                rows.append(cut)
                rhs.append(1.0)
        return rows, rhs

    def _violated_cuts(self, pattern: NDArray[np.bool_], rows: list[sp.csr_array],
                       rhs: list[float]) -> int:
        attackers: dict[str, AttackerLP] = {}
        added = 0
        for k, req in enumerate(self.requirements):
            if self.witnessed(pattern, k):
                continue
            if req.layer not in attackers:
                attackers[req.layer] = self.attacker(pattern, req.layer)
            attack = attackers[req.layer].maximise(req.cell, req.direction, cut=True)
            if self.met(attack.reach, req):
                self.remember(k, attack.deviation)
                continue
            g = attack.cut
            if g is None or abs(float(g[pattern].sum()) - attack.reach) > (
                    1e-5 * self.scale[req.layer]):
                # fall back to the no-good cut: some cell outside the pattern is needed
                g = np.where(pattern, 0.0, req.level)
            g = np.minimum(g, req.level)  # lifting: one cell with g_j >= level suffices
            g[np.abs(g) < 1e-9] = 0.0
            rows.append(sp.csr_array(g.reshape(1, -1)))
            rhs.append(req.level)
            added += 1
        return added
