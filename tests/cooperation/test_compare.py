"""Comparison of two survey waves, by hand (issue #6)."""

from __future__ import annotations

import pytest

from kekiz.domain.cooperation import Network, Partner, Tie
from kekiz.prevention.cooperation import compare_waves


def _p(*ids: str) -> dict[str, Partner]:
    return {i: Partner(i, i.upper(), "health" if i in "ab" else "education", ("3-6",), "D1",
                       respondent=True) for i in ids}


def _waves() -> tuple[Network, Network]:
    """Wave 1: a, b, c, d with a-b, b-c, c-d, a-c.  Wave 2: b left, e joined; c-d, a-c,
    a-d, a-e, d-e.  New: a-d, a-e, d-e; lost: a-b, b-c (both with b); kept: a-c, c-d.
    Density 4/6 -> 5/6.  Trust on kept pairs: a-c 2 -> 3, c-d 3 -> 4 (+1 each)."""
    w1 = Network(1, _p("a", "b", "c", "d"), [
        Tie("a", "b", trust=4.0), Tie("b", "c", trust=4.0), Tie("c", "d", trust=3.0),
        Tie("a", "c", trust=2.0)], label="Welle 1")
    w2 = Network(2, _p("a", "c", "d", "e"), [
        Tie("d", "c", trust=4.0), Tie("a", "c", trust=3.0), Tie("a", "d", trust=1.0),
        Tie("a", "e"), Tie("e", "d", trust=2.0)], label="Welle 2")
    return w1, w2


def test_new_lost_and_kept_ties() -> None:
    c = compare_waves(*_waves())
    assert c.new_ties == [("a", "d"), ("a", "e"), ("d", "e")]
    assert c.lost_ties == [("a", "b"), ("b", "c")]
    assert c.kept_ties == [("a", "c"), ("c", "d")]
    assert c.lost_with_actor == 2
    assert (c.actors_new, c.actors_left) == (["e"], ["b"])


def test_change_of_density_and_trust() -> None:
    c = compare_waves(*_waves())
    assert c.density_a == pytest.approx(4 / 6) and c.density_b == pytest.approx(5 / 6)
    assert c.density_change == pytest.approx(1 / 6)
    assert c.trust_a == pytest.approx((4 + 4 + 3 + 2) / 4)
    assert c.trust_b == pytest.approx((4 + 3 + 1 + 2) / 4)
    assert c.trust_change == pytest.approx(2.5 - 3.25)
    assert c.trust_change_kept == pytest.approx(1.0)
    assert c.value_change is None and c.value_change_kept is None
    assert (c.components_a, c.components_b, c.isolates_a, c.isolates_b) == (1, 1, 0, 0)


def test_sector_and_transition_tables_line_up() -> None:
    c = compare_waves(*_waves())
    sec = c.sectors.set_index(["sector_a", "sector_b"])
    # education: c, d (wave 1) -> c, d, e (wave 2): c-d of 1 -> c-d, d-e of 3
    assert sec.loc[("education", "education"), "density_a"] == pytest.approx(1.0)
    assert sec.loc[("education", "education"), "density_b"] == pytest.approx(2 / 3)
    d = c.to_dict()
    assert d["new_ties"] == 3 and d["lost_ties"] == 2 and d["label_b"] == "Welle 2"
    assert d["new_tie_list"] == [["a", "d"], ["a", "e"], ["d", "e"]]
