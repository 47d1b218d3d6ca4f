"""Hierarchical n-dimensional tables with margins: the object of disclosure control.

A :class:`Table` holds every cell of a cross-classification including all margins.  Each
dimension is a tree (:class:`Dimension`): ``Insgesamt > A..D`` for a flat variable, or
``Stadt > Stadtbezirk > Stadtteil`` for a variable spread over several columns (coarse to
fine).  Cells are the Cartesian product of the nodes of all dimensions, so a cell is a
margin as soon as one of its nodes is not a leaf.

Inside a node code, ``None`` stands for "total over this level"; it is rendered as
``Insgesamt`` (German) or ``Total`` (English) only on output, so a category can never be
confused with a margin.

The table's additive structure (every total equals the sum of its children, along every
dimension, for every combination of the other dimensions) is available as a sparse
constraint matrix ``M`` with ``M @ x == 0`` for every consistent table ``x``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from kekiz.domain.errors import MethodError
from kekiz.privacy.attacker import Relations

__all__ = [
    "TOTAL_LABELS",
    "Cells",
    "Dimension",
    "Table",
    "total_label",
]

#: How the margin ("total over this level") is labelled in each language.
TOTAL_LABELS: dict[str, str] = {"de": "Insgesamt", "en": "Total"}

Code = tuple[Hashable | None, ...]
ByItem = str | Sequence[str]


class Cells(Protocol):
    """What disclosure control needs of a set of cells: a :class:`Table`, or several
    linked tables as one (:class:`kekiz.privacy.linked.LinkedTable`).

    ``constraints`` holds every linear relation an attacker knows (``M @ x == 0``);
    ``hidden`` marks cells that belong to the model but are never published (e.g. the
    difference of two nested answers), ``None`` when there are none.
    """

    count: NDArray[np.float64]
    value: NDArray[np.float64] | None
    value_name: str | None
    top: NDArray[np.float64] | None
    extra: dict[str, NDArray[np.float64]]

    @property
    def n_cells(self) -> int: ...

    @property
    def layers(self) -> tuple[str, ...]: ...

    def layer(self, name: str) -> NDArray[np.float64]: ...

    @property
    def constraints(self) -> sp.csr_array: ...

    @property
    def relations(self) -> Relations: ...

    @property
    def hidden(self) -> NDArray[np.bool_] | None: ...

    def labels(self, lang: str = "de") -> pd.DataFrame: ...


def total_label(lang: str = "de") -> str:
    """The label of a margin in ``lang`` (``Insgesamt`` or ``Total``)."""
    return TOTAL_LABELS.get(lang, TOTAL_LABELS["de"])


def _sort_key(value: Hashable) -> tuple[int, Any]:
    if isinstance(value, bool | np.bool_):
        return (1, str(value))
    if isinstance(value, int | float | np.integer | np.floating):
        return (0, float(value))
    return (1, str(value))


@dataclass(frozen=True)
class Dimension:
    """One spanning variable of a table as a tree of nodes.

    ``columns`` are the data columns from coarse to fine.  ``codes[k]`` is the code of node
    ``k``: a tuple with one entry per column, ``None`` where the node is a total over that
    column.  Node 0 is the root (all ``None``); nodes are in pre-order, children sorted.
    ``parent[k]`` is the parent node (-1 for the root).
    """

    columns: tuple[str, ...]
    codes: tuple[Code, ...]
    parent: tuple[int, ...]

    @classmethod
    def from_tuples(cls, columns: Sequence[str], leaves: Iterable[Code]) -> Dimension:
        """Build the tree from the observed leaf codes (one value per column)."""
        cols = tuple(columns)
        depth = len(cols)
        tree: dict[Hashable, Any] = {}
        for leaf in leaves:
            if len(leaf) != depth:
                raise ValueError("leaf code length does not match the columns")
            node = tree
            for value in leaf:
                node = node.setdefault(value, {})
        codes: list[Code] = []
        parent: list[int] = []

        def walk(node: dict[Hashable, Any], prefix: tuple[Hashable, ...], up: int) -> None:
            me = len(codes)
            codes.append(prefix + (None,) * (depth - len(prefix)))
            parent.append(up)
            for value in sorted(node, key=_sort_key):
                walk(node[value], (*prefix, value), me)

        walk(tree, (), -1)
        return cls(cols, tuple(codes), tuple(parent))

    @property
    def name(self) -> str:
        """``col`` for a flat dimension, ``coarse>fine`` for a hierarchical one."""
        return ">".join(self.columns)

    def __len__(self) -> int:
        return len(self.codes)

    @cached_property
    def children(self) -> tuple[tuple[int, ...], ...]:
        kids: list[list[int]] = [[] for _ in self.codes]
        for k, up in enumerate(self.parent):
            if up >= 0:
                kids[up].append(k)
        return tuple(tuple(k) for k in kids)

    @cached_property
    def depth(self) -> NDArray[np.int64]:
        return np.array([sum(v is not None for v in code) for code in self.codes],
                        dtype=np.int64)

    @cached_property
    def is_leaf(self) -> NDArray[np.bool_]:
        return np.array([not kids for kids in self.children], dtype=bool)

    @cached_property
    def lookup(self) -> dict[Code, int]:
        return {code: k for k, code in enumerate(self.codes)}

    def ancestors(self, node: int) -> list[int]:
        """``node`` and all nodes above it, up to the root."""
        out = [node]
        while self.parent[out[-1]] >= 0:
            out.append(self.parent[out[-1]])
        return out

    def node(self, key: Hashable | Code) -> int:
        """Index of a node given by its full code or by its own label.

        A plain label (not a tuple) matches the node whose finest non-total entry equals it;
        it must be unique.
        """
        if isinstance(key, tuple) and len(key) == len(self.columns) and key in self.lookup:
            return self.lookup[key]
        hits = [k for k, code in enumerate(self.codes) if _own_label(code) == key]
        if len(hits) != 1:
            raise MethodError(
                f"Kategorie {key!r} in der Dimension '{self.name}' "
                + ("nicht gefunden." if not hits else "ist nicht eindeutig."),
                message_en=f"category {key!r} of dimension '{self.name}' "
                + ("not found." if not hits else "is ambiguous."))
        return hits[0]


def _own_label(code: Code) -> Hashable | None:
    own: Hashable | None = None
    for value in code:
        if value is not None:
            own = value
    return own


@dataclass
class Table:
    """All cells of a hierarchical table with their counts (and magnitudes).

    ``count[c]`` is the number of records (contributors) in cell ``c``; ``value[c]`` the
    sum of the magnitude variable, ``top[c]`` its largest contributions in descending
    order (zero padded); ``extra`` holds further additive columns (e.g. a denominator).
    Cells are ordered like ``numpy.ndindex(shape)`` over the dimensions' nodes.
    """

    dimensions: tuple[Dimension, ...]
    count: NDArray[np.float64]
    value: NDArray[np.float64] | None = None
    value_name: str | None = None
    top: NDArray[np.float64] | None = None
    extra: dict[str, NDArray[np.float64]] = field(default_factory=dict)

    # ----------------------------------------------------------------- building
    @classmethod
    def from_records(cls, records: pd.DataFrame, by: Sequence[ByItem], *,
                     value: str | None = None, top_k: int = 2) -> Table:
        """Tabulate microdata: one row per record (contributor).

        ``by`` names the spanning variables; an entry that is itself a sequence of columns
        (coarse to fine, e.g. ``["stadtbezirk", "stadtteil"]``) forms one hierarchical
        dimension.  ``value`` is an optional non-negative magnitude column; its ``top_k``
        largest contributions per cell are kept for the dominance rules.
        """
        groups = _normalise_by(by)
        _check_columns(records, [c for g in groups for c in g] + ([value] if value else []))
        _check_not_empty(records)
        dims, leaf_index = _dimensions(records, groups)
        weights: dict[str, NDArray[np.float64]] = {"count": np.ones(len(records))}
        values: NDArray[np.float64] | None = None
        if value is not None:
            values = _numeric(records[value], value, nonnegative=True)
            weights["value"] = values
        shape = tuple(len(d) for d in dims)
        cells = _expand(dims, leaf_index, shape)
        n = int(np.prod(shape))
        sums = {k: _sum_into(cells, w, n) for k, w in weights.items()}
        top = None
        if values is not None:
            top = _top_contributions(cells, values, n, max(top_k, 2))
        return cls(dims, sums["count"], sums.get("value"), value, top)

    @classmethod
    def from_cells(cls, cells: pd.DataFrame, by: Sequence[ByItem], *, count: str,
                   value: str | None = None, extra: Sequence[str] = ()) -> Table:
        """Build a table from already aggregated inner cells (one row per finest cell).

        Margins are computed by summation; rows for the same cell are added up.  The
        dominance rules need contributions and therefore microdata
        (:meth:`from_records`).
        """
        groups = _normalise_by(by)
        cols = [count, *([value] if value else []), *extra]
        _check_columns(cells, [c for g in groups for c in g] + cols)
        _check_not_empty(cells)
        dims, leaf_index = _dimensions(cells, groups)
        shape = tuple(len(d) for d in dims)
        expanded = _expand(dims, leaf_index, shape)
        n = int(np.prod(shape))

        def total(col: str, nonnegative: bool) -> NDArray[np.float64]:
            return _sum_into(expanded, _numeric(cells[col], col, nonnegative=nonnegative), n)

        return cls(dims, total(count, True), total(value, True) if value else None, value,
                   None, {c: total(c, False) for c in extra})

    @classmethod
    def layout_of_cells(cls, cells: pd.DataFrame, by: Sequence[ByItem]
                        ) -> tuple[Table, NDArray[np.int64]]:
        """An empty table of the structure of ``cells`` and, per row, the flat indices of
        every cell the row adds to; with :meth:`with_counts` many tables of the same
        structure (e.g. one per indicator and year) are built without repeating the work
        of :meth:`from_cells`."""
        groups = _normalise_by(by)
        _check_columns(cells, [c for g in groups for c in g])
        _check_not_empty(cells)
        dims, leaf_index = _dimensions(cells, groups)
        shape = tuple(len(d) for d in dims)
        expanded = _expand(dims, leaf_index, shape)
        return cls(dims, np.zeros(int(np.prod(shape)))), expanded

    def with_counts(self, rows: NDArray[np.int64], counts: ArrayLike) -> Table:
        """A table of the same structure whose inner cells (in the row order of
        :meth:`layout_of_cells`) hold ``counts``; margins by summation.  Structural
        properties already computed (relations, node index) are shared."""
        count = _sum_into(rows, _numeric(pd.Series(np.asarray(counts)), "count",
                                         nonnegative=True), self.n_cells)
        out = Table(self.dimensions, count)
        for name in _STRUCTURE:
            out.__dict__[name] = getattr(self, name)  # computed once on the template
        return out

    # ----------------------------------------------------------------- structure
    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(d) for d in self.dimensions)

    @property
    def n_cells(self) -> int:
        return int(np.prod(self.shape))

    @property
    def columns(self) -> list[str]:
        """All by-columns of all dimensions, in order."""
        return [c for d in self.dimensions for c in d.columns]

    @cached_property
    def node_index(self) -> NDArray[np.int64]:
        """``(n_cells, n_dims)``: the node of each cell in each dimension."""
        grid = np.indices(self.shape).reshape(len(self.shape), -1).T
        return np.ascontiguousarray(grid, dtype=np.int64)

    @cached_property
    def is_margin(self) -> NDArray[np.bool_]:
        inner = np.ones(self.n_cells, dtype=bool)
        for k, dim in enumerate(self.dimensions):
            inner &= dim.is_leaf[self.node_index[:, k]]
        return ~inner

    def dimension(self, name: str) -> int:
        """Position of the dimension called ``name`` (its name or one of its columns)."""
        for k, dim in enumerate(self.dimensions):
            if name == dim.name or name in dim.columns:
                return k
        raise MethodError(f"Die Tabelle hat keine Dimension '{name}'.",
                          message_en=f"the table has no dimension '{name}'.")

    def index_of(self, labels: Mapping[str, Hashable | None]) -> int:
        """Flat index of the cell given by column labels; missing columns mean the total.

        A value equal to ``None`` or to a total label (``Insgesamt``/``Total``) also means
        the total over that column.
        """
        totals = set(TOTAL_LABELS.values())
        nodes = []
        for dim in self.dimensions:
            code = tuple(None if (v := labels.get(c)) is None or v in totals else v
                         for c in dim.columns)
            if code not in dim.lookup:
                raise MethodError(f"Zelle {dict(labels)!r} gibt es in der Tabelle nicht.",
                                  message_en=f"cell {dict(labels)!r} is not in the table.")
            nodes.append(dim.lookup[code])
        return int(np.ravel_multi_index(tuple(nodes), self.shape))

    def labels(self, lang: str = "de") -> pd.DataFrame:
        """One row per cell with the by-columns; margins labelled ``Insgesamt``/``Total``."""
        total = total_label(lang)
        data: dict[str, list[Any]] = {}
        for k, dim in enumerate(self.dimensions):
            nodes = self.node_index[:, k]
            for j, col in enumerate(dim.columns):
                own = [total if code[j] is None else code[j] for code in dim.codes]
                data[col] = [own[i] for i in nodes]
        return pd.DataFrame(data)

    def layer(self, name: str) -> NDArray[np.float64]:
        """The cell values of a protected quantity: ``count`` or ``value``."""
        if name == "count":
            return self.count
        if name == "value" and self.value is not None:
            return self.value
        raise MethodError(f"Die Tabelle hat keine Größe '{name}'.",
                          message_en=f"the table has no quantity '{name}'.")

    @property
    def layers(self) -> tuple[str, ...]:
        return ("count", "value") if self.value is not None else ("count",)

    @property
    def hidden(self) -> NDArray[np.bool_] | None:
        """Every cell of a table is published or suppressed: no hidden cells."""
        return None

    @cached_property
    def relations(self) -> Relations:
        """:attr:`constraints` as sorted triplets (for the attacker LPs)."""
        return Relations.of(self.constraints)

    @cached_property
    def constraints(self) -> sp.csr_array:
        """Sparse ``M`` with one row per additivity relation: ``total - sum(children) = 0``."""
        shape = self.shape
        flat = np.arange(self.n_cells).reshape(shape)
        rows: list[NDArray[np.int64]] = []
        cols: list[NDArray[np.int64]] = []
        vals: list[NDArray[np.float64]] = []
        n_rows = 0
        for axis, dim in enumerate(self.dimensions):
            for up, kids in enumerate(dim.children):
                if not kids:
                    continue
                head = np.take(flat, up, axis=axis).ravel()
                ids = n_rows + np.arange(head.size)
                rows.append(ids)
                cols.append(head)
                vals.append(np.ones(head.size))
                for kid in kids:
                    rows.append(ids)
                    cols.append(np.take(flat, kid, axis=axis).ravel())
                    vals.append(-np.ones(head.size))
                n_rows += head.size
        if not rows:
            return sp.csr_array((0, self.n_cells))
        return sp.csr_array(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(n_rows, self.n_cells))


# --------------------------------------------------------------------- helpers
#: cached properties that depend on the dimensions only (shared by :meth:`with_counts`)
_STRUCTURE = ("constraints", "node_index", "is_margin", "relations")


def _normalise_by(by: Sequence[ByItem]) -> list[tuple[str, ...]]:
    if isinstance(by, str):
        by = [by]
    groups = [(item,) if isinstance(item, str) else tuple(item) for item in by]
    flat = [c for g in groups for c in g]
    if not groups or any(not g for g in groups):
        raise MethodError("Mindestens eine Gliederungsspalte (--by) ist nötig.",
                          message_en="at least one by-column (--by) is needed.")
    if len(set(flat)) != len(flat):
        raise MethodError(f"Gliederungsspalten doppelt angegeben: {flat}.",
                          message_en=f"by-columns given twice: {flat}.")
    return groups


def _check_columns(frame: pd.DataFrame, needed: Sequence[str]) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        have = ", ".join(map(str, frame.columns))
        raise MethodError(
            f"Spalte(n) {', '.join(missing)} fehlen. Vorhanden sind: {have}.",
            message_en=f"column(s) {', '.join(missing)} missing. Present are: {have}.")


def _check_not_empty(frame: pd.DataFrame) -> None:
    if len(frame) == 0:
        raise MethodError(
            "Keine Datensätze: eine Tabelle braucht mindestens eine Zeile.",
            message_en="no records: a table needs at least one row.")


def _numeric(series: pd.Series, name: str, *, nonnegative: bool) -> NDArray[np.float64]:
    values = pd.to_numeric(series, errors="coerce")
    bad = values.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise MethodError(
            f"Spalte '{name}', Datensatz {row + 1}: {series.iloc[row]!r} ist keine Zahl. "
            "Erwartet wird eine Zahl in jeder Zeile.",
            message_en=f"column '{name}', record {row + 1}: {series.iloc[row]!r} is not a "
            "number. A number is expected in every row.")
    out = values.to_numpy(dtype=np.float64)
    if nonnegative and (out < 0).any():
        row = int(np.flatnonzero(out < 0)[0])
        raise MethodError(
            f"Spalte '{name}', Datensatz {row + 1}: negativer Wert {out[row]:g}. "
            "Geheimhaltungsregeln setzen nicht-negative Werte voraus.",
            message_en=f"column '{name}', record {row + 1}: negative value {out[row]:g}. "
            "Disclosure rules need non-negative values.")
    return out


def _dimensions(frame: pd.DataFrame, groups: list[tuple[str, ...]]
                ) -> tuple[tuple[Dimension, ...], NDArray[np.int64]]:
    """Build the dimensions and each row's leaf node per dimension ``(rows, n_dims)``."""
    totals = set(TOTAL_LABELS.values())
    dims: list[Dimension] = []
    leaf = np.zeros((len(frame), len(groups)), dtype=np.int64)
    for k, cols in enumerate(groups):
        sub = frame[list(cols)]
        if sub.isna().to_numpy().any():
            col = next(c for c in cols if sub[c].isna().any())
            row = int(np.flatnonzero(sub[col].isna().to_numpy())[0])
            raise MethodError(
                f"Spalte '{col}', Datensatz {row + 1}: leerer Wert. Jede Zeile braucht eine "
                "Kategorie in den Gliederungsspalten.",
                message_en=f"column '{col}', record {row + 1}: empty value. Every row needs "
                "a category in the by-columns.")
        tuples = [tuple(_plain(v) for v in row) for row in sub.itertuples(index=False)]
        clash = sorted({str(v) for t in tuples for v in t if str(v) in totals})
        if clash:
            raise MethodError(
                f"Kategorie {clash[0]!r} in {', '.join(cols)} ist als Randsummen-Beschriftung "
                "reserviert. Bitte nur die inneren Zellen übergeben (Summen werden berechnet).",
                message_en=f"category {clash[0]!r} in {', '.join(cols)} is reserved for "
                "margins. Give only the inner cells (totals are computed).")
        dim = Dimension.from_tuples(cols, set(tuples))
        dims.append(dim)
        leaf[:, k] = [dim.lookup[t] for t in tuples]
    return tuple(dims), leaf


def _plain(value: Any) -> Hashable:
    """numpy scalars to plain Python values, so labels compare and print simply."""
    plain: Hashable = value.item() if isinstance(value, np.generic) else value
    return plain


def _expand(dims: Sequence[Dimension], leaf: NDArray[np.int64],
            shape: tuple[int, ...]) -> NDArray[np.int64]:
    """``(rows, reps)``: every cell (flat index) each row contributes to, margins included."""
    per_dim: list[NDArray[np.int64]] = []
    for k, dim in enumerate(dims):
        # all leaves of a Dimension built from full-length tuples have the same depth,
        # so every row has the same number of ancestors (leaf, ..., root)
        leaves = np.flatnonzero(dim.is_leaf)
        width = len(dim.columns) + 1
        leaf_anc = np.zeros((len(dim), width), dtype=np.int64)
        for node in leaves:
            leaf_anc[node] = dim.ancestors(int(node))
        per_dim.append(leaf_anc[leaf[:, k]])
    grids = np.meshgrid(*[np.arange(a.shape[1]) for a in per_dim], indexing="ij")
    combos = [g.ravel() for g in grids]
    coords = tuple(a[:, combo] for a, combo in zip(per_dim, combos, strict=True))
    return np.ravel_multi_index(coords, shape).astype(np.int64)


def _sum_into(cells: NDArray[np.int64], weights: NDArray[np.float64], n: int
              ) -> NDArray[np.float64]:
    """Sum each row's weight into every cell it contributes to."""
    reps = cells.shape[1]
    out = np.bincount(cells.ravel(), weights=np.repeat(weights, reps), minlength=n)
    return np.asarray(out, dtype=np.float64)


def _top_contributions(cells: NDArray[np.int64], values: NDArray[np.float64], n: int,
                       k: int) -> NDArray[np.float64]:
    """The ``k`` largest contributions per cell, descending, zero padded."""
    reps = cells.shape[1]
    cell = cells.ravel()
    val = np.repeat(values, reps)
    order = np.lexsort((-val, cell))
    cell, val = cell[order], val[order]
    top = np.zeros((n, k))
    if cell.size == 0:
        return top
    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
    group_start = np.repeat(starts, np.diff(np.r_[starts, cell.size]))
    rank = np.arange(cell.size) - group_start
    keep = rank < k
    top[cell[keep], rank[keep]] = val[keep]
    return top
