"""Forecasts and the status rule (issue #6): the interval against statsmodels, each status
by a hand-made series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from kekiz.domain.errors import MethodError
from kekiz.domain.goals import Direction, GoalStatus, Target
from kekiz.goals.progress import (
    RULE_DE,
    RULE_EN,
    assess,
    fit_forecast,
    forecast_band,
    reaches,
    yearly,
)


def _series(values: list[float], start: int = 2012) -> pd.DataFrame:
    return pd.DataFrame({"year": range(start, start + len(values)), "value": values})


KOELN_SCHULABG = [5.12, 4.27, 5.22, 5.12, 4.89, 4.58, 5.85, 5.96, 4.91, 5.26]  # 2012-2021


def test_forecast_and_prediction_interval_match_statsmodels() -> None:
    s = _series(KOELN_SCHULABG)
    fc = fit_forecast(s, window=10)
    assert fc is not None and fc.n == 10 and (fc.first_year, fc.last_year) == (2012, 2021)
    x = sm.add_constant(s["year"].to_numpy(dtype=float))
    fit = sm.OLS(s["value"].to_numpy(), x).fit()
    pred = fit.get_prediction(np.array([[1.0, 2030.0]])).summary_frame(alpha=0.05)
    yhat, lo, hi = fc.at(2030)
    assert yhat == pytest.approx(pred["mean"].iloc[0], rel=1e-9)
    assert lo == pytest.approx(pred["obs_ci_lower"].iloc[0], rel=1e-9)
    assert hi == pytest.approx(pred["obs_ci_upper"].iloc[0], rel=1e-9)
    assert fc.slope == pytest.approx(fit.params[1], rel=1e-9)
    ci = fit.conf_int(0.05)[1]
    assert (fc.slope_low, fc.slope_high) == pytest.approx((ci[0], ci[1]), rel=1e-9)


def test_window_takes_the_last_values() -> None:
    s = _series([100.0] * 5 + [1.0, 2.0, 3.0, 4.0], start=2000)
    fc = fit_forecast(s, window=4)
    assert fc is not None and fc.first_year == 2005
    assert fc.at(2010)[0] == pytest.approx(6.0)  # exact line: 1 per year
    assert fc.at(2010)[1] == pytest.approx(6.0)  # no residuals -> no width
    assert fit_forecast(s.head(2)) is None
    with pytest.raises(MethodError):
        fit_forecast(s, window=2)


def _t(value: float, direction: Direction = Direction.DECREASE, year: int = 2030, *,
       baseline_year: int | None = None, baseline_value: float | None = None,
       tolerance: float | None = None) -> Target:
    return Target("x", value, year, direction, unit_id="u", baseline_year=baseline_year,
                  baseline_value=baseline_value, tolerance=tolerance)


def _assess(target: Target, s: pd.DataFrame, polarity: int = -1) -> GoalStatus:
    return assess("Z", target, s, unit_id="u", polarity=polarity).status


def test_status_on_track_at_risk_off_track() -> None:
    falling = _series([10.0, 9.6, 9.1, 8.8, 8.2, 8.1, 7.4, 7.2, 6.9, 6.3])  # ~ -0.4 a year
    fc = fit_forecast(falling)
    assert fc is not None
    yhat, lo, hi = fc.at(2030)
    assert _assess(_t(yhat + 0.5), falling) is GoalStatus.ON_TRACK
    assert _assess(_t((yhat + lo) / 2), falling) is GoalStatus.AT_RISK
    assert _assess(_t(lo - 0.5), falling) is GoalStatus.OFF_TRACK
    assert hi - 0.1 > yhat
    assert _assess(_t(hi - 0.1, Direction.INCREASE), falling) is GoalStatus.AT_RISK
    assert _assess(_t(hi + 1.0, Direction.INCREASE), falling) is GoalStatus.OFF_TRACK
    # the forecast stays above a target to be raised, but the value fell since the
    # baseline (got worse for 'steigern'): never on track, at risk (issue #19)
    assert _assess(_t(yhat - 0.5, Direction.INCREASE), falling) is GoalStatus.AT_RISK


def test_no_data_and_short_series() -> None:
    empty = _series([])
    p = assess("Z", _t(5.0), empty, unit_id="u")
    assert p.status is GoalStatus.NO_DATA and p.reason_de == "Keine Werte im Store."
    two = _series([8.0, 7.0])
    p = assess("Z", _t(5.0), two, unit_id="u")
    assert p.status is GoalStatus.NO_DATA and "Nur 2 Jahreswerte (2012, 2013)" in p.reason_de
    assert p.to_dict()["status_label"] == "keine Daten: zu wenige Werte für einen Trend"
    assert p.to_dict("en")["status_detail"] == "too_few_values"
    # a single value is the baseline: the label and the reason say so, not a bare "no data"
    one = _series([8.0])
    p = assess("Z", _t(5.0), one, unit_id="u")
    assert p.status is GoalStatus.NO_DATA and p.detail == "baseline_only"
    assert p.reason_de == ("Nur ein Jahreswert (2012), der Basiswert: kein Trend, eine "
                           "Prognose braucht mindestens 3 Jahreswerte. Das Ziel ist noch "
                           "nicht erreicht.")
    assert p.to_dict()["status_label"] == "keine Daten: nur Basiswert, kein Trend"
    assert p.to_dict("en")["status_label"] == "no data: baseline only, no trend"
    assert (p.baseline_year, p.baseline_value) == (2012, 8.0)
    p = assess("Z", _t(8.5), one, unit_id="u")
    assert p.status is GoalStatus.ON_TRACK and p.reason_en.startswith("Target already reached")
    assert p.to_dict()["status_label"] == "auf Kurs"
    assert assess("Z", _t(5.0), empty, unit_id="u").to_dict()["status_label"] == "keine Daten"
    p = assess("Z", _t(7.5), two, unit_id="u")
    assert p.status is GoalStatus.ON_TRACK and "schon erreicht" in p.reason_de
    assert p.forecast is None


def test_target_year_already_observed() -> None:
    s = _series([8.0, 7.0, 6.0, 5.0, 6.0])  # 2012-2016
    assert _assess(_t(5.5, year=2015), s) is GoalStatus.ON_TRACK  # 5.0 in 2015
    assert _assess(_t(4.5, year=2015), s) is GoalStatus.OFF_TRACK
    p = assess("Z", _t(4.5, year=2015), s, unit_id="u")
    assert "2015" in p.reason_de and "verfehlt" in p.reason_de


def test_baseline_year_value_and_fallbacks() -> None:
    s = _series([8.0, 7.0, 6.0, 5.0], start=2016)
    p = assess("Z", _t(3.0), s, unit_id="u", default_baseline_year=2017)
    assert (p.baseline_year, p.baseline_value) == (2017, 7.0)
    p = assess("Z", _t(3.0, baseline_year=2010), s, unit_id="u")
    assert (p.baseline_year, p.baseline_value) == (2016, 8.0)
    assert any("Basisjahr 2010" in n for n in p.notes_de)
    p = assess("Z", _t(3.0, baseline_value=9.5, baseline_year=2015), s, unit_id="u")
    assert (p.baseline_year, p.baseline_value) == (2015, 9.5)
    assert (p.current_year, p.current_value) == (2019, 5.0)


def test_maintain_uses_polarity_or_tolerance() -> None:
    keep = _t(10.0, Direction.MAINTAIN)
    assert reaches(9.0, keep, polarity=-1) and not reaches(11.0, keep, polarity=-1)
    assert reaches(11.0, keep, polarity=1) and not reaches(9.0, keep, polarity=1)
    assert reaches(10.4, keep, polarity=0) and not reaches(10.6, keep, polarity=0)  # ±5 %
    wide = _t(10.0, Direction.MAINTAIN, tolerance=1.0)
    assert reaches(10.9, wide, polarity=0) and not reaches(11.1, wide, polarity=0)
    flat = _series([10.0, 10.1, 9.9, 10.0, 10.1, 9.9, 10.0])
    assert _assess(wide, flat, polarity=0) is GoalStatus.ON_TRACK


def test_yearly_keeps_every_period_on_the_time_axis() -> None:
    """Since #18 a half-year, month or day keeps its own place (nothing collapsed)."""
    frame = pd.DataFrame({"period": ["2021-12", "2020", "2021-06", "2022"],
                          "value": [3.0, 1.0, 2.0, None]})
    y = yearly(frame)
    assert y["period"].tolist() == ["2020", "2021-06", "2021-12"]
    assert y["year"].tolist() == [2020, 2021, 2021] and y["value"].tolist() == [1.0, 2.0, 3.0]
    # June starts after 151 days of 2021, December after 334
    assert y["time"].tolist() == pytest.approx([2020.0, 2021 + 151 / 365, 2021 + 334 / 365])


HALVES = ["2019-H1", "2019-H2", "2020-H1", "2020-H2", "2021-H1", "2021-H2"]
HALF_VALUES = [12.0, 11.4, 11.5, 10.6, 10.2, 9.9]


def _halves() -> pd.DataFrame:
    return pd.DataFrame({"period": HALVES, "value": HALF_VALUES})


def test_half_year_forecast_on_real_time_matches_statsmodels() -> None:
    """Half-years at their start in decimal years (H2 = year + 181/365, 182/366 in 2020):
    slope per year, forecast and 95 % prediction interval for the target year 2025 - made
    at its last half, 2025-H2 = 2025 + 181/365 - equal statsmodels' OLS on those times."""
    times = [2019.0, 2019 + 181 / 365, 2020.0, 2020 + 182 / 366, 2021.0, 2021 + 181 / 365]
    fit = sm.OLS(np.array(HALF_VALUES), sm.add_constant(np.array(times))).fit()
    pred = fit.get_prediction(np.array([[1.0, 2025 + 181 / 365]])).summary_frame(alpha=0.05)
    p = assess("Z", _t(8.0, year=2025), _halves(), unit_id="u")
    assert p.target_period == "2025-H2"
    assert p.target_time == pytest.approx(2025 + 181 / 365)
    assert p.forecast is not None and p.forecast.n == 6
    assert p.forecast.slope == pytest.approx(fit.params[1], rel=1e-9)
    assert p.forecast_value == pytest.approx(pred["mean"].iloc[0], rel=1e-9)
    assert p.forecast_low == pytest.approx(pred["obs_ci_lower"].iloc[0], rel=1e-9)
    assert p.forecast_high == pytest.approx(pred["obs_ci_upper"].iloc[0], rel=1e-9)
    assert (p.forecast.first_period, p.forecast.last_period) == ("2019-H1", "2021-H2")
    assert (p.current_year, p.current_period, p.current_value) == (2021, "2021-H2", 9.9)
    d = p.to_dict()
    assert d["series"][:2] == [["2019-H1", 12.0], ["2019-H2", 11.4]]
    assert d["series_time"][1] == [pytest.approx(2019 + 181 / 365), 11.4]
    assert d["fit_periods"] == ["2019-H1", "2021-H2"]


def test_half_year_baseline_is_the_last_period_of_the_baseline_year() -> None:
    p = assess("Z", _t(8.0, year=2025, baseline_year=2020), _halves(), unit_id="u")
    assert (p.baseline_year, p.baseline_period, p.baseline_value) == (2020, "2020-H2", 10.6)
    p = assess("Z", _t(8.0, year=2025), _halves(), unit_id="u")
    assert p.baseline_period == "2019-H1"
    assert p.notes_de[0] == "Basisjahr nicht angegeben: erster Wert (2019-H1)."


def test_years_and_one_half_year() -> None:
    """2018..2020 and 2021-H1 (= 2021.0) on a line of -1 per year.  The series now comes
    in half-years, so 2025 is forecast at 2025-H2 = 2025 + 181/365:
    10 - (2025 + 181/365 - 2018) = 2.5041."""
    frame = pd.DataFrame({"period": ["2018", "2019", "2020", "2021-H1"],
                          "value": [10.0, 9.0, 8.0, 7.0]})
    p = assess("Z", _t(5.0, year=2025), frame, unit_id="u")
    assert p.forecast is not None and p.forecast.slope == pytest.approx(-1.0)
    assert p.forecast_value == pytest.approx(10 - (2025 + 181 / 365 - 2018))
    assert p.status is GoalStatus.ON_TRACK


def test_short_sub_year_series_says_values_not_yearly_values() -> None:
    p = assess("Z", _t(5.0), _halves().head(2), unit_id="u")
    assert p.reason_de.startswith("Nur 2 Werte (2019-H1, 2019-H2): zu wenige")


def test_target_year_observed_in_half_years_uses_its_last_half() -> None:
    p = assess("Z", _t(10.0, year=2021), _halves(), unit_id="u")
    assert p.status is GoalStatus.ON_TRACK  # 9.9 in 2021-H2
    assert p.reason_de == "Zieljahr vorbei: Wert 2021-H2 hat das Ziel erreicht."


def test_band_from_a_half_year() -> None:
    """The band runs from the last half (2021-H2) through every H2 to 2024-H2 (2024 is a
    leap year: 182/366)."""
    p = assess("Z", _t(8.0, year=2024), _halves(), unit_id="u")
    assert p.forecast is not None and p.target_time is not None
    band = forecast_band(p.forecast, p.target_time)
    assert band["time"].tolist() == pytest.approx(
        [2021 + 181 / 365, 2022 + 181 / 365, 2023 + 181 / 365, 2024 + 182 / 366])
    assert band["year"].tolist() == [2021, 2022, 2023, 2024]
    assert band["forecast"].iloc[-1] == pytest.approx(p.forecast_value)


def test_school_years_forecast_at_the_school_year_of_the_target_year() -> None:
    """School years (records' periods, 1 August to 31 July) lie at a fixed offset in each
    year: the slope is as for years, and 2015 means the school year 2015/16."""
    frame = pd.DataFrame({"period": ["2010/11", "2011/12", "2012/13"],
                          "value": [10.0, 9.0, 8.0]})
    p = assess("Z", _t(5.0, year=2015), frame, unit_id="u")
    assert p.forecast is not None and p.target_period == "2015/16"
    # 1 August lies 212 days into a common year, 213 into a leap year (2012)
    x = np.array([2010 + 212 / 365, 2011 + 212 / 365, 2012 + 213 / 366])
    y = np.array([10.0, 9.0, 8.0])
    slope = ((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum()
    assert p.forecast.slope == pytest.approx(slope, rel=1e-12)
    assert p.forecast_value == pytest.approx(y.mean() + slope * (2015 + 212 / 365 - x.mean()))
    assert (p.current_year, p.baseline_period) == (2012, "2010/11")


def test_band_and_rule_texts() -> None:
    fc = fit_forecast(_series(KOELN_SCHULABG))
    assert fc is not None
    band = forecast_band(fc, 2030)
    assert band["year"].tolist() == list(range(2021, 2031))
    assert band["time"].tolist() == [float(y) for y in range(2021, 2031)]
    assert (band["low"] <= band["forecast"]).all() and (band["forecast"] <= band["high"]).all()
    assert band["high"].iloc[-1] - band["low"].iloc[-1] > band["high"].iloc[0] - \
        band["low"].iloc[0]
    for word in ("auf Kurs", "gefährdet", "nicht auf Kurs", "keine Daten"):
        assert word in RULE_DE
    for word in ("on track", "at risk", "off track", "no data"):
        assert word in RULE_EN


def test_to_dict_is_json_ready() -> None:
    import json

    p = assess("Z1", _t(4.0), _series(KOELN_SCHULABG), unit_id="05315000",
               indicator_name_de="Schulabgänger ohne Abschluss", decimals=1)
    d = p.to_dict("de")
    json.dumps(d)
    assert d["status"] in {s.value for s in GoalStatus}
    assert d["series"][0] == [2012, 5.12] and d["fit_years"] == [2012, 2021]


def test_forecast_stays_in_the_possible_range_of_a_share() -> None:
    # a share falling 5 points a year: the straight line reaches -44 in 2030
    falling = _series([46.0, 41.0, 36.0, 31.0, 26.0, 21.0])  # 2012-2017, exact line
    p = assess("Z", _t(10.0), falling, unit_id="u", polarity=-1, indicator_unit="%")
    assert p.forecast is not None
    assert p.forecast.intercept + p.forecast.slope * 2030 == pytest.approx(-44.0)
    assert (p.forecast_value, p.forecast_low, p.forecast_high) == (0.0, 0.0, 0.0)
    assert p.status is GoalStatus.ON_TRACK
    assert any("Wertebereich" in n and "-44,0" in n for n in p.notes_de)
    band = forecast_band(p.forecast, 2030)
    assert (band[["forecast", "low", "high"]] >= 0).all().all()
    # rising past 100 %: cut at 100
    rising = _series([80.0, 84.0, 88.0, 92.0, 96.0])
    q = assess("Z", _t(99.0, Direction.INCREASE), rising, unit_id="u", polarity=1,
               indicator_unit="%")
    assert q.forecast_value == 100.0 and q.forecast_high == 100.0
    # a series with negative values (a change) is not cut
    change = _series([3.0, 1.0, -1.0, -3.0])
    r = assess("Z", _t(-20.0), change, unit_id="u", indicator_unit="%")
    assert r.forecast_value == pytest.approx(3.0 - 2.0 * 18)
