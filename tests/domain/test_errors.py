"""The validation report (issue #18): more than 20 problems are shown as the first 20 in
full, then one line per kind of problem with its count and first place."""

from __future__ import annotations

from kekiz.domain.errors import SHOWN_IN_FULL, ImportFailed, ValidationReport, problem_kind


def _many(report: ValidationReport, bad_counts: int, unknown_keys: int) -> None:
    for n in range(bad_counts):
        report.add(f"'{n},5' ist keine Anzahl", row=2 + n, column="einwohner",
                   value=f"{n},5", expected="eine ganze Zahl", fix="korrigieren",
                   message_en="not a count")
    for n in range(unknown_keys):
        report.add("Gebietsschlüssel auf Ebene 'gemeinde' unbekannt", row=5000 + n,
                   column="ags", value=f"0599{n:04d}", expected="ein Schlüssel",
                   fix="Grenzen importieren", message_en="unknown unit key")


def test_problem_kind_leaves_out_values_and_numbers() -> None:
    assert problem_kind("'12,5' ist keine Anzahl") == "'…' ist keine Anzahl"
    assert problem_kind("Zähler (1500) ist größer als der Nenner (1000)") == \
        "Zähler (…) ist größer als der Nenner (…)"
    assert problem_kind("Doppelter Wert (schon in Zeile 12)") == "Doppelter Wert (schon in Zeile …)"


def test_up_to_20_problems_in_full() -> None:
    report = ValidationReport("daten.csv")
    _many(report, 20, 0)
    lines = report.render().splitlines()
    assert len(lines) == 20 == SHOWN_IN_FULL
    assert lines[0].startswith("daten.csv, Zeile 2, Spalte 'einwohner': '0,5' '0,5' ist keine "
                               "Anzahl. Erwartet:")


def test_thousands_of_problems_give_a_short_summary_per_kind() -> None:
    """3000 bad counts and 7 unknown keys: 20 lines in full, one summary line, one line per
    kind (counts 3000 and 7, first rows 2 and 5000) - 23 lines instead of 3007."""
    report = ValidationReport("daten.csv")
    _many(report, 3000, 7)
    lines = report.render().splitlines()
    assert len(lines) == SHOWN_IN_FULL + 3
    assert lines[20] == "... und 2987 weitere Probleme. Alle 3007 Probleme nach Art:"
    assert lines[21] == ("- '…' ist keine Anzahl: 3000-mal, zuerst Zeile 2, Spalte 'einwohner', "
                         "'0,5'")
    assert lines[22] == ("- Gebietsschlüssel auf Ebene '…' unbekannt: 7-mal, zuerst Zeile 5000, "
                         "Spalte 'ags', '05990000'")
    english = report.render("en").splitlines()
    assert english[20] == "... and 2987 more problems. All 3007 problems by kind:"
    assert english[21] == "- not a count: 3000 times, first row 2, column 'einwohner', '0,5'"
    assert report.count == 3007 and len(report.problems) == report.max_problems
    failed = ImportFailed(report)
    assert failed.message.startswith("Import von daten.csv abgelehnt (3007 Probleme)")
