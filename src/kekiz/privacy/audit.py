"""Audit of a suppression pattern by linear programming.

For every suppressed cell and every protected quantity the audit computes the interval an
attacker can derive from all published cells: the minimum and maximum of the cell subject
to the table's additivity relations, the published values and non-negativity (for linked
tables: the relations of all tables, their common cells and the declared relations, see
:mod:`kekiz.privacy.linked`; hidden cells are unknowns, never reported).  It then
checks

* every primary cell: the interval reaches its protection levels (``lower <= a - LPL`` and
  ``upper >= a + UPL``);
* every suppressed cell: it is not exactly derivable (the interval has positive width).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from kekiz.privacy.attacker import AttackerLP
from kekiz.privacy.rules import Primary
from kekiz.privacy.table import Cells

__all__ = ["AuditResult", "attacker_intervals", "audit"]

_TOL = 1e-6


@dataclass(frozen=True)
class AuditResult:
    """One row per suppressed cell and quantity.

    Columns: ``cell`` (flat index), ``layer`` (``count``/``value``), ``value`` (true value),
    ``lower``/``upper`` (attacker interval), ``required_lower``/``required_upper`` (the
    bounds the interval must reach; equal to ``value`` when nothing is required),
    ``derivable`` (interval of zero width), ``ok`` (levels reached and the cell not
    recomputable, i.e. not every quantity of it derivable).
    """

    frame: pd.DataFrame

    @property
    def passed(self) -> bool:
        return bool(self.frame["ok"].all()) if len(self.frame) else True

    @property
    def failures(self) -> pd.DataFrame:
        return self.frame[~self.frame["ok"]]


def attacker_intervals(table: Cells, suppressed: ArrayLike, layer: str = "count"
                       ) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """``(cells, lower, upper)``: the interval of every suppressed cell in ``layer``.

    The attacker knows every published cell, the relations of ``table.constraints``
    (additivity; for linked tables also the common cells and declared relations) and that
    no cell is negative; ``upper`` is ``inf`` where nothing bounds the cell from above.
    Hidden cells (never published) are unknowns of the attacker but not reported.
    """
    mask = _mask(table, suppressed)
    a = table.layer(layer)
    lp = AttackerLP(table.relations, mask, a, np.full(table.n_cells, np.inf))
    cells = lp.cells
    hidden = table.hidden
    if hidden is None:
        down, up = lp.reaches()
    else:
        keep = ~hidden[cells]
        down, up = lp.reaches(keep)
        cells, down, up = cells[keep], down[keep], up[keep]
    return cells, a[cells] - down, a[cells] + up


def audit(table: Cells, suppressed: ArrayLike, primary: Primary | None = None) -> AuditResult:
    """Check a suppression pattern against the protection levels of ``primary``."""
    mask = _mask(table, suppressed)
    parts: dict[str, list[NDArray[Any]]] = {}
    layers: list[str] = []
    for layer in table.layers:
        a = table.layer(layer)
        cells, lower, upper = attacker_intervals(table, mask, layer)
        need_up = np.zeros(cells.size)
        need_down = np.zeros(cells.size)
        if primary is not None and layer in primary.upper:
            need_up = primary.upper[layer][cells]
            need_down = primary.lower[layer][cells]
        tol = _TOL * max(1.0, float(np.abs(a).max(initial=0.0)))
        derivable = (upper - lower) <= tol
        ok = (upper >= a[cells] + need_up - tol) & (lower <= a[cells] - need_down + tol)
        for name, arr in (("cell", cells), ("value", a[cells]), ("lower", lower),
                          ("upper", upper), ("required_lower", a[cells] - need_down),
                          ("required_upper", a[cells] + need_up),
                          ("derivable", derivable), ("ok", ok)):
            parts.setdefault(name, []).append(arr)
        layers += [layer] * cells.size
    cols = {k: np.concatenate(v) for k, v in parts.items()}
    if cols["cell"].size:
        # a cell is recomputed when every quantity of it is exactly derivable
        cell_ids, inverse = np.unique(cols["cell"], return_inverse=True)
        open_ = np.bincount(inverse, weights=~cols["derivable"], minlength=cell_ids.size)
        cols["ok"] = cols["ok"] & (open_[inverse] > 0)
    frame = pd.DataFrame({"cell": cols["cell"].astype(np.int64), "layer": layers,
                          "value": cols["value"], "lower": cols["lower"],
                          "upper": cols["upper"], "required_lower": cols["required_lower"],
                          "required_upper": cols["required_upper"],
                          "derivable": cols["derivable"].astype(bool),
                          "ok": cols["ok"].astype(bool)})
    return AuditResult(frame)


def _mask(table: Cells, suppressed: ArrayLike) -> NDArray[np.bool_]:
    """The suppression pattern as a mask; hidden cells are always unknown."""
    arr = np.asarray(suppressed)
    if arr.dtype == bool:
        if arr.shape != (table.n_cells,):
            raise ValueError("mask length does not match the table")
        mask = arr.copy()
    else:
        mask = np.zeros(table.n_cells, dtype=bool)
        mask[arr.astype(np.int64)] = True
    if table.hidden is not None:
        mask |= table.hidden
    return mask
