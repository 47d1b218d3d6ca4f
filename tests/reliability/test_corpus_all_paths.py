"""The bad-input corpus over every other import path (issue #10): services (``kekiz chain
import``: CSV/XLSX offers, HSDS JSON, point files), partners and ties (``kekiz coop
import``), goals (``kekiz goals import``: Leitbild YAML/XLSX), records (``kekiz records
import``), members and funding (``kekiz import members|funding``).

Each file in ``tests/data/bad/<path>/`` (made by ``tests/data/make_bad_corpus_more.py``)
holds one fault.  The real CLI must exit 2 with a report that names the file, the place
(row and/or column), the value where there is one, "Erwartet:" and "Abhilfe:", and the
store (:meth:`Store.snapshot`) must be unchanged.  Boundaries and indicators: see
``tests/ingest/test_bad_inputs.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.reliability.corpus_base import BAD, GOOD, PROGRAMME

CMD: dict[str, tuple[str, ...]] = {
    "angebote": ("chain", "import", "--level", "gemeinde", "--dataset", "Bestand"),
    "kooperation": ("coop", "import", "--wave", "1"),
    "leitbild": ("goals", "import"),
    "einzeldaten": ("records", "import"),
    "mitglieder": ("import", "members", "--programme", PROGRAMME),
    "foerderung": ("import", "funding"),
}

# file -> (place after the file name, value shown or None, message fragment)
CASES: dict[str, tuple[str, str | None, str]] = {
    "angebote/alter_text.csv": ("Zeile 4, Spalte 'Alter von'", "zwei", "kein gültiges Alter"),
    "angebote/alter_vertauscht.csv": ("Zeile 4, Spalte 'Alter von'", "12 > 10",
                                      "Mindestalter größer als Höchstalter"),
    "angebote/bereich_unbekannt.csv": ("Zeile 2, Spalte 'Bereich'", "Raumfahrt",
                                       "unbekannter Bereich"),
    "angebote/hsds_kein_json.json": ("Zeile 3", None, "kein gültiges JSON"),
    "angebote/hsds_liste_statt_objekt.json": ("Spalte '[0]'", "1",
                                              "kein HSDS-Dokument erkannt"),
    "angebote/hsds_name_fehlt.json": ("Spalte 'contents[1].name'", None,
                                      "Pflichtfeld 'name' fehlt"),
    "angebote/hsds_ohne_angebote.json": ("", None, "Die Datei enthält keine Angebote"),
    "angebote/hsds_status_unbekannt.json": ("Spalte 'contents[0].status'", "vielleicht",
                                            "Wert nicht erlaubt"),
    "angebote/kitas_ausserhalb.geojson": ("Zeile 2, Spalte 'lat'", "48.85, 2.35",
                                          "außerhalb Deutschlands"),
    "angebote/kitas_plaetze_text.geojson": ("Zeile 2, Spalte 'Plätze'", "viele",
                                            "keine Platzzahl"),
    "angebote/koordinaten_ausserhalb.csv": ("Zeile 4, Spalte 'lat'", "40.1, 2.3",
                                            "außerhalb Deutschlands"),
    "angebote/lebensphase_unbekannt.csv": ("Zeile 3, Spalte 'Lebensphase'", "Teenager",
                                           "unbekannter Wert"),
    "angebote/leer.csv": ("", None, "Die Datei ist leer"),
    "angebote/name_fehlt.csv": ("Zeile 3, Spalte 'Angebot'", None, "Name fehlt"),
    "angebote/nur_eine_koordinate.csv": ("Zeile 3, Spalte 'lat'", None,
                                         "nur eine der beiden Koordinaten"),
    "angebote/ohne_namensspalte.csv": ("Spalte 'name'", None, "Spalte nicht gefunden"),
    "angebote/plaetze_negativ.csv": ("Zeile 4, Spalte 'Plätze'", "-3", "keine Platzzahl"),
    "angebote/plaetze_text.csv": ("Zeile 2, Spalte 'Plätze'", "viele", "keine Platzzahl"),
    "angebote/plaetze_text_titelzeilen.xlsx": ("Zeile 5, Spalte 'Plätze'", "k. A.",
                                               "keine Platzzahl"),
    "angebote/veroeffentlicht_unklar.csv": ("Zeile 2, Spalte 'veröffentlicht'", "vielleicht",
                                            "kein Ja/Nein-Wert"),
    "kooperation/datum_ungueltig.csv": ("Zeile 2, Spalte 'datum'", "31.02.2024", "kein Datum"),
    "kooperation/gebiet_unbekannt.csv": ("Zeile 2, Spalte 'partner_gebiet'", "05315000-999",
                                         "Gebiet unbekannt"),
    "kooperation/intensitaet_komma.csv": ("Zeile 3, Spalte 'intensitaet'", "2,5",
                                          "ganze Zahl"),
    "kooperation/intensitaet_text.xlsx": ("Zeile 4, Spalte 'intensitaet'", "viel", ""),
    "kooperation/kooperationsart_unbekannt.csv": ("Zeile 2, Spalte 'kooperationsart'",
                                                  "Kaffeeklatsch",
                                                  "Kooperationsart unbekannt"),
    "kooperation/lebensphase_unbekannt.csv": ("Zeile 5, Spalte 'befragte_lebensphasen'",
                                              "Rente", "Lebensphase unbekannt"),
    "kooperation/nennt_sich_selbst.csv": ("Zeile 2, Spalte 'partner_id'", "K1",
                                          "nennt sich selbst"),
    "kooperation/organisation_widerspricht.csv": (
        "Zeile 4, Spalte 'partner_organisation'", "Grundschule Anderswo",
        "widersprechen Zeile 2"),
    "kooperation/paar_doppelt.csv": ("Zeile 6, Spalte 'partner_id'", "G1",
                                     "Paar doppelt (auch Zeile 2)"),
    "kooperation/richtung_unbekannt.csv": ("Zeile 3, Spalte 'richtung'", "quer",
                                           "Richtung unbekannt"),
    "kooperation/sektor_unbekannt.csv": ("Zeile 2, Spalte 'befragte_sektor'", "Feuerwehr",
                                         "Sektor unbekannt"),
    "kooperation/spalten_fehlen.csv": ("", None, "Pflichtspalte(n) fehlen"),
    "kooperation/synthetisch_unklar.csv": ("Zeile 3, Spalte 'synthetisch'", "vielleicht",
                                           "kein Ja/Nein-Wert"),
    "kooperation/vertrauen_ausserhalb.csv": ("Zeile 2, Spalte 'vertrauen'", "5",
                                             "Skala 1 bis 4"),
    "kooperation/welle_falsch.csv": ("Zeile 4, Spalte 'welle'", "2", "Welle passt nicht"),
    "leitbild/feld_vertippt.yaml": ("Zeile 16", None, "unbekanntes Feld"),
    "leitbild/gebiet_unbekannt.yaml": ("Zeile 4", "05315999", "Gebiet unbekannt"),
    "leitbild/indikator_unbekannt.yaml": ("Zeile 14", "einwohnr", "Indikator unbekannt"),
    "leitbild/kaputt.xlsx": ("", None, "keine lesbare XLSX-Datei"),
    "leitbild/kennzahl_art_unbekannt.yaml": ("Zeile 32", "wie lange",
                                             "unbekannte Art der Kennzahl"),
    "leitbild/leitbild.json": ("", ".json", "Unbekanntes Dateiformat"),
    "leitbild/richtung_unbekannt.yaml": ("Zeile 17", "hoch", "unbekannte Richtung"),
    "leitbild/schluessel_doppelt.yaml": ("Zeile 6", None, "Schlüssel 'basisjahr' doppelt"),
    "leitbild/widerspruch_richtung.yaml": ("Zeile 17", "steigern", "widerspricht dem Zielwert"),
    "leitbild/yaml_syntax.yaml": ("Zeile 2", None, "YAML-Syntaxfehler"),
    "leitbild/ziel_doppelt.yaml": ("Zeile 18", "Z1", "Ziel-ID doppelt (auch Zeile 9)"),
    "leitbild/zieljahr_vor_basisjahr.yaml": ("Zeile 16", "2015", "liegt nicht nach dem Basisjahr"),
    "leitbild/zielwert_fehlt.yaml": ("Zeile 14", None, "Pflichtfeld fehlt"),
    "leitbild/zielwert_text.xlsx": ("Zeile 3, Spalte 'ziele.zielwert'", "sehr viel",
                                    "ungültiger Wert"),
    "leitbild/zielwert_text.yaml": ("Zeile 15", "viel", "ungültiger Wert"),
    "einzeldaten/SYNTHETISCH_datum_ungueltig.csv": (
        "Zeile 6, Spalte 'untersuchungsdatum'", "31.02.2012", "kein gültiges Untersuchungsdatum"),
    "einzeldaten/SYNTHETISCH_geburt_nach_untersuchung.csv": (
        "Zeile 4, Spalte 'geburtsdatum'", "2013-01-01", "nach dem Untersuchungsdatum"),
    "einzeldaten/SYNTHETISCH_id_doppelt.csv": ("Zeile 11, Spalte 'id'", "3",
                                               "Datensatz-Kennung doppelt"),
    "einzeldaten/SYNTHETISCH_ja_nein_unklar.csv": ("Zeile 8, Spalte 'sprache_defizit'",
                                                   "vielleicht", "kein Ja/Nein-Wert"),
    "einzeldaten/SYNTHETISCH_pflichtspalte_fehlt.csv": ("Spalte 'geburtsdatum'", None,
                                                        "Pflichtspalte fehlt"),
    "einzeldaten/SYNTHETISCH_synthetisch_gemischt.csv": ("Spalte 'synthetisch'", None,
                                                         "gemischt"),
    "einzeldaten/alt.xls": ("", "alt.xls", "Das alte Excel-Format .xls"),
    "einzeldaten/kaputt.parquet": ("", None, "keine lesbare Parquet-Datei"),
    "einzeldaten/leer.csv": ("", None, "Die Datei ist leer"),
    "mitglieder/ags_unbekannt.csv": ("Zeile 3, Spalte 'ags'", "05999000", "Kommune unbekannt"),
    "mitglieder/doppelt.csv": ("Zeile 3, Spalte 'ags'", "05111000", "Kommune doppelt"),
    "mitglieder/jahr_text.csv": ("Zeile 2, Spalte 'joined_year'", "zwanzigzwölf",
                                 "kein Jahr oder Datum"),
    "mitglieder/ohne_ags.csv": ("Spalte 'ags'", None, "Pflichtspalte fehlt"),
    "foerderung/betrag_negativ.csv": ("Zeile 2, Spalte 'betrag'", "-5", "kein Euro-Betrag"),
    "foerderung/betrag_text.csv": ("Zeile 2, Spalte 'betrag'", "dreißigtausend",
                                   "kein Euro-Betrag"),
    "foerderung/doppelte_buchung.csv": ("Zeile 3, Spalte 'betrag'", "2", "Doppelte Buchung"),
    "foerderung/kein_mitglied.csv": ("Zeile 2, Spalte 'ags'", "05334",
                                     "kein Mitglied des Programms"),
    "foerderung/quelle_fehlt.csv": ("Spalte 'quelle'", None, "Pflichtspalte fehlt"),
}


def test_every_corpus_file_has_a_case() -> None:
    files = {p.relative_to(BAD).as_posix() for sub in CMD for p in (BAD / sub).iterdir()}
    assert files == set(CASES)
    assert len(files) >= 60
    assert all(p.stat().st_size < 40_000 for p in (BAD / f for f in files))


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_rejected_with_place_and_fix(name: str, cli: Callable[..., Any],
                                              snapshot: Callable[[str], Any],
                                              corpus_store: str) -> None:
    place, value, says = CASES[name]
    path = BAD / name
    before = snapshot(corpus_store)
    result = cli(corpus_store, *CMD[name.split("/")[0]], path)
    text = result.text
    assert "Traceback" not in result.err, result.err
    assert result.code == 2, (result.code, text, result.stdout)
    assert f"Import von {path.name} abgelehnt" in text and "nichts gespeichert" in text
    head = f"{path.name}, {place}:" if place else f"{path.name}:"
    assert head in text, text
    problem = text[text.index(head):]
    if value is not None:
        assert f"'{value}'" in problem, text
    assert says in problem, text
    assert "Erwartet:" in problem and "Abhilfe:" in problem, text
    assert snapshot(corpus_store) == before, "the store changed"


@pytest.mark.parametrize(("cmd", "file", "says"), [
    # the base store holds the same offers in dataset "Bestand": replacing it stores all 3
    (CMD["angebote"], "angebote_cp1252.csv", "3 Angebote"),
    (CMD["angebote"], "angebote_titelzeilen.xlsx", "3 Angebote"),
    (CMD["kooperation"], "kooperation_cp1252.csv", "Welle 1 importiert: 4 Akteure"),
    (("records", "import", "--years", "2012"), "SYNTHETISCH_einzeldaten.csv", ""),
])
def test_good_german_files_import(cmd: tuple[str, ...], file: str, says: str,
                                  cli: Callable[..., Any], corpus_store: str) -> None:
    """Windows-1252 with ';' and decimal comma, Excel with title rows: accepted."""
    result = cli(corpus_store, *cmd, GOOD / file)
    assert result.code == 0, result.text
    assert says in result.stdout, result.stdout
