"""Rules and protection of one group of record tables (see :mod:`kekiz.records.disclosure`).

:class:`PrivacyRules` holds the thresholds and the schema's relations, :func:`table_rules`
the primary rules of one table (minimum frequency, minimum denominator, denominators
suppressed in another table), :func:`protect_group` protects the tables of one group:
a table without relations on its own, linked tables as one joint model
(:class:`kekiz.privacy.LinkedTable`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kekiz.privacy import (
    ProtectedTable,
    Table,
    combine,
    frequency_rule,
    manual_rule,
    min_denominator_rule,
    protect_table,
    suppress_secondary,
)
from kekiz.privacy.rules import RuleResult
from kekiz.records.linked import LinkedGroup, TableLayout, relations_from_params
from kekiz.records.schema import DEFAULT_RELATIONS, Relation, restrict_relations

__all__ = [
    "PrivacyRules",
    "ProtectionSummary",
    "Violation",
    "protect_group",
    "suppressed_totals",
    "table_costs",
    "table_rules",
]


@dataclass(frozen=True)
class PrivacyRules:
    """Parameters of the disclosure control (see :mod:`kekiz.records.disclosure`).

    ``relations`` are the schema's relations between findings (attacker knowledge for the
    linked tables); ``None`` means those of the default schema
    (:data:`~kekiz.records.schema.DEFAULT_RELATIONS`).  Only relations among the findings
    actually counted apply (:meth:`declared`).
    """

    min_frequency: int = 3
    min_denominator: int = 10
    reliable_denominator: int = 30
    method: str = "heuristic"
    time_limit: float = 60.0
    relations: tuple[Relation, ...] | None = None

    def declared(self, findings: Sequence[str]) -> tuple[Relation, ...]:
        """The relations that apply to the tables of ``findings``."""
        given = DEFAULT_RELATIONS if self.relations is None else self.relations
        return restrict_relations(given, list(findings))

    def to_dict(self) -> dict[str, Any]:
        given = DEFAULT_RELATIONS if self.relations is None else self.relations
        return {"min_frequency": self.min_frequency, "min_denominator": self.min_denominator,
                "reliable_denominator": self.reliable_denominator, "method": self.method,
                "relations": [r.to_dict() for r in given]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PrivacyRules:
        """The rules as :meth:`to_dict` wrote them (e.g. into a dataset's details);
        without ``relations`` the default ones apply."""
        rels = data.get("relations")
        return cls(int(data.get("min_frequency", 3)), int(data.get("min_denominator", 10)),
                   int(data.get("reliable_denominator", 30)),
                   str(data.get("method", "heuristic")),
                   relations=None if rels is None else relations_from_params(
                       [{"linked": list(rels)}]))


@dataclass(frozen=True)
class Violation:
    """One finding of an audit: a published table that fails a check."""

    indicator: str
    period: str
    unit: str
    part: str  # numerator / complement / denominator / value
    check: str
    message_de: str
    message_en: str
    lower: float | None = None
    upper: float | None = None

    def text(self, lang: str = "de") -> str:
        return self.message_en if lang == "en" else self.message_de


@dataclass
class ProtectionSummary:
    """What the protection did: tables (indicator x period), primary and secondary
    suppressions (cells of linked tables counted once), rounds of the denominator
    linking per period, and the groups of findings protected as linked tables."""

    tables: int = 0
    primary: int = 0
    secondary: int = 0
    rounds: dict[str, int] = field(default_factory=dict)
    optimal: int = 0
    linked: list[list[str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"tables": self.tables, "primary_cells": self.primary,
                "secondary_cells": self.secondary, "rounds": self.rounds,
                "proven_optimal_tables": self.optimal, "linked_tables": self.linked}


def table_rules(table: Table, layout: TableLayout, rules: PrivacyRules,
           forced: set[str]) -> list[RuleResult]:
    out = [frequency_rule(table, rules.min_frequency)]
    den = layout.layer(table.count, layout.total)
    per_cell = np.zeros(table.shape)
    per_cell[:, layout.yes] = den
    per_cell[:, layout.no] = den
    out.append(min_denominator_rule(table, per_cell.ravel(), rules.min_denominator))
    if forced:
        cells = [layout.cell(k, layout.total) for k, u in enumerate(layout.units)
                 if u in forced]
        out.append(manual_rule(table, np.asarray(cells, dtype=np.int64),
                               "Nenner in einer anderen Tabelle gesperrt",
                               "denominator suppressed in another table", protection=1e-9))
    return out


def table_costs(table: Table, layout: TableLayout) -> NDArray[np.float64]:
    """Cost of suppressing a cell: its count (as ``cell_weights("count")``), ten times
    that for a denominator - suppressing a denominator hides the share and links the
    tables of a period, so numerators and complements are preferred."""
    base = table.count + max(1.0, 0.01 * float(table.count.mean()))
    grid = base.reshape(table.shape).copy()
    grid[:, layout.total] *= 10.0
    return np.asarray(grid.ravel(), dtype=np.float64)


def suppressed_totals(result: ProtectedTable | NDArray[np.bool_], layout: TableLayout
                      ) -> set[str]:
    """The units whose denominator a protected table (or pattern) suppresses."""
    mask = result.suppressed if isinstance(result, ProtectedTable) else result
    sup = layout.layer(mask.astype(np.float64), layout.total) > 0
    return {layout.units[k] for k in np.flatnonzero(sup)}


def _protect_one(layout: TableLayout, rules: PrivacyRules, forced: set[str]
                 ) -> ProtectedTable:
    table = layout.table
    return protect_table(table, table_rules(table, layout, rules, forced),
                         method=rules.method,  # type: ignore[arg-type]
                         cost=table_costs(table, layout), time_limit=rules.time_limit)


def _pattern_one(layout: TableLayout, rules: PrivacyRules, forced: set[str]
                 ) -> NDArray[np.bool_]:
    """The pattern of one table of a linked group on its own (``rules.method``; audited
    jointly afterwards)."""
    table = layout.table
    primary = combine(table, table_rules(table, layout, rules, forced))
    return suppress_secondary(table, primary, method=rules.method,  # type: ignore[arg-type]
                              cost=table_costs(table, layout),
                              time_limit=rules.time_limit).suppressed


def protect_group(group: LinkedGroup, rules: PrivacyRules, forced: set[str],
                  alone: list[NDArray[np.bool_]] | None = None
                  ) -> tuple[list[ProtectedTable], ProtectedTable, list[NDArray[np.bool_]]]:
    """Protect the tables of one group; returns the result per table, the one of the
    (joint) model and the patterns of the tables protected one by one (for the next call
    as ``alone``).

    A table without relations is protected on its own.  Linked tables are protected one
    by one first with ``rules.method`` (cheap, and usually enough; a pattern of ``alone``
    that already suppresses every ``forced`` denominator is kept).  The union of their
    patterns is the start on the joint model: if the joint LP audit passes it, that is
    the result; otherwise the heuristic secondary suppression on the joint model adds
    cells for the requirements the tables together do not meet.  Either way the joint
    audit decides (:func:`kekiz.privacy.protect_table` refuses a pattern that fails it).
    The joint step is heuristic (an exact model of a whole city's linked tables does
    not finish in practical time), so a linked group is never reported as proven
    optimal.
    """
    if group.joint is None:
        res = _protect_one(group.layouts[0], rules, forced)
        return [res], res, [res.suppressed]
    joint = group.joint
    start = np.zeros(joint.n_cells, dtype=bool)
    single: list[NDArray[np.bool_]] = []
    for k, lay in enumerate(group.layouts):
        kept = alone[k] if alone and k < len(alone) else None
        one = (kept if kept is not None and forced <= suppressed_totals(kept, lay)
               else _pattern_one(lay, rules, forced))
        single.append(one)
        start[joint.index[k][one]] = True
    lifted = [frequency_rule(joint, rules.min_frequency)]
    for k, lay in enumerate(group.layouts):
        lifted += [joint.lift(k, r) for r in table_rules(lay.table, lay, rules, forced)[1:]]
    cost = joint.spread([table_costs(lay.table, lay) for lay in group.layouts])
    res = protect_table(joint, lifted, method="heuristic", cost=cost,
                        time_limit=rules.time_limit, start=start)
    return [joint.part(k, res) for k in range(len(group.layouts))], res, single
