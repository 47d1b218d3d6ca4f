"""Linked record tables (issue #20): relations as attacker knowledge, on a hand-made city.

The city of ``test_disclosure`` (K > Nord {K-101, K-102, K-103}, Süd {K-201, K-202})
with six findings of one year, all on the same examined children:

* overweight ``ueb`` and obesity ``adi`` - nested: every obese child is overweight;
* two breakdowns of the same children: family language ``fam`` and day care in three
  categories ``kein`` / ``kurz`` / ``lang`` (parts of a whole: every child is in
  exactly one).

The attacker's knowledge (stated once, used by the LP of :mod:`tests.records.attack_lp`,
which is independent of ``kekiz.privacy``): every published number; in every table
``ja + nein = total`` and every level the sum of the level below; one denominator per
unit for all six findings; ``ja(adi) <= ja(ueb)`` and ``ja(kein) + ja(kurz) + ja(lang)
= total`` in every Stadtteil; no count is negative.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from kekiz.domain.errors import ConfigurationError
from kekiz.records.aggregate import Counts, Hierarchy
from kekiz.records.disclosure import (
    PrivacyRules,
    audit_against_truth,
    audit_published,
    observations_of,
    protect_counts,
)
from kekiz.records.schema import Relation
from tests.records.attack_lp import Knowledge, intervals
from tests.records.test_disclosure import LEAVES, POS, UNITS

T = 3
DEN = [20, 24, 30, 26, 28]
FOUND = {"ueb": [4, 4, 7, 6, 8], "adi": [1, 4, 3, 5, 6], "fam": [8, 10, 12, 9, 11],
         "kein": [1, 3, 4, 3, 5], "kurz": [4, 5, 6, 5, 6]}
FOUND["lang"] = [d - a - b for d, a, b in zip(DEN, FOUND["kein"], FOUND["kurz"], strict=True)]
RELATIONS = (Relation("nested", ("adi", "ueb")),
             Relation("partition", ("kein", "kurz", "lang"), complete=True),
             Relation("population", ("ueb", "adi", "fam", "kein", "kurz", "lang")))
KNOWLEDGE = Knowledge(population=[["ueb", "adi", "fam", "kein", "kurz", "lang"]],
                      nested=[("adi", "ueb")],
                      partitions=[(("kein", "kurz", "lang"), True)])
PARENT = dict(zip(UNITS["id"], UNITS["parent_id"], strict=True))
IDS = {f: f for f in FOUND}


def counts_of(found: dict[str, list[int]], dens: dict[str, list[int]] | None = None
              ) -> Counts:
    """One year; ``dens`` per finding (default: :data:`DEN` for all)."""
    counts = Counts(len(LEAVES), list(found))
    pidx = counts.period_index(["2012"])
    for k in range(len(LEAVES)):
        den = {f: (dens or {}).get(f, DEN)[k] for f in found}
        n = max(den.values())
        counts.add(np.full(n, k, dtype=np.int32), np.full(n, pidx[0]),
                   {f: np.arange(n) < found[f][k] for f in found},
                   {f: np.arange(n) < den[f] for f in found})
    return counts


def _publish(counts: Counts, rules: PrivacyRules) -> pd.DataFrame:
    hierarchy = Hierarchy.from_units(UNITS, "stadtteil")
    protected, _ = protect_counts(counts, hierarchy, POS, rules)
    return observations_of(protected, IDS, rules)


def _truth(counts: Counts, finding: str, unit: str, what: str) -> float:
    h = Hierarchy.from_units(UNITS, "stadtteil")
    cells = counts.cells(finding, "2012", h, POS)
    leaves = [k for k, chain in enumerate(h.chains) if unit in chain]
    num = sum(int(cells.loc[2 * k, "n"]) for k in leaves)
    den = num + sum(int(cells.loc[2 * k + 1, "n"]) for k in leaves)
    return {"ja": num, "nein": den - num, "total": den}[what]


def test_hand_made_case_needs_the_joint_protection() -> None:
    counts = counts_of(FOUND)
    h = Hierarchy.from_units(UNITS, "stadtteil")
    # each table protected on its own (no relations; the old way) ...
    alone = _publish(counts, PrivacyRules(relations=()))
    found = intervals(alone, PARENT, KNOWLEDGE)
    # ... leaves 'kein' in K-101 derivable: 20 - kurz 4 - lang 15 = 1 (all published)
    assert found[("kein", "K-101", "ja")] == pytest.approx((1.0, 1.0))
    # ... and proves an obese child in K-101: adi(101) + adi(102) = 5 (Nord minus
    # K-103), adi(102) <= ueb(102) = 4 published, so adi(101) >= 1
    lo, up = found[("adi", "K-101", "ja")]
    assert lo == pytest.approx(1.0) and up < np.inf
    joint_rules = PrivacyRules(relations=RELATIONS)
    truth, _ = audit_against_truth(alone, counts, h, POS, IDS, joint_rules)
    assert {(v.indicator, v.unit, v.part) for v in truth} >= {
        ("kein", "K-101", "numerator"), ("adi", "K-101", "numerator")}
    # the joint protection with the relations leaves nothing derivable or too narrow
    joint = _publish(counts, joint_rules)
    n_primary = 0
    for (ind, unit, what), (lo, up) in intervals(joint, PARENT, KNOWLEDGE).items():
        assert up - lo > 1e-6, (ind, unit, what)
        value = _truth(counts, ind, unit, what)
        assert lo - 1e-6 <= value <= up + 1e-6
        if 0 < value < T:
            n_primary += 1
            assert lo <= 1e-6 and up >= T - 1e-6, (ind, unit, what, lo, up)
    assert n_primary >= 2
    assert audit_against_truth(joint, counts, h, POS, IDS, joint_rules)[0] == []
    assert audit_published(joint, h, joint_rules)[0] == []
    # the attacker knowledge is stored with every row of the linked tables
    linked = json.loads(joint["params"].iloc[0])["linked"]
    assert {"kind": "nested", "inner": "adi", "outer": "ueb"} in linked
    assert {"kind": "partition", "parts": ["kein", "kurz", "lang"],
            "complete": True} in linked


def test_attacker_side_audit_uses_the_stored_relations() -> None:
    """The separately protected tables, stored with the relations: the audit of the
    stored numbers alone finds the derivable 'kein' count."""
    counts = counts_of(FOUND)
    h = Hierarchy.from_units(UNITS, "stadtteil")
    alone = _publish(counts, PrivacyRules(relations=()))
    plain, n = audit_published(alone, h, PrivacyRules())
    assert n == 6 and plain == []  # without relations nothing is seen
    joint = _publish(counts, PrivacyRules(relations=RELATIONS))
    weak = alone.copy()
    weak["params"] = joint["params"].to_numpy()  # same rows, same order
    found, _ = audit_published(weak, h, PrivacyRules())
    assert ("kein", "K-101", "numerator", "derivable") in {
        (v.indicator, v.unit, v.part, v.check) for v in found}


def test_summary_rules_and_default_relations() -> None:
    counts = counts_of(FOUND)
    h = Hierarchy.from_units(UNITS, "stadtteil")
    rules = PrivacyRules(relations=RELATIONS)
    protected, summary = protect_counts(counts, h, POS, rules)
    assert summary.tables == 6 and summary.linked == [list(FOUND)]
    assert summary.to_dict()["linked_tables"] == [list(FOUND)]
    # a denominator (one cell of all six tables) counts once; the slacks of the
    # relations (never published) not at all
    primary, secondary = set(), set()
    for (ind, _), (res, lay) in protected.items():
        status = res.status.reshape(lay.table.shape)
        for node, unit in enumerate(lay.units):
            for answer, part in ((lay.yes, "ja"), (lay.no, "nein"), (lay.total, "total")):
                key = (unit, "total") if part == "total" else (ind, unit, part)
                {"primary": primary, "secondary": secondary}.get(
                    str(status[node, answer]), set()).add(key)
    assert summary.primary == len(primary) and summary.secondary == len(secondary) > 0
    again = PrivacyRules.from_dict(rules.to_dict())
    assert again.relations == RELATIONS and again.min_frequency == rules.min_frequency
    assert PrivacyRules.from_dict({"min_frequency": 4}).relations is None
    # without relations given, the default schema's apply to its findings only
    assert PrivacyRules().declared(list(FOUND)) == ()
    assert [r.kind for r in PrivacyRules().declared(["adipositas", "uebergewicht"])] == [
        "nested", "population"]


def test_a_relation_that_does_not_hold_stops_with_unit_and_period() -> None:
    h = Hierarchy.from_units(UNITS, "stadtteil")
    wrong = dict(FOUND, adi=[5, 4, 3, 5, 6])  # 5 obese but 4 overweight in K-101
    with pytest.raises(ConfigurationError) as err:
        protect_counts(counts_of(wrong), h, POS, PrivacyRules(relations=RELATIONS))
    assert "'adi' innerhalb von 'ueb'" in err.value.message
    assert "K-101, 2012" in err.value.message and "[[relations]]" in err.value.message
    too_many = dict(FOUND, kurz=[9, 5, 6, 5, 6])  # the parts add up to more than 20
    with pytest.raises(ConfigurationError, match="Zerlegung"):
        protect_counts(counts_of(too_many), h, POS, PrivacyRules(relations=RELATIONS))


@pytest.mark.parametrize("missing", ["fam", "adi"])
def test_missing_values_link_only_equal_denominators(missing: str) -> None:
    """One finding misses a value in K-202 (27 of 28 children): the denominators are one
    cell wherever they agree, and the population stored with the tables leaves that
    finding out (it does not hold in every unit); obesity stays nested in overweight."""
    h = Hierarchy.from_units(UNITS, "stadtteil")
    counts = counts_of(FOUND, {missing: [20, 24, 30, 26, 27]})
    rules = PrivacyRules(relations=RELATIONS)
    obs = _publish(counts, rules)
    linked = json.loads(obs["params"].iloc[0])["linked"]
    pops = [set(r["findings"]) for r in linked if r["kind"] == "population"]
    assert pops == [set(FOUND) - {missing}]
    assert {"kind": "nested", "inner": "adi", "outer": "ueb"} in linked
    assert audit_against_truth(obs, counts, h, POS, IDS, rules)[0] == []
    assert audit_published(obs, h, rules)[0] == []
    row = obs[obs["indicator_id"] == missing].set_index("unit_id")
    assert row.loc["K-202", "denominator"] == 27 and row.loc["K", "denominator"] == 127


def test_partition_not_complete_and_partial_findings() -> None:
    """'kein' and 'kurz' as disjoint parts without 'lang' (not complete): the slack is the
    rest; a relation whose findings are not all counted is restricted to the others."""
    h = Hierarchy.from_units(UNITS, "stadtteil")
    found = {k: FOUND[k] for k in ("ueb", "kein", "kurz")}
    rules = PrivacyRules(relations=(Relation("partition", ("kein", "kurz", "lang"), True),
                                    Relation("nested", ("adi", "ueb"))))
    assert rules.declared(list(found)) == (Relation("partition", ("kein", "kurz")),)
    counts = counts_of(found)
    protected, summary = protect_counts(counts, h, POS, rules)
    assert summary.linked == [["kein", "kurz"]]
    obs = observations_of(protected, {f: f for f in found}, rules)
    know = Knowledge(population=[["kein", "kurz"]], partitions=[(("kein", "kurz"), False)])
    for (ind, unit, what), (lo, up) in intervals(
            obs[obs["indicator_id"] != "ueb"], PARENT, know).items():
        assert up - lo > 1e-6
        if 0 < _truth(counts, ind, unit, what) < T:
            assert lo <= 1e-6 and up >= T - 1e-6
    assert audit_against_truth(obs, counts, h, POS, {f: f for f in found}, rules)[0] == []
