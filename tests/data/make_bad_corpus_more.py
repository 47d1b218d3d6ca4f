"""Generate the bad-input corpus of the other import paths (issue #10) and their good files.

Run from the repository root::

    .venv/bin/python -m tests.data.make_bad_corpus_more

Writes into sub-folders of ``tests/data/bad`` (one per import path: ``angebote`` for
``kekiz chain import``, ``kooperation`` for ``kekiz coop import``, ``leitbild`` for
``kekiz goals import``, ``einzeldaten`` for ``kekiz records import``, ``mitglieder`` and
``foerderung`` for ``kekiz import members|funding``) and good German real-world files into
``tests/data/good`` (``angebote_*``, ``kooperation_*``).  Deterministic and committed; the
tests never run this script.  Every file is a small edit of one good file, so each holds
exactly one fault.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from tests.data.make_bad_corpus import normalise_zip, write_xlsx

HERE = Path(__file__).resolve().parent
BAD = HERE / "bad"
GOOD = HERE / "good"

# ------------------------------------------------------------------------------ services
ANGEBOTE_HEADER = ("Kennung;Angebot;Träger;Lebensphase;Bereich;Plätze;Alter von;Alter bis;"
                   "Straße;PLZ;Ort;lat;lon;veröffentlicht")
ANGEBOTE = [
    "FZ1;Familienzentrum Nippes;Stadt Köln;0-3, 3-6;Kinder- und Jugendhilfe;40;0;6;"
    "Neusser Str. 1;50733;Köln;50,9610;6,9520;ja",
    "HB1;Hebammensprechstunde;Gesundheitsamt;Schwangerschaft;Gesundheit;;;;"
    "Neumarkt 15;50667;Köln;50,9360;6,9480;ja",
    "EK1;Elternkurs Starke Eltern;Kinderschutzbund;3-6, 6-10;Soziales;12;3;10;"
    "Severinstr. 2;50678;Köln;50,9270;6,9590;nein",
]


def angebote(path: Path, rows: list[str] | None = None, header: str = ANGEBOTE_HEADER,
             encoding: str = "utf-8") -> None:
    path.write_bytes(("\n".join([header, *(ANGEBOTE if rows is None else rows)]) + "\n")
                     .encode(encoding))


def cell(rows: list[str], row: int, col: int, value: str) -> list[str]:
    """``rows`` with cell (data row ``row``, column ``col``) replaced."""
    out = list(rows)
    cells = out[row].split(";")
    cells[col] = value
    out[row] = ";".join(cells)
    return out


def hsds_service(i: int, **extra: object) -> dict[str, object]:
    return {"id": f"svc-{i}", "name": f"Beratung {i}", "status": "active",
            "organization": {"id": "org-1", "name": "Stadt Köln"}, **extra}


def make_services() -> None:
    d = BAD / "angebote"
    d.mkdir(parents=True, exist_ok=True)
    angebote(d / "ohne_namensspalte.csv", header=ANGEBOTE_HEADER.replace("Angebot;", "Was;"))
    angebote(d / "name_fehlt.csv", cell(ANGEBOTE, 1, 1, ""))
    angebote(d / "plaetze_text.csv", cell(ANGEBOTE, 0, 5, "viele"))
    angebote(d / "alter_vertauscht.csv", cell(ANGEBOTE, 2, 6, "12"))
    angebote(d / "alter_text.csv", cell(ANGEBOTE, 2, 6, "zwei"))
    angebote(d / "lebensphase_unbekannt.csv", cell(ANGEBOTE, 1, 3, "Teenager"))
    angebote(d / "bereich_unbekannt.csv", cell(ANGEBOTE, 0, 4, "Raumfahrt"))
    angebote(d / "koordinaten_ausserhalb.csv",
             cell(cell(ANGEBOTE, 2, 11, "40,1"), 2, 12, "2,3"))
    angebote(d / "nur_eine_koordinate.csv", cell(ANGEBOTE, 1, 12, ""))
    angebote(d / "veroeffentlicht_unklar.csv", cell(ANGEBOTE, 0, 13, "vielleicht"))
    angebote(d / "plaetze_negativ.csv", cell(ANGEBOTE, 2, 5, "-3"))
    (d / "leer.csv").write_bytes(b"")
    rows: list[list[object]] = [["Angebote der Stadt Köln, Stand 2024"], [],
                                ANGEBOTE_HEADER.split(";")]
    for r in cell(ANGEBOTE, 1, 5, "k. A."):
        rows.append([c for c in r.split(";")])
    write_xlsx(d / "plaetze_text_titelzeilen.xlsx", rows, sheet="Angebote")
    good = {"contents": [hsds_service(1), hsds_service(2)]}
    (d / "hsds_kein_json.json").write_text(
        '{"contents": [\n {"id": "svc-1", "name": "Beratung 1",\n "status": "active" '
        '"url": 1}]}\n', encoding="utf-8")
    (d / "hsds_ohne_angebote.json").write_text('{"contents": []}\n', encoding="utf-8")
    bad = json.loads(json.dumps(good))
    bad["contents"][1]["name"] = ""
    (d / "hsds_name_fehlt.json").write_text(json.dumps(bad, indent=1, ensure_ascii=False)
                                            + "\n", encoding="utf-8")
    bad = json.loads(json.dumps(good))
    bad["contents"][0]["status"] = "vielleicht"
    (d / "hsds_status_unbekannt.json").write_text(json.dumps(bad, indent=1) + "\n",
                                                  encoding="utf-8")
    (d / "hsds_liste_statt_objekt.json").write_text("[1, 2, 3]\n", encoding="utf-8")
    points = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [6.95, 50.94]},
         "properties": {"name": "Kita Sonne", "Plätze": 45}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [6.96, 50.95]},
         "properties": {"name": "Kita Mond", "Plätze": "viele"}}]}
    (d / "kitas_plaetze_text.geojson").write_text(json.dumps(points, ensure_ascii=False)
                                                  + "\n", encoding="utf-8")
    points["features"][1]["properties"]["Plätze"] = 30  # type: ignore[index]
    points["features"][1]["geometry"] = {  # type: ignore[index]
        "type": "Point", "coordinates": [2.35, 48.85]}
    (d / "kitas_ausserhalb.geojson").write_text(json.dumps(points, ensure_ascii=False)
                                                + "\n", encoding="utf-8")
    # good: an Excel-style CSV export (Windows-1252, ';', decimal comma) and an XLSX with
    # title rows
    angebote(GOOD / "angebote_cp1252.csv", encoding="cp1252")
    rows = [["Angebote der Stadt Köln"], ["Stand: 01.03.2024"], ANGEBOTE_HEADER.split(";")]
    for r in ANGEBOTE:
        rows.append([c for c in r.split(";")])
    write_xlsx(GOOD / "angebote_titelzeilen.xlsx", rows, sheet="Angebote")


# ------------------------------------------------------------------------- cooperation
COOP_HEADER = ("synthetisch;welle;datum;befragte_id;befragte_organisation;befragte_sektor;"
               "befragte_lebensphasen;befragte_gebiet;partner_id;partner_organisation;"
               "partner_sektor;partner_lebensphasen;partner_gebiet;kooperationsart;richtung;"
               "intensitaet;vertrauen;nutzen")
COOP = [
    "nein;1;2024-03-01;K1;Kita Sonnenschein;Kinder- und Jugendhilfe;0-3, 3-6;05315000-101;"
    "G1;Grundschule Am Park;Bildung;6-10;05315000-101;Informationsaustausch, "
    "Kooperationsvereinbarung;gegenseitig;3;3,67;3,33",
    "nein;1;2024-03-01;K1;Kita Sonnenschein;Kinder- und Jugendhilfe;0-3, 3-6;05315000-101;"
    "JA;Jugendamt;Kinder- und Jugendhilfe;alle;05315000;Vermittlung;ausgehend;2;3;2,5",
    "nein;1;05.03.2024;G1;Grundschule Am Park;Bildung;6-10;05315000-101;K1;;;;;"
    "Informationsaustausch;;4;4;3",
    "nein;1;2024-03-09;AR;Kinderarztpraxis Dr. Özdemir;Gesundheit;0-3, 3-6, 6-10;101;;;;;;;;;;",
]


def coop(path: Path, rows: list[str] | None = None, header: str = COOP_HEADER,
         encoding: str = "utf-8") -> None:
    path.write_bytes(("\n".join([header, *(COOP if rows is None else rows)]) + "\n")
                     .encode(encoding))


def make_cooperation() -> None:
    d = BAD / "kooperation"
    d.mkdir(parents=True, exist_ok=True)
    coop(d / "sektor_unbekannt.csv", cell(COOP, 0, 5, "Feuerwehr"))
    coop(d / "vertrauen_ausserhalb.csv", cell(COOP, 0, 16, "5"))
    coop(d / "intensitaet_komma.csv", cell(COOP, 1, 15, "2,5"))
    coop(d / "kooperationsart_unbekannt.csv", cell(COOP, 0, 13, "Kaffeeklatsch"))
    coop(d / "richtung_unbekannt.csv", cell(COOP, 1, 14, "quer"))
    coop(d / "lebensphase_unbekannt.csv", cell(COOP, 3, 6, "Rente"))
    coop(d / "gebiet_unbekannt.csv", cell(COOP, 0, 12, "05315000-999"))
    coop(d / "welle_falsch.csv", cell(COOP, 2, 1, "2"))
    coop(d / "datum_ungueltig.csv", cell(COOP, 0, 2, "31.02.2024"))
    coop(d / "synthetisch_unklar.csv", cell(COOP, 1, 0, "vielleicht"))
    coop(d / "nennt_sich_selbst.csv", cell(COOP, 0, 8, "K1"))
    coop(d / "paar_doppelt.csv", [*COOP, COOP[0]])
    coop(d / "organisation_widerspricht.csv", cell(COOP, 2, 9, "Grundschule Anderswo"))
    (d / "spalten_fehlen.csv").write_text("befragte_id;partner_id\nK1;G1\n", encoding="utf-8")
    rows: list[list[object]] = [["Netzwerkbefragung 2024"], COOP_HEADER.split(";")]
    for r in cell(COOP, 1, 15, "viel"):
        rows.append(r.split(";"))
    write_xlsx(d / "intensitaet_text.xlsx", rows, sheet="Befragung")
    # good: the same export saved by Excel as CSV (Windows-1252)
    coop(GOOD / "kooperation_cp1252.csv", encoding="cp1252")


# ------------------------------------------------------------------------------ goals
LEITBILD = """\
leitbild:
  id: test-leitbild
  name: "Leitbild Köln (Test)"
  gebiet: "05315000"
  basisjahr: 2021
  synthetisch: ja

ziele:
  - id: Z1
    ergebnis: "Köln wächst familienfreundlich."
    lebensphase: alle
    sektor: social
    indikatoren:
      - indikator: einwohner
        zielwert: 1100000
        zieljahr: 2030
        richtung: steigern
  - id: Z2
    ergebnis: "Düsseldorf wächst auch."
    lebensphase: alle
    sektor: social
    indikatoren:
      - indikator: einwohner
        gebiet: "05111000"
        zielwert: 650000
        zieljahr: 2030
        richtung: steigern
    programme:
      - id: P1
        name: "Willkommensbesuche"
        kennzahlen:
          - {id: K1, art: wie viel, name: "Besuchte Familien", einheit: "Familien",
             werte: {2022: 5800, 2023: 6100}}
"""


def make_goals() -> None:
    d = BAD / "leitbild"
    d.mkdir(parents=True, exist_ok=True)

    def put(name: str, old: str, new: str, count: int = 1) -> None:
        assert old in LEITBILD, old
        (d / name).write_text(LEITBILD.replace(old, new, count), encoding="utf-8")

    put("indikator_unbekannt.yaml", "indikator: einwohner", "indikator: einwohnr")
    put("zieljahr_vor_basisjahr.yaml", "zieljahr: 2030", "zieljahr: 2015")
    put("ziel_doppelt.yaml", "  - id: Z2\n", "  - id: Z1\n")
    put("richtung_unbekannt.yaml", "richtung: steigern", "richtung: hoch")
    put("zielwert_text.yaml", "zielwert: 1100000", "zielwert: viel")
    put("gebiet_unbekannt.yaml", 'gebiet: "05315000"', 'gebiet: "05315999"')
    put("feld_vertippt.yaml", "zieljahr: 2030", "zieljar: 2030")
    put("kennzahl_art_unbekannt.yaml", "art: wie viel", "art: wie lange")
    put("zielwert_fehlt.yaml", "        zielwert: 1100000\n", "")
    put("widerspruch_richtung.yaml", "zielwert: 1100000", "zielwert: 900000")
    put("schluessel_doppelt.yaml", "  basisjahr: 2021\n", "  basisjahr: 2021\n  basisjahr: 2022\n")
    (d / "yaml_syntax.yaml").write_text("leitbild: [nicht geschlossen\n", encoding="utf-8")
    (d / "leitbild.json").write_text("{}\n", encoding="utf-8")
    (d / "kaputt.xlsx").write_bytes(b"PK\x03\x04 kein echtes xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "leitbild"
    for row in (["feld", "wert"], ["id", "test-xlsx"], ["name", "Leitbild (Test)"],
                ["gebiet", "05315000"], ["basisjahr", 2021]):
        ws.append(row)
    ziele = wb.create_sheet("ziele")
    ziele.append(["ziel_id", "ergebnis", "indikator", "gebiet", "ebene", "zielwert", "zieljahr",
                  "richtung"])
    ziele.append(["Z1", "Köln wächst", "einwohner", None, None, 1100000, 2030, "steigern"])
    ziele.append(["Z1", None, "einwohner", "05111000", None, "sehr viel", 2030, "steigern"])
    path = d / "zielwert_text.xlsx"
    wb.save(path)
    normalise_zip(path)


# ---------------------------------------------------------------------------- records
RECORD_HEADER = ("id;geburtsdatum;untersuchungsdatum;geschlecht;stadtteil;synthetisch;"
                 "sprache_defizit;feinmotorik_defizit;grobmotorik_defizit;bmi_perzentil;"
                 "masern_vollstaendig;u1_u9_vollstaendig;kita_jahre;familiensprache_deutsch")


def record_rows() -> list[str]:
    out = []
    for i in range(40):
        code = ("101", "102", "103", "104")[i % 4]
        out.append(f"{i + 1};2006-0{1 + i % 9}-1{i % 10};2012-03-1{i % 10};"
                   f"{'mw'[i % 2]};{code};ja;{i % 3 == 0:d};{i % 4 == 0:d};{i % 5 == 0:d};"
                   f"{10 + (i * 7) % 85};1;{i % 6 != 0:d};{1 + i % 4};{i % 5 != 0:d}")
    return out


def records(path: Path, rows: list[str], header: str = RECORD_HEADER) -> None:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def make_records() -> None:
    d = BAD / "einzeldaten"
    d.mkdir(parents=True, exist_ok=True)
    good = record_rows()
    records(GOOD / "SYNTHETISCH_einzeldaten.csv", good)
    records(d / "SYNTHETISCH_datum_ungueltig.csv", cell(good, 4, 2, "31.02.2012"))
    records(d / "SYNTHETISCH_id_doppelt.csv", cell(good, 9, 0, "3"))
    records(d / "SYNTHETISCH_ja_nein_unklar.csv", cell(good, 6, 6, "vielleicht"))
    records(d / "SYNTHETISCH_geburt_nach_untersuchung.csv", cell(good, 2, 1, "2013-01-01"))
    records(d / "SYNTHETISCH_pflichtspalte_fehlt.csv", [r.split(";", 1)[0] + ";" +
            ";".join(r.split(";")[2:]) for r in good],
            header=RECORD_HEADER.replace("geburtsdatum;", ""))
    records(d / "SYNTHETISCH_synthetisch_gemischt.csv", cell(good, 0, 5, "nein"))
    (d / "leer.csv").write_bytes(b"")
    (d / "kaputt.parquet").write_bytes(b"PAR1 kein echtes parquet")
    (d / "alt.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 56)


# --------------------------------------------------------------- members and funding
def make_network() -> None:
    (GOOD / "mitglieder.csv").write_text("ags;joined_year\n05111000;2012\n05315000;2017\n",
                                         encoding="utf-8")
    d = BAD / "mitglieder"
    d.mkdir(parents=True, exist_ok=True)
    (d / "ags_unbekannt.csv").write_text("ags;joined_year\n05111000;2012\n05999000;2012\n",
                                         encoding="utf-8")
    (d / "jahr_text.csv").write_text("ags;joined_year\n05111000;zwanzigzwölf\n",
                                     encoding="utf-8")
    (d / "ohne_ags.csv").write_text("name;joined_year\nDüsseldorf;2012\n", encoding="utf-8")
    (d / "doppelt.csv").write_text("ags;joined_year\n05111000;2012\n05111000;2014\n",
                                   encoding="utf-8")
    d = BAD / "foerderung"
    d.mkdir(parents=True, exist_ok=True)
    (d / "betrag_text.csv").write_text(
        "ags;jahr;quelle;betrag\n05111000;2013;Land NRW;dreißigtausend\n", encoding="utf-8")
    (d / "betrag_negativ.csv").write_text(
        "ags;jahr;quelle;betrag\n05111000;2013;Land NRW;-5\n", encoding="utf-8")
    (d / "kein_mitglied.csv").write_text(
        "ags;jahr;quelle;betrag\n05334;2013;Land NRW;30.000\n", encoding="utf-8")
    (d / "quelle_fehlt.csv").write_text("ags;jahr;betrag\n05111000;2013;30.000\n",
                                        encoding="utf-8")
    (d / "doppelte_buchung.csv").write_text(
        "ags;jahr;quelle;betrag\n05111000;2013;Land NRW;1\n05111000;2013;Land NRW;2\n",
        encoding="utf-8")


def main() -> None:
    make_services()
    make_cooperation()
    make_goals()
    make_records()
    make_network()


if __name__ == "__main__":
    main()
