"""Periods (issue #18): the forms statistics offices write, the stored labels and the
place on a real time axis.  Decimal times are worked out by hand: days before the start
divided by the days of the year (365 in 2022, 366 in 2024)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kekiz.domain.errors import MethodError
from kekiz.domain.periods import (
    canonical_period,
    decimal_time,
    kinds_of,
    parse_period,
    require_period,
    require_yearly,
    time_axis,
)


@pytest.mark.parametrize(("text", "label"), [
    ("2022", "2022"), ("2022.0", "2022"), ("Jahr 2022", "2022"), (2022, "2022"),
    ("2022-H1", "2022-H1"), ("2022H2", "2022-H2"), ("2022 H1", "2022-H1"),
    ("H2 2022", "2022-H2"), ("H1/2022", "2022-H1"), ("2022-S2", "2022-H2"),
    ("1. Halbjahr 2022", "2022-H1"), ("2. Hj. 2022", "2022-H2"), ("2022-HJ1", "2022-H1"),
    ("2022-Q2", "2022-Q2"), ("2022Q4", "2022-Q4"), ("Q1 2022", "2022-Q1"),
    ("Q3/2022", "2022-Q3"), ("2. Quartal 2022", "2022-Q2"), ("3. Vierteljahr 2022", "2022-Q3"),
    ("4. Vj. 2022", "2022-Q4"), ("II. Quartal 2022", "2022-Q2"),
    ("2022-06", "2022-06"), ("2022M06", "2022-06"), ("06/2022", "2022-06"),
    ("6.2022", "2022-06"), ("Juni 2022", "2022-06"), ("Dez. 2022", "2022-12"),
    ("2022-06-30", "2022-06-30"), ("30.06.2022", "2022-06-30"),
    ("2022-06-30 00:00:00", "2022-06-30"), (date(2022, 6, 30), "2022-06-30"),
    (datetime(2022, 6, 30, 0, 0), "2022-06-30"), ("2024-02-29", "2024-02-29"),
    ("2011/12", "2011/12"), ("2011/2012", "2011/12"), ("Schuljahr 2011/12", "2011/12"),
    ("SJ 1999/00", "1999/00"),
])
def test_forms_and_labels(text: object, label: str) -> None:
    assert canonical_period(text) == label


@pytest.mark.parametrize("text", [
    "2022-H3", "2022-Q5", "2022-13", "2023-02-29", "31.02.2022", "zweitausend", "1899",
    "2022/24", "2022/2024", "", "Sommer 2022", None, 2022.5,
])
def test_not_periods(text: object) -> None:
    assert parse_period(text) is None


@pytest.mark.parametrize(("label", "time"), [
    ("2022", 2022.0),
    ("2022-H1", 2022.0),
    ("2022-H2", 2022 + 181 / 365),  # Jan..Jun 2022 = 31+28+31+30+31+30 = 181 days
    ("2022-Q2", 2022 + 90 / 365),  # Jan..Mar = 31+28+31
    ("2022-Q4", 2022 + 273 / 365),  # Jan..Sep = 181+31+31+30
    ("2022-06", 2022 + 151 / 365),  # Jan..May = 120+31
    ("2022-06-30", 2022 + 180 / 365),  # 151 + 29 days of June before the 30th
    ("2024-07-01", 2024 + 182 / 366),  # leap year: Jan..Jun 2024 = 182 days
    ("2011/12", 2011 + 212 / 365),  # school year from 1 August: Jan..Jul 2011 = 212 days
])
def test_time_axis(label: str, time: float) -> None:
    assert decimal_time(label) == pytest.approx(time, abs=1e-12)
    assert require_period(label).time == pytest.approx(time, abs=1e-12)


def test_period_lengths() -> None:
    assert require_period("2022").years == 1.0
    assert require_period("2022-H1").years == pytest.approx(181 / 365)
    assert require_period("2022-12-31").years == pytest.approx(1 / 365)
    assert require_period("2022-Q4").end == date(2023, 1, 1)


def test_time_axis_keeps_numbers_and_orders_mixed_kinds() -> None:
    times = time_axis(["2021", "2022-H1", 2020, "2021-12-31"])
    assert times == pytest.approx([2021.0, 2022.0, 2020.0, 2021 + 364 / 365])
    assert kinds_of(["2022-H2", "2021", "2022-H1"]) == {"half": ["2022-H1", "2022-H2"],
                                                         "year": ["2021"]}


def test_require_yearly_names_the_periods_and_the_fix() -> None:
    assert require_yearly(["2021", "2019", "2020"], method_de="Die Methode",
                          method_en="The method") == [2019, 2020, 2021]
    assert require_yearly(["2011/12", "2010/11"], method_de="Die Methode",
                          method_en="The method") == [2010, 2011]
    with pytest.raises(MethodError, match="Schuljahre: 2011/12"):
        require_yearly(["2011", "2011/12"], method_de="Die Methode", method_en="The method")
    with pytest.raises(MethodError) as err:
        require_yearly(["2021", "2022-H1", "2022-H2", "2022-06-30"],
                       method_de="Der Dynamikindex", method_en="The dynamics index")
    text = err.value.message
    assert "Der Dynamikindex braucht Jahreswerte" in text
    assert "Halbjahre: 2022-H1, 2022-H2" in text and "Stichtage: 2022-06-30" in text
    assert "zu Jahren zusammenfassen" in text and "--period" in text
    assert "half-years: 2022-H1, 2022-H2" in err.value.message_en


def test_unknown_label_is_a_method_error() -> None:
    with pytest.raises(MethodError, match="Zeitraum 'Sommer' ist kein Jahr"):
        time_axis(["Sommer"])
