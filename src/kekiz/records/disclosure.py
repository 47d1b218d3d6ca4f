"""Disclosure control of the record indicators, by construction, and its audit.

Every indicator and period is one table over the unit hierarchy (city > Stadtbezirk >
Stadtteil, all levels as margins) crossed with the answer (``ja`` = counted in the
numerator, ``nein`` = the rest of the denominator, ``Insgesamt`` = the denominator).
Modelling the complement ``nein`` matters: a published share of 14 out of 15 would
otherwise disclose the one child without the finding.  The rules:

* **minimum frequency** (default 3): numerators, complements and denominators of 1 and 2
  are suppressed (:func:`kekiz.privacy.frequency_rule`; the attacker interval must reach
  0 and 3);
* **minimum denominator** (default 10): below it, the numerator and its complement are
  suppressed (the share is not published), the denominator stays;
* **secondary suppression** over hierarchy and answer, so that no suppressed cell can be
  recomputed or narrowed below its protection level (LP audit inside
  :func:`kekiz.privacy.protect_table`, which refuses a failing pattern);
* **linked denominators**: the indicators of one period share their denominators (the
  examined children), so a denominator suppressed in one table is suppressed in every
  table of that period (repeated until nothing changes).

What is stored is exactly what is published: a suppressed numerator or denominator is
``NULL``, and so are the value and interval.  The reason stored with a suppressed value
does not say whether the rule or the protection of another cell caused it, because that
would tell an attacker that a count is 1 or 2.

:func:`audit_published` re-runs the attacker's LP on the published tables alone.  It
cannot know the true values, so it checks what an attacker can prove: published counts
below the threshold, shares on too small denominators, suppressed cells that are exactly
derivable or provably a small non-zero count, minimum-denominator cells narrower than
their protection, and denominators published in one table but suppressed in another.
With the records at hand, :func:`audit_against_truth` checks the full protection levels
(:func:`kekiz.privacy.audit`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import linprog

from kekiz.analysis.rates import wilson_interval
from kekiz.privacy import (
    ProtectedTable,
    Table,
    attacker_intervals,
    audit,
    combine,
    frequency_rule,
    manual_rule,
    min_denominator_rule,
    protect_table,
)
from kekiz.privacy.rules import RuleResult
from kekiz.records.aggregate import Counts, Hierarchy

__all__ = [
    "SUPPRESSION_REASON",
    "PrivacyRules",
    "Violation",
    "audit_against_truth",
    "audit_published",
    "observations_of",
    "protect_counts",
]

ANSWER = "merkmal"
YES, NO = "ja", "nein"
_TOL = 1e-6

#: The reason stored with every suppressed value (deliberately the same for all).
SUPPRESSION_REASON = {
    "de": "Gesperrt zur Wahrung der statistischen Geheimhaltung (Mindestfallzahl {t}, "
          "Mindestnenner {n} oder Schutz anderer gesperrter Werte). Welche Regel greift, "
          "wird nicht angegeben, weil schon das Rückschlüsse auf kleine Fallzahlen erlaubte.",
    "en": "Suppressed for statistical confidentiality (minimum frequency {t}, minimum "
          "denominator {n} or protection of other suppressed values). Which rule applies "
          "is not stated, because that alone would hint at small counts.",
}


@dataclass(frozen=True)
class PrivacyRules:
    """Parameters of the disclosure control (see the module docs)."""

    min_frequency: int = 3
    min_denominator: int = 10
    reliable_denominator: int = 30
    method: str = "heuristic"
    time_limit: float = 60.0

    def to_dict(self) -> dict[str, Any]:
        return {"min_frequency": self.min_frequency, "min_denominator": self.min_denominator,
                "reliable_denominator": self.reliable_denominator, "method": self.method}


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
class TableLayout:
    """Where each unit and answer sits in a protected table."""

    table: Table
    units: list[str]  # per hierarchy node
    yes: int  # answer node of 'ja'
    no: int
    total: int = 0

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


@dataclass
class ProtectionSummary:
    tables: int = 0
    primary: int = 0
    secondary: int = 0
    rounds: dict[str, int] = field(default_factory=dict)
    optimal: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"tables": self.tables, "primary_cells": self.primary,
                "secondary_cells": self.secondary, "rounds": self.rounds,
                "proven_optimal_tables": self.optimal}


_LAYOUT: dict[int, tuple[Hierarchy, pd.DataFrame, Table, NDArray[np.int64]]] = {}


def _table(cells: pd.DataFrame, hierarchy: Hierarchy) -> Table:
    """The table of one indicator and period; the structure (the same for every table of
    a hierarchy) is built once."""
    keys = cells[[*hierarchy.columns, ANSWER]]
    known = _LAYOUT.get(id(hierarchy))
    if known is None or known[0] is not hierarchy or not known[1].equals(keys):
        empty, rows = Table.layout_of_cells(cells, [list(hierarchy.columns), ANSWER])
        _LAYOUT.clear()
        known = _LAYOUT[id(hierarchy)] = (hierarchy, keys.copy(), empty, rows)
    return known[2].with_counts(known[3], cells["n"].to_numpy())


def _rules(table: Table, layout: TableLayout, rules: PrivacyRules,
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


def _costs(table: Table, layout: TableLayout) -> NDArray[np.float64]:
    """Cost of suppressing a cell: its count (as ``cell_weights("count")``), ten times
    that for a denominator - suppressing a denominator hides the share and links the
    tables of a period, so numerators and complements are preferred."""
    base = table.count + max(1.0, 0.01 * float(table.count.mean()))
    grid = base.reshape(table.shape).copy()
    grid[:, layout.total] *= 10.0
    return np.asarray(grid.ravel(), dtype=np.float64)


def _suppressed_totals(result: ProtectedTable, layout: TableLayout) -> set[str]:
    sup = layout.layer(result.suppressed.astype(np.float64), layout.total) > 0
    return {layout.units[k] for k in np.flatnonzero(sup)}


def protect_counts(counts: Counts, hierarchy: Hierarchy, positions: Mapping[str, int],
                   rules: PrivacyRules, *, indicators: Sequence[str] | None = None,
                   progress: Any = None
                   ) -> tuple[dict[tuple[str, str], tuple[ProtectedTable, TableLayout]],
                              ProtectionSummary]:
    """Protect every (indicator, period) table; linked denominators per period.

    Denominators of 1 and 2 are linked from the start; each round protects the tables
    that do not yet suppress every linked denominator of their period, until no table
    adds one (the set only grows, so this ends).
    """
    inds = list(indicators or counts.indicators)
    tables: dict[tuple[str, str], tuple[Table, TableLayout]] = {}
    forced: dict[str, set[str]] = {}
    for period in counts.periods:
        forced[period] = set()
        for ind in inds:
            table = _table(counts.cells(ind, period, hierarchy, positions), hierarchy)
            layout = TableLayout.of(table, hierarchy)
            tables[(ind, period)] = (table, layout)
            den = layout.layer(table.count, layout.total)
            small = (den > 0) & (den < rules.min_frequency)
            forced[period] |= {layout.units[k] for k in np.flatnonzero(small)}
    results: dict[tuple[str, str], ProtectedTable] = {}
    rounds = dict.fromkeys(counts.periods, 0)
    while True:
        todo = [key for key in tables if key not in results or not forced[key[1]] <= (
            _suppressed_totals(results[key], tables[key][1]))]
        if not todo:
            break
        for period in {key[1] for key in todo}:
            rounds[period] += 1
        for key in todo:
            table, layout = tables[key]
            results[key] = protect_table(table, _rules(table, layout, rules, forced[key[1]]),
                                         method=rules.method,  # type: ignore[arg-type]
                                         cost=_costs(table, layout),
                                         time_limit=rules.time_limit)
            if progress is not None:
                progress(len(results), len(tables))
        for (ind, period), result in results.items():
            forced[period] |= _suppressed_totals(result, tables[(ind, period)][1])
    summary = ProtectionSummary(rounds={p: int(r) for p, r in rounds.items()})
    out: dict[tuple[str, str], tuple[ProtectedTable, TableLayout]] = {}
    for period in counts.periods:
        for ind in inds:
            key = (ind, period)
            result = results[key]
            out[key] = (result, tables[key][1])
            summary.tables += 1
            summary.primary += int(result.primary.mask.sum())
            summary.secondary += int((result.suppressed & ~result.primary.mask).sum())
            summary.optimal += int(result.secondary.optimal)
    return out, summary


def observations_of(protected: Mapping[tuple[str, str], tuple[ProtectedTable, TableLayout]],
                    indicator_ids: Mapping[str, str], rules: PrivacyRules, *,
                    extra_params: Mapping[str, Any] | None = None,
                    method: str = "records") -> pd.DataFrame:
    """Observations as published: suppressed parts ``NULL``, values with Wilson 95 %
    intervals, status ``ok``/``unreliable``/``missing``/``suppressed``.

    ``indicator_ids`` maps the finding id to the stored indicator id.
    """
    import json

    frames = []
    reason = {k: v.format(t=rules.min_frequency, n=rules.min_denominator)
              for k, v in SUPPRESSION_REASON.items()}
    base = dict(extra_params or {})
    for (finding, period), (result, layout) in protected.items():
        count = result.table.count
        sup = result.suppressed
        num = layout.layer(count, layout.yes)
        den = layout.layer(count, layout.total)
        s_num = layout.layer(sup.astype(np.float64), layout.yes) > 0
        s_no = layout.layer(sup.astype(np.float64), layout.no) > 0
        s_den = layout.layer(sup.astype(np.float64), layout.total) > 0
        hidden = s_num | s_den | s_no
        lower, upper = wilson_interval(num, np.where(den > 0, den, 1.0))
        rows: list[tuple[Any, ...]] = []
        for k, unit in enumerate(layout.units):
            params: dict[str, Any] = dict(base)
            if hidden[k]:
                parts = [p for p, s in (("numerator", s_num[k] or s_no[k]),
                                        ("denominator", s_den[k])) if s]
                params["privacy"] = {"suppressed": [*parts, "value"], "reason_de": reason["de"],
                                     "reason_en": reason["en"], "rules": rules.to_dict()}
                rows.append((unit, None if (s_num[k] or s_no[k]) else float(num[k]),
                             None if s_den[k] else float(den[k]), None, None, None,
                             "suppressed", params))
                continue
            if den[k] == 0:
                params["reason_de"] = "keine untersuchten Kinder mit Angabe"
                params["reason_en"] = "no examined children with a value"
                rows.append((unit, 0.0, 0.0, None, None, None, "missing", params))
                continue
            status = "ok"
            if den[k] < rules.reliable_denominator:
                status = "unreliable"
                params["reason_de"] = (f"Nenner unter {rules.reliable_denominator}: Wert "
                                       "statistisch unsicher")
                params["reason_en"] = (f"denominator below {rules.reliable_denominator}: "
                                       "statistically uncertain")
            rows.append((unit, float(num[k]), float(den[k]), 100.0 * num[k] / den[k],
                         100.0 * float(lower[k]), 100.0 * float(upper[k]), status, params))
        frame = pd.DataFrame(rows, columns=["unit_id", "numerator", "denominator", "value",
                                            "lower", "upper", "status", "params"])
        frame["params"] = [json.dumps(p, ensure_ascii=False, sort_keys=True)
                           for p in frame["params"]]
        frame.insert(0, "indicator_id", indicator_ids[finding])
        frame.insert(2, "period", period)
        frame["method"] = method
        frames.append(frame)
    cols = ["indicator_id", "unit_id", "period", "numerator", "denominator", "value", "lower",
            "upper", "status", "params", "method"]
    if not frames:
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True)[cols]


# --------------------------------------------------------------------------- audits
def _structure(hierarchy: Hierarchy) -> tuple[Table, TableLayout]:
    rows = []
    for chain in hierarchy.chains:
        rows.append((*chain, YES, 0))
        rows.append((*chain, NO, 0))
    table = _table(pd.DataFrame(rows, columns=[*hierarchy.columns, ANSWER, "n"]), hierarchy)
    return table, TableLayout.of(table, hierarchy)


def _complete(table: Table, published: NDArray[np.float64]) -> NDArray[np.float64] | None:
    """A non-negative table consistent with the published cells (any one), or ``None``."""
    mask = np.isnan(published)
    if not mask.any():
        return published.copy()
    m = sp.csc_array(table.constraints)
    known = np.where(mask, 0.0, published)
    rhs = -(m @ known)
    res = linprog(np.zeros(int(mask.sum())), A_eq=m[:, np.flatnonzero(mask)],
                  b_eq=rhs, bounds=(0, None), method="highs")
    if res.status != 0:
        return None
    out = known.copy()
    out[mask] = res.x
    return out


def audit_published(observations: pd.DataFrame, hierarchy: Hierarchy, rules: PrivacyRules
                    ) -> tuple[list[Violation], int]:
    """Audit the published tables of ``observations`` (one or more indicators and periods
    over ``hierarchy``) from the attacker's side; returns the violations and the number
    of tables audited."""
    table, layout = _structure(hierarchy)
    t = rules.min_frequency
    violations: list[Violation] = []
    n_tables = 0
    den_state: dict[tuple[str, str], set[str]] = {}
    for (ind, period), obs in observations.groupby(["indicator_id", "period"], sort=True):
        ind, period = str(ind), str(period)
        n_tables += 1
        by_unit = obs.set_index("unit_id")
        num = by_unit["numerator"].reindex(layout.units).to_numpy(dtype=np.float64)
        den = by_unit["denominator"].reindex(layout.units).to_numpy(dtype=np.float64)
        value = by_unit["value"].reindex(layout.units).to_numpy(dtype=np.float64)
        comp = den - num
        grid = np.full(table.shape, np.nan)
        grid[:, layout.yes] = num
        grid[:, layout.no] = comp
        grid[:, layout.total] = den
        published = grid.ravel()
        for k, unit in enumerate(layout.units):
            den_state.setdefault((period, unit), set()).add(
                "published" if not np.isnan(den[k]) else "suppressed")
        violations += _small_counts(ind, period, layout.units, num, comp, den, value, t,
                                    rules.min_denominator)
        completed = _complete(table, published)
        if completed is None:
            violations.append(Violation(
                ind, period, hierarchy.root, "table", "inconsistent",
                "Die veröffentlichten Werte passen nicht zusammen (Summen stimmen nicht)",
                "the published values are inconsistent (totals do not add up)"))
            continue
        mask = np.isnan(published)
        if not mask.any():
            continue
        full = Table(table.dimensions, completed)
        cells, lower, upper = attacker_intervals(full, mask)
        violations += _interval_checks(ind, period, layout, cells, lower, upper, den, rules)
    for (period, unit), states in sorted(den_state.items()):
        if len(states) > 1:
            violations.append(Violation(
                "*", period, unit, "denominator", "linked_denominator",
                "Nenner in einer Tabelle gesperrt, in einer anderen desselben Jahres "
                "veröffentlicht (bei gleichem Nenner berechenbar)",
                "denominator suppressed in one table but published in another of the "
                "same period (recomputable where denominators coincide)"))
    return violations, n_tables


def _small_counts(ind: str, period: str, units: Sequence[str], num: NDArray[np.float64],
                  comp: NDArray[np.float64], den: NDArray[np.float64],
                  value: NDArray[np.float64], t: int, min_den: int) -> list[Violation]:
    out = []
    for part, arr in (("numerator", num), ("complement", comp), ("denominator", den)):
        small = ~np.isnan(arr) & (arr > _TOL) & (arr < t - _TOL)
        for k in np.flatnonzero(small).tolist():
            out.append(Violation(
                ind, period, units[k], part, "small_count",
                f"veröffentlichte Fallzahl {arr[k]:g} unter {t} ({part})",
                f"published count {arr[k]:g} below {t} ({part})", float(arr[k]),
                float(arr[k])))
    small_den = ~np.isnan(value) & (den > 0) & (den < min_den)
    for k in np.flatnonzero(small_den).tolist():
        out.append(Violation(
            ind, period, units[k], "value", "small_denominator",
            f"Anteil mit Nenner {den[k]:g} unter {min_den} veröffentlicht",
            f"share published on a denominator of {den[k]:g} below {min_den}"))
    return out


def _interval_checks(ind: str, period: str, layout: TableLayout, cells: NDArray[np.int64],
                     lower: NDArray[np.float64], upper: NDArray[np.float64],
                     den: NDArray[np.float64], rules: PrivacyRules) -> list[Violation]:
    out = []
    t = rules.min_frequency
    width_answers = layout.table.shape[1]
    names = {layout.yes: "numerator", layout.no: "complement", layout.total: "denominator"}
    for cell, lo, up in zip(cells, lower, upper, strict=True):
        node, answer = divmod(int(cell), width_answers)
        unit, part = layout.units[node], names[answer]
        scale = max(1.0, abs(up) if math.isfinite(up) else 1.0)
        if up - lo <= _TOL * scale:
            out.append(Violation(ind, period, unit, part, "derivable",
                                 f"gesperrter Wert exakt berechenbar ({lo:g})",
                                 f"suppressed value exactly derivable ({lo:g})", lo, up))
        elif lo >= 1 - _TOL and up <= t - 1 + _TOL:
            out.append(Violation(ind, period, unit, part, "small_count_provable",
                                 f"gesperrter Wert nachweislich zwischen {lo:g} und {up:g} "
                                 f"(kleine Fallzahl unter {t})",
                                 f"suppressed value provably between {lo:g} and {up:g} "
                                 f"(a small count below {t})", lo, up))
        elif answer != layout.total and 0 < den[node] < rules.min_denominator and \
                up - lo < 2 - _TOL:
            out.append(Violation(ind, period, unit, part, "narrower_than_protection",
                                 f"Intervall [{lo:g}; {up:g}] schmaler als der Schutzbereich "
                                 "(±1) bei kleinem Nenner",
                                 f"interval [{lo:g}, {up:g}] narrower than the protection "
                                 "(±1) for a small denominator", lo, up))
    return out


def audit_against_truth(observations: pd.DataFrame, counts: Counts, hierarchy: Hierarchy,
                        positions: Mapping[str, int], indicator_ids: Mapping[str, str],
                        rules: PrivacyRules) -> tuple[list[Violation], int]:
    """The full audit with the true counts from the records: every suppressed cell must
    reach its protection levels (frequency rule: the interval covers 0 and the threshold;
    minimum denominator: ±10 %, at least 1) and none may be derivable; every published
    number must equal the truth."""
    violations: list[Violation] = []
    n = 0
    for finding in counts.indicators:
        ind = indicator_ids[finding]
        for period in counts.periods:
            obs = observations[(observations["indicator_id"] == ind)
                               & (observations["period"] == period)]
            if obs.empty:
                continue
            n += 1
            table = _table(counts.cells(finding, period, hierarchy, positions), hierarchy)
            layout = TableLayout.of(table, hierarchy)
            by_unit = obs.set_index("unit_id")
            num = by_unit["numerator"].reindex(layout.units).to_numpy(dtype=np.float64)
            den = by_unit["denominator"].reindex(layout.units).to_numpy(dtype=np.float64)
            grid = np.full(table.shape, np.nan)
            grid[:, layout.yes] = num
            grid[:, layout.no] = den - num
            grid[:, layout.total] = den
            published = grid.ravel()
            mask = np.isnan(published)
            truth = table.count
            wrong = ~mask & (np.abs(published - truth) > _TOL)
            for cell in np.flatnonzero(wrong):
                node = int(cell) // table.shape[1]
                violations.append(Violation(
                    ind, period, layout.units[node], "value", "differs_from_records",
                    f"veröffentlichter Wert {published[cell]:g} weicht von den Einzeldaten "
                    f"ab ({truth[cell]:g})",
                    f"published value {published[cell]:g} differs from the records "
                    f"({truth[cell]:g})"))
            primary = combine(table, _rules(table, layout, rules, set())[:2])
            result = audit(table, mask, primary)
            for row in result.failures.to_dict("records"):
                node, answer = divmod(int(row["cell"]), table.shape[1])
                part = {layout.yes: "numerator", layout.no: "complement",
                        layout.total: "denominator"}[answer]
                violations.append(Violation(
                    ind, period, layout.units[node], part, "below_protection",
                    f"gesperrter Wert {row['value']:g} auf [{row['lower']:g}; "
                    f"{row['upper']:g}] eingrenzbar, Schutzbereich "
                    f"[{row['required_lower']:g}; {row['required_upper']:g}]",
                    f"suppressed value {row['value']:g} can be narrowed to "
                    f"[{row['lower']:g}, {row['upper']:g}], protection "
                    f"[{row['required_lower']:g}, {row['required_upper']:g}]",
                    float(row["lower"]), float(row["upper"])))
            small = ~mask & (published > _TOL) & (published < rules.min_frequency - _TOL)
            for cell in np.flatnonzero(small):
                node = int(cell) // table.shape[1]
                violations.append(Violation(
                    ind, period, layout.units[node], "count", "small_count",
                    f"veröffentlichte Fallzahl {published[cell]:g} unter "
                    f"{rules.min_frequency}",
                    f"published count {published[cell]:g} below {rules.min_frequency}"))
    return violations, n
