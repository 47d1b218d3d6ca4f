"""``kekiz import ...``: boundaries, indicator tables, member lists, funding ledgers and the
street directory.

Every import is validated completely first (each problem named with file, row, column and
value), then written in one transaction: it lands whole or not at all.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from kekiz.cli.context import fmt_number, kekiz, out, pairs, progress_bar, t
from kekiz.domain.errors import KekizError
from kekiz.domain.missing import parse_missing
from kekiz.services.imports import BoundaryOptions, IndicatorOptions

__all__ = ["MissingOpt", "import_app", "report_import"]

#: ``--missing``: the markers read as missing values (see kekiz.domain.missing)
MissingOpt = Annotated[str | None, typer.Option(
    "--missing", help="Zeichen für fehlende Werte, kommagetrennt (Standard: -9999,-999,-1% "
    "(-1 nur in Anteilen),-,–,—; amtliche Zeichen wie . x / und leere Zellen gelten immer "
    "als fehlend). 'keine' liest nur die amtlichen Zeichen als fehlend.")]

import_app = typer.Typer(help="Dateien importieren (Grenzen, Indikatortabellen).",
                         no_args_is_help=True)


@import_app.command("boundaries")
def import_boundaries(
    file: Annotated[Path, typer.Argument(help="GeoJSON, GeoPackage, Shapefile oder ZIP.")],
    level: Annotated[str, typer.Option(help="Ebene, z. B. gemeinde, stadtteil.")],
    name_field: Annotated[str, typer.Option(help="Feld mit dem Gebietsnamen.")],
    id_field: Annotated[str, typer.Option(help="Feld mit dem Gebietsschlüssel.")] = "",
    key_value: Annotated[str | None, typer.Option(
        help="Schlüssel des einen Gebiets einer Datei ohne Schlüsselfeld, z. B. der AGS "
             "11000000 für Berlin.")] = None,
    set_key: Annotated[list[str] | None, typer.Option(
        help="OBJEKT=SCHLÜSSEL: berichtigt den Schlüssel eines Objekts (Nummer wie in den "
             "Meldungen), ohne die Datei zu ändern.")] = None,
    name_value: Annotated[str | None, typer.Option(
        help="Mit --key-value: Name des aus allen Gebieten der Datei vereinigten Gebiets.")]
        = None,
    parent_field: Annotated[str | None, typer.Option(
        help="Feld mit dem Schlüssel des Elterngebiets.")] = None,
    parent_level: Annotated[str | None, typer.Option(
        help="Elternebene; ohne --parent-field räumlich zugeordnet.")] = None,
    id_prefix: Annotated[str, typer.Option(
        help="Präfix vor lokalen Schlüsseln, z. B. '05315000-' für Köln.")] = "",
    crs: Annotated[str | None, typer.Option(
        help="CRS für Dateien ohne CRS, z. B. EPSG:25832.")] = None,
    layer: Annotated[str | None, typer.Option(help="Ebene (Layer) im GeoPackage.")] = None,
    key: Annotated[list[str] | None, typer.Option(
        help="Weitere Schlüssel: SCHEMA=FELD, z. B. ars=ARS.")] = None,
    valid_from: Annotated[str | None, typer.Option(help="Gültig ab (JJJJ-MM-TT).")] = None,
    dataset: Annotated[str | None, typer.Option(help="Name des Datensatzes.")] = None,
    licence: Annotated[str, typer.Option(help="Lizenz, z. B. dl-de/by-2-0.")] = "",
    source: Annotated[str, typer.Option(help="Quelle / Namensnennung.")] = "",
) -> None:
    """Gebietsgrenzen importieren.

    Beispiel: kekiz import boundaries kreise.geojson --level kreis --id-field AGS
    --name-field GEN
    """
    opts = BoundaryOptions(level=level, id_field=id_field, name_field=name_field,
                           parent_field=parent_field, parent_level=parent_level,
                           id_prefix=id_prefix, crs=crs, layer=layer,
                           valid_from=date.fromisoformat(valid_from) if valid_from else None,
                           key_fields=pairs(key, "--key"), key_value=key_value,
                           name_value=name_value,
                           set_keys=_feature_keys(pairs(set_key, "--set-key")))
    if not id_field and not key_value:
        raise KekizError("Bitte --id-field (Feld mit dem Gebietsschlüssel) oder --key-value "
                         "(Schlüssel des einen Gebiets, z. B. 11000000) angeben.",
                         message_en="Please give --id-field (the field with the key) or "
                         "--key-value (the key of the one area, e.g. 11000000).")
    with progress_bar() as bar:
        result = kekiz().imports.boundaries(file, opts, dataset=dataset, licence=licence,
                                             source=source, progress=bar)
    report_import(result.count, result.dataset.name, result.dataset.revision, result.notes,
                   t("Gebiete", "units"))


@import_app.command("indicators")
def import_indicators(
    file: Annotated[Path, typer.Argument(help="CSV oder XLSX/XLS, lang oder breit.")],
    level: Annotated[str, typer.Option(help="Ebene(n) der Gebiete, z. B. gemeinde oder "
                                            "stadtbezirk,stadtteil.")],
    key: Annotated[str | None, typer.Option(help="Spalte mit dem Gebietsschlüssel.")] = None,
    period_column: Annotated[str | None, typer.Option(help="Spalte mit dem Jahr.")] = None,
    period: Annotated[str | None, typer.Option(help="Zeitraum für alle Werte (Jahr).")] = None,
    indicator: Annotated[str | None, typer.Option(help="Indikator-ID (eine Wertspalte "
                                                       "oder Spalten je Jahr).")] = None,
    column: Annotated[list[str] | None, typer.Option(
        help="SPALTE=INDIKATOR-ID; nur diese Spalten werden importiert.")] = None,
    where: Annotated[str | None, typer.Option(help="Nur Zeilen mit SPALTE=WERT[,WERT].")] = None,
    id_prefix: Annotated[str, typer.Option(help="Präfix vor lokalen Schlüsseln.")] = "",
    key_map: Annotated[list[str] | None, typer.Option(
        help="SCHLÜSSEL=GEBIET für eigene Schlüssel, z. B. 000=05315000.")] = None,
    indicator_column: Annotated[str | None, typer.Option(
        help="Spalte mit dem Indikatornamen (langes Format).")] = None,
    encoding: Annotated[str, typer.Option(help="auto, utf-8, cp1252 ...")] = "auto",
    sep: Annotated[str, typer.Option(help="auto, ';', ',' oder tab.")] = "auto",
    sheet: Annotated[str | None, typer.Option(help="Tabellenblatt (XLSX).")] = None,
    dataset: Annotated[str | None, typer.Option(help="Name des Datensatzes.")] = None,
    licence: Annotated[str, typer.Option(help="Lizenz der Daten.")] = "",
    source: Annotated[str, typer.Option(help="Quelle / Namensnennung.")] = "",
    name_de: Annotated[str | None, typer.Option(help="Name eines neuen Indikators.")] = None,
    name_en: Annotated[str | None, typer.Option(help="Englischer Name.")] = None,
    unit: Annotated[str | None, typer.Option(help="Einheit, z. B. %, Personen.")] = None,
    polarity: Annotated[int | None, typer.Option(help="1 höher ist besser, -1 höher ist "
                                                      "schlechter, 0 neutral.")] = None,
    aggregation: Annotated[str | None, typer.Option(help="sum, ratio oder none.")] = None,
    missing: MissingOpt = None,
    private: Annotated[str | None, typer.Option(
        "--private", help="Privat für diese Kommune (Gebietsschlüssel, z. B. 05315000): "
                          "nur ihre Konten (und Freigaben) sehen die Werte.")] = None,
    state_may_read: Annotated[bool, typer.Option(
        "--state-may-read", help="Mit --private: die Landesstelle darf die Werte "
                                 "lesen.")] = False,
    map_file: Annotated[Path | None, typer.Option(
        "--map", help="Zuordnungstabelle feiner zu groben Schlüsseln (fein;grob;Gewicht): die "
        "Werte der feinen Gebiete werden in die Gebiete von --level zusammengefasst.")] = None,
    partial: Annotated[bool, typer.Option(
        help="Mit --map: grobe Gebiete auch aus unvollständigen feinen Werten.")] = False,
) -> None:
    """Indikatortabelle importieren (CSV/XLSX; Semikolon, Dezimalkomma, Windows-1252).

    Beispiel: kekiz import indicators sgb2.csv --level stadtteil --key raum_id
    --period 2021

    Privat: kekiz import indicators hze.csv --level stadtteil --key raum_id
    --period 2023 --private 05315000 --state-may-read
    """
    if state_may_read and private is None:
        raise typer.BadParameter(t("--state-may-read gilt nur mit --private.",
                                   "--state-may-read needs --private."))
    filt_col, filt_vals = None, []
    if where:
        filt_col, _, vals = where.partition("=")
        filt_vals = [v.strip() for v in vals.split(",")]
    opts = IndicatorOptions(level=level, key_column=key, period_column=period_column,
                            period=period, indicator=indicator,
                            columns=pairs(column, "--column"), id_prefix=id_prefix,
                            filter_column=filt_col, filter_values=filt_vals,
                            key_map=pairs(key_map, "--key-map"),
                            indicator_column=indicator_column,
                            missing=parse_missing(missing))
    meta: dict[str, Any] = {"name_de": name_de, "name_en": name_en, "unit": unit,
                            "polarity": polarity, "aggregation": aggregation}
    with progress_bar() as bar:
        result = kekiz().imports.indicators(file, opts, dataset=dataset, licence=licence,
                                             source=source, encoding=encoding, separator=sep,
                                             sheet=sheet, metadata=meta, mapping=map_file,
                                             partial=partial, private_to=private,
                                             private_state=state_may_read, progress=bar)
    report_import(result.count, result.dataset.name, result.dataset.revision, result.notes,
                   t("Werte", "values"))
    if result.dataset.private_to:
        out.print(t(f"Privat für {result.dataset.private_to}"
                    + (" (Landesstelle darf lesen)" if result.dataset.private_state else ""),
                    f"Private to {result.dataset.private_to}"
                    + (" (the state office may read)" if result.dataset.private_state
                       else "")))


@import_app.command("members")
def import_members(
    file: Annotated[Path, typer.Argument(help="CSV/XLSX mit Spalten ags und joined_year.")],
    programme: Annotated[str, typer.Option(help="Programm, z. B. 'Kein Kind "
                                                "zurücklassen!'.")],
    dataset: Annotated[str | None, typer.Option(help="Name des Datensatzes.")] = None,
    source: Annotated[str, typer.Option(help="Quelle.")] = "",
    joined: Annotated[str | None, typer.Option(
        help="Beitrittsjahr für alle, wenn die Datei keine Spalte dafür hat.")] = None,
) -> None:
    """Mitgliedskommunen eines Landesprogramms importieren (ersetzt die bisherige Liste).

    Beispiel: kekiz import members kommunen.csv --programme "Kein Kind zurücklassen!"
    """
    result = kekiz().imports.members(
        file, programme, dataset=dataset, source=source,
        joined=date(int(joined), 1, 1) if joined and joined.isdigit() else
        (date.fromisoformat(joined) if joined else None))
    report_import(result.count, result.dataset.name, result.dataset.revision, result.notes,
                   t("Mitglieder", "members"))


@import_app.command("funding")
def import_funding(
    file: Annotated[Path, typer.Argument(help="CSV/XLSX mit ags, jahr, quelle, betrag.")],
    programme: Annotated[str, typer.Option(help="Programm.")] = "Kein Kind zurücklassen!",
    source: Annotated[str, typer.Option(help="Quelle.")] = "",
    missing: MissingOpt = None,
) -> None:
    """Förderbuchungen der Mitgliedskommunen importieren (ersetzt das bisherige Ledger).

    Beispiel: kekiz import funding foerderung.csv --programme "Kein Kind zurücklassen!"
    """
    result = kekiz().imports.funding(file, programme, source,
                                     missing=parse_missing(missing))
    n = result.count
    out.print(t(f"{fmt_number(n, 0)} Förderbuchungen importiert",
                 f"{n:,} funding entries imported"))
    for note in result.notes[:20]:
        out.print(f"  - {note}", markup=False, highlight=False)


def _feature_keys(given: dict[str, str]) -> dict[int, str]:
    """``--set-key 124=04030417``: feature number -> key."""
    bad = [k for k in given if not k.isdigit()]
    if bad:
        raise KekizError(f"--set-key '{bad[0]}': erwartet OBJEKTNUMMER=SCHLÜSSEL, z. B. "
                         "124=04030417.",
                         message_en=f"--set-key '{bad[0]}': expected FEATURE=KEY, e.g. "
                         "124=04030417.")
    return {int(k): v for k, v in given.items()}


@import_app.command("streets")
def import_streets(
    file: Annotated[Path, typer.Argument(help="CSV/XLSX mit strasse;hausnummer_von;"
                                              "hausnummer_bis;seite;plz;gebiet[;lat;lon].")],
    level: Annotated[str, typer.Option(help="Ebene der Gebiete in der Spalte gebiet.")
                     ] = "stadtteil",
    dataset: Annotated[str | None, typer.Option(help="Name des Datensatzes.")] = None,
    source: Annotated[str, typer.Option(help="Quelle / Namensnennung.")] = "",
    licence: Annotated[str, typer.Option(help="Lizenz.")] = "",
    synthetic: Annotated[bool, typer.Option(
        "--synthetic", help="Erfundenes Verzeichnis (wird überall als synthetisch "
        "gekennzeichnet).")] = False,
) -> None:
    """Straßenverzeichnis importieren (ersetzt das bisherige): Ortssuche der Karten und
    Startpunkt des Familienwegweisers nach Adresse, ohne Internet.

    Beispiel: kekiz import streets strassen.csv --level stadtteil
    """
    result = kekiz().imports.streets(file, level=level, dataset=dataset, source=source,
                                     licence=licence, synthetic=synthetic)
    report_import(result.count, result.dataset.name, result.dataset.revision, result.notes,
                  t("Straßenabschnitte", "street sections"))


def report_import(count: int, name: str, revision: int, notes: list[str], what: str) -> None:
    out.print(t(f"{fmt_number(count, 0)} {what} importiert: {name} (Revision {revision})",
                 f"{count:,} {what} imported: {name} (revision {revision})"))
    for note in notes[:20]:
        out.print(f"  - {note}")
    if len(notes) > 20:
        out.print(t(f"  ... und {len(notes) - 20} weitere Hinweise",
                     f"  ... and {len(notes) - 20} more notes"))
