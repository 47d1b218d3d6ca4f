"""Shares and rates with confidence intervals against the PHEindicatormethods oracle.

Reference values: ../shared/refdata/REFERENCE.md, section pheindicatormethods/ (UKHSA
PHEindicatormethods 2.1.0 test data, expected values produced independently in Excel).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kekiz.analysis.rates import (
    byar_interval,
    clopper_pearson_interval,
    exact_poisson_interval,
    normal_quantile,
    poisson_interval,
    proportions,
    rates,
    wilson_interval,
)
from kekiz.domain.errors import MethodError

# The Excel oracle is given to ~15 digits; our closed forms agree to rounding.
RTOL = 1e-9


def sheet(refdata: Path, book: str, name: str) -> pd.DataFrame:
    """One sheet of a PHEindicatormethods test workbook, empty rows dropped."""
    import openpyxl
    workbook = openpyxl.load_workbook(refdata / "pheindicatormethods" / book, read_only=True,
                                      data_only=True)
    try:
        rows = list(workbook[name].iter_rows(values_only=True))
    finally:
        workbook.close()
    header = [h for h in rows[0] if h is not None]
    frame = pd.DataFrame([r[: len(header)] for r in rows[1:]], columns=header)
    return frame.dropna(how="all").reset_index(drop=True)


def level(text: Any) -> float:
    """'95%' -> 0.95, '99.8%' -> 0.998."""
    return float(str(text).rstrip("%")) / 100.0


def close(actual: Any, expected: Any, rtol: float = RTOL) -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype=float),
                               np.asarray(expected, dtype=float), rtol=rtol, atol=0,
                               equal_nan=True)


# ------------------------------------------------------------ values listed in REFERENCE.md


def test_byar_reference_values() -> None:
    """REFERENCE.md: Byar 95% O=65 -> 50.163188..82.849139; O=1045 -> 982.593202..1110.331213;
    99.8% O=10 -> 2.916318..24.193725."""
    lower, upper = byar_interval([65, 1045], 0.95)
    assert lower == pytest.approx([50.163188, 982.593202], abs=1e-6)
    assert upper == pytest.approx([82.849139, 1110.331213], abs=1e-6)
    lower, upper = byar_interval(10, 0.998)
    assert lower[0] == pytest.approx(2.916318, abs=1e-6)
    assert upper[0] == pytest.approx(24.193725, abs=1e-6)


def test_wilson_reference_values() -> None:
    """REFERENCE.md: Wilson 95% 65/100 -> 0.552544..0.736358; 1045/5000 -> 0.197955..0.220491;
    1/100 -> 0.001767..0.054486."""
    lower, upper = wilson_interval([65, 1045, 1], [100, 5000, 100], 0.95)
    assert lower == pytest.approx([0.552544, 0.197955, 0.001767], abs=1e-6)
    assert upper == pytest.approx([0.736358, 0.220491, 0.054486], abs=1e-6)


def test_rate_per_100000_reference_values() -> None:
    """REFERENCE.md: per 100,000, 95%: 1/100 -> 25.317808..5571.643391 (exact);
    20/100 -> 12211.428835..30889.880369 (Byar)."""
    table = rates([1, 20], [100, 100], multiplier=100_000, confidence=0.95)
    assert table["lower"].tolist() == pytest.approx([25.317808, 12211.428835], abs=1e-6)
    assert table["upper"].tolist() == pytest.approx([5571.643391, 30889.880369], abs=1e-6)
    assert table["method"].tolist() == ["exact", "byar"]


# ----------------------------------------------------------------- the testdata_* workbooks


def test_byars_wilson_sheet(refdata: Path) -> None:
    """testdata_Byars_Wilson.xlsx, sheet testdata_B_W: all 13 rows, incl. the Byar lower
    limit that the oracle leaves empty (O=1 at 99.8%, where the approximation fails)."""
    data = sheet(refdata, "testdata_Byars_Wilson.xlsx", "testdata_B_W")
    assert len(data) == 13
    for row in data.itertuples():
        conf = level(row.confidence)
        if row.method == "Byars":
            lower, upper = byar_interval(row.x, conf)
        else:
            lower, upper = wilson_interval(row.x, row.n, conf)
        close(lower, [row.lowercl])
        close(upper, [row.uppercl])


@pytest.mark.parametrize("multiplier", [100, 100_000])
def test_rate_sheet(refdata: Path, multiplier: int) -> None:
    """testdata_Rate.xlsx, sheet testdata_Rate: value and 95% / 99.8% limits per 100 and per
    100,000 (exact below 10 events, Byar above), method per row, empty inputs -> missing."""
    data = sheet(refdata, "testdata_Rate.xlsx", "testdata_Rate")
    data = data[data["multiplier"] == multiplier].reset_index(drop=True)
    assert len(data) in (8, 12)
    for conf, low, up in [(0.95, "lower95_0cl", "upper95_0cl"),
                          (0.998, "lower99_8cl", "upper99_8cl")]:
        table = rates(data["Numerator"], data["Denominator"], multiplier=multiplier,
                      confidence=conf, min_denominator=None)
        close(table["value"], data["value"])
        close(table["lower"], data[low])
        close(table["upper"], data[up])
        given_method = data["method"].fillna("").str.lower().str.replace("byars", "byar")
        present = table["status"] != "missing"
        assert table.loc[present, "method"].tolist() == given_method[present].tolist()
        incomplete = data["Numerator"].isna() | data["Denominator"].isna()
        assert (table["status"] == "missing").tolist() == incomplete.tolist()


def test_rate_grouped_sheet(refdata: Path) -> None:
    """testdata_Rate.xlsx, sheet testdata_Rate_g: rates per 100,000 from grouped sums."""
    data = sheet(refdata, "testdata_Rate.xlsx", "testdata_Rate_g")
    table = rates(data["Numerator"], data["Denominator"], multiplier=100_000,
                  confidence=0.95, min_denominator=None)
    close(table["value"], data["value"])
    close(table["lower"], data["lowercl"])
    close(table["upper"], data["uppercl"])


@pytest.mark.parametrize("multiplier", [1, 100])
def test_proportion_sheet(refdata: Path, multiplier: int) -> None:
    """testdata_Proportion.xlsx, sheet testdata_Prop: Wilson 95% and 99.8% limits as a
    proportion of 1 and as a percentage; empty inputs -> missing."""
    data = sheet(refdata, "testdata_Proportion.xlsx", "testdata_Prop")
    data = data[data["multiplier"] == multiplier].reset_index(drop=True)
    for conf, low, up in [(0.95, "lower95_0cl", "upper95_0cl"),
                          (0.998, "lower99_8cl", "upper99_8cl")]:
        table = proportions(data["Numerator"], data["Denominator"], multiplier=multiplier,
                            confidence=conf, min_denominator=None)
        close(table["value"], data["value"])
        close(table["lower"], data[low])
        close(table["upper"], data[up])
    incomplete = data["Numerator"].isna() | data["Denominator"].isna()
    assert (table["status"] == "missing").tolist() == incomplete.tolist()


def test_proportion_grouped_sheet(refdata: Path) -> None:
    """testdata_Proportion.xlsx, sheet testdata_Prop_g: Wilson 95% on grouped sums."""
    data = sheet(refdata, "testdata_Proportion.xlsx", "testdata_Prop_g")
    table = proportions(data["Numerator"], data["Denominator"], multiplier=1,
                        min_denominator=None)
    close(table["value"], data["value"])
    close(table["lower"], data["lowercl"])
    close(table["upper"], data["uppercl"])


def test_indirectly_standardised_ratios_sheet(refdata: Path) -> None:
    """testdata_DSR_ISR.xlsx, sheet testresults_ISR: an indirectly standardised ratio is
    observed / expected with a Poisson interval on the observed count, and the ISR rate is
    that ratio times the reference rate; rates() reproduces both (value, 95% and 99.8%)."""
    data = sheet(refdata, "testdata_DSR_ISR.xlsx", "testresults_ISR")
    checked = 0
    for row in data.itertuples():
        if "ratio" in row.statistic:
            multiplier = float(row.statistic.rsplit("x", 1)[1])
        else:
            multiplier = row.ref_rate
        for conf, low, up in [(0.95, row.lower95_0cl, row.upper95_0cl),
                              (0.998, row.lower99_8cl, row.upper99_8cl)]:
            if low is None or (isinstance(low, float) and math.isnan(low)):
                continue
            table = rates(row.observed, row.expected, multiplier=multiplier,
                          confidence=conf, min_denominator=None)
            close(table["value"], [row.value])
            close(table["lower"], [low])
            close(table["upper"], [up])
            assert table["method"].iloc[0] == row.method.lower().replace("byars", "byar")
            checked += 1
    assert checked == 28


# --------------------------------------------------------------- hand-computed known values


def test_normal_quantile() -> None:
    """z for 95% is 1.959964; for 99.8% 3.090232 (standard normal tables)."""
    assert normal_quantile(0.95) == pytest.approx(1.959963985, abs=1e-9)
    assert normal_quantile(99.8) == pytest.approx(3.090232306, abs=1e-9)


def test_clopper_pearson_closed_forms() -> None:
    """For x = 0 the upper limit is 1 - (α/2)^(1/n); for x = n the lower limit is
    (α/2)^(1/n) (Clopper & Pearson 1934); 0 of 10 at 95% -> 0 .. 0.3084971."""
    lower, upper = clopper_pearson_interval([0, 10], [10, 10], 0.95)
    assert lower[0] == 0.0
    assert upper[0] == pytest.approx(1 - 0.025 ** (1 / 10), rel=1e-12)
    assert upper[0] == pytest.approx(0.3084971, abs=1e-7)
    assert lower[1] == pytest.approx(0.025 ** (1 / 10), rel=1e-12)
    assert upper[1] == 1.0


def test_clopper_pearson_against_statsmodels() -> None:
    """Clopper-Pearson equals statsmodels' proportion_confint(method='beta')."""
    import statsmodels.stats.proportion as smp
    x = np.array([1, 5, 20, 65, 999])
    n = np.array([100, 100, 100, 100, 3456])
    lower, upper = clopper_pearson_interval(x, n, 0.95)
    expected_low, expected_up = smp.proportion_confint(x, n, alpha=0.05, method="beta")
    close(lower, expected_low, rtol=1e-10)
    close(upper, expected_up, rtol=1e-10)
    table = proportions(x, n, method="clopper-pearson", multiplier=100)
    close(table["lower"], expected_low * 100, rtol=1e-10)


def test_exact_poisson_zero_events() -> None:
    """0 events: lower 0, upper -ln(α/2) = 3.688879 at 95% (χ²(0.975; 2) / 2)."""
    lower, upper = exact_poisson_interval(0, 0.95)
    assert lower[0] == 0.0
    assert upper[0] == pytest.approx(-math.log(0.025), rel=1e-12)


def test_poisson_interval_switches_at_ten_events() -> None:
    """PHE convention: exact for 9 events, Byar for 10."""
    low9, up9 = poisson_interval([9, 10], 0.95)
    exact_low, exact_up = exact_poisson_interval(9, 0.95)
    byar_low, byar_up = byar_interval(10, 0.95)
    assert low9[0] == exact_low[0] and up9[0] == exact_up[0]
    assert low9[1] == byar_low[0] and up9[1] == byar_up[0]


# ------------------------------------------------------------------------------ reliability


def test_reliability_flags_and_reasons() -> None:
    table = proportions([5, 10, 0, 3, 4], [20, 500, 0, 40, None], min_denominator=30)
    assert table.columns.tolist() == ["value", "lower", "upper", "status", "reason", "method"]
    assert table["status"].tolist() == ["unreliable", "ok", "missing", "ok", "missing"]
    assert table.loc[0, "reason"] == "Nenner unter dem Mindestwert 30"
    assert table.loc[1, "reason"] == ""
    assert table.loc[2, "reason"] == "Nenner ist 0"
    assert table.loc[4, "reason"] == "Nenner fehlt"
    assert math.isnan(table.loc[2, "value"]) and math.isnan(table.loc[2, "upper"])
    assert table.loc[2, "method"] == ""
    both = rates([None], [None], lang="en")
    assert both.loc[0, "reason"] == "numerator missing; denominator missing"


def test_relative_width_rule_and_english() -> None:
    """3 of 40 (7.5%): Wilson 95% is about 2.6%..19.9%, wider than the value itself."""
    table = proportions([3, 400], [40, 4000], max_relative_width=1.0, lang="en")
    assert table["status"].tolist() == ["unreliable", "ok"]
    assert table.loc[0, "reason"] == "confidence interval too wide (more than 1 times the value)"
    assert table.loc[0, "lower"] == pytest.approx(2.58, abs=0.01)


def test_several_reasons_are_joined() -> None:
    table = rates([2], [10], min_denominator=30, min_numerator=5, max_relative_width=0.5)
    reasons = table.loc[0, "reason"].split("; ")
    assert len(reasons) == 3
    assert "Zähler unter dem Mindestwert 5" in reasons


def test_zero_value_skips_relative_width() -> None:
    table = proportions([0], [500], max_relative_width=1.0)
    assert table.loc[0, "status"] == "ok"


def test_series_index_is_kept_and_attrs_recorded() -> None:
    num = pd.Series([12, 30], index=["05913001", "05913002"])
    den = pd.Series([400, 1200], index=num.index)
    table = rates(num, den, multiplier=1000, confidence=99.8)
    assert table.index.tolist() == ["05913001", "05913002"]
    assert table.attrs["confidence"] == pytest.approx(0.998)
    assert table.attrs["method"] == "phe"
    assert table.loc["05913001", "value"] == pytest.approx(30.0)


def test_rates_allow_numerator_above_denominator() -> None:
    """testdata_Rate Area12: 250 events in 220 person-years is a valid rate."""
    table = rates([250], [220], multiplier=100_000)
    assert table.loc[0, "value"] == pytest.approx(113636.363636, abs=1e-5)


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: proportions([5], [3]), "Zähler größer als Nenner"),
        (lambda: rates([-1], [3]), "negative Werte"),
        (lambda: rates([1, 2], [3, 4, 5]), "unterschiedlich lang"),
        (lambda: rates([1], [3], confidence=1.5), "Konfidenzniveau"),
        (lambda: rates([1], [3], confidence=100), "Konfidenzniveau"),
        (lambda: rates([1], [3], method="wald"), "Unbekanntes Intervallverfahren"),
        (lambda: proportions(["x"], [3]), "keine Zahlen"),
        (lambda: rates([1], [3], multiplier=0), "multiplier"),
        (lambda: rates([1], [3], lang="fr"), "Sprache"),
        (lambda: rates(pd.Series([1], index=["a"]), pd.Series([3], index=["b"])),
         "unterschiedliche Indizes"),
    ],
)
def test_errors_say_what_was_expected(call: Any, fragment: str) -> None:
    with pytest.raises(MethodError) as info:
        call()
    assert fragment in info.value.message
    assert info.value.message_en != info.value.message
    assert "Expected" in info.value.message_en


# ------------------------------------------------------------------------------- invariants

counts = st.integers(min_value=0, max_value=100_000)
levels = st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.998])


@settings(max_examples=200, deadline=None)
@given(x=counts, extra=st.integers(min_value=1, max_value=100_000), conf=levels,
       method=st.sampled_from(["wilson", "clopper-pearson"]))
def test_proportion_interval_contains_value(x: int, extra: int, conf: float,
                                            method: str) -> None:
    table = proportions([x], [x + extra], method=method, confidence=conf, multiplier=1)
    low, value, up = table.loc[0, ["lower", "value", "upper"]]
    assert 0.0 <= low <= value <= up <= 1.0


@settings(max_examples=200, deadline=None)
@given(x=counts, den=st.floats(min_value=0.5, max_value=1e7), conf=levels,
       method=st.sampled_from(["phe", "exact", "byar"]))
def test_rate_interval_contains_value(x: int, den: float, conf: float, method: str) -> None:
    table = rates([x], [den], method=method, confidence=conf, multiplier=1000)
    low, value, up = table.loc[0, ["lower", "value", "upper"]]
    if method == "byar" and math.isnan(low):
        return  # Byar's approximation is undefined there (see byar_interval)
    assert 0.0 <= low <= value * (1 + 1e-12) and value <= up


@settings(max_examples=200, deadline=None)
@given(x=counts, extra=st.integers(min_value=0, max_value=100_000),
       pair=st.sampled_from([(0.8, 0.95), (0.9, 0.99), (0.95, 0.998)]),
       kind=st.sampled_from(["wilson", "clopper-pearson", "phe", "exact"]))
def test_higher_confidence_gives_wider_nested_intervals(x: int, extra: int,
                                                        pair: tuple[float, float],
                                                        kind: str) -> None:
    den = max(x + extra, 1)
    if kind in ("wilson", "clopper-pearson"):
        narrow = proportions([x], [den], method=kind, confidence=pair[0])
        wide = proportions([x], [den], method=kind, confidence=pair[1])
    else:
        narrow = rates([x], [den], method=kind, confidence=pair[0])
        wide = rates([x], [den], method=kind, confidence=pair[1])
    assert wide.loc[0, "lower"] <= narrow.loc[0, "lower"] + 1e-12
    assert wide.loc[0, "upper"] >= narrow.loc[0, "upper"] - 1e-12


@settings(max_examples=100, deadline=None)
@given(x=st.lists(counts, min_size=1, max_size=20), mult=st.sampled_from([1, 100, 1e5]))
def test_multiplier_scales_linearly(x: list[int], mult: float) -> None:
    den = [v + 10 for v in x]
    base = rates(x, den, multiplier=1)
    scaled = rates(x, den, multiplier=mult)
    for column in ("value", "lower", "upper"):
        close(scaled[column], base[column] * mult, rtol=1e-12)
