"""Primary disclosure rules: which cells are sensitive, why, and how much protection they need.

Every rule returns a :class:`RuleResult`: a per-cell flag, the reason in German and English
and, per protected quantity (``count`` or ``value``), the protection levels the secondary
suppression must guarantee.  A protection level says how far an attacker's interval for the
cell, derived from all published cells, must reach above (``upper``) and below (``lower``)
the true value.  The levels follow the usual conventions (Hundepool et al., *Statistical
Disclosure Control*, 2012, ch. 4):

* frequency rule, count ``c`` under the threshold ``t``: the interval must reach ``t``
  (upper level ``t - c``) and ``0`` (lower level ``c``): an attacker can neither rule out
  that the cell is empty nor that it reaches the threshold;
* (n,k)-dominance: upper level ``100/k * (x1 + ... + xn) - X``;
* p%-rule: upper level ``p/100 * x1 - (X - x1 - x2)``;
  for both dominance rules the lower level is the same amount (at most ``X``);
* all other rules (denominator, small area, manual): ``protection`` (default 10 %) of
  the cell value, at least 1 for counts, so that no such cell is exactly derivable.

:func:`combine` merges several rules into one :class:`Primary` (levels: maximum over the
rules that flag a cell; reasons joined by ``"; "``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kekiz.domain.errors import MethodError
from kekiz.i18n import fmt_short
from kekiz.privacy.table import Cells, Table

__all__ = [
    "DEFAULT_PROTECTION",
    "Primary",
    "Requirement",
    "RuleResult",
    "combine",
    "dominance_rule",
    "frequency_rule",
    "manual_rule",
    "min_denominator_rule",
    "min_population_rule",
    "p_percent_rule",
]

#: Protection level (share of the cell value) for rules without their own level.
DEFAULT_PROTECTION = 0.1

Levels = dict[str, NDArray[np.float64]]


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one primary rule on one table."""

    rule: str
    mask: NDArray[np.bool_]
    reason_de: str
    reason_en: str
    upper: Levels = field(default_factory=dict)
    lower: Levels = field(default_factory=dict)

    @property
    def cells(self) -> NDArray[np.int64]:
        return np.flatnonzero(self.mask)


@dataclass(frozen=True)
class Requirement:
    """One protection requirement: cell ``cell`` in quantity ``layer`` must be movable by
    ``level`` in ``direction`` (+1 up, -1 down) within the published information."""

    cell: int
    layer: str
    direction: int
    level: float


@dataclass(frozen=True)
class Primary:
    """All primary-sensitive cells of a table, their reasons and protection levels."""

    mask: NDArray[np.bool_]
    reasons_de: tuple[str, ...]
    reasons_en: tuple[str, ...]
    upper: Levels
    lower: Levels

    def reasons(self, lang: str = "de") -> tuple[str, ...]:
        return self.reasons_en if lang == "en" else self.reasons_de

    def requirements(self) -> list[Requirement]:
        """Every (cell, quantity, direction) that needs a positive protection level."""
        out: list[Requirement] = []
        for cell in np.flatnonzero(self.mask):
            for layer in self.upper:
                up = float(self.upper[layer][cell])
                down = float(self.lower[layer][cell])
                if up > 0:
                    out.append(Requirement(int(cell), layer, 1, up))
                if down > 0:
                    out.append(Requirement(int(cell), layer, -1, down))
        return out


# ---------------------------------------------------------------------- rules
def frequency_rule(table: Cells, min_frequency: int = 3, *,
                   zeros_sensitive: bool = False) -> RuleResult:
    """Cells with fewer than ``min_frequency`` records (by default counts 1 and 2).

    Empty cells are published unless ``zeros_sensitive``.
    """
    if int(min_frequency) != min_frequency or min_frequency < 1:
        raise MethodError(
            f"Mindestfallzahl {min_frequency!r} ist ungültig. Erwartet: ganze Zahl ab 1.",
            message_en=f"minimum frequency {min_frequency!r} is invalid. Expected a whole "
            "number of at least 1.")
    t = float(min_frequency)
    c = table.count
    mask = (c < t) & ((c > 0) | zeros_sensitive)
    upper = _zeros(table)
    lower = _zeros(table)
    upper["count"][mask] = t - c[mask]
    lower["count"][mask] = c[mask]
    if table.value is not None:
        share = DEFAULT_PROTECTION * table.value[mask]
        upper["value"][mask] = share
        lower["value"][mask] = share
    return RuleResult("frequency", mask, f"Fallzahl unter {int(t)}",
                      f"count below {int(t)}", upper, lower)


def dominance_rule(table: Table, n: int = 2, k: float = 85.0) -> RuleResult:
    """(n,k)-dominance: the ``n`` largest contributions exceed ``k`` % of the cell total."""
    if int(n) != n or n < 1 or not 0 < k <= 100:
        raise MethodError(
            f"Dominanzregel ({n},{k}) ist ungültig. Erwartet: n ganze Zahl ab 1, "
            "k zwischen 0 und 100 (z. B. 2,85).",
            message_en=f"dominance rule ({n},{k}) is invalid. Expected n a whole number of "
            "at least 1 and k between 0 and 100 (e.g. 2,85).")
    total, top = _contributions(table, int(n), "Dominanzregel", "dominance rule")
    top_n = top[:, : int(n)].sum(axis=1)
    mask = (total > 0) & (top_n > k / 100.0 * total * (1 + 1e-12))
    need = np.where(mask, top_n * 100.0 / k - total, 0.0)
    return _magnitude_result(
        table, "dominance", mask, need,
        f"Dominanzregel ({int(n)},{fmt_short(k, 'de')} %)",
        f"dominance rule ({int(n)},{fmt_short(k, 'en')}%)")


def p_percent_rule(table: Table, p: float = 10.0) -> RuleResult:
    """p%-rule: the second largest contributor could estimate the largest one to within
    ``p`` %, i.e. ``X - x1 - x2 < p/100 * x1``."""
    if not p > 0:
        raise MethodError(f"p%-Regel mit p = {p} ist ungültig. Erwartet: p > 0.",
                          message_en=f"p% rule with p = {p} is invalid. Expected p > 0.")
    total, top = _contributions(table, 2, "p%-Regel", "p% rule")
    x1, x2 = top[:, 0], top[:, 1]
    rest = total - x1 - x2
    mask = (total > 0) & (rest < p / 100.0 * x1 * (1 - 1e-12))
    need = np.where(mask, p / 100.0 * x1 - rest, 0.0)
    return _magnitude_result(
        table, "p_percent", mask, need, f"p%-Regel ({fmt_short(p, 'de')} %)",
        f"p% rule ({fmt_short(p, 'en')}%)")


def min_denominator_rule(table: Cells, column: str | ArrayLike, minimum: float, *,
                         protection: float = DEFAULT_PROTECTION) -> RuleResult:
    """Cells whose denominator (e.g. children under 15 for a rate) is positive but below
    ``minimum``.  ``column`` names an additive column of the table or gives one value per
    cell."""
    if isinstance(column, str):
        if column not in table.extra:
            raise MethodError(f"Die Tabelle hat keine Nennerspalte '{column}'.",
                              message_en=f"the table has no denominator column '{column}'.")
        denom = table.extra[column]
    else:
        denom = np.asarray(column, dtype=np.float64)
        if denom.shape != (table.n_cells,):
            raise MethodError(
                f"Nenner: {denom.size} Werte für {table.n_cells} Zellen.",
                message_en=f"denominator: {denom.size} values for {table.n_cells} cells.")
    mask = (denom > 0) & (denom < minimum)
    upper, lower = _generic_levels(table, mask, protection)
    m = fmt_short(minimum, "de")
    return RuleResult("denominator", mask, f"Nenner zu klein (unter {m})",
                      f"denominator too small (below {fmt_short(minimum, 'en')})",
                      upper, lower)


def min_population_rule(table: Table, dimension: str,
                        population: Mapping[Any, float], minimum: float = 300, *,
                        protection: float = DEFAULT_PROTECTION) -> RuleResult:
    """All cells of areas with fewer than ``minimum`` inhabitants (default 300).

    ``population`` maps area nodes of ``dimension`` (by label or full code) to their
    inhabitants; an aggregate without its own entry gets the sum of its children.
    """
    axis = table.dimension(dimension)
    dim = table.dimensions[axis]
    pop = np.full(len(dim), np.nan)
    for key, inhabitants in population.items():
        pop[dim.node(key)] = float(inhabitants)
    for node in reversed(range(len(dim))):  # children come after their parent
        kids = dim.children[node]
        if np.isnan(pop[node]) and kids and not np.isnan(pop[list(kids)]).any():
            pop[node] = pop[list(kids)].sum()
    unknown = [dim.codes[k] for k in np.flatnonzero(np.isnan(pop))]
    if unknown:
        raise MethodError(
            f"Einwohnerzahl fehlt für {len(unknown)} Gebiet(e) in '{dim.name}', z. B. "
            f"{unknown[0]!r}. Bitte für jedes Gebiet eine Einwohnerzahl angeben.",
            message_en=f"population missing for {len(unknown)} area(s) of '{dim.name}', "
            f"e.g. {unknown[0]!r}. Give the inhabitants of every area.")
    small = pop < minimum
    mask = small[table.node_index[:, axis]]
    upper, lower = _generic_levels(table, mask, protection)
    return RuleResult("population", mask,
                      f"Gebiet unter {fmt_short(minimum, 'de')} Einwohnern",
                      f"area with fewer than {fmt_short(minimum, 'en')} inhabitants",
                      upper, lower)


def manual_rule(table: Cells, cells: ArrayLike, reason_de: str = "manuell gesperrt",
                reason_en: str = "suppressed by hand", *,
                protection: float = DEFAULT_PROTECTION) -> RuleResult:
    """Mark given cells (flat indices or a boolean mask) as primary sensitive."""
    arr = np.asarray(cells)
    mask = np.zeros(table.n_cells, dtype=bool)
    if arr.dtype == bool:
        mask[:] = arr
    else:
        mask[arr.astype(np.int64)] = True
    upper, lower = _generic_levels(table, mask, protection)
    return RuleResult("manual", mask, reason_de, reason_en, upper, lower)


def combine(table: Cells, results: Sequence[RuleResult]) -> Primary:
    """Merge rule results: a cell is primary if any rule flags it.  Hidden cells (never
    published, see :class:`~kekiz.privacy.table.Cells`) are never primary."""
    mask = np.zeros(table.n_cells, dtype=bool)
    upper = _zeros(table)
    lower = _zeros(table)
    de: list[list[str]] = [[] for _ in range(table.n_cells)]
    en: list[list[str]] = [[] for _ in range(table.n_cells)]
    for res in results:
        mask |= res.mask
        for layer in upper:
            if layer in res.upper:
                upper[layer] = np.maximum(upper[layer], np.where(res.mask, res.upper[layer], 0))
            if layer in res.lower:
                lower[layer] = np.maximum(lower[layer], np.where(res.mask, res.lower[layer], 0))
        for cell in res.cells:
            de[cell].append(res.reason_de)
            en[cell].append(res.reason_en)
    hidden = table.hidden
    if hidden is not None:
        # cells that are never published need no protection of their own
        mask &= ~hidden
        for layer in upper:
            upper[layer][hidden] = 0.0
            lower[layer][hidden] = 0.0
        for cell in np.flatnonzero(hidden):
            de[cell], en[cell] = [], []
    for layer in upper:
        # an attacker always knows the cell is non-negative: no more than the value below
        lower[layer] = np.minimum(lower[layer], table.layer(layer))
    # a reason once per cell, also where several lifted rules of linked tables give it
    return Primary(mask, tuple("; ".join(dict.fromkeys(r)) for r in de),
                   tuple("; ".join(dict.fromkeys(r)) for r in en), upper, lower)


# -------------------------------------------------------------------- helpers
def _zeros(table: Cells) -> Levels:
    return {layer: np.zeros(table.n_cells) for layer in table.layers}


def _contributions(table: Table, n: int, name_de: str, name_en: str
                   ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    if table.value is None or table.top is None or table.top.shape[1] < n:
        raise MethodError(
            f"{name_de}: braucht Einzeldaten mit einer Wertspalte (--value), damit die "
            f"{n} größten Beiträge jeder Zelle bekannt sind.",
            message_en=f"{name_en}: needs microdata with a value column (--value) so that "
            f"the {n} largest contributions of every cell are known.")
    return table.value, table.top


def _magnitude_result(table: Table, rule: str, mask: NDArray[np.bool_],
                      need: NDArray[np.float64], de: str, en: str) -> RuleResult:
    assert table.value is not None
    upper = _zeros(table)
    lower = _zeros(table)
    upper["value"] = np.maximum(need, 0.0)
    lower["value"] = np.minimum(np.maximum(need, 0.0), table.value)
    return RuleResult(rule, mask, de, en, upper, lower)


def _generic_levels(table: Cells, mask: NDArray[np.bool_], protection: float
                    ) -> tuple[Levels, Levels]:
    upper = _zeros(table)
    lower = _zeros(table)
    c = table.count
    share = np.maximum(1.0, np.ceil(protection * c - 1e-9))
    upper["count"] = np.where(mask, share, 0.0)
    lower["count"] = np.where(mask, np.minimum(c, share), 0.0)
    if table.value is not None:
        v = protection * table.value
        upper["value"] = np.where(mask, v, 0.0)
        lower["value"] = np.where(mask, v, 0.0)
    return upper, lower
