"""Trends: hand-computed changes, OLS slopes with t intervals, break markers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kekiz.analysis.trends import (
    LineageEvent,
    breaks_from_lineage,
    changes,
    mark_breaks,
    slopes,
    trend_table,
)
from kekiz.domain.errors import MethodError


def _series() -> pd.DataFrame:
    return pd.DataFrame({"unit": ["A"] * 4 + ["B"] * 4,
                         "period": [2016, 2017, 2018, 2019] * 2,
                         "value": [1.0, 3, 2, 5, 10, 12, 20, 22]})


def test_changes_over_one_period_hand_computed() -> None:
    out = changes(_series(), 1).set_index(["unit", "period"])
    assert math.isnan(out.loc[("A", 2016), "abs_change"])
    assert not out.loc[("A", 2016), "comparable"]
    assert out.loc[("A", 2017), "abs_change"] == 2.0
    assert out.loc[("A", 2017), "rel_change"] == 2.0  # (3 - 1) / 1
    assert out.loc[("A", 2018), "rel_change"] == pytest.approx(-1 / 3)
    assert out.loc[("B", 2019), "base_period"] == 2018
    assert out.loc[("B", 2019), "rel_change"] == pytest.approx(0.1)


def test_changes_over_two_periods_and_a_break() -> None:
    out = changes(_series(), 2, breaks={("B", 2018)}).set_index(["unit", "period"])
    assert out.loc[("A", 2019), "abs_change"] == 2.0  # 5 - 3
    assert out.loc[("A", 2018), "rel_change"] == 1.0  # (2 - 1) / 1
    # B changed its boundary in 2018: 2018 and 2019 cannot be compared with 2016/2017
    assert out.loc[("B", 2018), "break_marker"]
    assert not out.loc[("B", 2019), "break_marker"]
    assert not out.loc[("B", 2018), "comparable"] and not out.loc[("B", 2019), "comparable"]
    assert math.isnan(out.loc[("B", 2019), "abs_change"])
    kept = changes(_series(), 2, breaks={("B", 2018)}, across_breaks=True)
    kept = kept.set_index(["unit", "period"])
    assert kept.loc[("B", 2019), "abs_change"] == 10.0  # 22 - 12, shown but flagged
    assert not kept.loc[("B", 2019), "comparable"]


def test_a_break_before_the_base_does_not_matter() -> None:
    out = changes(_series(), 1, breaks={("B", 2018)}).set_index(["unit", "period"])
    assert not out.loc[("B", 2018), "comparable"]
    assert out.loc[("B", 2019), "comparable"]
    assert out.loc[("B", 2019), "abs_change"] == 2.0


def test_relative_change_from_zero_is_missing_and_gaps_have_no_base() -> None:
    frame = pd.DataFrame({"unit": ["A", "A", "B", "B"], "period": [1, 2, 1, 3],
                          "value": [0.0, 4.0, 1.0, 2.0]})
    out = changes(frame, 1).set_index(["unit", "period"])
    assert out.loc[("A", 2), "abs_change"] == 4.0
    assert math.isnan(out.loc[("A", 2), "rel_change"])
    # period 3 compares with period 2, which B lacks
    assert math.isnan(out.loc[("B", 3), "abs_change"])


def test_breaks_from_lineage() -> None:
    # C was split off A in 2018; D merged from E and F in 2020 (E, F end there)
    lineage = {"C": (["A"], 2018), "D": (["E", "F"], 2020)}
    assert breaks_from_lineage(lineage) == {("C", 2018), ("A", 2018), ("D", 2020),
                                            ("E", 2020), ("F", 2020)}
    events = [LineageEvent("B", ("B", "X"), 2018)]
    assert breaks_from_lineage(events) == {("B", 2018), ("X", 2018)}
    by_lineage = changes(_series(), 2, lineage=events)
    by_breaks = changes(_series(), 2, breaks={("B", 2018)})
    pd.testing.assert_frame_equal(by_lineage, by_breaks)


def test_mark_breaks() -> None:
    marks = mark_breaks(_series(), lineage={"C": (["A"], 2018)})
    assert marks.tolist() == [False, False, True, False] + [False] * 4


def test_slope_with_t_interval_hand_computed() -> None:
    out = slopes(_series()).set_index("unit")
    a = out.loc["A"]
    # x = 2016..2019, y = 1, 3, 2, 5: Sxx = 5, Sxy = 5.5 -> slope 1.1; SSE = 2.7,
    # s^2 = 1.35, se = sqrt(1.35 / 5) = 0.519615; t(0.975, 2) = 0.95 * sqrt(2 / 0.0975)
    se = math.sqrt(0.27)
    tq = 0.95 * math.sqrt(2 / (1 - 0.95 ** 2))
    assert a["slope"] == pytest.approx(1.1)
    assert a["intercept"] == pytest.approx(2.75 - 1.1 * 2017.5)
    assert a["se"] == pytest.approx(se)
    assert a["ci_low"] == pytest.approx(1.1 - tq * se)
    assert a["ci_high"] == pytest.approx(1.1 + tq * se)
    # two-sided p for 2 df: 1 - t / sqrt(2 + t^2)
    t = 1.1 / se
    assert a["p_value"] == pytest.approx(1 - t / math.sqrt(2 + t * t))
    assert a["n"] == 4 and not a["broken"]


def test_slope_uses_the_segment_after_the_last_break() -> None:
    last = slopes(_series(), breaks={("B", 2018)}).set_index("unit").loc["B"]
    assert last["n"] == 2 and last["first_period"] == 2018 and last["broken"]
    assert last["slope"] == pytest.approx(2.0)
    assert math.isnan(last["se"]) and math.isnan(last["ci_low"])  # two points: no interval
    whole = slopes(_series(), breaks={("B", 2018)}, segment="all").set_index("unit").loc["B"]
    assert whole["n"] == 4 and whole["slope"] == pytest.approx(4.4)  # Sxy 22 / Sxx 5


def test_slope_of_a_perfect_line_and_of_one_point() -> None:
    frame = pd.DataFrame({"unit": ["L"] * 3 + ["P"], "period": [1, 2, 3, 1],
                          "value": [2.0, 4.0, 6.0, 9.0]})
    out = slopes(frame, level=0.9).set_index("unit")
    assert out.loc["L", "slope"] == pytest.approx(2.0)
    assert out.loc["L", "se"] == pytest.approx(0.0, abs=1e-12)
    assert out.loc["L", "p_value"] == pytest.approx(0.0, abs=1e-9)
    assert out.loc["L", "level"] == 0.9
    assert out.loc["P", "n"] == 1 and np.isnan(out.loc["P", "slope"])


@pytest.mark.parametrize(("frame", "message"), [
    (pd.DataFrame({"unit": ["A", "A"], "period": [1, 1], "value": [1.0, 2.0]}),
     "mehrfach vorhanden"),
    (pd.DataFrame({"unit": ["A"], "period": [1]}), r"Spalte\(n\) \['value'\] fehlen"),
    (pd.DataFrame({"unit": ["A"], "period": [1], "value": ["1,5"]}), "nicht numerisch"),
])
def test_invalid_input(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(MethodError, match=message):
        changes(frame)


def test_slopes_of_unknown_period_labels_name_them() -> None:
    frame = pd.DataFrame({"unit": ["A", "A"], "period": ["2019", "Sommer"], "value": [1.0, 2.0]})
    with pytest.raises(MethodError, match="Zeitraum 'Sommer' ist kein Jahr") as info:
        slopes(frame)
    assert "Period 'Sommer' is not a year" in info.value.message_en


# -- periods other than years (issue #18) ----------------------------------------------------
def test_trend_of_years_and_one_half_year_on_real_time() -> None:
    """2019, 2020, 2021 and 2022-H1 (which starts 2022-01-01 = 2022.0): values 1..4 lie on
    a line with slope 1 per year."""
    frame = pd.DataFrame({"unit": ["A"] * 4, "period": ["2019", "2020", "2021", "2022-H1"],
                          "value": [1.0, 2.0, 3.0, 4.0]})
    fit = slopes(frame).iloc[0]
    assert fit["slope"] == pytest.approx(1.0)
    assert fit["intercept"] == pytest.approx(1.0 - 2019.0)
    assert (fit["first_period"], fit["last_period"]) == ("2019", "2022-H1")


def test_half_year_slope_is_per_year_on_the_calendar() -> None:
    """2021-H1, 2021-H2, 2022-H1, 2022-H2 with 10, 11, 13, 14.  On the calendar the second
    half starts a = 181/365 years into the year, so x = 0, a, 1, 1 + a (+ 2021):
    Sxx = 1 + a^2, Sxy = 3 + a (y deviations -2, -1, 1, 2), slope = (3 + a) / (1 + a^2)
    = 2.8059 per year - not 2.8, what evenly spaced half-years would give."""
    a = 181 / 365
    frame = pd.DataFrame({"unit": ["A"] * 4,
                          "period": ["2021-H1", "2021-H2", "2022-H1", "2022-H2"],
                          "value": [10.0, 11.0, 13.0, 14.0]})
    fit = slopes(frame).iloc[0]
    assert fit["slope"] == pytest.approx((3 + a) / (1 + a * a), rel=1e-12)
    assert fit["slope"] != pytest.approx(2.8, rel=1e-4)


def test_day_periods_and_a_break_on_the_time_axis() -> None:
    frame = pd.DataFrame({"unit": ["A"] * 4,
                          "period": ["2020-06-30", "2020-12-31", "2021-06-30", "2021-12-31"],
                          "value": [5.0, 6.0, 9.0, 10.0]})
    fit = slopes(frame, breaks={("A", "2021-H1")}).iloc[0]
    assert fit["n"] == 2 and fit["broken"] and fit["first_period"] == "2021-06-30"
    # 2021-06-30 = 2021 + 180/365, 2021-12-31 = 2021 + 364/365: slope 1 / (184/365)
    assert fit["slope"] == pytest.approx(365 / 184)


def test_changes_of_half_years_and_mixed_kinds() -> None:
    frame = pd.DataFrame({"unit": ["A"] * 3, "period": ["2021-H2", "2021-H1", "2022-H1"],
                          "value": [2.0, 1.0, 4.0]})
    out = changes(frame, 1).set_index("period")
    assert out.loc["2021-H2", "base_period"] == "2021-H1"
    assert out.loc["2022-H1", "abs_change"] == 2.0
    mixed = pd.DataFrame({"unit": ["A"] * 3, "period": ["2020", "2021", "2022-H1"],
                          "value": [1.0, 2.0, 3.0]})
    with pytest.raises(MethodError) as info:
        changes(mixed, 1)
    assert "Zeiträume einer Art" in info.value.message
    assert "Jahre: 2020, 2021" in info.value.message and "Halbjahre: 2022-H1" in \
        info.value.message


def test_trend_table_of_years_hand_computed() -> None:
    """Unit A 2016..2019 = 1, 3, 2, 5: slope 1.1 (see above), change 2019 - 2016 = 4;
    B breaks in 2018: its change is empty and the reason says why."""
    table, since, until = trend_table(_series(), breaks={("B", 2018)})
    assert (since, until) == (2016, 2019)
    t = table.set_index("unit")
    assert t.loc["A", "slope"] == pytest.approx(1.1) and t.loc["A", "change"] == 4.0
    assert (t.loc["A", "since_period"], t.loc["A", "until_period"]) == (2016, 2019)
    assert math.isnan(t.loc["B", "change"]) and t.loc["B", "broken"]
    assert t.loc["B", "reason_de"] == "Gebietsänderung zwischen 2016 und 2019: nicht vergleichbar"
    sub, _, _ = trend_table(_series(), since=2017, until=2018)
    assert sub.set_index("unit").loc["A", "change"] == -1.0  # 2 - 3
    with pytest.raises(MethodError, match="Startjahr vor dem Endjahr"):
        trend_table(_series(), since=2019, until=2019)


def test_trend_table_of_half_years_and_of_mixed_ends() -> None:
    """Half-years: the change compares the last half of each end year (2021-H2 - 2019-H2
    = 9.9 - 11.4); a unit with a year at one end and a half-year at the other has no
    change, and the reason names both periods and the fix."""
    frame = pd.DataFrame({
        "unit": ["A"] * 6 + ["M"] * 3,
        "period": ["2019-H1", "2019-H2", "2020-H1", "2020-H2", "2021-H1", "2021-H2",
                   "2019", "2020", "2021-H2"],
        "value": [12.0, 11.4, 11.5, 10.6, 10.2, 9.9, 5.0, 6.0, 7.0]})
    table, since, until = trend_table(frame)
    assert (since, until) == (2019, 2021)
    t = table.set_index("unit")
    assert t.loc["A", "change"] == pytest.approx(9.9 - 11.4)
    assert (t.loc["A", "since_period"], t.loc["A", "until_period"]) == ("2019-H2", "2021-H2")
    assert t.loc["A", "n"] == 6
    assert math.isnan(t.loc["M", "change"])
    assert t.loc["M", "reason_de"].startswith("Zeiträume verschiedener Art (2019, 2021-H2)")
    assert "zu Jahren zusammenfassen" in t.loc["M", "reason_de"]
    # M's slope still uses real time: 2019.0, 2020.0, 2021 + 181/365
    x = np.array([2019.0, 2020.0, 2021 + 181 / 365])
    y = np.array([5.0, 6.0, 7.0])
    expected = ((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum()
    assert t.loc["M", "slope"] == pytest.approx(expected)


def test_trend_table_names_a_missing_end() -> None:
    frame = pd.DataFrame({"unit": ["A", "A", "B"], "period": [2019, 2021, 2021],
                          "value": [1.0, 2.0, 3.0]})
    t = trend_table(frame)[0].set_index("unit")
    assert t.loc["B", "reason_de"] == "kein Wert 2019" and math.isnan(t.loc["B", "change"])
