"""Small linear programmes of the disclosure control, on HiGHS through ``highspy``.

Secondary suppression and the audit solve thousands of tiny LPs (a handful of cells and
relations each).  ``scipy.optimize.linprog`` costs 5-10 ms of input checking and
conversion per call, far more than HiGHS needs for the solve; here the model is passed to
HiGHS once and only the objective changes between solves, so HiGHS restarts from the
previous optimal basis ("hot start").

:data:`BACKEND` chooses the path: ``"highspy"`` (default) or ``"linprog"`` (scipy, the
reference the tests compare against).  Both use HiGHS' dual simplex with presolve, as
``linprog(method="highs")`` does; optimal values agree to solver tolerance.  Where an LP
has several optimal solutions, the two paths may return different ones (both optimal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
from highspy import HighsLp, HighsModelStatus, HighsStatus, MatrixFormat, kHighsInf
from highspy._core import _Highs
from numpy.typing import NDArray
from scipy.optimize import linprog

from kekiz.domain.errors import MethodError

__all__ = ["BACKEND", "LPModel", "LPResult", "solve_once"]

#: ``"highspy"`` or ``"linprog"``; a module-level switch for tests and comparisons.
BACKEND: Literal["highspy", "linprog"] = "highspy"

# tiny LPs: one thread saves a third of HiGHS' fixed cost per run (the scheduler is
# global to the process; see _run for the fallback)
_SINGLE_THREAD = [True]
_OPTIMAL = HighsModelStatus.kOptimal
_UNBOUNDED = (HighsModelStatus.kUnbounded, HighsModelStatus.kUnboundedOrInfeasible)
_INFEASIBLE = HighsModelStatus.kInfeasible


@dataclass(frozen=True)
class LPResult:
    """``status``: 0 optimal, 2 infeasible, 3 unbounded (as ``linprog``); ``x`` and the
    equality duals ``marginals`` (``d objective / d rhs``) only when optimal."""

    status: int
    fun: float = float("nan")
    x: NDArray[np.float64] | None = None
    marginals: NDArray[np.float64] | None = None
    message: str = ""


def _finite(v: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.where(np.isposinf(v), kHighsInf, np.where(np.isneginf(v), -kHighsInf, v))


class LPModel:
    """``min c @ x  s.t.  A x = b,  lo <= x <= hi`` held by one HiGHS instance.

    Build once, then :meth:`solve` with a new sparse objective as often as needed; each
    solve starts from the last optimal basis.
    """

    def __init__(self, a_eq: sp.sparray | None, b_eq: NDArray[np.float64] | None,
                 lower: NDArray[np.float64], upper: NDArray[np.float64],
                 cost: NDArray[np.float64] | None = None, *, presolve: bool = False
                 ) -> None:
        n = int(lower.size)
        self.presolve = presolve
        self.n = n
        self.lower = np.array(lower, dtype=np.float64)
        self.upper = np.array(upper, dtype=np.float64)
        if a_eq is None or a_eq.shape[0] == 0:
            a = sp.csc_array((0, n))
            b = np.zeros(0)
        else:
            a = sp.csc_array(a_eq)
            a.sort_indices()
            b = np.asarray(b_eq if b_eq is not None else np.zeros(a.shape[0]),
                           dtype=np.float64)
        self.a = a
        self.b = b
        self.m = int(a.shape[0])
        self._cost = (np.zeros(n) if cost is None
                      else np.asarray(cost, dtype=np.float64).copy())
        self._highs: _Highs | None = None
        if BACKEND == "highspy":
            self._highs = self._build()

    def _build(self) -> _Highs:
        highs = _Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("presolve", "on" if self.presolve else "off")
        highs.setOptionValue("simplex_strategy", 1)  # dual simplex, as linprog
        if _SINGLE_THREAD[0]:
            highs.setOptionValue("threads", 1)
        lp = HighsLp()
        lp.num_col_ = self.n
        lp.num_row_ = self.m
        lp.col_cost_ = self._cost
        lp.col_lower_ = _finite(self.lower)
        lp.col_upper_ = _finite(self.upper)
        lp.row_lower_ = self.b
        lp.row_upper_ = self.b
        lp.a_matrix_.format_ = MatrixFormat.kColwise
        lp.a_matrix_.num_col_ = self.n
        lp.a_matrix_.num_row_ = self.m
        lp.a_matrix_.start_ = self.a.indptr.astype(np.int32)
        lp.a_matrix_.index_ = self.a.indices.astype(np.int32)
        lp.a_matrix_.value_ = self.a.data.astype(np.float64)
        highs.passModel(lp)
        return highs

    def solve(self, cols: NDArray[np.int64], costs: NDArray[np.float64]) -> LPResult:
        """Minimise ``sum costs[k] * x[cols[k]]`` (all other costs zero)."""
        cost = np.zeros(self.n)
        cost[cols] = costs
        if self._highs is None:
            return _linprog(cost, self.a, self.b, self.lower, self.upper)
        changed = np.flatnonzero(cost != self._cost)
        if changed.size:
            self._highs.changeColsCost(int(changed.size), changed.astype(np.int32),
                                       cost[changed])
            self._cost = cost
        return _run(self._highs, self.m)


    def solve_dense(self, cost: NDArray[np.float64], lower: NDArray[np.float64],
                    upper: NDArray[np.float64]) -> LPResult:
        """Minimise ``cost @ x`` within new bounds (HiGHS restarts from the last basis)."""
        cost = np.asarray(cost, dtype=np.float64)
        lower = np.asarray(lower, dtype=np.float64)
        upper = np.asarray(upper, dtype=np.float64)
        if self._highs is None:
            return _linprog(cost, self.a, self.b, lower, upper)
        highs = self._highs
        changed = np.flatnonzero((lower != self.lower) | (upper != self.upper))
        if changed.size:
            highs.changeColsBounds(int(changed.size), changed.astype(np.int32),
                                   _finite(lower[changed]), _finite(upper[changed]))
            self.lower, self.upper = lower.copy(), upper.copy()
        changed = np.flatnonzero(cost != self._cost)
        if changed.size:
            highs.changeColsCost(int(changed.size), changed.astype(np.int32), cost[changed])
            self._cost = cost.copy()
        return _run(highs, self.m)


def _run(highs: _Highs, m: int) -> LPResult:
    if highs.run() == HighsStatus.kError and _SINGLE_THREAD[0]:
        # HiGHS' thread scheduler is global: someone else in this process started it
        # with more threads, so use what is there from now on
        _SINGLE_THREAD[0] = False
        highs.setOptionValue("threads", 0)
        highs.run()
    status = highs.getModelStatus()
    if status == _OPTIMAL:
        solution = highs.getSolution()
        fun = float(highs.getInfo().objective_function_value)
        x = np.asarray(solution.col_value, dtype=np.float64)
        duals = np.asarray(solution.row_dual, dtype=np.float64) if m else np.zeros(0)
        return LPResult(0, fun, x, duals)
    if status in _UNBOUNDED:
        return LPResult(3, -float("inf"), message=highs.modelStatusToString(status))
    if status == _INFEASIBLE:
        return LPResult(2, message=highs.modelStatusToString(status))
    return LPResult(4, message=highs.modelStatusToString(status))


def _linprog(cost: NDArray[np.float64], a: sp.csc_array, b: NDArray[np.float64],
             lower: NDArray[np.float64], upper: NDArray[np.float64]) -> LPResult:
    res = linprog(cost, A_eq=a if a.shape[0] else None, b_eq=b if a.shape[0] else None,
                  bounds=np.column_stack([lower, upper]), method="highs")
    if res.status == 0:
        marg = (np.asarray(res.eqlin.marginals, dtype=np.float64) if a.shape[0]
                else np.zeros(0))
        return LPResult(0, float(res.fun), np.asarray(res.x, dtype=np.float64), marg)
    return LPResult(int(res.status), message=str(res.message))


def solve_once(cost: NDArray[np.float64], a_eq: sp.sparray | None,
               b_eq: NDArray[np.float64], lower: NDArray[np.float64],
               upper: NDArray[np.float64], *, presolve: bool = True) -> LPResult:
    """One LP with a dense objective (a fresh model, no hot start)."""
    if BACKEND != "highspy":
        a = sp.csc_array((0, len(cost))) if a_eq is None else sp.csc_array(a_eq)
        return _linprog(np.asarray(cost, dtype=np.float64), a,
                        np.asarray(b_eq, dtype=np.float64), lower, upper)
    model = LPModel(a_eq, b_eq, lower, upper, cost, presolve=presolve)
    assert model._highs is not None
    return _run(model._highs, model.m)


def check_solved(result: LPResult, what: str, what_en: str) -> None:
    """Raise a :class:`MethodError` for a failed solve (not for unbounded)."""
    if result.status not in (0, 3):
        raise MethodError(f"{what} nicht lösbar (Status {result.status}: {result.message}).",
                          message_en=f"{what_en} failed (status {result.status}: "
                          f"{result.message}).", status=500)
