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
from scipy.sparse.csgraph import connected_components

from kekiz.domain.errors import MethodError
from kekiz.privacy.lp import LPModel, solve_once

__all__ = ["Attack", "AttackerLP", "BlockPool", "Relations"]


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


@dataclass(frozen=True)
class Relations:
    """The relation matrix as coordinate triplets, sorted by cell (column), then row."""

    rows: NDArray[np.int64]
    cols: NDArray[np.int64]
    vals: NDArray[np.float64]
    n_rows: int
    n_cells: int

    @classmethod
    def of(cls, matrix: sp.sparray | Relations) -> Relations:
        if isinstance(matrix, Relations):
            return matrix
        coo = sp.coo_array(matrix)
        order = np.lexsort((coo.row, coo.col))
        return cls(coo.row[order].astype(np.int64), coo.col[order].astype(np.int64),
                   coo.data[order].astype(np.float64), int(matrix.shape[0]),
                   int(matrix.shape[1]))


class _Block:
    """One block's LP (built on first use, then re-solved) and the answers it has given."""

    __slots__ = ("_model", "a_eq", "answers", "cells", "lower", "rows", "upper")

    def __init__(self, cells: NDArray[np.int64], rows: NDArray[np.int64],
                 a_eq: sp.csc_array | None, lower: NDArray[np.float64],
                 upper: NDArray[np.float64]) -> None:
        self.cells = cells
        self.rows = rows
        self.a_eq = a_eq
        self.lower = lower  # how far each cell may move down (>= 0)
        self.upper = upper
        self._model: LPModel | None = None
        self.answers: dict[tuple[int, int, bool], Attack] = {}

    @property
    def model(self) -> LPModel:
        if self._model is None:
            self._model = LPModel(self.a_eq, None, -self.lower, self.upper)
        return self._model


#: A pool of block LPs shared by attackers with the same relations and bounds (e.g. the
#: patterns tried one after another by secondary suppression): a block with the same
#: cells is the same LP, so it is built and solved once.
BlockPool = dict[bytes, _Block]

_POOL_LIMIT = 4000
#: blocks up to this many cells get all their intervals from one LP (see ``reaches``)
_BATCH_CELLS = 40


class AttackerLP:
    """The attacker's view of a table with a given suppression pattern."""

    def __init__(self, matrix: sp.sparray | Relations, suppressed: NDArray[np.bool_],
                 lower: NDArray[np.float64], upper: NDArray[np.float64], *,
                 pool: BlockPool | None = None) -> None:
        """``lower``/``upper``: how far each cell may move down/up (``a`` and ``inf`` for an
        attacker who knows only non-negativity).  ``pool``: block LPs to share with other
        attackers on the same relations and bounds (see :data:`BlockPool`)."""
        rel = Relations.of(matrix)
        self.relations = rel
        self.n = rel.n_cells
        self.lower = lower
        self.upper = upper
        self.pool: BlockPool = {} if pool is None else pool
        if len(self.pool) > _POOL_LIMIT:
            self.pool.clear()
        suppressed = np.asarray(suppressed, dtype=bool)
        self.cells = np.flatnonzero(suppressed)
        k = self.cells.size
        self.position = np.full(self.n, -1, dtype=np.int64)
        self.position[self.cells] = np.arange(k)
        keep = suppressed[rel.cols]
        self._r = rel.rows[keep]
        self._c = rel.cols[keep]
        self._v = rel.vals[keep]
        # blocks of suppressed cells that share relations: components of the bipartite
        # graph cells - relations
        if k:
            # rows of the graph: the k cells (the triplets are sorted by cell), then the
            # relations without edges of their own (the graph is taken as undirected)
            indptr = np.zeros(k + rel.n_rows + 1, dtype=np.int64)
            np.cumsum(np.bincount(self.position[self._c], minlength=k), out=indptr[1:k + 1])
            indptr[k + 1:] = indptr[k]
            graph = sp.csr_array((np.ones(self._r.size), k + self._r, indptr),
                                 shape=(k + rel.n_rows, k + rel.n_rows))
            _, labels = connected_components(graph, directed=False)
            self.block = labels[:k].astype(np.int64)
        else:
            self.block = np.zeros(0, dtype=np.int64)
        self._nz_block = self.block[self.position[self._c]] if k else self.block
        self._blocks: dict[int, _Block] = {}

    def block_cells(self, cell: int) -> NDArray[np.int64]:
        """The suppressed cells in the same block as ``cell``."""
        return self._block(cell).cells

    def _block(self, cell: int) -> _Block:
        pos = int(self.position[cell])
        if pos < 0:
            raise ValueError("cell is not suppressed")
        label = int(self.block[pos])
        found = self._blocks.get(label)
        if found is not None:
            return found
        cells = self.cells[self.block == label]
        key = cells.tobytes()
        found = self.pool.get(key)
        if found is None:
            nz = np.flatnonzero(self._nz_block == label)
            r, c, v = self._r[nz], self._c[nz], self._v[nz]  # sorted by cell, then row
            rows = np.unique(r)
            local_col = np.searchsorted(cells, c)
            indptr = np.zeros(cells.size + 1, dtype=np.int64)
            np.cumsum(np.bincount(local_col, minlength=cells.size), out=indptr[1:])
            a_eq = (sp.csc_array((v, np.searchsorted(rows, r), indptr),
                                 shape=(rows.size, cells.size)) if rows.size else None)
            found = _Block(cells, rows, a_eq, self.lower[cells], self.upper[cells])
            self.pool[key] = found
        self._blocks[label] = found
        return found

    def reaches(self, wanted: NDArray[np.bool_] | None = None
                ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """``(down, up)``: how far every suppressed cell (in the order of ``cells``) can
        move down and up.  With ``wanted`` (a mask over ``cells``) blocks without a wanted
        cell are skipped (their entries stay 0), e.g. blocks of hidden cells only.

        The 2k programmes of a small block (min and max of each of its k cells) are
        solved as one LP of 2k independent copies of the block: the optimum of a sum of
        independent programmes is the sum of their optima, and each copy's part of the
        solution is optimal for its own objective, so one HiGHS run replaces 2k.  An
        unbounded direction is found with a cap on every cell: a copy whose solution
        touches no cap has the same optimum without it (an LP optimum is global); any
        copy that touches a cap is solved again on its own without the cap.
        """
        down = np.zeros(self.cells.size)
        up = np.zeros(self.cells.size)
        for label in np.unique(self.block):
            pos = np.flatnonzero(self.block == label)
            if wanted is not None and not wanted[pos].any():
                continue
            block = self._block(int(self.cells[pos[0]]))
            got = self._batch(block) if block.cells.size <= _BATCH_CELLS else None
            if got is None:
                got = (np.array([self.maximise(int(c), -1).reach for c in block.cells]),
                       np.array([self.maximise(int(c), 1).reach for c in block.cells]))
            down[pos], up[pos] = got  # block.cells == self.cells[pos] (both sorted)
        return down, up

    def _batch(self, block: _Block) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
        k = block.cells.size
        copies = 2 * k
        lower = np.tile(block.lower, copies)
        finite = np.isfinite(block.upper)
        scale = float(np.abs(block.lower).sum() + np.abs(block.upper[finite]).sum())
        cap = 4.0 * scale + 1000.0
        capped = np.where(finite, block.upper, cap)
        upper = np.tile(capped, copies)
        a_eq = _repeat_diagonal(block.a_eq, copies) if block.a_eq is not None else None
        cost = np.zeros(k * copies)
        # copy 2j maximises cell j (cost -1), copy 2j+1 minimises it (cost +1)
        j = np.arange(k)
        cost[(2 * j) * k + j] = -1.0
        cost[(2 * j + 1) * k + j] = 1.0
        res = solve_once(cost, a_eq, np.zeros(0 if a_eq is None else a_eq.shape[0]),
                         -lower, upper, presolve=False)
        if res.status != 0 or res.x is None:
            return None
        x = res.x.reshape(copies, k)
        up = x[0::2, :][j, j].copy()
        down = -x[1::2, :][j, j]
        at_cap = (~finite) & (x >= cap - 1e-6 * cap)
        for jj in np.flatnonzero(at_cap[0::2].any(axis=1)):
            up[jj] = self.maximise(int(block.cells[jj]), 1).reach
        for jj in np.flatnonzero(at_cap[1::2].any(axis=1)):
            down[jj] = self.maximise(int(block.cells[jj]), -1).reach
        return np.maximum(down, 0.0), np.maximum(up, 0.0)

    def prefetch(self, asks: list[tuple[int, int]]) -> None:
        """Answer many ``(cell, direction)`` questions with one LP and remember the
        answers, so that :meth:`maximise` finds them.

        Each question gets its own copy of its block (independent copies: each copy's
        part of the optimum is optimal for its own question).  Only blocks with finite
        bounds take part; the rest is left to :meth:`maximise`.
        """
        todo: list[tuple[_Block, int, int]] = []
        seen: set[tuple[int, int]] = set()
        for cell, direction in asks:
            block = self._block(int(cell))
            key = (int(cell), int(direction))
            if (key in seen or (key[0], key[1], False) in block.answers
                    or not np.isfinite(block.upper).all()):
                continue
            seen.add(key)
            todo.append((block, key[0], key[1]))
        if len(todo) < 2:
            return
        sizes = np.array([b.cells.size for b, _, _ in todo])
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        cost = np.zeros(int(offsets[-1]))
        for (b, cell, d), off in zip(todo, offsets[:-1], strict=True):
            cost[int(off) + int(np.searchsorted(b.cells, cell))] = -float(d)
        a_eq = _stack_diagonal([b.a_eq for b, _, _ in todo], sizes)
        res = solve_once(cost, a_eq, np.zeros(a_eq.shape[0]),
                         np.concatenate([-b.lower for b, _, _ in todo]),
                         np.concatenate([b.upper for b, _, _ in todo]), presolve=False)
        if res.status != 0 or res.x is None:
            return
        for (b, cell, d), off, size in zip(todo, offsets[:-1], sizes, strict=True):
            part = res.x[int(off):int(off) + int(size)]
            deviation = np.zeros(self.n)
            deviation[b.cells] = part
            reach = max(0.0, float(d) * float(part[np.searchsorted(b.cells, cell)]))
            b.answers[(cell, d, False)] = Attack(reach, None, deviation)

    def maximise(self, cell: int, direction: int, *, cut: bool = False) -> Attack:
        """How far ``cell`` (suppressed) can move up (``direction=1``) or down (``-1``).

        The LP of each block is built once and re-solved with a new objective (hot start
        from the last basis, see :mod:`kekiz.privacy.lp`); answers are remembered.
        """
        block = self._block(cell)
        key = (int(cell), int(direction), bool(cut))
        known = block.answers.get(key)
        if known is None:
            known = self._solve(block, int(cell), int(direction), cut)
            block.answers[key] = known
        return known

    def _solve(self, block: _Block, cell: int, direction: int, cut: bool) -> Attack:
        cells = block.cells
        res = block.model.solve(np.array([np.searchsorted(cells, cell)]),
                                np.array([-float(direction)]))
        if res.status == 3:
            return Attack(float("inf"))
        if res.status != 0 or res.x is None or res.marginals is None:
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
        rel = self.relations
        y = np.zeros(rel.n_rows)
        if block.rows.size:
            y[block.rows] = res.marginals
        r = -np.bincount(rel.cols, weights=rel.vals * y[rel.rows], minlength=self.n)
        r[cell] -= float(direction)
        r[np.abs(r) < 1e-9] = 0.0
        with np.errstate(invalid="ignore"):
            g = (np.where(r > 0, r * self.lower, 0.0)
                 + np.where(r < 0, -r * self.upper, 0.0))
        return Attack(reach, g, deviation)


def _repeat_diagonal(a: sp.csc_array, copies: int) -> sp.csc_array:
    """``block_diag([a] * copies)`` in CSC, built directly."""
    m, n = a.shape
    nnz = a.indptr[-1]
    indices = (np.tile(a.indices, copies)
               + np.repeat(np.arange(copies, dtype=np.int64) * m, nnz))
    indptr = np.concatenate([np.tile(a.indptr[:-1], copies)
                             + np.repeat(np.arange(copies, dtype=np.int64) * nnz, n),
                             [nnz * copies]])
    return sp.csc_array((np.tile(a.data, copies), indices, indptr),
                        shape=(m * copies, n * copies))


def _stack_diagonal(mats: list[sp.csc_array | None], cols: NDArray[np.int64]
                    ) -> sp.csc_array:
    """The block-diagonal CSC matrix of ``mats`` (``None``: a block without rows and
    ``cols[i]`` columns)."""
    data, indices, starts = [], [], []
    row0 = nnz0 = 0
    for a, n in zip(mats, cols, strict=True):
        if a is None:
            starts.append(np.full(int(n), nnz0, dtype=np.int64))
            continue
        data.append(a.data)
        indices.append(a.indices.astype(np.int64) + row0)
        starts.append(a.indptr[:-1].astype(np.int64) + nnz0)
        row0 += a.shape[0]
        nnz0 += int(a.indptr[-1])
    indptr = np.concatenate([*starts, [nnz0]])
    return sp.csc_array((np.concatenate(data) if data else np.zeros(0),
                         np.concatenate(indices) if indices else np.zeros(0, np.int64),
                         indptr), shape=(row0, int(np.sum(cols))))
