"""Linked tables: several tables protected as one joint model.

Tables are *linked* when an attacker can combine them.  They share cells (the same count
appears in both: the examined children of a Stadtteil as the denominator of two
indicators, the regions of two hierarchies over one variable) or they are tied by
relations everybody knows (every obese child is overweight, so in every area the obesity
count is at most the overweight count).  Protecting each table on its own is then not
enough: a cell that is safe in each table can be derived from the tables together.  The
sdcTable test case (``tests/testthat/test-linked-tables.r``): two hierarchies over the
same regions, ``county-1 = A + B + I + J`` and ``small = A + B + I + J + K + N``, so
``small - county-1 = K + N`` and a published ``N`` gives the suppressed ``K`` away,
though either table alone protects it.

:class:`LinkedTable` turns a set of tables into **one** set of cells (the joint model):

* a **common cell** (the same count in several tables) is one cell, with one value and
  one suppression status in every table;
* every table keeps its additivity relations (each total is the sum of its parts);
* a declared **relation** (:class:`Link`) is a linear row over cells of any of the
  tables: ``equal`` (``sum(c * x) == 0``) or ``at_most`` (``sum(c * x) <= 0``).  An
  inequality gets its own **hidden** slack cell ``s >= 0`` (``sum(c * x) + s == 0``):
  part of the model, never published and never protected for itself (it is e.g. the
  number of overweight but not obese children, which two published counts may well
  reveal).

**Guarantee.**  Secondary suppression (:func:`~kekiz.privacy.suppress_secondary`), the LP
audit (:func:`~kekiz.privacy.audit`) and :func:`~kekiz.privacy.protect_table` accept a
:class:`LinkedTable` wherever they accept a :class:`~kekiz.privacy.Table`, so the
single-table guarantee holds for the linked set as a whole.  The attacker is assumed to
know every published cell of every table, the additivity of every table, the common
cells, every declared relation and that no cell (hidden ones included) is negative; the
audit solves, for every suppressed cell of every table, the attacker's minimum and
maximum under all of this and :func:`~kekiz.privacy.protect_table` refuses a pattern in
which any suppressed cell is exactly derivable or narrower than its protection levels.
This is the joint model of linked-table protection; it needs no iteration between the
tables (sdcTable's ``protectLinkedTables`` protects the tables one after the other and
repeats until the common cells have the same status, which by itself does not rule out
a derivation across the tables - the case above is the one its authors had to add extra
constraints for).  What the attacker might know beyond the declared relations (other
sources, other publications) is not modelled and must be declared to be covered.

Primary rules can be applied to the joint cells directly
(:func:`~kekiz.privacy.frequency_rule`, :func:`~kekiz.privacy.manual_rule`) or to a
member table and lifted (:meth:`LinkedTable.lift`, e.g. for dominance rules that need
the member's contributions); :meth:`LinkedTable.part` gives the protected result of one
member table.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.sparse.csgraph import connected_components

from kekiz.domain.errors import MethodError
from kekiz.privacy.attacker import Relations
from kekiz.privacy.audit import AuditResult
from kekiz.privacy.protect import ProtectedTable
from kekiz.privacy.rules import Primary, RuleResult
from kekiz.privacy.secondary import SecondaryResult
from kekiz.privacy.table import Table

__all__ = ["Link", "LinkedTable", "Ref"]

#: A cell of a member table: ``(table position, flat cell index)``.
Ref = tuple[int, int]

_TOL = 1e-6


@dataclass(frozen=True)
class Link:
    """A linear relation between cells of linked tables that an attacker knows.

    ``terms`` are ``(table, cell, coefficient)``; ``kind="equal"`` means
    ``sum(coefficient * x) == 0``, ``kind="at_most"`` means ``<= 0`` (e.g. obesity minus
    overweight in one area).  ``label`` names the relation in messages.
    """

    terms: tuple[tuple[int, int, float], ...]
    kind: Literal["equal", "at_most"] = "equal"
    label: str = ""


class LinkedTable:
    """The cells of several tables as one model (see the module docs).

    ``common`` pairs cells of (usually different) tables that are the same count;
    ``links`` are further relations.  With ``check`` the values are checked against both
    (a common cell with two values, a relation that does not hold: :class:`MethodError`).
    ``names`` label the tables in :meth:`labels` and messages.
    """

    top: NDArray[np.float64] | None = None

    def __init__(self, tables: Sequence[Table], common: Iterable[tuple[Ref, Ref]] = (),
                 links: Sequence[Link] = (), *, names: Sequence[str] | None = None,
                 check: bool = True) -> None:
        if not tables:
            raise MethodError("Verknüpfte Tabellen: mindestens eine Tabelle ist nötig.",
                              message_en="linked tables: at least one table is needed.")
        self.tables = tuple(tables)
        self.names = tuple(names) if names is not None else tuple(
            f"T{k + 1}" for k in range(len(tables)))
        self.links = tuple(links)
        self._check_refs([(k, cell) for link in self.links for k, cell, _ in link.terms])
        self.extra: dict[str, NDArray[np.float64]] = {}
        self.value_name: str | None = None
        sizes = np.array([t.n_cells for t in self.tables], dtype=np.int64)
        self._offset = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        stack = self._merge(list(common))
        self.n_main = int(stack.max(initial=-1)) + 1
        self.index = tuple(stack[self._offset[k]:self._offset[k + 1]]
                           for k in range(len(self.tables)))
        self.n_hidden = sum(1 for link in self.links if link.kind == "at_most")
        n = self.n_main + self.n_hidden
        self._hidden = np.zeros(n, dtype=bool)
        self._hidden[self.n_main:] = True
        # the first stacked position of every joint cell (its "owner")
        self._owner = np.full(self.n_main, stack.size, dtype=np.int64)
        np.minimum.at(self._owner, stack, np.arange(stack.size, dtype=np.int64))
        self.count = self._joint("count", check)
        with_value = all(t.value is not None for t in self.tables)
        self.value = self._joint("value", check) if with_value else None
        if with_value:
            self.value_name = self.tables[0].value_name

    # ----------------------------------------------------------------- building
    def _merge(self, common: list[tuple[Ref, Ref]]) -> NDArray[np.int64]:
        """Joint cell of every stacked cell: common cells share one, numbered in order
        of first appearance."""
        n_stack = int(self._offset[-1])
        self._check_refs([r for pair in common for r in pair])
        if not common:
            return np.arange(n_stack, dtype=np.int64)
        a = np.array([self._offset[p[0][0]] + p[0][1] for p in common], dtype=np.int64)
        b = np.array([self._offset[p[1][0]] + p[1][1] for p in common], dtype=np.int64)
        graph = sp.coo_array((np.ones(a.size), (a, b)), shape=(n_stack, n_stack))
        n, label = connected_components(graph, directed=False)
        first = np.full(n, n_stack, dtype=np.int64)
        np.minimum.at(first, label, np.arange(n_stack, dtype=np.int64))
        rank = np.empty(n, dtype=np.int64)
        rank[np.argsort(first, kind="stable")] = np.arange(n, dtype=np.int64)
        ranks: NDArray[np.int64] = rank[label].astype(np.int64)
        return ranks

    def _check_refs(self, refs: Sequence[Ref]) -> None:
        if not refs:
            return
        arr = np.asarray(refs, dtype=np.int64).reshape(-1, 2)
        tables = np.clip(arr[:, 0], 0, len(self.tables) - 1)
        sizes = np.array([t.n_cells for t in self.tables], dtype=np.int64)
        bad = ((arr[:, 0] < 0) | (arr[:, 0] >= len(self.tables)) | (arr[:, 1] < 0)
               | (arr[:, 1] >= sizes[tables]))
        if bad.any():
            ref = tuple(int(v) for v in arr[int(np.flatnonzero(bad)[0])])
            raise MethodError(
                f"Verknüpfte Tabellen: Zelle {ref!r} gibt es nicht.",
                message_en=f"linked tables: cell {ref!r} does not exist.")

    def _joint(self, layer: str, check: bool) -> NDArray[np.float64]:
        stacked = np.concatenate([t.layer(layer) for t in self.tables])
        stack = np.concatenate(self.index)
        main = stacked[self._owner]
        if check:
            scale = max(1.0, float(np.abs(stacked).max(initial=0.0)))
            bad = np.flatnonzero(np.abs(main[stack] - stacked) > _TOL * scale)
            if bad.size:
                self._differing(int(bad[0]), stack, stacked, layer)
        slack = np.zeros(self.n_hidden)
        s = 0
        for link in self.links:
            vals = [c * main[self.index[k][cell]] for k, cell, c in link.terms]
            total = sum(vals)
            scale = max(1.0, sum(abs(v) for v in vals))
            if link.kind == "at_most":
                slack[s] = max(0.0, -total)
                s += 1
            if check and (total > _TOL * scale
                          or (link.kind == "equal" and total < -_TOL * scale)):
                sign = "<=" if link.kind == "at_most" else "=="
                raise MethodError(
                    f"Die Beziehung {link.label or link.terms!r} gilt nicht: Summe "
                    f"{total:g} ({layer}), verlangt {sign} 0. Abhilfe: die Beziehung "
                    "korrigieren oder entfernen.",
                    message_en=f"the relation {link.label or link.terms!r} does not hold: "
                    f"sum {total:g} ({layer}), required {sign} 0. Fix: correct or remove "
                    "the relation.")
        return np.concatenate([main, slack])

    def _differing(self, pos: int, stack: NDArray[np.int64], stacked: NDArray[np.float64],
                   layer: str) -> None:
        joint = int(stack[pos])
        first = int(self._owner[joint])
        where = [self._locate(first), self._locate(pos)]
        text = " und ".join(f"{self.names[k]} Zelle {c}" for k, c in where)
        text_en = " and ".join(f"{self.names[k]} cell {c}" for k, c in where)
        raise MethodError(
            f"Gemeinsame Zelle mit zwei Werten ({layer}): {text} haben "
            f"{stacked[first]:g} und {stacked[pos]:g}. Abhilfe: nur Zellen desselben "
            "Inhalts als gemeinsam angeben.",
            message_en=f"common cell with two values ({layer}): {text_en} hold "
            f"{stacked[first]:g} and {stacked[pos]:g}. Fix: declare only cells of the "
            "same content as common.")

    def _locate(self, pos: int) -> Ref:
        k = int(np.searchsorted(self._offset, pos, side="right")) - 1
        return k, pos - int(self._offset[k])

    def ref(self, table: int, cell: int) -> int:
        """The joint cell of ``cell`` of member ``table``."""
        self._check_refs([(table, cell)])
        return int(self.index[table][cell])

    # ----------------------------------------------------------------- structure
    @property
    def n_cells(self) -> int:
        return self.n_main + self.n_hidden

    @property
    def layers(self) -> tuple[str, ...]:
        return ("count", "value") if self.value is not None else ("count",)

    def layer(self, name: str) -> NDArray[np.float64]:
        if name == "count":
            return self.count
        if name == "value" and self.value is not None:
            return self.value
        raise MethodError(f"Die verknüpften Tabellen haben keine Größe '{name}'.",
                          message_en=f"the linked tables have no quantity '{name}'.")

    @property
    def hidden(self) -> NDArray[np.bool_]:
        """The slack cells of the inequalities: in the model, never published."""
        return self._hidden

    @cached_property
    def constraints(self) -> sp.csr_array:
        """Every table's additivity (on joint cells) and every relation; a row that
        merging made a copy of another (the same total in two tables) is kept once."""
        rows: list[NDArray[np.int64]] = []
        cols: list[NDArray[np.int64]] = []
        vals: list[NDArray[np.float64]] = []
        n_rows = 0
        for k, table in enumerate(self.tables):
            coo = sp.coo_array(table.constraints)
            rows.append(coo.row.astype(np.int64) + n_rows)
            cols.append(self.index[k][coo.col])
            vals.append(coo.data.astype(np.float64))
            n_rows += int(coo.shape[0])
        slack = self.n_main
        for link in self.links:
            ids = [int(self.index[k][cell]) for k, cell, _ in link.terms]
            coef = [float(c) for _, _, c in link.terms]
            if link.kind == "at_most":
                ids.append(slack)
                coef.append(1.0)
                slack += 1
            rows.append(np.full(len(ids), n_rows, dtype=np.int64))
            cols.append(np.asarray(ids, dtype=np.int64))
            vals.append(np.asarray(coef))
            n_rows += 1
        matrix = sp.csr_array((np.concatenate(vals), (np.concatenate(rows),
                                                      np.concatenate(cols))),
                              shape=(n_rows, self.n_cells))
        matrix.sum_duplicates()
        matrix.eliminate_zeros()
        return _unique_rows(matrix)

    @cached_property
    def relations(self) -> Relations:
        return Relations.of(self.constraints)

    def with_counts(self, count: ArrayLike) -> LinkedTable:
        """The same structure with other joint counts (hidden slacks included; e.g. a
        completion of published values); nothing is checked."""
        out = copy.copy(self)
        out.count = np.asarray(count, dtype=np.float64).copy()
        out.value = None
        return out

    def labels(self, lang: str = "de") -> pd.DataFrame:
        """One row per joint cell: ``table`` (the first member holding it, or the
        relation of a hidden slack) and the member's by-columns (empty elsewhere)."""
        frames = [t.labels(lang) for t in self.tables]
        columns = list(dict.fromkeys(c for f in frames for c in f.columns))
        out: dict[str, list[object]] = {"table": [], **{c: [] for c in columns}}
        for pos in self._owner.tolist():
            k, cell = self._locate(int(pos))
            out["table"].append(self.names[k])
            row = frames[k].iloc[cell]
            for c in columns:
                out[c].append(row[c] if c in row.index else "")
        for link in self.links:
            if link.kind == "at_most":
                out["table"].append(link.label or "slack")
                for c in columns:
                    out[c].append("")
        return pd.DataFrame(out)

    # ----------------------------------------------------------------- members
    def lift(self, table: int, result: RuleResult) -> RuleResult:
        """A primary rule computed on member ``table``, on the joint cells (a common
        cell gets the largest level any member asks for)."""
        idx = self.index[table]
        mask = np.zeros(self.n_cells, dtype=bool)
        mask[idx[result.mask]] = True
        upper = {k: self._spread(idx, v) for k, v in result.upper.items()}
        lower = {k: self._spread(idx, v) for k, v in result.lower.items()}
        return RuleResult(result.rule, mask, result.reason_de, result.reason_en, upper, lower)

    def spread(self, per_table: Sequence[ArrayLike], fill: float = 0.0
               ) -> NDArray[np.float64]:
        """One value per member cell (e.g. costs) to one per joint cell: the largest
        over the members holding it; ``fill`` for hidden cells."""
        out = np.full(self.n_cells, -np.inf)
        for idx, values in zip(self.index, per_table, strict=True):
            np.maximum.at(out, idx, np.asarray(values, dtype=np.float64))
        out[self.n_main:] = fill
        return out

    def _spread(self, idx: NDArray[np.int64], values: NDArray[np.float64]
                ) -> NDArray[np.float64]:
        out = np.zeros(self.n_cells)
        np.maximum.at(out, idx, np.asarray(values, dtype=np.float64))
        return out

    def part(self, table: int, result: ProtectedTable) -> ProtectedTable:
        """The protected member ``table`` of a protected linked table: its cells, their
        status and reasons, and the audit rows of its cells (intervals of the joint
        attacker)."""
        if result.table.n_cells != self.n_cells:
            raise MethodError("Das Ergebnis gehört nicht zu diesen verknüpften Tabellen.",
                              message_en="the result does not belong to these linked "
                              "tables.")
        idx = self.index[table]
        prim = result.primary
        primary = Primary(prim.mask[idx], tuple(prim.reasons_de[i] for i in idx.tolist()),
                          tuple(prim.reasons_en[i] for i in idx.tolist()),
                          {k: v[idx] for k, v in prim.upper.items()},
                          {k: v[idx] for k, v in prim.lower.items()})
        sec = result.secondary
        secondary = SecondaryResult(sec.suppressed[idx], sec.secondary[idx], sec.method,
                                    sec.optimal, sec.cost, sec.seconds, sec.iterations)
        frame = result.audit.frame
        if np.unique(idx).size == idx.size:  # the usual case: one member cell per cell
            member = np.full(self.n_cells, -1, dtype=np.int64)
            member[idx] = np.arange(idx.size, dtype=np.int64)
            at = member[frame["cell"].to_numpy(dtype=np.int64)]
            rows = frame[at >= 0].assign(cell=at[at >= 0])
        else:
            own = pd.DataFrame({"joint": idx, "member": np.arange(idx.size, dtype=np.int64)})
            rows = frame.merge(own, left_on="cell", right_on="joint", how="inner")
            rows = rows.assign(cell=rows["member"]).drop(columns=["joint", "member"])
        rows = rows.sort_values(["cell", "layer"], kind="stable").reset_index(drop=True)
        return ProtectedTable(self.tables[table], primary, secondary,
                              result.suppressed[idx].copy(), AuditResult(rows))


def _unique_rows(matrix: sp.csr_array) -> sp.csr_array:
    """Drop empty rows and rows equal to an earlier one (up to the sign)."""
    matrix.sort_indices()
    keep: list[int] = []
    seen: set[bytes] = set()
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    for row in range(matrix.shape[0]):
        lo, hi = int(indptr[row]), int(indptr[row + 1])
        if lo == hi:
            continue
        vals = data[lo:hi]
        if vals[0] < 0:
            vals = -vals
        key = indices[lo:hi].tobytes() + b"|" + np.round(vals, 12).tobytes()
        if key in seen:
            continue
        seen.add(key)
        keep.append(row)
    return sp.csr_array(matrix[np.asarray(keep, dtype=np.int64)])
