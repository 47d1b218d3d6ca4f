"""Streaming aggregation of records to numerators and denominators.

Records arrive in chunks; each chunk adds its counts to fixed arrays of shape
``(units, periods, indicators)`` (with ``numpy.bincount``), so memory does not grow with
the file.  After the last chunk the counts of the finest level are summed up the unit
hierarchy (Stadtteil -> Stadtbezirk -> city) by the disclosure-control tables, which
hold every level as margins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kekiz.domain.errors import ConfigurationError

__all__ = ["Counts", "Hierarchy"]

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Hierarchy:
    """The units above the finest level, up to one root (e.g. the city).

    ``leaves`` are the unit ids of the finest level (in the order used by the
    assignment).  ``columns`` are the levels below the root from coarse to fine (e.g.
    ``("stadtbezirk", "stadtteil")``) and ``chains[k]`` the ancestors of leaf ``k`` on
    those levels (the leaf itself last).
    """

    leaves: tuple[str, ...]
    root: str
    columns: tuple[str, ...]
    chains: tuple[tuple[str, ...], ...]
    names: Mapping[str, str] = field(default_factory=dict)
    levels: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_units(cls, units: pd.DataFrame, leaf_level: str,
                   used: Sequence[str] | None = None, root: str | None = None) -> Hierarchy:
        """Build from a units frame (``id, name, level, parent_id``).

        The root is the lowest common ancestor of the ``used`` leaves (all leaves when
        ``None``), but at least one level above the leaves; the table then holds every
        leaf below that root.
        """
        parent = dict(zip(units["id"], units["parent_id"], strict=True))
        level = dict(zip(units["id"], units["level"], strict=True))
        names = dict(zip(units["id"], units["name"], strict=True))
        all_leaves = [u for u in units["id"] if level[u] == leaf_level]
        if not all_leaves:
            raise ConfigurationError(
                f"Keine Gebiete der Ebene '{leaf_level}' im Store. Abhilfe: zuerst die "
                "Grenzen importieren (kekiz import boundaries) oder --level ändern.",
                message_en=f"No units of level '{leaf_level}' in the store. Fix: import the "
                "boundaries first (kekiz import boundaries) or change --level.", status=422)

        def chain(unit: str) -> list[str]:
            out = [unit]
            seen = {unit}
            while parent.get(out[-1]) and parent[out[-1]] in level:
                nxt = str(parent[out[-1]])
                if nxt in seen:
                    break
                seen.add(nxt)
                out.append(nxt)
            return out  # leaf first, top last

        used_leaves = list(used) if used else all_leaves
        if root is not None and used is None:
            used_leaves = [u for u in all_leaves if root in chain(u)] or all_leaves
        chains = [chain(u) for u in used_leaves]
        common = set(chains[0][1:])
        for c in chains[1:]:
            common &= set(c[1:])
        if not common:
            raise ConfigurationError(
                f"Die Gebiete der Ebene '{leaf_level}' haben kein gemeinsames übergeordnetes "
                "Gebiet. Abhilfe: die Elternebene importieren (z. B. Stadtbezirke mit "
                "--parent-field).",
                message_en=f"The units of level '{leaf_level}' have no common parent. Fix: "
                "import the parent level.", status=422)
        if root is None:
            root = next(u for u in chains[0][1:] if u in common)  # lowest common ancestor
        elif root not in common:
            raise ConfigurationError(
                f"Das Gebiet '{root}' liegt nicht über allen Gebieten der Ebene "
                f"'{leaf_level}'.", message_en=f"unit '{root}' is not above all units of "
                f"level '{leaf_level}'.", status=422)
        leaves: list[str] = []
        leaf_chains: list[tuple[str, ...]] = []
        for u in all_leaves:
            c = chain(u)
            if root not in c:
                continue
            below = c[: c.index(root)]
            leaves.append(u)
            leaf_chains.append(tuple(reversed(below)))
        depth = {len(c) for c in leaf_chains}
        if len(depth) != 1:
            raise ConfigurationError(
                f"Die Gebietshierarchie unter '{names.get(root, root)}' ist ungleichmäßig "
                "tief (nicht jedes Gebiet hat Eltern auf denselben Ebenen). Abhilfe: die "
                "Elterngebiete vollständig importieren.",
                message_en=f"The unit hierarchy below '{root}' is irregular. Fix: import "
                "all parent units.", status=422)
        cols = tuple(level[x] for x in leaf_chains[0])
        if len(set(cols)) != len(cols):
            raise ConfigurationError("Ebene doppelt in der Hierarchie.",
                                     message_en="level repeated in the hierarchy.")
        return cls(tuple(leaves), root, cols, tuple(leaf_chains), names,
                   {u: level[u] for u in [root, *{x for c in leaf_chains for x in c}]})

    def units(self) -> list[str]:
        """Every unit of the table: root first, then each level from coarse to fine."""
        out = [self.root]
        for depth in range(len(self.columns)):
            out.extend(sorted({c[depth] for c in self.chains}))
        return out


class Counts:
    """Numerators and denominators per leaf unit, period and indicator, filled by chunks.

    ``base`` counts the records per leaf and period (examined children).
    """

    def __init__(self, n_leaves: int, indicators: Sequence[str]) -> None:
        self.n_leaves = n_leaves
        self.indicators = tuple(indicators)
        self.periods: list[str] = []
        self._period_index: dict[str, int] = {}
        self._cap = 8
        shape = (n_leaves, self._cap, len(self.indicators))
        self.num = np.zeros(shape, dtype=np.int64)
        self.den = np.zeros(shape, dtype=np.int64)
        self.base = np.zeros((n_leaves, self._cap), dtype=np.int64)

    def period_index(self, labels: Sequence[str]) -> IntArray:
        """Index of each period label, registering new ones."""
        out = np.empty(len(labels), dtype=np.int64)
        for k, label in enumerate(labels):
            if label not in self._period_index:
                self._period_index[label] = len(self.periods)
                self.periods.append(label)
                if len(self.periods) > self._cap:
                    self._grow()
            out[k] = self._period_index[label]
        return out

    def _grow(self) -> None:
        extra = self._cap
        self._cap *= 2
        pad3 = ((0, 0), (0, extra), (0, 0))
        self.num = np.pad(self.num, pad3)
        self.den = np.pad(self.den, pad3)
        self.base = np.pad(self.base, ((0, 0), (0, extra)))

    def add(self, leaf: NDArray[np.integer], period: IntArray,
            numerators: Mapping[str, NDArray[np.bool_]],
            denominators: Mapping[str, NDArray[np.bool_]]) -> None:
        """Add one chunk: ``leaf`` (position, -1 = not counted), ``period`` (index)."""
        use = leaf >= 0
        size = self.n_leaves * self._cap
        key = leaf.astype(np.int64) * self._cap + period
        self.base += np.bincount(key[use], minlength=size).reshape(self.n_leaves, self._cap)
        for j, ind in enumerate(self.indicators):
            den = use & denominators[ind]
            num = den & numerators[ind]
            self.den[:, :, j] += np.bincount(key[den], minlength=size).reshape(
                self.n_leaves, self._cap)
            self.num[:, :, j] += np.bincount(key[num], minlength=size).reshape(
                self.n_leaves, self._cap)

    def cells(self, indicator: str, period: str, hierarchy: Hierarchy,
              positions: Mapping[str, int]) -> pd.DataFrame:
        """Inner cells of one table: a row per leaf and answer (``ja``/``nein``) with the
        count ``n``; the hierarchy columns hold unit ids (margins are computed later)."""
        j = self.indicators.index(indicator)
        p = self._period_index[period]
        rows: list[tuple[object, ...]] = []
        for leaf, chain in zip(hierarchy.leaves, hierarchy.chains, strict=True):
            k = positions[leaf]
            num = int(self.num[k, p, j])
            den = int(self.den[k, p, j])
            rows.append((*chain, "ja", num))
            rows.append((*chain, "nein", den - num))
        return pd.DataFrame(rows, columns=[*hierarchy.columns, "merkmal", "n"])

    def total(self) -> int:
        return int(self.base.sum())

    def used_leaves(self) -> IntArray:
        """Positions of leaves with at least one record."""
        return np.flatnonzero(self.base.sum(axis=1) > 0)
