"""The one number formatter: German first, half up, no -0, the same in every room."""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

import pytest

from kekiz.i18n import fmt_date, fmt_number, fmt_percent, fmt_short, fmt_value

SRC = Path(__file__).resolve().parents[2] / "src" / "kekiz"


@pytest.mark.parametrize(("value", "decimals", "de", "en"), [
    (1234.55, 1, "1.234,6", "1,234.6"),      # half up (binary 1234.55 is 1234.5499...)
    (2.5, 0, "3", "3"),                       # kaufmännisch, not banker's rounding
    (-0.04, 1, "0,0", "0.0"),                 # never -0,0
    (811334, 0, "811.334", "811,334"),
    (-1234567.891, 2, "-1.234.567,89", "-1,234,567.89"),
    (None, 1, "–", "–"), (math.nan, 1, "–", "–"), ("x", 1, "–", "–"),
])
def test_numbers(value: object, decimals: int, de: str, en: str) -> None:
    assert fmt_number(value, decimals, "de") == de
    assert fmt_number(value, decimals, "en") == en


def test_sign_percent_short_value_and_date() -> None:
    assert fmt_number(0.25, 2, sign=True) == "+0,25"
    assert fmt_number(0.0, 1, sign=True) == "0,0"
    assert fmt_percent(0.5775) == "57,8\u00a0%" and fmt_percent(0.5775, 1, "en") == "57.8%"
    assert fmt_percent(None) == "–"
    assert fmt_short(12.5) == "12,5" and fmt_short(1000) == "1.000"
    assert fmt_short(12.5, "en") == "12.5"
    assert fmt_value(3.0, "suppressed") == "." and fmt_value(None, "missing") == "–"
    assert fmt_date(date(2026, 12, 4)) == "04.12.2026"
    assert fmt_date(date(2026, 12, 4), "en") == "4 Dec 2026"


def test_no_other_module_formats_numbers_with_babel() -> None:
    found = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
             if re.search(r"format_decimal|babel\.numbers", p.read_text(encoding="utf-8"))
             and p.name != "numbers.py"]
    assert found == []
