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
* **linked tables**: findings tied by the schema's relations (nested answers, parts of
  one answer, the same children broken down by different variables) are protected as
  one joint model per period, with the relations as attacker knowledge
  (:mod:`kekiz.records.linked`, :class:`kekiz.privacy.LinkedTable`): no suppressed cell
  of any of these tables can be narrowed below its protection by combining them;
* **linked denominators**: beyond that, a denominator suppressed in one table of a
  period is suppressed in every table of that period (repeated until nothing changes),
  because denominators of different populations may coincide.

What is stored is exactly what is published: a suppressed numerator or denominator is
``NULL``, and so are the value and interval.  The reason stored with a suppressed value
does not say whether the rule or the protection of another cell caused it, because that
would tell an attacker that a count is 1 or 2.

:func:`audit_published` re-runs the attacker's LP on the published tables alone, linked
tables jointly with the relations stored with them.  It
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
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import linprog

from kekiz.analysis.rates import wilson_interval
from kekiz.privacy import (
    Cells,
    ProtectedTable,
    Table,
    attacker_intervals,
    audit,
    combine,
    frequency_rule,
)
from kekiz.records.aggregate import Counts, Hierarchy
from kekiz.records.linked import (
    ANSWER,
    NO,
    YES,
    LinkedGroup,
    TableLayout,
    components,
    link_group,
    published_relations,
    relations_from_params,
    table_of,
)
from kekiz.records.protection import (
    PrivacyRules,
    ProtectionSummary,
    Violation,
    protect_group,
    suppressed_totals,
    table_rules,
)
from kekiz.records.schema import Relation, restrict_relations

__all__ = [
    "SUPPRESSION_REASON",
    "PrivacyRules",
    "ProtectionSummary",
    "Violation",
    "audit_against_truth",
    "audit_published",
    "observations_of",
    "protect_counts",
]

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


def _groups(counts: Counts, hierarchy: Hierarchy, positions: Mapping[str, int],
            inds: Sequence[str], relations: Sequence[Relation], period: str
            ) -> list[LinkedGroup]:
    """The tables of one period, grouped (and linked) by the relations."""
    out = []
    for part in components(inds, relations):
        layouts = []
        for ind in part:
            table = table_of(counts.cells(ind, period, hierarchy, positions), hierarchy)
            layouts.append(TableLayout.of(table, hierarchy))
        group = link_group(period, part, layouts, relations)
        links = published_relations(group)
        for lay in layouts:
            lay.links = links
        out.append(group)
    return out


def protect_counts(counts: Counts, hierarchy: Hierarchy, positions: Mapping[str, int],
                   rules: PrivacyRules, *, indicators: Sequence[str] | None = None,
                   progress: Any = None
                   ) -> tuple[dict[tuple[str, str], tuple[ProtectedTable, TableLayout]],
                              ProtectionSummary]:
    """Protect every (indicator, period) table: the tables of findings tied by
    ``rules.declared`` relations jointly, each as linked tables; denominators linked per
    period.

    Denominators of 1 and 2 are linked from the start; each round protects the groups of
    tables that do not yet suppress every linked denominator of their period, until none
    adds one (the set only grows, so this ends).
    """
    inds = list(indicators or counts.indicators)
    relations = rules.declared(inds)
    groups: dict[tuple[str, int], LinkedGroup] = {}
    forced: dict[str, set[str]] = {}
    for period in counts.periods:
        forced[period] = set()
        for g, group in enumerate(_groups(counts, hierarchy, positions, inds, relations,
                                          period)):
            groups[(period, g)] = group
            for lay in group.layouts:
                den = lay.layer(lay.table.count, lay.total)
                small = (den > 0) & (den < rules.min_frequency)
                forced[period] |= {lay.units[k] for k in np.flatnonzero(small)}
    n_tables = sum(len(g.findings) for g in groups.values())
    results: dict[tuple[str, int], tuple[list[ProtectedTable], ProtectedTable]] = {}
    alone: dict[tuple[str, int], list[NDArray[np.bool_]]] = {}
    rounds = dict.fromkeys(counts.periods, 0)
    while True:
        todo = [key for key, group in groups.items() if key not in results or any(
            not forced[key[0]] <= suppressed_totals(res, lay)
            for res, lay in zip(results[key][0], group.layouts, strict=True))]
        if not todo:
            break
        for period in {key[0] for key in todo}:
            rounds[period] += 1
        for key in todo:
            parts, whole, alone[key] = protect_group(groups[key], rules, forced[key[0]],
                                                     alone.get(key))
            results[key] = (parts, whole)
            if progress is not None:
                progress(sum(len(groups[k].findings) for k in results), n_tables)
        for (period, g), (parts, _) in results.items():
            for res, lay in zip(parts, groups[(period, g)].layouts, strict=True):
                forced[period] |= suppressed_totals(res, lay)
    summary = ProtectionSummary(rounds={p: int(r) for p, r in rounds.items()},
                                linked=[list(p) for p in components(inds, relations)
                                        if len(p) > 1])
    out: dict[tuple[str, str], tuple[ProtectedTable, TableLayout]] = {}
    for key, group in groups.items():
        parts, whole = results[key]
        for ind, res, lay in zip(group.findings, parts, group.layouts, strict=True):
            out[(ind, key[0])] = (res, lay)
        summary.tables += len(group.findings)
        summary.primary += int(whole.primary.mask.sum())
        summary.secondary += whole.n_secondary
        summary.optimal += len(group.findings) * int(whole.secondary.optimal)
    order = {ind: k for k, ind in enumerate(inds)}
    keys = sorted(out, key=lambda key: (counts.periods.index(key[1]), order[key[0]]))
    return {key: out[key] for key in keys}, summary


def observations_of(protected: Mapping[tuple[str, str], tuple[ProtectedTable, TableLayout]],
                    indicator_ids: Mapping[str, str], rules: PrivacyRules, *,
                    extra_params: Mapping[str, Any] | None = None,
                    method: str = "records") -> pd.DataFrame:
    """Observations as published: suppressed parts ``NULL``, values with Wilson 95 %
    intervals, status ``ok``/``unreliable``/``missing``/``suppressed``.

    ``indicator_ids`` maps the finding id to the stored indicator id.  Every row of a
    linked table carries the attacker knowledge it was protected with
    (``params["linked"]``, relations in stored indicator ids; see
    :func:`kekiz.records.linked.published_relations`).
    """
    import json

    frames = []
    reason = {k: v.format(t=rules.min_frequency, n=rules.min_denominator)
              for k, v in SUPPRESSION_REASON.items()}
    for (finding, period), (result, layout) in protected.items():
        base = dict(extra_params or {})
        if layout.links:
            base["linked"] = [Relation(r.kind, tuple(indicator_ids[f] for f in r.findings),
                                       r.complete).to_dict() for r in layout.links]
        frame = _observation_rows(result, layout, rules, base, reason)
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


def _numbers(rules: PrivacyRules) -> dict[str, Any]:
    """The thresholds as stored with a suppressed value (the relations are in
    ``params["linked"]``)."""
    return {k: v for k, v in rules.to_dict().items() if k != "relations"}


def _observation_rows(result: ProtectedTable, layout: TableLayout, rules: PrivacyRules,
                      base: Mapping[str, Any], reason: Mapping[str, str]) -> pd.DataFrame:
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
                                 "reason_en": reason["en"], "rules": _numbers(rules)}
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
    return pd.DataFrame(rows, columns=["unit_id", "numerator", "denominator", "value",
                                       "lower", "upper", "status", "params"])


# --------------------------------------------------------------------------- audits
def _structure(hierarchy: Hierarchy) -> tuple[Table, TableLayout]:
    rows = []
    for chain in hierarchy.chains:
        rows.append((*chain, YES, 0))
        rows.append((*chain, NO, 0))
    table = table_of(pd.DataFrame(rows, columns=[*hierarchy.columns, ANSWER, "n"]),
                     hierarchy)
    return table, TableLayout.of(table, hierarchy)


def _complete(table: Cells, published: NDArray[np.float64]) -> NDArray[np.float64] | None:
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


def _grid(layout: TableLayout, obs: pd.DataFrame) -> dict[str, NDArray[np.float64]]:
    """A stored table as numerator, complement, denominator and value per unit and as
    flat cells (``NaN`` where suppressed)."""
    by_unit = obs.set_index("unit_id")
    out = {key: by_unit[key].reindex(layout.units).to_numpy(dtype=np.float64)
           for key in ("numerator", "denominator", "value")}
    out["complement"] = out["denominator"] - out["numerator"]
    grid = np.full(layout.table.shape, np.nan)
    grid[:, layout.yes] = out["numerator"]
    grid[:, layout.no] = out["complement"]
    grid[:, layout.total] = out["denominator"]
    out["cells"] = grid.ravel()
    return out


def audit_published(observations: pd.DataFrame, hierarchy: Hierarchy, rules: PrivacyRules
                    ) -> tuple[list[Violation], int]:
    """Audit the published tables of ``observations`` (one or more indicators and periods
    over ``hierarchy``) from the attacker's side; returns the violations and the number
    of tables audited.  Tables stored with relations (``params["linked"]``) are
    attacked jointly, with those relations as attacker knowledge."""
    _, layout = _structure(hierarchy)
    violations: list[Violation] = []
    n_tables = 0
    den_state: dict[tuple[str, str], set[str]] = {}
    for period, obs_p in observations.groupby("period", sort=True):
        period = str(period)
        tables = {str(ind): part for ind, part in obs_p.groupby("indicator_id", sort=True)}
        inds = list(tables)
        params = obs_p["params"].tolist() if "params" in obs_p else []
        relations = restrict_relations(relations_from_params(params), inds)
        for part in components(inds, relations):
            grids = {ind: _grid(layout, tables[ind]) for ind in part}
            for ind, g in grids.items():
                n_tables += 1
                for k, unit in enumerate(layout.units):
                    den_state.setdefault((period, unit), set()).add(
                        "published" if not np.isnan(g["denominator"][k]) else "suppressed")
                violations += _small_counts(ind, period, layout.units, g["numerator"],
                                            g["complement"], g["denominator"], g["value"],
                                            rules.min_frequency, rules.min_denominator)
            violations += _attack(period, part, grids, layout, relations, rules,
                                  hierarchy.root)
    for (period, unit), states in sorted(den_state.items()):
        if len(states) > 1:
            violations.append(Violation(
                "*", period, unit, "denominator", "linked_denominator",
                "Nenner in einer Tabelle gesperrt, in einer anderen desselben Jahres "
                "veröffentlicht (bei gleichem Nenner berechenbar)",
                "denominator suppressed in one table but published in another of the "
                "same period (recomputable where denominators coincide)"))
    return violations, n_tables


def _attack(period: str, part: Sequence[str], grids: Mapping[str, dict[str, Any]],
            layout: TableLayout, relations: Sequence[Relation], rules: PrivacyRules,
            root: str) -> list[Violation]:
    """The attacker's intervals of every suppressed cell of the tables ``part`` (one
    table, or linked tables as one model with the stored relations)."""
    group = link_group(period, part, [layout] * len(part), relations, every_unit=True,
                       check=False)
    model: Cells = layout.table if group.joint is None else group.joint
    index = [np.arange(layout.table.n_cells)] if group.joint is None else list(
        group.joint.index)
    published = np.full(model.n_cells, np.nan)
    clash = False
    for k, ind in enumerate(part):
        cells = grids[ind]["cells"]
        known = ~np.isnan(cells)
        before = published[index[k][known]]
        clash |= bool((~np.isnan(before) & (np.abs(before - cells[known]) > _TOL)).any())
        published[index[k][known]] = cells[known]
    completed = None if clash else _complete(model, published)
    if completed is None:
        return [Violation(ind, period, root, "table", "inconsistent",
                          "Die veröffentlichten Werte passen nicht zusammen (Summen oder "
                          "veröffentlichte Beziehungen stimmen nicht)",
                          "the published values are inconsistent (totals or published "
                          "relations do not add up)") for ind in part]
    mask = np.isnan(published)
    if group.joint is not None:
        mask &= ~group.joint.hidden
    if not mask.any():
        return []
    full: Cells = (Table(layout.table.dimensions, completed) if group.joint is None
                   else group.joint.with_counts(completed))
    cells, lower, upper = attacker_intervals(full, mask)
    out: list[Violation] = []
    for k, ind in enumerate(part):
        mine, lo, up = _member_intervals(index[k], cells, lower, upper)
        out += _interval_checks(ind, period, layout, mine, lo, up,
                                grids[ind]["denominator"], rules)
    return out


def _member_intervals(index: NDArray[np.int64], cells: NDArray[np.int64],
                      lower: NDArray[np.float64], upper: NDArray[np.float64]
                      ) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """The intervals of the joint ``cells`` for the cells of one member table."""
    where = np.full(int(index.max(initial=-1)) + 1, -1, dtype=np.int64)
    keep = cells < where.size
    where[cells[keep]] = np.flatnonzero(keep)
    pos = where[index]
    mine = np.flatnonzero(pos >= 0)
    return mine, lower[pos[mine]], upper[pos[mine]]


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
    number must equal the truth.  Linked tables are attacked jointly with the declared
    relations (as in :func:`protect_counts`)."""
    violations: list[Violation] = []
    n = 0
    for period in counts.periods:
        stored = {f: observations[(observations["indicator_id"] == indicator_ids[f])
                                  & (observations["period"] == period)]
                  for f in counts.indicators}
        present = [f for f, obs in stored.items() if not obs.empty]
        relations = rules.declared(present)
        for group in _groups(counts, hierarchy, positions, present, relations, period):
            n += len(group.findings)
            masks = []
            for finding, lay in zip(group.findings, group.layouts, strict=True):
                published = _grid(lay, stored[finding])["cells"]
                masks.append(np.isnan(published))
                violations += _published_checks(indicator_ids[finding], period, lay,
                                                 published, rules)
            violations += _truth_attack(group, masks, indicator_ids, rules)
    return violations, n


def _published_checks(ind: str, period: str, layout: TableLayout,
                      published: NDArray[np.float64], rules: PrivacyRules) -> list[Violation]:
    """Published numbers that differ from the records or are small counts."""
    out = []
    truth = layout.table.count
    mask = np.isnan(published)
    width = layout.table.shape[1]
    for cell in np.flatnonzero(~mask & (np.abs(published - truth) > _TOL)):
        out.append(Violation(
            ind, period, layout.units[int(cell) // width], "value", "differs_from_records",
            f"veröffentlichter Wert {published[cell]:g} weicht von den Einzeldaten "
            f"ab ({truth[cell]:g})",
            f"published value {published[cell]:g} differs from the records "
            f"({truth[cell]:g})"))
    small = ~mask & (published > _TOL) & (published < rules.min_frequency - _TOL)
    for cell in np.flatnonzero(small):
        out.append(Violation(
            ind, period, layout.units[int(cell) // width], "count", "small_count",
            f"veröffentlichte Fallzahl {published[cell]:g} unter {rules.min_frequency}",
            f"published count {published[cell]:g} below {rules.min_frequency}"))
    return out


def _truth_attack(group: LinkedGroup, masks: Sequence[NDArray[np.bool_]],
                  indicator_ids: Mapping[str, str], rules: PrivacyRules) -> list[Violation]:
    """The LP audit of one group's stored pattern against the protection levels."""
    if group.joint is None:
        lay = group.layouts[0]
        model: Cells = lay.table
        index = [np.arange(lay.table.n_cells)]
        primary = combine(lay.table, table_rules(lay.table, lay, rules, set())[:2])
    else:
        joint = model = group.joint
        index = list(joint.index)
        lifted = [frequency_rule(joint, rules.min_frequency)]
        for k, lay in enumerate(group.layouts):
            lifted.append(joint.lift(k, table_rules(lay.table, lay, rules, set())[1]))
        primary = combine(joint, lifted)
    known = np.zeros(model.n_cells, dtype=bool)
    for idx, mask in zip(index, masks, strict=True):
        known[idx[~mask]] = True  # a cell published in any table is known
    result = audit(model, ~known, primary)
    out: list[Violation] = []
    for row in result.failures.to_dict("records"):
        for k, lay in enumerate(group.layouts):
            for cell in np.flatnonzero(index[k] == int(row["cell"])).tolist():
                node, answer = divmod(cell, lay.table.shape[1])
                part = {lay.yes: "numerator", lay.no: "complement",
                        lay.total: "denominator"}[answer]
                out.append(Violation(
                    indicator_ids[group.findings[k]], group.period, lay.units[node], part,
                    "below_protection",
                    f"gesperrter Wert {row['value']:g} auf [{row['lower']:g}; "
                    f"{row['upper']:g}] eingrenzbar, Schutzbereich "
                    f"[{row['required_lower']:g}; {row['required_upper']:g}]",
                    f"suppressed value {row['value']:g} can be narrowed to "
                    f"[{row['lower']:g}, {row['upper']:g}], protection "
                    f"[{row['required_lower']:g}, {row['required_upper']:g}]",
                    float(row["lower"]), float(row["upper"])))
    return out
