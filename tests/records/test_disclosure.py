"""Disclosure control of the record tables, on small hand-made cities."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from kekiz.records.aggregate import Counts, Hierarchy
from kekiz.records.disclosure import (
    PrivacyRules,
    audit_against_truth,
    audit_published,
    observations_of,
    protect_counts,
)

UNITS = pd.DataFrame([
    ("K", "Stadt", "gemeinde", None),
    ("K-1", "Nord", "stadtbezirk", "K"), ("K-2", "Süd", "stadtbezirk", "K"),
    ("K-101", "N1", "stadtteil", "K-1"), ("K-102", "N2", "stadtteil", "K-1"),
    ("K-103", "N3", "stadtteil", "K-1"),
    ("K-201", "S1", "stadtteil", "K-2"), ("K-202", "S2", "stadtteil", "K-2"),
], columns=["id", "name", "level", "parent_id"])
LEAVES = ["K-101", "K-102", "K-103", "K-201", "K-202"]
POS = {u: k for k, u in enumerate(LEAVES)}


def _counts(table: dict[str, list[tuple[int, int]]], periods: tuple[str, ...] = ("2012",)
            ) -> Counts:
    """``table[indicator] = [(numerator, denominator) per leaf]`` -> Counts."""
    inds = list(table)
    counts = Counts(len(LEAVES), inds)
    for period in periods:
        pidx = counts.period_index([period])
        for k in range(len(LEAVES)):
            den = max(table[i][k][1] for i in inds)
            leaf = np.full(den, k, dtype=np.int32)
            nums = {i: np.arange(den) < table[i][k][0] for i in inds}
            dens = {i: np.arange(den) < table[i][k][1] for i in inds}
            counts.add(leaf, np.full(den, pidx[0]), nums, dens)
    return counts


def _run(table: dict[str, list[tuple[int, int]]], rules: PrivacyRules | None = None
         ) -> tuple[pd.DataFrame, Counts, Hierarchy, PrivacyRules]:
    rules = rules or PrivacyRules()
    counts = _counts(table)
    hierarchy = Hierarchy.from_units(UNITS, "stadtteil")
    protected, _ = protect_counts(counts, hierarchy, POS, rules)
    obs = observations_of(protected, {i: i for i in table}, rules)
    return obs, counts, hierarchy, rules


def _row(obs: pd.DataFrame, unit: str, ind: str = "a") -> pd.Series:
    return obs[(obs["unit_id"] == unit) & (obs["indicator_id"] == ind)].iloc[0]


def test_hierarchy_from_units() -> None:
    h = Hierarchy.from_units(UNITS, "stadtteil")
    assert h.root == "K" and h.columns == ("stadtbezirk", "stadtteil")
    assert h.chains[0] == ("K-1", "K-101")
    assert h.units() == ["K", "K-1", "K-2", *LEAVES]
    only_south = Hierarchy.from_units(UNITS, "stadtteil", used=["K-201", "K-202"])
    assert only_south.root == "K-2" and only_south.leaves == ("K-201", "K-202")


def test_every_level_published_with_wilson_interval() -> None:
    obs, *_ = _run({"a": [(30, 100), (40, 120), (50, 110), (20, 90), (25, 95)]})
    assert len(obs) == 8 and set(obs["status"]) == {"ok"}
    city = _row(obs, "K")
    assert (city["numerator"], city["denominator"]) == (165, 515)
    assert city["value"] == pytest.approx(100 * 165 / 515)
    z = 1.959963984540054
    x, n = 165, 515
    root = z * (z * z + 4 * x * (1 - x / n)) ** 0.5
    assert city["lower"] == pytest.approx(100 * (2 * x + z * z - root) / (2 * (n + z * z)))
    assert _row(obs, "K-1")["denominator"] == 330


def test_small_count_and_its_complement_are_protected() -> None:
    # K-101: 1 of 40 (numerator 1); K-201: 39 of 40 (complement 1 = one child without)
    obs, counts, h, rules = _run({"a": [(1, 40), (12, 50), (15, 60), (39, 40), (20, 70)]})
    for unit in ("K-101", "K-201"):
        row = _row(obs, unit)
        assert row["status"] == "suppressed" and np.isnan(row["value"])
        assert np.isnan(row["numerator"])
        params = json.loads(row["params"])["privacy"]
        assert "Geheimhaltung" in params["reason_de"] and "confidentiality" in params[
            "reason_en"]
        assert "primär" not in params["reason_de"]  # no hint which rule applied
    published = obs[obs["status"] != "suppressed"]
    for col in ("numerator", "denominator"):
        vals = published[col].to_numpy()
        assert not ((vals > 0) & (vals < 3)).any()
    comp = (published["denominator"] - published["numerator"]).to_numpy()
    assert not ((comp > 0) & (comp < 3)).any()
    violations, n = audit_published(obs, h, rules)
    assert n == 1 and violations == []
    truth, _ = audit_against_truth(obs, counts, h, POS, {"a": "a"}, rules)
    assert truth == []


def test_minimum_denominator_hides_the_share_but_not_the_count() -> None:
    obs, counts, h, rules = _run({"a": [(4, 8), (12, 50), (15, 60), (20, 40), (20, 70)]})
    row = _row(obs, "K-101")
    assert row["status"] == "suppressed" and np.isnan(row["value"])
    assert row["denominator"] == 8  # 8 children examined: not sensitive itself
    assert audit_published(obs, h, rules)[0] == []
    assert audit_against_truth(obs, counts, h, POS, {"a": "a"}, rules)[0] == []


def test_denominators_are_linked_across_indicators() -> None:
    # K-103 has 2 examined children: its denominator is suppressed in both tables,
    # and whatever protects it in one table must not be published in the other
    obs, _, h, rules = _run({
        "a": [(10, 40), (12, 50), (1, 2), (20, 40), (20, 70)],
        "b": [(5, 40), (30, 50), (0, 2), (10, 40), (35, 70)]})
    for ind in ("a", "b"):
        assert np.isnan(_row(obs, "K-103", ind)["denominator"])
    sup = {ind: set(obs[(obs["indicator_id"] == ind) & obs["denominator"].isna()]["unit_id"])
           for ind in ("a", "b")}
    assert sup["a"] == sup["b"]
    violations, n = audit_published(obs, h, rules)
    assert n == 2 and violations == []


def test_audit_sees_a_weakened_publication() -> None:
    obs, counts, h, rules = _run({"a": [(1, 40), (12, 50), (15, 60), (30, 40), (20, 70)]})
    suppressed = obs[obs["status"] == "suppressed"]
    assert len(suppressed) >= 2
    # publish one secondary suppression again: the primary cell becomes derivable
    weak = obs.copy()
    victim = suppressed[suppressed["unit_id"] != "K-101"].index[0]
    unit = weak.loc[victim, "unit_id"]
    true = counts.cells("a", "2012", h, POS)
    if unit in LEAVES:
        k = LEAVES.index(unit)
        weak.loc[victim, ["numerator", "denominator"]] = [
            float(true.loc[2 * k, "n"]), float(true.loc[2 * k, "n"] + true.loc[2 * k + 1, "n"])]
    else:
        part = true[true[h.columns[0]] == unit]
        weak.loc[victim, ["numerator", "denominator"]] = [
            float(part[part["merkmal"] == "ja"]["n"].sum()), float(part["n"].sum())]
    weak.loc[victim, "status"] = "ok"
    checks = {v.check for v in audit_published(weak, h, rules)[0]}
    assert checks & {"derivable", "small_count_provable"}
    truth = audit_against_truth(weak, counts, h, POS, {"a": "a"}, rules)[0]
    assert any(v.check == "below_protection" for v in truth)


def test_audit_sees_small_published_counts_and_wrong_values() -> None:
    obs, counts, h, rules = _run({"a": [(30, 100), (40, 120), (50, 110), (20, 90), (25, 95)]})
    bad = obs.copy()
    bad.loc[bad["unit_id"] == "K-101", ["numerator", "denominator"]] = [1.0, 2.0]
    checks = {v.check for v in audit_published(bad, h, rules)[0]}
    assert {"small_count", "small_denominator", "inconsistent"} & checks
    truth = {v.check for v in audit_against_truth(bad, counts, h, POS, {"a": "a"}, rules)[0]}
    assert "differs_from_records" in truth and "small_count" in truth
