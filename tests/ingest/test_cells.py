"""Cells: German/English numbers, official signs for missing values, unit keys.

Every expected value is worked out by hand from the cell text.
"""

from __future__ import annotations

import pytest

from kekiz.ingest.boundaries import match_key
from kekiz.ingest.cells import (
    NumberStyle,
    ParsedNumber,
    column_style,
    key_candidates,
    normalise_key,
    parse_number,
)

DE, EN = NumberStyle.GERMAN, NumberStyle.ENGLISH


@pytest.mark.parametrize(("cell", "style", "expected"), [
    ("1.234,5", DE, ParsedNumber(1234.5, "ok")),
    ("1234,5", DE, ParsedNumber(1234.5, "ok")),
    ("1.234.567", DE, ParsedNumber(1234567.0, "ok")),
    ("-3,5", DE, ParsedNumber(-3.5, "ok")),
    ("+7", DE, ParsedNumber(7.0, "ok")),
    ("1 234", DE, ParsedNumber(1234.0, "ok")),  # space as thousands separator
    ("1\u00a0234,5", DE, ParsedNumber(1234.5, "ok")),  # no-break space
    ("  42  ", DE, ParsedNumber(42.0, "ok")),
    ("1234.5", EN, ParsedNumber(1234.5, "ok")),
    ("1,234.5", EN, ParsedNumber(1234.5, "ok")),
    ("1,234,567", EN, ParsedNumber(1234567.0, "ok")),
    ("0.412", EN, ParsedNumber(0.412, "ok")),
    ("1e3", EN, ParsedNumber(1000.0, "ok")),
    ("12,5 %", DE, ParsedNumber(12.5, "ok", percent=True)),
    ("12,5%", DE, ParsedNumber(12.5, "ok", percent=True)),
    ("7.5 %", EN, ParsedNumber(7.5, "ok", percent=True)),
])
def test_parse_number(cell: str, style: str, expected: ParsedNumber) -> None:
    assert parse_number(cell, style) == expected


@pytest.mark.parametrize(("cell", "value", "status"), [
    (".", None, "suppressed"),  # Zahlenwert unbekannt oder geheim zu halten
    ("/", None, "unreliable"),  # Zahlenwert nicht sicher genug
    ("-", 0.0, "ok"),  # nichts vorhanden (genau null)
    ("–", 0.0, "ok"),
    ("—", 0.0, "ok"),
    ("", None, "missing"),
    ("   ", None, "missing"),
    ("x", None, "missing"),  # Tabellenfach gesperrt
    ("...", None, "missing"),  # Angabe fällt später an
    ("…", None, "missing"),
    ("NA", None, "missing"),
])
@pytest.mark.parametrize("style", [DE, EN])
def test_official_signs(cell: str, value: float | None, status: str, style: str) -> None:
    assert parse_number(cell, style) == ParsedNumber(value, status)


@pytest.mark.parametrize(("cell", "style"), [
    ("viele", DE), ("k. A.", DE), ("12,5", EN), ("1234.5", DE), ("1.23.4", DE),
    ("12,5,3", DE), ("2021-12-31", DE), ("0x10", EN), ("1,5e3", DE), ("%", DE),
])
def test_not_a_number(cell: str, style: str) -> None:
    assert parse_number(cell, style).status == "invalid"
    assert parse_number(cell, style).value is None


@pytest.mark.parametrize(("cells", "style"), [
    (["1.234,5"], DE),
    (["12,5"], DE),
    (["620000", "12,5"], DE),
    (["12,5 %", "3,0 %"], DE),
    (["1.234"], DE),  # a thousands point without decimals is German
    (["620000", "1.084.831"], DE),
    (["1234.5"], EN),
    (["1,234.5"], EN),
    (["1.5", "2"], EN),
])
def test_column_style(cells: list[str], style: str) -> None:
    assert column_style(cells) == style


def test_column_style_leading_zero_comma_is_decimal() -> None:
    """'0,412' (a GISD score) cannot be an English thousands group: a group never
    follows a leading 0.  It must be read as 0.412, not as 412."""
    assert column_style(["0,412", "0,398"]) == DE
    style = column_style(["0,412", "0,398"])
    assert parse_number("0,412", style) == ParsedNumber(0.412, "ok")


def test_column_style_leading_zero_point_is_decimal() -> None:
    """Likewise '0.412' is no German thousands group: English, 0.412, not 412."""
    assert column_style(["0.412", "0.398"]) == EN
    style = column_style(["0.412", "0.398"])
    assert parse_number("0.412", style) == ParsedNumber(0.412, "ok")


def test_column_style_ignores_missing_value_signs() -> None:
    """'.' is the official sign for 'geheim'; it says nothing about the decimal point.
    A column '1.187', '.', '215' is German (1187), not English (1.187)."""
    assert column_style(["1.187", ".", "215"]) == DE
    assert column_style(["1.201", "...", "377"]) == DE
    assert column_style(["…", "2.500"]) == DE


@pytest.mark.parametrize(("cell", "key"), [
    ("05315", "05315"),
    (" 05315 ", "05315"),
    ("\u00a005315", "05315"),
    ("05 315 000", "05315000"),
    ("5111000.0", "5111000"),  # Excel number with '.0'
    ("5315.00", "5315"),
    ("05315000-101", "05315000-101"),
    ("12.5", "12.5"),
    ("A 12", "A12"),
])
def test_normalise_key(cell: str, key: str) -> None:
    assert normalise_key(cell) == key


@pytest.mark.parametrize(("key", "candidates"), [
    ("5111000", ["5111000", "05111000"]),  # AGS without its leading zero
    ("5315", ["5315", "05315"]),  # Kreis key without its leading zero
    ("05315", ["05315", "5315"]),
    ("53150000000", ["53150000000", "053150000000"]),  # 12-digit ARS without zero
    ("53150000", ["53150000", "053150000"]),  # 9-digit Gemeindeverband without zero
    ("5", ["5", "05"]),  # Land
    ("abc", ["abc"]),
    ("05315000-101", ["05315000-101"]),
])
def test_key_candidates(key: str, candidates: list[str]) -> None:
    assert key_candidates(key) == candidates


def test_key_candidates_of_a_full_ags() -> None:
    cands = key_candidates("05315000")
    assert cands[0] == "05315000"
    assert "5315000" in cands
    assert all(c.lstrip("0") == "5315000" for c in cands)


def test_match_key_through_official_schemes() -> None:
    index = {"id": {"05315000": "05315000", "05334002": "05334002"},
             "ars": {"053150000000": "05315000", "053340002002": "05334002"},
             "gvb": {"053150000": "05315000", "053340002": "05334002"},
             "local": {"101": "05315000-101"}}
    assert match_key("05315000", index) == "05315000"
    assert match_key("5315000", index) == "05315000"
    assert match_key("53150000000", index) == "05315000"
    assert match_key("053340002002", index) == "05334002"
    assert match_key("053340002", index) == "05334002"
    assert match_key("53340002", index) == "05334002"
    assert match_key("101", index) == "05315000-101"
    assert match_key("05315001", index) is None
    assert match_key("", index) is None
