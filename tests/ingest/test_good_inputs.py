"""Valid German real-world files import, and the store holds exactly the file's values.

The files are in ``tests/data/good`` (made by ``tests/data/make_bad_corpus.py``); every
expected number below was read off the file by hand.  Imports run through the real CLI
against a store with the base units (3 Kreise, 6 Gemeinden, Einwohner 2021).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import shapely

from kekiz.storage import open_store

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
GEMEINDE = ("--level", "gemeinde")

Cli = Callable[..., Any]

BOXES = {  # the Gemeinden's rectangles in base_gemeinden.geojson
    "05111000": (6.70, 51.10, 6.95, 51.35), "05315000": (6.80, 50.80, 7.10, 51.05),
    "05334002": (6.00, 50.55, 6.20, 50.725), "05334004": (6.20, 50.725, 6.40, 50.90),
    "05334008": (6.00, 50.725, 6.20, 50.90), "05334012": (6.20, 50.55, 6.40, 50.725),
}


def values(url: str, indicator: str) -> dict[tuple[str, str], tuple[Any, ...]]:
    """(unit, period) -> (value, numerator, denominator, status) of one indicator."""
    store = open_store(url)
    try:
        obs = store.observations(indicator_id=indicator)
    finally:
        store.dispose()
    out: dict[tuple[str, str], tuple[Any, ...]] = {}
    for r in obs.to_dict("records"):
        key = (r["unit_id"], r["period"])
        assert key not in out, f"duplicate observation {key}"
        out[key] = tuple(None if isinstance(v, float) and math.isnan(v) else v for v in
                         (r["value"], r["numerator"], r["denominator"], r["status"]))
    return out


def plain(mapping: dict[str, float], period: str) -> dict[tuple[str, str], tuple[Any, ...]]:
    return {(k, period): (float(v), None, None, "ok") for k, v in mapping.items()}


def imported(cli: Cli, url: str, file: str, *args: str) -> str:
    result = cli(url, "import", "indicators", GOOD / file, *args)
    assert result.code == 0, result.err
    return str(result.stdout)


BASE_2021 = plain({"05111000": 619294, "05315000": 1079301, "05334002": 248878,
                   "05334004": 47218, "05334008": 27108, "05334012": 56217}, "2021")


def test_base_store(sqlite_base: str) -> None:
    store = open_store(sqlite_base)
    try:
        assert store.count_units() == {"kreis": 3, "gemeinde": 6}
        gemeinden = {u.id: u for u in store.units(level="gemeinde", with_geometry=True)}
        assert {k: u.parent_id for k, u in gemeinden.items()} == {
            "05111000": "05111", "05315000": "05315", "05334002": "05334",
            "05334004": "05334", "05334008": "05334", "05334012": "05334"}
        assert gemeinden["05334002"].keys == {"ars": "053340002002", "gvb": "053340002"}
        for key, box in BOXES.items():
            geom = gemeinden[key].geometry
            assert geom is not None
            assert shapely.from_wkb(geom).bounds == pytest.approx(box, abs=1e-9)
    finally:
        store.dispose()
    assert values(sqlite_base, "einwohner") == BASE_2021


def test_cp1252_semicolon_decimal_comma(cli: Cli, sqlite_base: str) -> None:
    out = imported(cli, sqlite_base, "cp1252_semikolon_dezimalkomma.csv", *GEMEINDE)
    assert "9 Werte importiert" in out
    assert "Windows-1252" in out
    assert values(sqlite_base, "einwohner") == {
        **BASE_2021, **plain({"05111000": 620523, "05315000": 1084831, "05334002": 249070},
                             "2022")}
    assert values(sqlite_base, "arbeitslosenanteil") == plain(
        {"05111000": 7.9, "05315000": 8.4, "05334002": 7.2}, "2022")
    assert values(sqlite_base, "kaufkraft") == plain(
        {"05111000": 27512.5, "05315000": 25130, "05334002": 22480.75}, "2022")


def test_excel_export_with_title_rows(cli: Cli, sqlite_base: str) -> None:
    out = imported(cli, sqlite_base, "excel_titelzeilen.xlsx", *GEMEINDE)
    assert "6 Werte importiert" in out
    assert "3 Titelzeile(n)" in out
    assert values(sqlite_base, "einwohner") == {
        **BASE_2021, **plain({"05111000": 620523, "05315000": 1083498, "05334002": 248960},
                             "2020")}
    assert values(sqlite_base, "einwohner_u3") == plain(
        {"05111000": 18834, "05315000": 32406, "05334002": 6511}, "2020")


def test_xlsx(cli: Cli, sqlite_base: str) -> None:
    imported(cli, sqlite_base, "einfach.xlsx", *GEMEINDE)
    assert values(sqlite_base, "kinderarmut") == plain(
        {"05111000": 17.5, "05315000": 19.25, "05334012": 12.0}, "2021")


def test_ags_without_leading_zero(cli: Cli, sqlite_base: str) -> None:
    imported(cli, sqlite_base, "ags_ohne_fuehrende_null.csv", *GEMEINDE)
    assert values(sqlite_base, "einwohner") == {
        **BASE_2021, **plain({"05111000": 619294, "05315000": 1087863, "05334004": 47149},
                             "2019")}


def test_kreis_key_without_leading_zero(cli: Cli, sqlite_base: str) -> None:
    imported(cli, sqlite_base, "kreise_ohne_fuehrende_null.csv", "--level", "kreis")
    assert values(sqlite_base, "kitas") == plain(
        {"05111": 420, "05315": 690, "05334": 345}, "2021")


def test_ars_12_and_gvb_9_digits(cli: Cli, sqlite_base: str) -> None:
    imported(cli, sqlite_base, "ars_12_stellen.csv", *GEMEINDE)
    imported(cli, sqlite_base, "schluessel_9_stellen.csv", *GEMEINDE)
    assert values(sqlite_base, "einwohner") == {
        **BASE_2021, **plain({"05334002": 247380, "05334008": 27227, "05334012": 56000,
                              "05315000": 1085664}, "2018")}


def test_long_layout_with_numerator_and_denominator(cli: Cli, sqlite_base: str) -> None:
    imported(cli, sqlite_base, "lang.csv", *GEMEINDE)
    assert values(sqlite_base, "arbeitslosenanteil") == {
        ("05111000", "2021"): (7.5, 30000.0, 400000.0, "ok"),
        ("05315000", "2021"): (8.0, 56000.0, 700000.0, "ok"),
        ("05111000", "2020"): (7.9, 31600.0, 400000.0, "ok"),
    }


def test_long_layout_with_numerator_and_denominator_but_no_value(cli: Cli,
                                                                  sqlite_base: str) -> None:
    """Issue #18: AGS;Jahr;Indikator;Zaehler;Nenner - the value is numerator / denominator
    x 100 (arbeitslosenanteil is per 100): 30000 / 400000 = 7.5, 56000 / 700000 = 8.0; a
    numerator -9999 is a missing marker, counted in the output."""
    out = imported(cli, sqlite_base, "lang_zaehler_nenner.csv", *GEMEINDE)
    assert "1 Wert '-9999' als fehlend gelesen (Spalte 'Zaehler')" in out
    got = values(sqlite_base, "arbeitslosenanteil")
    assert got[("05111000", "2021")] == (pytest.approx(7.5), 30000.0, 400000.0, "ok")
    assert got[("05315000", "2021")] == (pytest.approx(8.0), 56000.0, 700000.0, "ok")
    assert got[("05334002", "2021")] == (None, None, 160000.0, "missing")


def test_half_years_quarters_and_days(cli: Cli, sqlite_base: str) -> None:
    """Issue #18: periods as the offices write them, stored under their labels."""
    imported(cli, sqlite_base, "halbjahre.csv", *GEMEINDE)
    got = values(sqlite_base, "einwohner")
    assert {k: v[0] for k, v in got.items() if k[1] != "2021"} == {
        ("05111000", "2022-H1"): 620000.0, ("05111000", "2022-H2"): 621000.0,
        ("05315000", "2022-06-30"): 1085000.0, ("05315000", "2022-Q4"): 1086000.0}


def test_wide_by_year_with_indicator(cli: Cli, sqlite_base: str) -> None:
    out = imported(cli, sqlite_base, "breit_jahre.csv", *GEMEINDE, "--indicator",
                   "kinder_u6", "--unit", "Personen", "--aggregation", "sum")
    assert "9 Werte importiert" in out
    # the dash is a missing-value marker by default (issue #18); the note says so and how
    # to read it as 'exactly zero' instead
    assert "1 Wert '-' als fehlend gelesen (Spalte '2019')" in out
    assert "--missing ohne den Strich" in out
    assert values(sqlite_base, "kinder_u6") == {
        ("05334002", "2019"): (1201.0, None, None, "ok"),
        ("05334002", "2020"): (1187.0, None, None, "ok"),
        ("05334002", "2021"): (1230.0, None, None, "ok"),
        ("05334004", "2019"): (402.0, None, None, "ok"),
        ("05334004", "2020"): (None, None, None, "suppressed"),  # '.'
        ("05334004", "2021"): (377.0, None, None, "ok"),
        ("05334008", "2019"): (None, None, None, "missing"),  # '-': a missing marker
        ("05334008", "2020"): (215.0, None, None, "ok"),
        ("05334008", "2021"): (None, None, None, "unreliable"),  # '/'
    }


def test_wide_by_year_indicator_named_after_its_id(cli: Cli, sqlite_base: str) -> None:
    """Without --name-de the new indicator is named after its id, not after the first
    year column ('2019')."""
    imported(cli, sqlite_base, "breit_jahre.csv", *GEMEINDE, "--indicator", "kinder_u6",
             "--unit", "Personen")
    store = open_store(sqlite_base)
    try:
        ind = store.indicator("kinder_u6")
    finally:
        store.dispose()
    assert ind.unit == "Personen"
    assert ind.name_de == "kinder_u6", ind.name_de


def test_utf16_with_tabs(cli: Cli, sqlite_base: str) -> None:
    imported(cli, sqlite_base, "utf16_tab.csv", *GEMEINDE)
    assert values(sqlite_base, "kinderarmut") == plain(
        {"05111000": 17.9, "05315000": 20.1}, "2019")


def test_pipe_separator(cli: Cli, sqlite_base: str) -> None:
    imported(cli, sqlite_base, "pipe.csv", *GEMEINDE)
    assert values(sqlite_base, "einwohner")[("05334002", "2017")] == (246000.0, None, None,
                                                                       "ok")


def test_gisd_three_decimals_with_decimal_comma(cli: Cli, sqlite_base: str) -> None:
    """'0,412' cannot be an English thousands group (no group starts with 0)."""
    imported(cli, sqlite_base, "gisd_drei_nachkommastellen.csv", *GEMEINDE)
    assert values(sqlite_base, "gisd_score") == plain(
        {"05111000": 0.412, "05315000": 0.398}, "2019")


def test_name_column_gemeinde_is_a_label(cli: Cli, sqlite_base: str) -> None:
    """IT.NRW-style exports name the label column 'Gemeinde'; it holds no values."""
    imported(cli, sqlite_base, "namensspalte_gemeinde.csv", *GEMEINDE)
    assert values(sqlite_base, "einwohner")[("05315000", "2016")] == (1075935.0, None, None,
                                                                       "ok")


def test_reimport_creates_revision_2_without_duplicates(cli: Cli, base_url: str) -> None:
    first = values(base_url, "einwohner")
    out = imported(cli, base_url, "base_einwohner.csv", *GEMEINDE)
    assert "6 Werte importiert: base_einwohner (gemeinde) (Revision 2)" in out
    assert values(base_url, "einwohner") == first == BASE_2021
    store = open_store(base_url)
    try:
        datasets = [d for d in store.datasets() if d.name == "base_einwohner (gemeinde)"]
        assert [d.revision for d in datasets] == [1, 2]
        obs = store.observations(indicator_id="einwohner")
        assert set(obs["dataset_id"]) == {datasets[1].id}
        assert store.count_observations() == 6
    finally:
        store.dispose()


def test_new_revision_replaces_values_of_the_old_one(cli: Cli, base_url: str) -> None:
    imported(cli, base_url, "einwohner_v1.csv", *GEMEINDE, "--dataset", "EW 2015")
    assert {k: v for k, v in values(base_url, "einwohner").items() if k[1] == "2015"} == \
        plain({"05334004": 46900, "05334008": 27000, "05334012": 55800}, "2015")
    out = imported(cli, base_url, "einwohner_v2.csv", *GEMEINDE, "--dataset", "EW 2015")
    assert "(Revision 2)" in out
    # the row missing from v2 is gone; the others carry v2's numbers
    assert values(base_url, "einwohner") == {
        **BASE_2021, **plain({"05334004": 46912, "05334008": 27013}, "2015")}


def test_zipped_shapefile_in_utm(cli: Cli, sqlite_base: str) -> None:
    result = cli(sqlite_base, "import", "boundaries", GOOD / "gemeinden_utm_shp.zip",
                 "--level", "gemeinde", "--id-field", "AGS", "--name-field", "GEN",
                 "--parent-field", "KRS", "--dataset", "Gemeinden UTM")
    assert result.code == 0, result.err
    assert "6 Gebiete importiert: Gemeinden UTM (Revision 1)" in result.stdout
    store = open_store(sqlite_base)
    try:
        for u in store.units(level="gemeinde", with_geometry=True):
            assert u.geometry is not None
            bounds = shapely.from_wkb(u.geometry).bounds
            assert bounds == pytest.approx(BOXES[u.id], abs=1e-7)  # back from EPSG:25832
    finally:
        store.dispose()
