"""Priority districts: hand-computed scores, ranking, reasons and the stated rule."""

from __future__ import annotations

import pandas as pd
import pytest

import kekiz.analysis.priority as priority_module
from kekiz.analysis.indices import compute_index
from kekiz.analysis.priority import PriorityRule, priority_list
from kekiz.domain.errors import MethodError


def _areas() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["a", "b", "c", "d"],
        "status_class": [4, 3, 2, None],
        "dynamics_class": [2, 3, 1, 3],
        "hotspot": ["HH", "LL", None, "High-High"],
        "children": [800.0, 1200.0, 400.0, None],
    })


def test_scores_and_ranking_hand_computed() -> None:
    result = priority_list(_areas())
    t = result.table.set_index("id")
    # a: status 4 -> 4, hot spot 2, children 3 * 800 / 1200 = 2      -> 8
    # b: status 3 -> 2, dynamics 3 -> 2, children 3 * 1200 / 1200 = 3 -> 7
    # d: no status, dynamics 3 -> 2, hot spot 2, children unknown   -> 4
    # c: children 3 * 400 / 1200 = 1                                  -> 1
    assert t["score"].to_dict() == {"a": 8.0, "b": 7.0, "d": 4.0, "c": 1.0}
    assert t["rank"].to_dict() == {"a": 1, "b": 2, "d": 3, "c": 4}
    assert t.loc["a", "status_points"] == 4.0 and t.loc["a", "hotspot_points"] == 2.0
    assert t.loc["b", "dynamics_points"] == 2.0 and t.loc["b", "children_points"] == 3.0
    assert result.priority_ids == ["a", "b", "d"]
    assert [e.id for e in result.entries] == ["a", "b", "d", "c"]


def test_reasons_in_plain_german_and_english() -> None:
    result = priority_list(_areas())
    a = result.entries[0]
    assert a.reasons == (
        "Status sehr niedrig (Statusklasse 4): +4 Punkte",
        "liegt in einem Hot Spot (räumliche Häufung hoher Werte): +2 Punkte",
        "800 betroffene Kinder (größte Zahl: 1.200): +2 Punkte",
    )
    assert a.reasons_en[2] == "800 affected children (largest number: 1,200): +2 points"
    d = result.entries[2]
    assert d.reasons[0] == "kein Statusindex (Gebiet ausgeschlossen oder Wert fehlt): 0 Punkte"
    assert d.reasons[-1] == "Zahl der betroffenen Kinder unbekannt: 0 Punkte"
    c = result.entries[3]
    assert c.reasons == ("400 betroffene Kinder (größte Zahl: 1.200): +1 Punkt",)
    assert result.table.set_index("id").loc["b", "reasons"] == (
        "Status niedrig (Statusklasse 3): +2 Punkte; Dynamik negativ (Dynamikklasse 3): "
        "+2 Punkte; 1.200 betroffene Kinder (größte Zahl: 1.200): +3 Punkte")


def test_rule_is_stated_in_the_result() -> None:
    result = priority_list(_areas())
    assert result.rule_text == (
        "Punktzahl = Summe der Punkte: Status sehr niedrig +4 Punkte, niedrig +2 Punkte; "
        "Dynamik negativ +2 Punkte; Hot Spot +2 Punkte; betroffene Kinder bis zu +3 Punkte "
        "im Verhältnis zur größten Zahl eines Gebiets. Rangfolge nach Punktzahl, bei "
        "Gleichstand nach Kinderzahl, Status und Schlüssel. Priorisiertes Gebiet ab 4 Punkten.")
    assert result.rule_text_en.startswith("Score = sum of points: status very low +4 points")
    # the docstring states the same default rule
    doc = priority_module.__doc__ or ""
    assert "4 \"sehr niedrig\" +4 points" in doc and "min_score" in doc


def test_ties_broken_by_children_then_status_then_id() -> None:
    frame = pd.DataFrame({"id": ["z", "y", "x", "w"], "status_class": [4, 4, 3, 4],
                          "dynamics_class": [2, 2, 3, 2], "hotspot": [False] * 4,
                          "children": [0.0, 0.0, 0.0, 0.0]})
    result = priority_list(frame)
    # all score 4: x has the better status (3) -> last; w, y, z by id
    assert [e.id for e in result.entries] == ["w", "y", "z", "x"]
    frame.loc[0, "children"] = 10.0  # z gets 3 points and moves to the top
    assert priority_list(frame).entries[0].id == "z"


def test_custom_rule_and_missing_inputs() -> None:
    rule = PriorityRule(status_points={4: 5.0}, dynamics_points={}, hotspot_points=1.0,
                        children_points=0.0, min_score=6.0)
    result = priority_list(_areas(), rule=rule, children_col=None)
    t = result.table.set_index("id")
    assert t["score"].to_dict() == {"a": 6.0, "d": 1.0, "b": 0.0, "c": 0.0}
    assert result.priority_ids == ["a"]
    assert result.entries[-1].reasons == ("keine Merkmale nach der Regel: 0 Punkte",)
    assert "Dynamik keine" in result.rule_text


def test_boolean_hot_spots_and_mss_classes_from_an_index_result() -> None:
    frame = pd.DataFrame({"id": list("abcdef"), "s1": [1.0, 2, 3, 4, 5, 30],
                          "d1": [0.0, 0.1, -0.1, 0.0, 0.2, 3.0]})
    mss = compute_index("mss", frame, status=["s1"], dynamics=["d1"]).table.reset_index()
    mss["hotspot"] = [False, False, False, False, True, True]
    mss["children"] = [10.0, 10, 10, 10, 10, 40]
    result = priority_list(mss)
    top = result.entries[0]
    assert top.id == "f"
    # f: z(s1) = 2.22 -> status 4 (+4); z(d1) = 2.22 -> dynamics 3 (+2); hot spot (+2); +3
    assert top.score == 11.0


@pytest.mark.parametrize(("change", "message"), [
    ({"status_class": [5, 3, 2, 1]}, "Wert 5 ist keine gültige Statusklasse"),
    ({"dynamics_class": ["+", 3, 1, 3]}, "keine gültige Dynamikklasse"),
    ({"children": [-1.0, 0, 0, 0]}, "negative Werte"),
    ({"id": ["a", "a", "b", "c"]}, "doppelt"),
])
def test_invalid_input(change: dict, message: str) -> None:
    frame = _areas().assign(**change)
    with pytest.raises(MethodError, match=message):
        priority_list(frame)


def test_missing_column_is_named() -> None:
    with pytest.raises(MethodError, match="Spalte 'hotspot' \\(Hot Spot\\) fehlt"):
        priority_list(_areas().drop(columns="hotspot"))
