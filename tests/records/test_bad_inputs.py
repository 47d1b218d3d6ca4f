"""Bad record files: every problem is reported with its count and examples (file, row,
column, value, expected, fix), and nothing partial lands in the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from kekiz.domain.errors import ConfigurationError, ImportFailed
from tests.records.conftest import copy_store, monitor_for, small_schema, snapshot_of

SCHEMA = small_schema("sprachdefizit", "adipositas")


@pytest.fixture(scope="module")
def good(demo_base: Path, tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    """400 good synthetic records of 2012."""
    m = monitor_for(f"sqlite:///{demo_base}")
    try:
        out = tmp_path_factory.mktemp("good") / "seu.parquet"
        path = m.records.generate_records(out, years="2012", seed=5, records=400).path
    finally:
        m.close()
    return pq.read_table(path)


@pytest.fixture(scope="module")
def store_template(demo_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_base


def _set(table: pa.Table, column: str, rows: list[int], value: Any) -> pa.Table:
    values = table.column(column).to_pylist()
    for r in rows:
        values[r] = value(values[r]) if callable(value) else value
    typ = table.schema.field(column).type
    try:
        arr = pa.array(values, typ)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        arr = pa.array([None if v is None else str(v) for v in values], pa.string())
    return table.set_column(table.column_names.index(column), column, arr)


def _csv(table: pa.Table, path: Path) -> Path:
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(delimiter=";"))
    return path


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[pa.Table, Path], Path]
    says: tuple[str, ...]
    kwargs: tuple[tuple[str, Any], ...] = ()


def _birth_after_exam(t: pa.Table, d: Path) -> Path:
    exam = t.column("untersuchungsdatum").to_pylist()
    t = _set(t, "geburtsdatum", [3, 50, 77], None)
    births = t.column("geburtsdatum").to_pylist()
    for r in (3, 50, 77):
        births[r] = exam[r].replace(year=exam[r].year + 1)
    t = t.set_column(t.column_names.index("geburtsdatum"), "geburtsdatum",
                     pa.array(births, pa.date32()))
    return _csv(t, d / "SYNTHETISCH_geburt.csv")


def _too_old(t: pa.Table, d: Path) -> Path:
    t = _set(t, "geburtsdatum", [10, 11], lambda v: v.replace(year=v.year - 6))
    return _csv(t, d / "SYNTHETISCH_alt.csv")


def _impossible_date(t: pa.Table, d: Path) -> Path:
    t = _set(t, "untersuchungsdatum", [4], "31.02.2012")
    return _csv(t, d / "SYNTHETISCH_datum.csv")


def _duplicates(t: pa.Table, d: Path) -> Path:
    ids = t.column("id").to_pylist()
    ids[20] = ids[5]
    ids[30] = ids[5]
    ids[41] = ids[40]
    t = t.set_column(0, "id", pa.array(ids))
    return _csv(t, d / "SYNTHETISCH_doppelt.csv")


def _outside(t: pa.Table, d: Path) -> Path:
    t = _set(t, "x", list(range(0, 400, 20)), 300000.0)  # 20 of 400 points near Aachen
    t = t.drop_columns(["stadtteil"])
    return _csv(t, d / "SYNTHETISCH_ausserhalb.csv")


def _wrong_crs(t: pa.Table, d: Path) -> Path:
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
    lon, lat = tr.transform(np.asarray(t.column("x")), np.asarray(t.column("y")))
    t = t.set_column(t.column_names.index("x"), "x", pa.array(lon))
    t = t.set_column(t.column_names.index("y"), "y", pa.array(lat))
    return _csv(t.drop_columns(["stadtteil"]), d / "SYNTHETISCH_wgs84.csv")


def _missing_columns(t: pa.Table, d: Path) -> Path:
    return _csv(t.drop_columns(["untersuchungsdatum", "sprache_defizit"]),
                d / "SYNTHETISCH_spalten.csv")


def _bad_flag(t: pa.Table, d: Path) -> Path:
    t = _set(t, "sprache_defizit", [7, 8], "vielleicht")
    return _csv(t, d / "SYNTHETISCH_flag.csv")


def _mixed_synthetic(t: pa.Table, d: Path) -> Path:
    t = _set(t, "synthetisch", [0], False)
    return _csv(t, d / "gemischt.csv")


def _unknown_streets(t: pa.Table, d: Path) -> Path:
    codes = t.column("stadtteil").to_pylist()
    streets = [f"Teststraße {c}" for c in codes]
    for r in range(0, 400, 10):  # 10 % misspelled
        streets[r] = f"Tetsstrase {codes[r]}"
    t = t.drop_columns(["x", "y", "stadtteil"]).append_column("strasse", pa.array(streets))
    t = t.append_column("hausnummer", pa.array(["12"] * t.num_rows))
    return _csv(t, d / "SYNTHETISCH_strassen.csv")


def _unknown_codes(t: pa.Table, d: Path) -> Path:
    t = _set(t.drop_columns(["x", "y"]), "stadtteil", list(range(0, 400, 25)), "1011")
    return _csv(t, d / "SYNTHETISCH_codes.csv")


CASES = [
    Case("birth_after_exam", _birth_after_exam, (
        "SYNTHETISCH_geburt.csv, Zeile 5, Spalte 'geburtsdatum'",
        "Geburtsdatum liegt nach dem Untersuchungsdatum (3 Datensätze; weitere z. B. "
        "Zeile 52", "Erwartet: ein Geburtsdatum vor dem Untersuchungsdatum",
        "Abhilfe: Geburts- und Untersuchungsdatum prüfen")),
    Case("too_old", _too_old, (
        "Zeile 12, Spalte 'geburtsdatum': '11,5 Jahre' Alter bei der Untersuchung über 10 "
        "Jahren",
        "(2 Datensätze", "Erwartet: ein Alter von 4 bis 10 Jahren")),
    Case("impossible_date", _impossible_date, (
        "Zeile 6, Spalte 'untersuchungsdatum': '31.02.2012' kein gültiges "
        "Untersuchungsdatum (1 Datensatz)", "Erwartet: ein Datum wie 2012-03-01")),
    Case("duplicate_ids", _duplicates, (
        "Zeile 22, Spalte 'id'", "Datensatz-Kennung doppelt – schon in Zeile 7 (3 "
        "Datensätze", "Zeile 32", "Zeile 43", "Abhilfe: doppelte Datensätze löschen")),
    Case("outside", _outside, (
        "5,0% der Datensätze ohne Gebiet, erlaubt sind höchstens 2,0%",
        "Zeile 2, Spalte 'x'", "Koordinaten liegen außerhalb aller Gebiete",
        "(20 Datensätze; weitere z. B. Zeile 22")),
    Case("wrong_crs", _wrong_crs, (
        "Die Koordinaten passen nicht zum angegebenen Koordinatensystem EPSG:25832",
        "passen aber zu EPSG:4326", "Abhilfe: im Schema [coordinates] crs = \"EPSG:4326\"")),
    Case("missing_columns", _missing_columns, (
        "Pflichtspalte fehlt: Untersuchungsdatum",
        "Pflichtspalte fehlt: Sprachauffälligkeiten", "Spalte 'untersuchungsdatum'",
        "Abhilfe: die Spalte umbenennen oder im Schema unter [columns]")),
    Case("bad_flag", _bad_flag, (
        "Zeile 9, Spalte 'sprache_defizit': 'vielleicht' kein Ja/Nein-Wert",
        "(2 Datensätze", "Erwartet: ja/nein, 1/0 oder true/false")),
    Case("mixed_synthetic", _mixed_synthetic, (
        "Spalte 'synthetisch'", "gemischt", "Abhilfe: echte und synthetische Daten getrennt")),
    Case("unknown_streets", _unknown_streets, (
        "10,0% der Datensätze ohne Gebiet", "Zeile 2, Spalte 'strasse': 'Tetsstrase",
        "Straße nicht im Straßenverzeichnis – meinten Sie 'Teststr.",
        "(40 Datensätze")),
    Case("unknown_codes", _unknown_codes, (
        "Spalte 'stadtteil': '1011' Gebietsschlüssel der gewählten Ebene unbekannt – "
        "meinten Sie 101?", "(16 Datensätze")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_reported_and_nothing_lands(case: Case, good: pa.Table, demo_base: Path,
                                                 tmp_path: Path) -> None:
    url = copy_store(demo_base, tmp_path / "kekiz.db")
    path = case.make(good, tmp_path)
    streets = None
    if case.name == "unknown_streets":
        streets = tmp_path / "strassen.csv"
        codes = sorted(set(good.column("stadtteil").to_pylist()))
        streets.write_text("strasse;gebiet\n" + "".join(f"Teststr. {c};{c}\n" for c in codes),
                           encoding="utf-8")
    before = snapshot_of(url)
    m = monitor_for(url)
    try:
        with pytest.raises(ImportFailed) as err:
            m.records.import_records(path, schema=SCHEMA, streets=streets)
    finally:
        m.close()
    text = " ".join(err.value.text("de").split())
    assert text.startswith(f"Import von {path.name} abgelehnt")
    assert "es wurde nichts gespeichert" in text
    for fragment in case.says:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    assert "Erwartet:" in text and "Abhilfe:" in text
    english = " ".join(err.value.text("en").split())
    assert "nothing was stored" in english and "Expected:" in english
    assert snapshot_of(url) == before


def test_unusable_files(good: pa.Table, demo_base: Path, tmp_path: Path) -> None:
    url = copy_store(demo_base, tmp_path / "kekiz.db")
    before = snapshot_of(url)
    empty = tmp_path / "leer.csv"
    empty.write_text("", encoding="utf-8")
    old = tmp_path / "alt.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    broken = tmp_path / "kaputt.parquet"
    broken.write_bytes(b"PAR1 not really")
    one_column = tmp_path / "eine.csv"
    one_column.write_text("id geburtsdatum\n1 2006-01-01\n", encoding="utf-8")
    m = monitor_for(url)
    try:
        for path, says in ((empty, "Die Datei ist leer"), (old, ".xls"),
                           (broken, "keine lesbare Parquet-Datei"),
                           (one_column, "Trennzeichen passt nicht"),
                           (tmp_path / "fehlt.csv", "Datei nicht gefunden")):
            with pytest.raises(ImportFailed) as err:
                m.records.import_records(path, schema=SCHEMA)
            assert says in err.value.text("de")
        with pytest.raises(ConfigurationError, match="Keine Gebiete der Ebene 'block'"):
            m.records.import_records(empty, level="block")
        with pytest.raises(ConfigurationError, match="--years"):
            m.records.import_records(empty, years="2012-20x")
        with pytest.raises(ConfigurationError, match="Unbekanntes Verfahren 'schnell'"):
            m.records.import_records(empty, method="schnell")
        wrong = small_schema("sprachdefizit", coordinates={"crs": "EPSG:99999"})
        with pytest.raises(ConfigurationError, match="Koordinatensystem 'EPSG:99999' unbekannt"):
            m.records.import_records(_csv(good, tmp_path / "SYNTHETISCH_gut.csv"), schema=wrong)
    finally:
        m.close()
    assert snapshot_of(url) == before


def test_few_unmatched_records_are_counted_not_dropped_silently(
        good: pa.Table, demo_base: Path, tmp_path: Path) -> None:
    url = copy_store(demo_base, tmp_path / "kekiz.db")
    t = _set(good.drop_columns(["stadtteil"]), "x", [9, 99, 199], 300000.0)
    t = _set(t, "x", [300], None)
    path = _csv(t, tmp_path / "SYNTHETISCH_wenige.csv")
    m = monitor_for(url)
    try:
        result = m.records.import_records(path, schema=SCHEMA)
    finally:
        m.close()
    assert result.stats["unmatched"] == 4 and result.stats["used"] == 396
    assert result.stats["unmatched_by_reason"] == {"outside": 3, "no_location": 1}
    assert result.stats["unmatched_rate"] == pytest.approx(0.01)
    notes = " ".join(result.notes)
    assert "3 Datensätze: Koordinaten liegen außerhalb aller Gebiete" in notes
    assert "Zeile 11" in notes and "Zeile 101" in notes
    assert "1 Datensatz: keine Ortsangabe" in notes
