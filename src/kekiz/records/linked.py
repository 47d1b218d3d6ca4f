"""The record tables of one period as linked tables (issue #20).

Every finding gives one table per period: the unit hierarchy (city > Stadtbezirk >
Stadtteil, every level as margins) crossed with the answer ``ja`` (counted in the
numerator), ``nein`` (the rest of the denominator) and ``Insgesamt`` (the denominator).
The schema's relations (:class:`~kekiz.records.schema.Relation`) tie these tables
together; the findings connected by relations are protected as one joint model
(:class:`~kekiz.privacy.LinkedTable`) in which the attacker knows, besides every
published number of every table, the additivity of each table and non-negativity:

* **nested** (``inner`` within ``outer``): in every Stadtteil ``ja(inner) <= ja(outer)``
  (an inequality with a hidden slack: the children counted in ``outer`` but not in
  ``inner``); on every higher level it follows by summation;
* **partition** (disjoint answers of one question): in every Stadtteil the ``ja`` of the
  parts add up to at most their common denominator (exactly, if ``complete``); the parts
  must have the same denominator everywhere;
* **one population** (all three kinds): wherever findings of one population have the same
  denominator in a unit (no value missing in either), that denominator is one common cell
  of their tables.  The attacker is credited with every such equality that holds in the
  data - also where values are missing in other units, which is more than the
  declaration says and so on the safe side.

Nested and partition relations are checked against the counts; one that does not hold
stops the protection with the unit and period (the declaration is wrong, and an attacker
model built on it would not describe the data).

Stored with every observation of a linked table (``params.linked``; the params are not
shown to the public) is the attacker knowledge in terms of the stored indicators
(:func:`published_relations`): the nested and partition relations as declared and, per
period, the populations whose denominators agree in every unit.  The audit of the stored
tables (:func:`kekiz.records.disclosure.audit_published`) reads it back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from kekiz.domain.errors import ConfigurationError
from kekiz.privacy import Link, LinkedTable, Table
from kekiz.privacy.linked import Ref
from kekiz.records.aggregate import Hierarchy
from kekiz.records.schema import Relation

__all__ = [
    "ANSWER",
    "NO",
    "YES",
    "LinkedGroup",
    "TableLayout",
    "components",
    "link_group",
    "published_relations",
    "relations_from_params",
    "table_of",
]

ANSWER = "merkmal"
YES, NO = "ja", "nein"


@dataclass
class TableLayout:
    """Where each unit and answer sits in the table of one finding and period;
    ``links`` are the relations stored with it (see :func:`published_relations`)."""

    table: Table
    units: list[str]  # per hierarchy node
    yes: int  # answer node of 'ja'
    no: int
    total: int = 0
    links: tuple[Relation, ...] = field(default=())

    def cell(self, node: int, answer: int) -> int:
        return node * self.table.shape[1] + answer

    @classmethod
    def of(cls, table: Table, hierarchy: Hierarchy) -> TableLayout:
        dim = table.dimensions[0]
        units = []
        for code in dim.codes:
            own = [c for c in code if c is not None]
            units.append(str(own[-1]) if own else hierarchy.root)
        answers = table.dimensions[1]
        return cls(table, units, answers.lookup[(YES,)], answers.lookup[(NO,)],
                   answers.lookup[(None,)])

    def layer(self, values: NDArray[np.float64], answer: int) -> NDArray[np.float64]:
        return np.asarray(values.reshape(self.table.shape)[:, answer], dtype=np.float64)

    @property
    def leaves(self) -> NDArray[np.int64]:
        """The hierarchy nodes of the finest level."""
        return np.flatnonzero(self.table.dimensions[0].is_leaf)


_LAYOUT: dict[int, tuple[Hierarchy, pd.DataFrame, Table, NDArray[np.int64]]] = {}


def table_of(cells: pd.DataFrame, hierarchy: Hierarchy) -> Table:
    """The table of one finding and period; the structure (the same for every table of
    a hierarchy) is built once."""
    keys = cells[[*hierarchy.columns, ANSWER]]
    known = _LAYOUT.get(id(hierarchy))
    if known is None or known[0] is not hierarchy or not known[1].equals(keys):
        empty, rows = Table.layout_of_cells(cells, [list(hierarchy.columns), ANSWER])
        _LAYOUT.clear()
        known = _LAYOUT[id(hierarchy)] = (hierarchy, keys.copy(), empty, rows)
    return known[2].with_counts(known[3], cells["n"].to_numpy())


def components(findings: Sequence[str], relations: Sequence[Relation]
               ) -> list[tuple[str, ...]]:
    """The findings connected by ``relations`` (each finding in exactly one group, in
    the order of ``findings``)."""
    pos = {f: k for k, f in enumerate(findings)}
    a: list[int] = []
    b: list[int] = []
    for rel in relations:
        members = [pos[f] for f in rel.findings if f in pos]
        a += members[:1] * (len(members) - 1)
        b += members[1:]
    n = len(findings)
    graph = coo_array((np.ones(len(a)), (np.array(a, dtype=np.int64),
                                          np.array(b, dtype=np.int64))), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    groups: dict[int, list[str]] = {}
    for f, lab in zip(findings, label.tolist(), strict=True):
        groups.setdefault(int(lab), []).append(f)
    return [tuple(g) for g in groups.values()]


@dataclass
class LinkedGroup:
    """The tables of linked findings of one period and their joint model (``None`` for
    a finding without relations: its table is protected on its own)."""

    period: str
    findings: tuple[str, ...]
    relations: tuple[Relation, ...]
    layouts: tuple[TableLayout, ...]
    joint: LinkedTable | None


def link_group(period: str, findings: Sequence[str], layouts: Sequence[TableLayout],
               relations: Sequence[Relation], *, every_unit: bool = False,
               check: bool = True) -> LinkedGroup:
    """The joint model of the tables ``layouts`` (one per finding, same hierarchy).

    Denominators of findings tied by relations are common cells where they are equal;
    with ``every_unit`` (the stored relations, read back by an audit) the
    denominators of each ``population`` relation are common cells in every unit and
    nothing else is merged.  ``check`` tests the nested and partition relations against
    the counts.
    """
    own = tuple(r for r in relations if set(r.findings) <= set(findings))
    if len(findings) == 1:
        return LinkedGroup(period, tuple(findings), own, tuple(layouts), None)
    pos = {f: k for k, f in enumerate(findings)}
    if check:
        for rel in own:
            _check(rel, [layouts[pos[f]] for f in rel.findings], period)
    common = _common_totals(findings, layouts, own, every_unit)
    links: list[Link] = []
    for rel in own:
        links += _links(rel, [pos[f] for f in rel.findings], layouts, period)
    joint = LinkedTable([lay.table for lay in layouts], common, links, names=list(findings),
                        check=check)
    return LinkedGroup(period, tuple(findings), own, tuple(layouts), joint)


def _populations(findings: Sequence[str], relations: Sequence[Relation], *,
                 declared_only: bool = False) -> list[tuple[str, ...]]:
    """Findings whose denominators are one population: tied by any relation, or (with
    ``declared_only``) by ``population`` relations only."""
    use = [r for r in relations if r.kind == "population" or not declared_only]
    return [g for g in components(findings, use) if len(g) > 1]


def _common_totals(findings: Sequence[str], layouts: Sequence[TableLayout],
                   relations: Sequence[Relation], every_unit: bool
                   ) -> list[tuple[Ref, Ref]]:
    pos = {f: k for k, f in enumerate(findings)}
    pairs: list[tuple[Ref, Ref]] = []
    # a stored population holds in every unit; otherwise equal denominators of
    # findings tied by any relation are merged where they are equal
    for group in _populations(findings, relations, declared_only=every_unit):
        ks = [pos[f] for f in group]
        dens = np.stack([layouts[k].layer(layouts[k].table.count, layouts[k].total)
                         for k in ks])
        for node in range(dens.shape[1]):
            column = dens[:, node]
            for value in np.unique(column):
                same = [ks[j] for j in np.flatnonzero((column == value) | every_unit)]
                first = same[0]
                pairs += [((first, layouts[first].cell(node, layouts[first].total)),
                           (k, layouts[k].cell(node, layouts[k].total))) for k in same[1:]]
                if every_unit:
                    break
    return pairs


def _links(rel: Relation, ks: Sequence[int], layouts: Sequence[TableLayout],
           period: str) -> list[Link]:
    """The inequalities of a nested or partition relation, one per Stadtteil."""
    first = layouts[ks[0]]
    out: list[Link] = []
    for node in first.leaves.tolist():
        label = f"{rel.text()}, {first.units[node]}, {period}"
        if rel.kind == "nested":
            inner, outer = ks
            terms = ((inner, layouts[inner].cell(node, layouts[inner].yes), 1.0),
                     (outer, layouts[outer].cell(node, layouts[outer].yes), -1.0))
            out.append(Link(terms, "at_most", label))
        elif rel.kind == "partition":
            parts = tuple((k, layouts[k].cell(node, layouts[k].yes), 1.0) for k in ks)
            whole = (ks[0], first.cell(node, first.total), -1.0)
            out.append(Link((*parts, whole), "equal" if rel.complete else "at_most",
                            label))
    return out


def _check(rel: Relation, layouts: Sequence[TableLayout], period: str) -> None:
    """A nested or partition relation must hold in every unit."""
    if rel.kind == "population":
        return
    yes = np.stack([lay.layer(lay.table.count, lay.yes) for lay in layouts])
    den = np.stack([lay.layer(lay.table.count, lay.total) for lay in layouts])
    units = layouts[0].units
    if rel.kind == "nested":
        bad = np.flatnonzero(yes[0] > yes[1])
        what_de = (f"{yes[0][bad[0]]:g} Kinder in '{rel.findings[0]}', aber nur "
                   f"{yes[1][bad[0]]:g} in '{rel.findings[1]}'") if bad.size else ""
        what_en = (f"{yes[0][bad[0]]:g} children in '{rel.findings[0]}' but only "
                   f"{yes[1][bad[0]]:g} in '{rel.findings[1]}'") if bad.size else ""
    else:
        differ = np.flatnonzero((den != den[0]).any(axis=0))
        over = yes.sum(axis=0) != den[0] if rel.complete else yes.sum(axis=0) > den[0]
        bad = differ if differ.size else np.flatnonzero(over)
        if differ.size:
            what_de = f"verschiedene Nenner {sorted(set(den[:, bad[0]].tolist()))}"
            what_en = f"different denominators {sorted(set(den[:, bad[0]].tolist()))}"
        else:
            what_de = what_en = (f"{yes.sum(axis=0)[bad[0]] if bad.size else 0:g} / "
                                 f"{den[0][bad[0]] if bad.size else 0:g}")
    if bad.size:
        unit = units[int(bad[0])]
        raise ConfigurationError(
            f"Schema-Beziehung {rel.text()} gilt nicht: Gebiet {unit}, {period}: "
            f"{what_de}. Abhilfe: die Beziehung unter [[relations]] im Schema "
            "korrigieren oder entfernen.",
            message_en=f"schema relation {rel.text('en')} does not hold: unit {unit}, "
            f"{period}: {what_en}. Fix: correct or remove the relation under "
            "[[relations]] in the schema.", status=422)


def published_relations(group: LinkedGroup) -> tuple[Relation, ...]:
    """What is stored with the tables of ``group`` as attacker knowledge: its nested
    and partition relations and every set of findings of one population whose
    denominators agree in every unit (as a ``population`` relation)."""
    out = [r for r in group.relations if r.kind != "population"]
    pos = {f: k for k, f in enumerate(group.findings)}
    for pop in _populations(group.findings, group.relations):
        dens: dict[bytes, list[str]] = {}
        for f in pop:
            lay = group.layouts[pos[f]]
            dens.setdefault(lay.layer(lay.table.count, lay.total).tobytes(), []).append(f)
        out += [Relation("population", tuple(same)) for same in dens.values()
                if len(same) > 1]
    return tuple(out)


def relations_from_params(params: Sequence[Any], ids: Mapping[str, str] | None = None
                          ) -> tuple[Relation, ...]:
    """The relations stored in the ``params`` of observations (JSON text or
    mappings with ``linked``), each once; ``ids`` renames findings."""
    import json

    seen: dict[str, Relation] = {}
    for p in params:
        data = json.loads(p) if isinstance(p, str) else (p or {})
        for item in data.get("linked", []) if isinstance(data, Mapping) else []:
            rel = _relation_of(item)
            if rel is not None:
                if ids is not None:
                    rel = Relation(rel.kind, tuple(ids.get(f, f) for f in rel.findings),
                                   rel.complete)
                seen.setdefault(json.dumps(rel.to_dict(), sort_keys=True), rel)
    return tuple(seen.values())


def _relation_of(item: Any) -> Relation | None:
    if not isinstance(item, Mapping):
        return None
    kind = item.get("kind")
    if kind == "nested":
        return Relation("nested", (str(item["inner"]), str(item["outer"])))
    if kind == "partition":
        return Relation("partition", tuple(map(str, item["parts"])),
                        bool(item.get("complete", False)))
    if kind == "population":
        return Relation("population", tuple(map(str, item["findings"])))
    return None
