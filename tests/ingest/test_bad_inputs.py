"""The bad-input corpus (issue #2): every file is rejected with a message that names the
place and the fix, a non-zero exit code, and a store whose tables are unchanged.

The files are in ``tests/data/bad`` (made by ``tests/data/make_bad_corpus.py``).  Each
case runs the real CLI (``kekiz.cli.main.run``) against a store holding the base units
and one good indicator import; the store's :meth:`Store.snapshot` is compared before and
after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"

IND = ("--level", "gemeinde")
KREIS = ("--level", "kreis", "--id-field", "AGS", "--name-field", "GEN")
GEM = ("--level", "gemeinde", "--id-field", "AGS", "--name-field", "GEN",
       "--parent-field", "KRS")
BASE_OPTIONS = {"--level", "--id-field", "--name-field", "--parent-field"}

Cli = Callable[..., Any]
Snap = Callable[[str], Any]


@dataclass(frozen=True)
class Bad:
    """One bad input: the file, the CLI arguments and what the message must say."""

    file: str  # relative to tests/data/bad
    kind: str  # 'indicators' or 'boundaries'
    args: tuple[str, ...]
    says: tuple[str, ...]  # fragments of the message
    row: int | None = None  # 'Zeile N' (spreadsheet row / feature number)
    column: str | None = None  # "Spalte 'x'"
    value: str | None = None  # the offending value, shown in quotes

    @property
    def id(self) -> str:
        extra = [a.lstrip("-") for a in self.args if a.startswith("--")
                 and a not in BASE_OPTIONS]
        return "+".join([self.file.replace("/", "-"), *extra])


def i(file: str, *says: str, args: tuple[str, ...] = IND, row: int | None = None,
      column: str | None = None, value: str | None = None) -> Bad:
    return Bad(file, "indicators", args, says, row, column, value)


def b(file: str, *says: str, args: tuple[str, ...] = KREIS, row: int | None = None,
      column: str | None = None, value: str | None = None) -> Bad:
    return Bad(file, "boundaries", args, says, row, column, value)


CASES: list[Bad] = [
    # --- tables: empty, shape, separators -------------------------------------------------
    i("leer.csv", "Die Datei ist leer"),
    i("nur_kopfzeile.csv", "nur eine Kopfzeile, aber keine Daten", args=(*IND, "--period",
                                                                           "2021")),
    i("nur_leerzeilen.csv", "Die Datei enthält keine Zeilen"),
    i("leerzeichen_getrennt.csv", "Trennzeichen passt nicht", "gefunden wurde wohl ' '",
      row=1, column="ags jahr einwohner"),
    i("falsches_trennzeichen.csv", "Trennzeichen passt nicht", "als CSV mit ';' speichern",
      args=(*IND, "--sep", ","), row=1, column="ags;jahr;einwohner"),
    i("spalte_ohne_namen.csv", "Spalte ohne Namen", "einen Namen geben", row=1,
      column="Nr. 2"),
    i("spaltenname_doppelt.csv", "Spaltenname doppelt", "umbenennen", row=1,
      column="einwohner"),
    i("zu_viele_felder.csv", "Zeile hat 4 Felder, die Kopfzeile 3", "Anführungszeichen",
      row=3),
    i("offenes_anfuehrungszeichen.csv", "Gebietsschlüssel auf Ebene 'gemeinde' unbekannt",
      "'05111000;2021;620000", row=2, column="ags"),
    # --- tables: encodings and formats ----------------------------------------------------
    i("cp1252_als_utf8.csv", "ist kein gültiges utf-8", "--encoding cp1252",
      args=(*IND, "--encoding", "utf-8"), row=3),
    i("kodierung_unbekannt.csv", "Unbekannte Zeichenkodierung", "--encoding auto",
      args=(*IND, "--encoding", "klingonisch"), value="klingonisch"),
    i("utf16_ohne_bom.csv", "Null-Bytes", "als CSV exportieren"),
    i("binaerdaten.csv", "Null-Bytes", "keine Textdatei"),
    i("xlsx_als_csv.csv", "gepackte Datei (ZIP/XLSX)", "mit der Endung .xlsx"),
    i("abgeschnitten.xlsx", "keine lesbare XLSX-Datei", "neu speichern"),
    i("beschaedigtes_blatt.xlsx", "keine lesbare XLSX-Datei", "neu speichern"),
    i("csv_als_xlsx.xlsx", "keine lesbare XLSX-Datei"),
    i("blatt_fehlt.xlsx", "Tabellenblatt nicht gefunden", "eines von: Daten", "--sheet",
      args=(*IND, "--sheet", "Tabelle2"), value="Tabelle2"),
    i("kein_xls.xls", "keine lesbare XLS-Datei", "als .xlsx oder CSV neu speichern"),
    # --- tables: columns and layout ---------------------------------------------------------
    i("ohne_schluesselspalte.csv", "Schlüsselspalte nicht gefunden",
      "vorhanden: gemeinde, jahr, einwohner", "--key SPALTE"),
    i("breit_ohne_indikator.csv", "Spalten je Jahr erkannt, aber kein Indikator",
      "--indicator", value="2019, 2020"),
    # the message names the column that is missing, not the indicator column the file has
    i("lang_ohne_wert.csv", "Langes Format: Spalte 'wert' fehlt", "'zaehler' und 'nenner'",
      column="wert"),
    i("lang_ohne_wert.csv", "Langes Format: Spalte 'wert' fehlt", column="wert",
      args=(*IND, "--indicator-column", "indikator", "--period-column", "jahr")),
    i("ohne_zeitraum.csv", "Kein Zeitraum", "--period JAHR"),
    i("filterspalte_fehlt.csv", "Filterspalte nicht gefunden", "--where",
      args=(*IND, "--where", "land=NRW"), column="land"),
    i("zeitraumspalte_fehlt.csv", "Zeitraum-Spalte nicht gefunden", "--period-column",
      args=(*IND, "--period-column", "stichjahr"), column="stichjahr"),
    # --- tables: cells ----------------------------------------------------------------------
    i("dezimalkomma_in_anzahl.csv", "'12,5' ist keine Anzahl", "ganze Zahl", row=3,
      column="einwohner", value="12,5"),
    i("prozent_in_anzahl.csv", "'12,5%' ist keine Anzahl", "Anzahl statt eines Anteils",
      row=3, column="einwohner", value="12,5%"),
    i("text_in_zahlenspalte.csv", "'viele' ist keine Anzahl", "den Wert korrigieren", row=2,
      column="einwohner", value="viele"),
    i("text_in_zahlenspalte.xlsx", "'k. A.' ist keine Anzahl", row=5, column="Einwohner",
      value="k. A."),
    i("negative_anzahl.csv", "Negative Anzahl", "Anzahl >= 0", row=3, column="einwohner",
      value="-5"),
    i("jahr_als_text.csv", "Zeitraum ist kein Jahr oder Datum", "als Jahr schreiben", row=2,
      column="jahr", value="zweitausend"),
    i("negativer_anteil.csv", "Negativer Anteil", row=2, column="arbeitslosenanteil",
      value="-3,5"),
    # --- tables: keys and consistency -------------------------------------------------------
    i("unbekannter_schluessel.csv", "Gebietsschlüssel auf Ebene 'gemeinde' unbekannt",
      "zuerst die Grenzen importieren", row=3, column="ags", value="05111999"),
    i("gemeindeschluessel_auf_kreisebene.csv", "Gebietsschlüssel auf Ebene 'kreis' unbekannt",
      "die richtige --level", args=("--level", "kreis"), row=2, column="ags",
      value="05111000"),
    i("doppelte_zeile.csv", "Doppelter Wert (schon in Zeile 2)", "doppelte Zeile löschen",
      row=4, column="einwohner", value="05111000 / 2021 / einwohner"),
    i("zaehler_groesser_nenner.csv", "Zähler (1500) ist größer als der Nenner (1000)",
      "vertauscht", args=(*IND, "--column", "arbeitslosenanteil=arbeitslosenanteil"),
      row=3, column="zaehler", value="1500"),
    # a new share defined on the command line: --unit % must apply to the check as well
    i("zaehler_groesser_nenner_neu.csv", "Zähler (1500) ist größer als der Nenner (1000)",
      args=(*IND, "--column", "quote=kinderquote", "--unit", "%", "--aggregation", "ratio"),
      row=3, column="zaehler", value="1500"),
    # a new count defined on the command line: --aggregation sum must apply to the check
    i("anzahl_neuer_indikator.csv", "'12,5' ist keine Anzahl", args=(
        *IND, "--indicator", "kinder_neu", "--unit", "Personen", "--aggregation", "sum"),
      row=3, column="kinder", value="12,5"),
    i("zaehler_keine_anzahl.csv", "'30000,5' ist keine Anzahl", "ganze Zahl >= 0", row=2,
      column="zaehler", value="30000,5"),
    # --- issue #18: layouts of statistics offices, metadata options, markers, periods --------
    # long layout with numerator but no denominator: the missing column is named
    i("lang_zaehler_ohne_nenner.csv", "Langes Format: Spalte 'nenner' fehlt", column="nenner"),
    i("lang_ohne_zeitraum.csv", "Zeitraum-Spalte fehlt (langes Format)", "--period",
      column="jahr"),
    # AGS;Jahr;Indikator;Zaehler;Nenner: the value is computed; a numerator above its
    # denominator is an error naming the row
    i("lang_zaehler_groesser_nenner.csv", "Zähler (1500) ist größer als der Nenner (1000)",
      "vertauscht", row=3, column="Zaehler", value="1500"),
    # --name-de fits one new indicator only
    i("zwei_neue_spalten_ein_name.csv", "--name-de passt nur zu einem neuen Indikator",
      "eigenem --name-de", args=(*IND, "--column", "kinder=kinder_neu", "--column",
                                  "plaetze=plaetze_neu", "--name-de", "Kinder neu"),
      value="kinder_neu, plaetze_neu"),
    # -1 is a missing marker in shares only; in a count it stays an error, with the hint
    i("minus_eins_in_anzahl.csv", "Negative Anzahl", "--missing mit '-1' angeben", row=3,
      column="einwohner", value="-1"),
    i("halbjahr_ungueltig.csv", "Zeitraum ist kein Jahr oder Datum", "2021-H1", "2021-Q2",
      row=3, column="jahr", value="2022-H3"),
    i("jahr_als_text.csv", "--period ist kein Zeitraum", "2021-H1",
      args=(*IND, "--period", "Sommer"), value="Sommer"),
    # 35 problems: 20 in full, then a count per kind with its first place
    i("viele_fehler.csv", "(35 Probleme)", "... und 15 weitere Probleme",
      "Alle 35 Probleme nach Art:", "- '…' ist keine Anzahl: 30-mal, zuerst Zeile 2, "
      "Spalte 'einwohner', '0,5'", "- Gebietsschlüssel auf Ebene '…' unbekannt: 5-mal, "
      "zuerst Zeile 32, Spalte 'ags', '05999000'", row=2, column="einwohner", value="0,5"),
    # --- boundaries ---------------------------------------------------------------------------
    b("leer.geojson", "Die Datei ist leer", "neu exportieren"),
    b("ohne_objekte.geojson", "keine Objekte", "--layer"),
    b("kein_geojson.geojson", "Die Geodatei kann nicht gelesen werden", "in QGIS öffnen"),
    b("punkte.geojson", "Geometrietyp Point ist keine Fläche", "Flächen statt Punkte",
      row=1, value="05111"),
    b("punkte.gpkg", "Geometrietyp Point ist keine Fläche", args=GEM, row=1,
      value="05111000"),
    b("polygon_als_linie.geojson", "Ungültige Geometrie, nicht reparierbar",
      "Geometrien reparieren", row=2, value="05315"),
    b("geometrie_leer.geojson", "Geometrie fehlt oder ist leer", "nachdigitalisieren",
      row=2, value="05315"),
    # the only feature has no geometry: same message expected, not a CRS complaint
    b("alle_geometrien_leer.geojson", "Geometrie fehlt oder ist leer", "nachdigitalisieren",
      row=1, value="05111"),
    b("doppelte_ids.geojson", "Schlüssel doppelt (auch in Objekt 2)", "dissolve", row=4,
      column="AGS", value="05315"),
    b("schluessel_fehlt.geojson", "Schlüssel fehlt", "--id-field", row=2, column="AGS"),
    b("name_fehlt.geojson", "Name fehlt", "Namen ergänzen", row=1, column="GEN",
      value="05111"),
    b("feldname_falsch.geojson", "Feld nicht gefunden", "ags_code", "--id-field",
      column="AGS"),
    b("unbekannter_elternschluessel.geojson", "Elterngebiet auf Ebene 'kreis' unbekannt",
      "zuerst die Elternebene importieren", args=GEM, row=3, column="KRS", value="05999"),
    b("utm_ohne_crs.geojson", "keine Längen/Breiten in Grad", "--crs EPSG:25832", args=GEM),
    b("gemeinden_25832.gpkg", "--crs weicht ab", "--crs weglassen",
      args=(*GEM, "--crs", "EPSG:4326"), value="EPSG:25832 / EPSG:4326"),
    b("gemeinden_25832.gpkg", "Ebene (Layer) nicht in der Datei", "eine von: gemeinden",
      "--layer", args=(*GEM, "--layer", "stadtteile"), value="stadtteile"),
    b("shp_ohne_dbf/gemeinden.shp", "fehlt die Datei gemeinden.dbf", "gemeinden.dbf "
      "dazulegen", args=GEM),
    b("shp_ohne_shx/gemeinden.shp", "fehlt die Datei gemeinden.shx", args=GEM),
    b("shp_ohne_prj/gemeinden.shp", "kein Koordinatenreferenzsystem",
      "--crs EPSG:25832", args=GEM),
    b("shp_ohne_prj/gemeinden.shp", "Unbekanntes Koordinatenreferenzsystem",
      "--crs korrigieren", args=(*GEM, "--crs", "EPSG:99999"), value="EPSG:99999"),
    b("zip_ohne_prj.zip", "kein Koordinatenreferenzsystem", ".prj-Datei dazulegen",
      args=GEM),
    b("zip_ohne_shp.zip", "keine .shp-Datei", "vollständige Shapefile", args=GEM),
    b("zip_abgeschnitten.zip", "ZIP-Datei ist beschädigt", "neu packen", args=GEM),
]

# a representative subset that also runs on PostgreSQL
BOTH_BACKENDS = {
    "leer.csv", "cp1252_als_utf8.csv", "abgeschnitten.xlsx", "dezimalkomma_in_anzahl.csv",
    "unbekannter_schluessel.csv", "doppelte_zeile.csv", "zaehler_groesser_nenner.csv",
    "jahr_als_text.csv", "polygon_als_linie.geojson", "unbekannter_elternschluessel.geojson",
    "shp_ohne_dbf/gemeinden.shp", "zip_ohne_prj.zip",
}


def place(case: Bad) -> str:
    """How the problem line must start: 'file, Zeile N, Spalte 'x':'."""
    parts = [Path(case.file).name]
    if case.row is not None:
        parts.append(f"Zeile {case.row}")
    if case.column is not None:
        parts.append(f"Spalte '{case.column}'")
    return ", ".join(parts) + ":"


def check_rejected(case: Bad, cli: Cli, snapshot: Snap,
                   url: str) -> None:
    before = snapshot(url)
    result = cli(url, "import", case.kind, BAD / case.file, *case.args)
    after = snapshot(url)
    text = result.text
    assert "Traceback" not in result.err, result.err
    assert result.code != 0, f"accepted: {result.stdout}"
    assert result.code == 2, text  # ImportFailed: a validation report, not a crash
    name = Path(case.file).name
    assert f"Import von {name} abgelehnt" in text
    assert "es wurde nichts gespeichert" in text
    assert place(case) in text, text
    for fragment in case.says:
        assert fragment in text, f"{fragment!r} not in {text}"
    if case.value is not None:
        assert f"'{case.value}" in text, text
    problem = text[text.index(place(case)):]
    assert "Erwartet:" in problem and "Abhilfe:" in problem, text
    assert after == before, "the store changed"


def test_corpus_is_large_and_fully_used() -> None:
    other_paths = {"angebote", "kooperation", "leitbild", "einzeldaten", "mitglieder",
                   "foerderung"}  # tests/reliability/test_corpus_all_paths.py
    files = {p.relative_to(BAD).as_posix() for p in BAD.rglob("*") if p.is_file()
             and p.relative_to(BAD).parts[0] not in other_paths}
    used = {c.file for c in CASES}
    assert len(files) >= 30
    assert len(CASES) >= 30
    # every file of the corpus is exercised (shapefile parts through their .shp)
    leftovers = {f for f in files if f not in used and Path(f).parent.name not in
                 {Path(u).parent.name for u in used if "/" in u}}
    assert leftovers == set()
    assert all((BAD / c.file).exists() for c in CASES)
    assert all(p.stat().st_size < 40_000 for p in BAD.rglob("*") if p.is_file())


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_rejected_sqlite(case: Bad, cli: Cli,
                                   snapshot: Snap, sqlite_base: str) -> None:
    before = snapshot(sqlite_base)
    assert len(before["units"]) == 9 and len(before["observations"]) == 6
    check_rejected(case, cli, snapshot, sqlite_base)


@pytest.mark.parametrize("case", [c for c in CASES if c.file in BOTH_BACKENDS],
                         ids=lambda c: c.id)
def test_bad_input_rejected_both_backends(case: Bad, cli: Cli,
                                          snapshot: Snap,
                                          base_url: str) -> None:
    check_rejected(case, cli, snapshot, base_url)


def test_messages_in_english(cli: Cli, snapshot: Snap,
                             sqlite_base: str) -> None:
    before = snapshot(sqlite_base)
    result = cli(sqlite_base, "--lang", "en", "import", "indicators",
                 BAD / "negative_anzahl.csv", *IND)
    assert result.code == 2
    text = result.text
    assert "Import of negative_anzahl.csv rejected (1 problem); nothing was stored." in text
    assert "negative_anzahl.csv, row 3, column 'einwohner': '-5' negative count." in text
    assert "Expected:" in text and "Fix:" in text
    assert snapshot(sqlite_base) == before


def test_all_problems_of_a_file_in_one_report(tmp_path: Path, cli: Cli,
                                              snapshot: Snap,
                                              sqlite_base: str) -> None:
    """Validation collects every problem before anything is written."""
    bad = tmp_path / "viele_fehler.csv"
    bad.write_text("ags;jahr;einwohner\n05111000;2021;12,5\n05999000;2021;5\n"
                   "05315000;zwanzig;7\n05334002;2021;-1\n", encoding="utf-8")
    before = snapshot(sqlite_base)
    result = cli(sqlite_base, "import", "indicators", bad, *IND)
    text = result.text
    assert result.code == 2
    assert "(4 Probleme)" in text
    for where in ("Zeile 2, Spalte 'einwohner'", "Zeile 3, Spalte 'ags'",
                  "Zeile 4, Spalte 'jahr'", "Zeile 5, Spalte 'einwohner'"):
        assert f"viele_fehler.csv, {where}:" in text
    assert snapshot(sqlite_base) == before


def test_advice_for_utm_geojson_leads_to_an_import(cli: Cli,
                                                   sqlite_base: str) -> None:
    """A GeoJSON with UTM coordinates and no CRS member: the message says to give the real
    CRS with --crs; doing so (--crs EPSG:25832) must not be rejected with the opposite advice
    ('--crs weglassen') -- the user would be sent round in a circle."""
    first = cli(sqlite_base, "import", "boundaries", BAD / "utm_ohne_crs.geojson", *GEM)
    assert first.code == 2
    assert "mit --crs das tatsächliche System angeben" in first.text
    second = cli(sqlite_base, "import", "boundaries", BAD / "utm_ohne_crs.geojson", *GEM,
                 "--crs", "EPSG:25832", "--dataset", "utm")
    assert "--crs weglassen" not in second.text
    assert second.code == 0, second.text


def test_missing_file(cli: Cli, snapshot: Snap, sqlite_base: str, tmp_path: Path) -> None:
    before = snapshot(sqlite_base)
    result = cli(sqlite_base, "import", "indicators", tmp_path / "nicht_da.csv", *IND)
    assert result.code == 2, result.err
    assert "Datei nicht gefunden" in result.text and "Abhilfe: Pfad prüfen" in result.text
    assert snapshot(sqlite_base) == before


def test_missing_required_option_is_a_usage_error(cli: Cli, snapshot: Snap,
                                                  sqlite_base: str) -> None:
    """`kekiz import indicators FILE` without --level: a usage message, not a crash."""
    before = snapshot(sqlite_base)
    result = cli(sqlite_base, "import", "indicators", BAD / "leer.csv")
    assert "Traceback" not in result.err and "ModuleNotFoundError" not in result.err
    assert result.code == 2
    assert "--level" in result.text
    assert snapshot(sqlite_base) == before
