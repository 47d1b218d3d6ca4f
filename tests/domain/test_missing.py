"""Missing-value markers (issue #18): the default list, the share rule for -1, a user's
--missing list, and the cell reader with markers."""

from __future__ import annotations

import pytest

from kekiz.domain.missing import (
    DEFAULT_MISSING,
    MissingMarkers,
    MissingTally,
    is_share,
    parse_missing,
)
from kekiz.ingest.cells import NumberStyle, ParsedNumber, parse_number

DE, EN = NumberStyle.GERMAN, NumberStyle.ENGLISH


def test_default_list() -> None:
    assert DEFAULT_MISSING.spec() == "-9999,-999,-1%,-,–,—"
    assert parse_missing(None) == DEFAULT_MISSING
    assert parse_missing("standard") == DEFAULT_MISSING
    assert DEFAULT_MISSING.dash_is_missing


@pytest.mark.parametrize(("text", "expected"), [
    ("-9999", MissingMarkers(frozenset(), frozenset({-9999.0}), frozenset())),
    ("-8; -1%", MissingMarkers(frozenset(), frozenset({-8.0}), frozenset({-1.0}))),
    ("k. A., n.v.", MissingMarkers(frozenset({"k.A.", "n.v."}), frozenset(), frozenset())),
    ("", MissingMarkers(frozenset(), frozenset(), frozenset())),
    (".,x,/", MissingMarkers(frozenset(), frozenset(), frozenset())),  # official anyway
    ("standard,k.A.", MissingMarkers(DEFAULT_MISSING.texts | {"k.A."}, DEFAULT_MISSING.codes,
                                     DEFAULT_MISSING.share_codes)),
])
def test_parse_missing(text: str, expected: MissingMarkers) -> None:
    assert parse_missing(text) == expected


@pytest.mark.parametrize(("unit", "aggregation", "share"), [
    ("%", "none", True), ("Prozent", "none", True), ("‰", "none", True),
    ("je 1.000", "ratio", True), ("Personen", "sum", False), ("", "none", False),
    ("Index", "none", False),
])
def test_is_share(unit: str, aggregation: str, share: bool) -> None:
    assert is_share(unit, aggregation) is share


@pytest.mark.parametrize(("cell", "share", "expected"), [
    ("-9999", False, ParsedNumber(None, "missing", marker="-9999")),
    ("-9.999", False, ParsedNumber(None, "missing", marker="-9999")),  # German thousands
    ("-999", True, ParsedNumber(None, "missing", marker="-999")),
    ("-1", True, ParsedNumber(None, "missing", marker="-1")),
    ("-1,0", True, ParsedNumber(None, "missing", marker="-1")),
    ("-1", False, ParsedNumber(-1.0, "ok", kept="-1")),  # a change of -1 is a value
    ("-2", True, ParsedNumber(-2.0, "ok")),  # not a marker (the import reports it)
    ("-", False, ParsedNumber(None, "missing", marker="-")),
    ("–", True, ParsedNumber(None, "missing", marker="–")),
    (".", False, ParsedNumber(None, "suppressed", marker=".")),
    ("x", False, ParsedNumber(None, "missing", marker="x")),
    ("", False, ParsedNumber(None, "missing", marker="")),
    ("1.234", False, ParsedNumber(1234.0, "ok")),
])
def test_parse_number_with_markers(cell: str, share: bool, expected: ParsedNumber) -> None:
    assert parse_number(cell, DE, DEFAULT_MISSING, share) == expected


def test_parse_number_without_markers_keeps_the_official_reading() -> None:
    """Callers that give no markers (services, cooperation, Leitbild) read as before:
    the dash is exactly zero and -9999 is a number."""
    assert parse_number("-", DE) == ParsedNumber(0.0, "ok")
    assert parse_number("-9999", DE) == ParsedNumber(-9999.0, "ok")


def test_user_list_without_dash_reads_it_as_zero() -> None:
    markers = parse_missing("-9999,k.A.")
    assert parse_number("-", DE, markers) == ParsedNumber(0.0, "ok")
    assert parse_number("k. A.", DE, markers) == ParsedNumber(None, "missing", marker="k.A.")
    assert parse_number("K.A.", DE, markers) == ParsedNumber(None, "missing", marker="k.A.")
    assert parse_number("-999", DE, markers) == ParsedNumber(-999.0, "ok")


def test_tally_notes() -> None:
    tally = MissingTally()
    for col in ("s1", "s1", "s2"):
        tally.count("-9999", col)
    tally.count("", "s1")
    tally.count("-", "ew")
    tally.keep("-1", "d1")
    assert tally.total() == 5 and tally.total("-9999") == 3
    assert tally.notes("de") == [
        "3 Werte '-9999' als fehlend gelesen (Spalten 's1', 's2').",
        "1 leere Zelle als fehlend gelesen (Spalte 's1').",
        "1 Wert '-' als fehlend gelesen (Spalte 'ew'); in amtlichen Tabellen kann ein Strich "
        "'genau null' bedeuten: dann --missing ohne den Strich angeben.",
        "1 Wert(e) '-1' als Zahl gelesen, nicht als fehlend (Spalte 'd1'): keine "
        "Anteilsspalte, dort kann ein negativer Wert echt sein; '-1' gilt nur in "
        "Anteilsspalten als fehlend.",
    ]
    assert tally.notes("en")[0] == "3 values '-9999' read as missing (columns 's1', 's2')."
    other = MissingTally()
    other.count("-9999", "s3")
    tally.merge(other)
    assert tally.missing["-9999"] == {"s1": 2, "s2": 1, "s3": 1}
