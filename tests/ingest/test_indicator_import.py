"""Indicator tables at the ingest level (issue #18): layouts with numerator and denominator
but no value, explicit options over the detection, metadata options for new indicators
only, missing-value markers and periods other than years.

Each test reads a small CSV with the real reader and calls :func:`parse_indicators` with a
key index of three Gemeinden; every expected value is worked out by hand in the test.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from kekiz.domain.catalogue import CATALOGUE
from kekiz.domain.errors import ValidationReport
from kekiz.domain.model import Aggregation, Indicator
from kekiz.ingest.indicators import IndicatorOptions, ParsedIndicators, parse_indicators
from kekiz.ingest.tables import read_table

INDEX = {"id": {"05111000": "05111000", "05315000": "05315000", "05334002": "05334002"},
         "ags": {}}


def parse(tmp_path: Path, text: str, *, known: dict[str, Indicator] | None = None,
          **options: Any) -> tuple[ParsedIndicators | None, ValidationReport]:
    path = tmp_path / "daten.csv"
    path.write_text(text, encoding="utf-8")
    report = ValidationReport(path.name)
    table = read_table(path, report)
    assert table is not None and report.ok, report.render()
    opts = IndicatorOptions(level="gemeinde", **options)
    return parse_indicators(table, opts, report, INDEX, known or {}), report


def _plain(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


def observations(parsed: ParsedIndicators | None) -> dict[tuple[str, str, str], Any]:
    assert parsed is not None
    return {(r["indicator_id"], r["unit_id"], r["period"]):
            tuple(_plain(r[c]) for c in ("value", "numerator", "denominator", "status"))
            for r in parsed.observations.to_dict("records")}


def indicators(parsed: ParsedIndicators | None) -> dict[str, Indicator]:
    assert parsed is not None
    return {i.id: i for i in parsed.indicators}


# -- long layout with numerator and denominator, no value ------------------------------------
LONG_RATIO = ("AGS;Jahr;Indikator;Zaehler;Nenner\n"
              "05111000;2021;arbeitslosenanteil;30000;400000\n"
              "05315000;2021;arbeitslosenanteil;56000;700000\n"
              "05334002;2021;arbeitslosenanteil;.;160000\n")


def test_long_layout_with_numerator_and_denominator_but_no_value(tmp_path: Path) -> None:
    """The layout of statistics offices: the value is computed with the catalogue's scale
    (arbeitslosenanteil: per 100): 30000 / 400000 * 100 = 7.5, 56000 / 700000 * 100 = 8.0;
    a suppressed numerator ('.') leaves the value missing."""
    parsed, report = parse(tmp_path, LONG_RATIO)
    assert report.ok, report.render()
    assert parsed is not None and parsed.layout == "long"
    got = observations(parsed)
    assert got[("arbeitslosenanteil", "05111000", "2021")] == (
        pytest.approx(7.5), 30000.0, 400000.0, "ok")
    assert got[("arbeitslosenanteil", "05315000", "2021")] == (
        pytest.approx(8.0), 56000.0, 700000.0, "ok")
    assert got[("arbeitslosenanteil", "05334002", "2021")] == (None, None, 160000.0, "missing")
    assert "1 Wert '.' als fehlend gelesen (Spalte 'Zaehler')." in report.notes


def test_long_ratio_layout_new_indicator_is_a_ratio(tmp_path: Path) -> None:
    """A new indicator from numerator and denominator: aggregation ratio; with --unit % its
    scale is 100 (120 / 1500 * 100 = 8.0); without a unit the value is the fraction 0.08."""
    text = "ags;jahr;indikator;zähler;nenner\n05111000;2021;Kinderquote;120;1500\n"
    parsed, report = parse(tmp_path, text, metadata={"unit": "%"})
    ind = indicators(parsed)["kinderquote"]
    assert (ind.aggregation, ind.scale, ind.unit) == (Aggregation.RATIO, 100.0, "%")
    assert observations(parsed)[("kinderquote", "05111000", "2021")][0] == pytest.approx(8.0)
    parsed, report = parse(tmp_path, text)
    assert observations(parsed)[("kinderquote", "05111000", "2021")][0] == pytest.approx(0.08)
    assert any("ohne Einheit (--unit): Wert = Zähler / Nenner als Anteil von 0 bis 1" in n
               for n in report.notes), report.notes


def test_long_ratio_layout_numerator_above_denominator_names_the_row(tmp_path: Path) -> None:
    text = LONG_RATIO.replace("56000;700000", "1500;1000")
    _parsed, report = parse(tmp_path, text)
    assert not report.ok
    (problem,) = report.problems
    assert (problem.row, problem.column, problem.value) == (3, "Zaehler", "1500")
    assert problem.message == "Zähler (1500) ist größer als der Nenner (1000)"


@pytest.mark.parametrize(("header", "missing"), [
    ("ags;jahr;indikator;zaehler", "nenner"),
    ("ags;jahr;indikator;nenner", "zaehler"),
    ("ags;jahr;indikator", "wert"),
])
def test_long_layout_names_the_column_that_is_missing(tmp_path: Path, header: str,
                                                      missing: str) -> None:
    row = ";".join(["05111000", "2021", "einwohner", "5", "9"][:header.count(";") + 1])
    for options in ({}, {"indicator_column": "indikator", "period_column": "jahr"}):
        parsed, report = parse(tmp_path, f"{header}\n{row}\n", **options)
        assert parsed is None
        (problem,) = report.problems
        assert problem.column == missing, problem.render()
        assert f"Spalte '{missing}' fehlt" in problem.message


def test_long_layout_without_period_names_the_period_column(tmp_path: Path) -> None:
    parsed, report = parse(tmp_path, "ags;indikator;wert\n05111000;einwohner;5\n")
    (problem,) = report.problems
    assert problem.column == "jahr" and "Zeitraum-Spalte fehlt" in problem.message
    parsed, report = parse(tmp_path, "ags;indikator;wert\n05111000;einwohner;5\n",
                           period="2021")
    assert observations(parsed) == {("einwohner", "05111000", "2021"): (5.0, None, None, "ok")}


# -- explicit options win over the detection -------------------------------------------------
def test_column_option_wins_over_an_indicator_column(tmp_path: Path) -> None:
    """'merkmal' looks like the indicator column of a long layout; --column einwohner=...
    names a column of the file, so the layout is by period and 'merkmal' is ignored."""
    text = "ags;jahr;merkmal;einwohner\n05111000;2021;Bevölkerung;619294\n"
    parsed, report = parse(tmp_path, text, columns={"einwohner": "einwohner"})
    assert report.ok, report.render()
    assert parsed is not None and parsed.layout == "bytime"
    assert observations(parsed) == {
        ("einwohner", "05111000", "2021"): (619294.0, None, None, "ok")}


def test_period_column_option_wins_and_the_other_period_column_is_no_indicator(
        tmp_path: Path) -> None:
    text = "ags;jahr;stichtag;einwohner\n05111000;2021;30.06.2022;619294\n"
    parsed, report = parse(tmp_path, text, period_column="stichtag")
    assert report.ok, report.render()
    assert observations(parsed) == {
        ("einwohner", "05111000", "2022-06-30"): (619294.0, None, None, "ok")}


def test_period_option_wins_over_a_period_column(tmp_path: Path) -> None:
    text = "ags;jahr;einwohner\n05111000;2020;619294\n"
    parsed, report = parse(tmp_path, text, period="2021")
    assert observations(parsed) == {
        ("einwohner", "05111000", "2021"): (619294.0, None, None, "ok")}
    assert "Spalte 'jahr' nicht als Zeitraum gelesen: --period 2021 gilt für alle Werte." in \
        report.notes


def test_numerator_and_denominator_columns_are_no_indicators(tmp_path: Path) -> None:
    text = "ags;jahr;arbeitslosenanteil;zaehler;nenner\n05111000;2021;7,5;30000;400000\n"
    parsed, report = parse(tmp_path, text)
    assert report.ok, report.render()
    assert observations(parsed) == {
        ("arbeitslosenanteil", "05111000", "2021"): (7.5, 30000.0, 400000.0, "ok")}


# -- metadata options: new indicators only ---------------------------------------------------
TWO = "ags;jahr;einwohner;kinder;plaetze\n05111000;2021;619294;90000;420\n"


def test_name_de_with_two_columns_does_not_rename_the_builtin(tmp_path: Path) -> None:
    """Bug of #18: --name-de with two --column renamed the built-in 'einwohner'."""
    parsed, report = parse(tmp_path, TWO, columns={"einwohner": "einwohner",
                                                   "kinder": "kinder_neu"},
                           metadata={"name_de": "Kinder (neu)", "unit": "Personen"})
    assert report.ok, report.render()
    got = indicators(parsed)
    assert got["einwohner"] == CATALOGUE["einwohner"]
    assert (got["kinder_neu"].name_de, got["kinder_neu"].unit) == ("Kinder (neu)", "Personen")
    assert ("Indikator 'einwohner' ist eingebaut (Katalog): --name-de nicht übernommen; die "
            "Angaben eines vorhandenen Indikators ändert ein Import nicht.") in report.notes


def test_name_de_with_two_new_indicators_is_a_problem(tmp_path: Path) -> None:
    _parsed, report = parse(tmp_path, TWO, columns={"plaetze": "plaetze_neu",
                                                   "kinder": "kinder_neu"},
                           metadata={"name_de": "Kinder (neu)"})
    (problem,) = report.problems
    assert problem.message == "--name-de passt nur zu einem neuen Indikator, die Datei bringt 2"
    assert problem.value == "plaetze_neu, kinder_neu"


def test_unit_applies_to_new_indicators_never_to_a_stored_one(tmp_path: Path) -> None:
    stored = Indicator("kinder_neu", "Kinder", "Children", unit="Kinder",
                       aggregation=Aggregation.SUM)
    parsed, report = parse(tmp_path, TWO, columns={"plaetze": "plaetze_neu",
                                                   "kinder": "kinder_neu"},
                           known={"kinder_neu": stored},
                           metadata={"unit": "Personen", "aggregation": "sum"})
    assert report.ok, report.render()
    got = indicators(parsed)
    assert got["kinder_neu"] == stored
    assert (got["plaetze_neu"].unit, got["plaetze_neu"].aggregation) == (
        "Personen", Aggregation.SUM)
    assert any(n.startswith("Indikator 'kinder_neu' ist im Store: --unit nicht übernommen")
               for n in report.notes), report.notes


def test_new_indicator_without_metadata_gets_notes_saying_what_follows(tmp_path: Path) -> None:
    parsed, report = parse(tmp_path, "ags;jahr;Kitaplätze\n05111000;2021;420\n")
    assert report.ok
    assert indicators(parsed)["kitaplaetze"].aggregation is Aggregation.NONE
    text = " ".join(report.notes)
    assert "Neuer Indikator 'kitaplaetze' ohne Namen" in text and "--name-de" in text
    assert "ohne Einheit (--unit)" in text
    assert "'kekiz aggregate' überspringt ihn" in text


def test_bad_aggregation_option_is_a_problem(tmp_path: Path) -> None:
    parsed, report = parse(tmp_path, "ags;jahr;x\n05111000;2021;1\n",
                           metadata={"aggregation": "summe"})
    assert parsed is None
    assert report.problems[0].message == "--aggregation 'summe' ist nicht erlaubt"


# -- missing-value markers -------------------------------------------------------------------
def test_minus_9999_in_a_count_column_is_missing_and_counted(tmp_path: Path) -> None:
    text = ("ags;jahr;einwohner\n05111000;2021;-9999\n05315000;2021;-9.999\n"
            "05334002;2021;248878\n")
    parsed, report = parse(tmp_path, text)
    assert report.ok, report.render()
    got = observations(parsed)
    assert got[("einwohner", "05111000", "2021")] == (None, None, None, "missing")
    assert got[("einwohner", "05315000", "2021")] == (None, None, None, "missing")
    assert got[("einwohner", "05334002", "2021")] == (248878.0, None, None, "ok")
    assert parsed is not None and parsed.missing.total("-9999") == 2
    assert "2 Werte '-9999' als fehlend gelesen (Spalte 'einwohner')." in report.notes


def test_minus_one_is_missing_in_a_share_kept_in_a_change_an_error_in_a_count(
        tmp_path: Path) -> None:
    text = "ags;jahr;arbeitslosenanteil;veraenderung\n05111000;2021;-1;-1\n"
    parsed, report = parse(tmp_path, text)
    assert report.ok, report.render()
    got = observations(parsed)
    assert got[("arbeitslosenanteil", "05111000", "2021")] == (None, None, None, "missing")
    assert got[("veraenderung", "05111000", "2021")] == (-1.0, None, None, "ok")
    assert "1 Wert '-1' als fehlend gelesen (Spalte 'arbeitslosenanteil')." in report.notes
    assert any(n.startswith("1 Wert(e) '-1' als Zahl gelesen, nicht als fehlend (Spalte "
                            "'veraenderung'): keine Anteilsspalte") for n in report.notes)
    parsed, report = parse(tmp_path, "ags;jahr;einwohner\n05111000;2021;-1\n")
    (problem,) = report.problems
    assert problem.message == "Negative Anzahl"
    assert "--missing mit '-1' angeben" in problem.fix


def test_own_missing_list(tmp_path: Path) -> None:
    """--missing 'k.A.': only 'k. A.' (and the official signs) are missing; the dash is then
    'exactly zero' (Zeichenerklärung) and -9999 is a value again (a negative count)."""
    from kekiz.domain.missing import parse_missing  # new in #18: imported here so that the
    # other tests of this file run (and fail for their own reason) on the code before #18

    text = "ags;jahr;einwohner\n05111000;2021;k. A.\n05315000;2021;-\n"
    parsed, report = parse(tmp_path, text, missing=parse_missing("k.A."))
    assert report.ok, report.render()
    got = observations(parsed)
    assert got[("einwohner", "05111000", "2021")] == (None, None, None, "missing")
    assert got[("einwohner", "05315000", "2021")] == (0.0, None, None, "ok")
    parsed, report = parse(tmp_path, "ags;jahr;einwohner\n05111000;2021;-9999\n",
                           missing=parse_missing("k.A."))
    assert [p.message for p in report.problems] == ["Negative Anzahl"]


# -- periods ---------------------------------------------------------------------------------
def test_half_year_quarter_month_and_day_periods(tmp_path: Path) -> None:
    text = ("ags;zeitraum;einwohner\n05111000;1. Halbjahr 2022;1\n05111000;2022-H2;2\n"
            "05111000;Q3 2022;3\n05111000;2022M07;4\n05111000;30.06.2022;5\n"
            "05111000;2022-06-30 00:00:00;6\n05111000;Schuljahr 2011/12;7\n")
    parsed, report = parse(tmp_path, text)
    assert [p.message for p in report.problems] == [
        "Doppelter Wert (schon in Zeile 6)"]  # 30.06.2022 and the Excel date are one day
    assert sorted(p for (_, _, p) in observations(parsed)) == [
        "2011/12", "2022-06-30", "2022-07", "2022-H1", "2022-H2", "2022-Q3"]


def test_bad_period_names_row_and_forms(tmp_path: Path) -> None:
    _parsed, report = parse(tmp_path, "ags;jahr;einwohner\n05111000;2022-H3;1\n")
    (problem,) = report.problems
    assert (problem.row, problem.column, problem.value) == (2, "jahr", "2022-H3")
    assert "2021-H1" in problem.expected and "2021-Q2" in problem.expected


def test_wide_layout_with_half_year_columns(tmp_path: Path) -> None:
    text = "ags;2021-H2;2022-H1\n05111000;10;12\n"
    parsed, report = parse(tmp_path, text, indicator="kinder_u6")
    assert report.ok, report.render()
    assert observations(parsed) == {
        ("kinder_u6", "05111000", "2021-H2"): (10.0, None, None, "ok"),
        ("kinder_u6", "05111000", "2022-H1"): (12.0, None, None, "ok")}


def test_period_option_is_checked_and_stored_canonically(tmp_path: Path) -> None:
    parsed, _ = parse(tmp_path, "ags;einwohner\n05111000;5\n", period="2. Quartal 2022")
    assert list(observations(parsed)) == [("einwohner", "05111000", "2022-Q2")]
    parsed, report = parse(tmp_path, "ags;einwohner\n05111000;5\n", period="Sommer")
    assert parsed is None and report.problems[0].message == "--period ist kein Zeitraum"
