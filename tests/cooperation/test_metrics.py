"""Network metrics against hand-computed small networks (issue #6)."""

from __future__ import annotations

import math

import pytest

from kekiz.domain.cooperation import Direction, Network, Partner, Tie, TieType
from kekiz.prevention.cooperation import density_by_sector, metrics, pairs, transition_coverage

H, Y, E = "health", "youth_welfare", "education"


def _chain() -> Network:
    """a - b - c - d and c - e; f alone.  Sectors: a, b health; c, d youth; e, f education.

    By hand: 6 actors, 4 pairs, density 4 / 15.  Betweenness (normalised by
    (n-1)(n-2)/2 = 10): b lies on a-c, a-d, a-e -> 0.3; c on a-d, a-e, b-d, b-e, d-e -> 0.5.
    Cut points b and c.  Cross-sector brokerage: b joins a (health) and c (youth) -> 1;
    c joins b-d, b-e, d-e (all different sectors, none tied) -> 3.
    """
    partners = {p.id: p for p in [
        Partner("a", "A", H, ("0-3",), "D1", respondent=True),
        Partner("b", "B", H, ("0-3",), "D1", respondent=True),
        Partner("c", "C", Y, ("3-6",), "D1", respondent=True),
        Partner("d", "D", Y, ("3-6",), "D2"),
        Partner("e", "E", E, ("6-10",), "D2"),
        Partner("f", "F", E, ("6-10",), "D2", respondent=True),
    ]}
    ties = [
        Tie("a", "b", (TieType.INFORMATION,), trust=4.0, value=3.0, intensity=2),
        Tie("b", "a", (TieType.JOINT_CASEWORK,), trust=2.0, value=3.0, intensity=4),
        Tie("b", "c", (TieType.REFERRAL,), Direction.OUT, trust=3.0),
        Tie("c", "d", (TieType.AGREEMENT, TieType.INFORMATION)),
        Tie("c", "e", (TieType.INFORMATION,), Direction.IN, trust=1.0, value=2.0),
    ]
    return Network(1, partners, ties, label="Test")


def test_density_degree_betweenness_by_hand() -> None:
    m = metrics(_chain())
    assert (m.actors, m.ties, m.reports) == (6, 4, 5)
    assert m.density == pytest.approx(4 / 15, abs=1e-12)
    t = m.actor_table.set_index("id")
    assert t["degree"].to_dict() == {"a": 1, "b": 2, "c": 3, "d": 1, "e": 1, "f": 0}
    assert t["betweenness"].to_dict() == pytest.approx(
        {"a": 0.0, "b": 0.3, "c": 0.5, "d": 0.0, "e": 0.0, "f": 0.0}, abs=1e-12)
    assert t["cutpoint"].to_dict() == {"a": False, "b": True, "c": True, "d": False,
                                       "e": False, "f": False}
    assert t["brokerage"].to_dict() == {"a": 0, "b": 1, "c": 3, "d": 0, "e": 0, "f": 0}
    assert list(m.brokers()["id"]) == ["c", "b"]


def test_directed_degrees_follow_the_reported_direction() -> None:
    t = metrics(_chain()).actor_table.set_index("id")
    # a<->b mutual (two reports), b->c out, c<->d mutual, c<-e (reported by c as incoming)
    assert t.loc["b", "out_degree"] == 2 and t.loc["b", "in_degree"] == 1
    assert t.loc["c", "in_degree"] == 3 and t.loc["c", "out_degree"] == 1
    assert t.loc["e", "out_degree"] == 1 and t.loc["e", "in_degree"] == 0


def test_components_isolates_trust_reciprocity() -> None:
    m = metrics(_chain())
    assert m.components == [["a", "b", "c", "d", "e"], ["f"]]
    assert m.isolates == ["f"]
    assert m.trust_mean == pytest.approx((4 + 2 + 3 + 1) / 4)
    assert m.trust_pct == pytest.approx(62.5)
    assert m.value_mean == pytest.approx((3 + 3 + 2) / 3)
    # pairs of two respondents: a-b (both reported) and b-c (only b reported)
    assert m.reciprocity == pytest.approx(0.5)
    assert m.by_type == {"information": 3, "referral": 1, "joint_casework": 1,
                         "agreement": 1}


def test_pairs_merge_two_reports() -> None:
    p = pairs(_chain())[("a", "b")]
    assert p["reports"] == 2 and p["reciprocated"]
    assert p["trust"] == pytest.approx(3.0) and p["intensity"] == 4
    assert p["types"] == (TieType.INFORMATION, TieType.JOINT_CASEWORK)


def test_density_within_and_between_sectors_by_hand() -> None:
    s = density_by_sector(_chain()).set_index(["sector_a", "sector_b"])
    assert s.loc[(H, H), "density"] == 1.0  # a-b of 1 possible
    assert s.loc[(Y, Y), "density"] == 1.0  # c-d of 1 possible
    assert s.loc[(E, E), "density"] == 0.0  # e, f not tied
    assert s.loc[(H, Y), "density"] == pytest.approx(1 / 4)  # b-c of 2 x 2
    assert s.loc[(E, H), "density"] == 0.0
    assert s.loc[(E, Y), "density"] == pytest.approx(1 / 4)  # c-e of 2 x 2
    assert s.loc[(E, Y), "possible"] == 4
    assert int(s["ties"].sum()) == 4


def _transitions() -> Network:
    """Kitas k1 (0-3, 3-6) and k2 (3-6) and school s1 in D1, school s2 in D2, the youth
    office j (all phases, city-wide).  Ties: k1-s1, k1-s2 (across districts), k2-j."""
    partners = {p.id: p for p in [
        Partner("k1", "Kita 1", Y, ("0-3", "3-6"), "D1"),
        Partner("k2", "Kita 2", Y, ("3-6",), "D1"),
        Partner("s1", "Schule 1", E, ("6-10",), "D1"),
        Partner("s2", "Schule 2", E, ("6-10",), "D2"),
        Partner("j", "Jugendamt", Y, ("all",), "CITY"),
    ]}
    ties = [Tie("k1", "s1"), Tie("s2", "k1"), Tie("k2", "j")]
    return Network(1, partners, ties)


def test_transition_coverage_per_district_by_hand() -> None:
    tr = transition_coverage(_transitions(), {"D1": "D1", "D2": "D2"})
    rows = tr.set_index(["district", "step"])
    kp = rows.loc[("D1", "kita-primary")]
    assert (kp["actors_from"], kp["actors_to"], kp["ties"], kp["linked_from"]) == (2, 1, 1, 1)
    assert kp["share_linked"] == 0.5 and kp["covered"]
    d2 = rows.loc[("D2", "kita-primary")]
    assert (d2["actors_from"], d2["actors_to"], d2["ties"]) == (0, 1, 0)
    assert math.isnan(d2["share_linked"]) and not d2["covered"]
    fk = rows.loc[("D1", "family-kita")]  # k1 serves both phases; k1-k2 not tied
    assert (fk["actors_from"], fk["actors_to"], fk["ties"]) == (1, 2, 0)
    assert "CITY" not in set(tr["district"])  # city-wide actors do not count


def test_transition_coverage_on_a_coarser_level() -> None:
    tr = transition_coverage(_transitions(), {"D1": "B1", "D2": "B1"})
    kp = tr.set_index(["district", "step"]).loc[("B1", "kita-primary")]
    assert (kp["actors_from"], kp["actors_to"], kp["ties"], kp["linked_from"]) == (2, 2, 2, 1)


def test_unknown_partner_in_a_tie_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown partner"):
        Network(1, {"a": Partner("a", "A", H)}, [Tie("a", "zz")])


def test_to_dict_is_json_ready() -> None:
    import json

    data = metrics(_chain(), {"D1": "D1", "D2": "D2"}).to_dict("de")
    text = json.dumps(data)
    assert data["isolates"] == ["f"] and data["components"] == 2
    assert data["sectors"][0]["label_a"] in ("Bildung", "Gesundheit", "Kinder- und Jugendhilfe")
    assert "NaN" not in text
