"""``kekiz records ...``: individual records -> protected district indicators (issue #4).

Thin commands over :class:`kekiz.services.records.RecordJobs`.  The sub-app is registered in
:mod:`kekiz.cli.main`; the shared console, language helper and monitor are looked up
there when a command runs (no circular import).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kekiz.cli.context import current_lang, kekiz, out, print_json, progress_bar, t
from kekiz.cli.import_cmd import MissingOpt
from kekiz.domain.missing import parse_missing
from kekiz.i18n import fmt_number

__all__ = ["records_app"]

records_app = typer.Typer(
    help="Einzeldaten (z. B. Schuleingangsuntersuchung) zu Indikatoren je Gebiet, mit "
         "Geheimhaltung.", no_args_is_help=True)


@records_app.command("import")
def records_import(
    file: Annotated[Path, typer.Argument(help="Einzeldaten: CSV, XLSX oder Parquet.")],
    schema: Annotated[Path | None, typer.Option(
        help="Schema als TOML (Spalten, Befunde, Grenzen); ohne: Standard der "
             "Schuleingangsuntersuchung.")] = None,
    level: Annotated[str, typer.Option(help="Feinste Ebene, z. B. stadtteil.")] = "stadtteil",
    years: Annotated[str | None, typer.Option(
        help="Nur diese Jahre, z. B. 2010-2012 oder 2010,2012.")] = None,
    streets: Annotated[Path | None, typer.Option(
        help="Straßenverzeichnis (CSV) für die Zuordnung über Adressen.")] = None,
    dataset: Annotated[str | None, typer.Option(help="Name des Datensatzes.")] = None,
    licence: Annotated[str, typer.Option(help="Lizenz.")] = "",
    source: Annotated[str, typer.Option(help="Quelle / Namensnennung.")] = "",
    method: Annotated[str, typer.Option(
        help="Sekundärsperrung: heuristic (schnell) oder optimal.")] = "heuristic",
    missing: MissingOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON.")] = False,
) -> None:
    """Einzeldaten einlesen, Gebieten zuordnen, zählen, schützen und speichern.

    Gespeichert werden nur geschützte Anteile je Gebiet und Jahr (alle Ebenen), nie die
    Einzeldaten. Beispiel: kekiz records import seu_2012.csv --years 2012
    """
    with progress_bar() as progress:
        result = kekiz().records.import_records(file, schema=schema, level=level, years=years,
                                        dataset=dataset, streets=streets, licence=licence,
                                        source=source, method=method,
                                        missing=parse_missing(missing), progress=progress)
    if as_json:
        out.print_json(json.dumps({
            "dataset": result.dataset.name, "revision": result.dataset.revision,
            "observations": result.observations, "tables": result.tables,
            "suppressed": result.suppressed, "synthetic": result.synthetic,
            "indicators": result.indicators, "periods": result.periods,
            "records": result.stats, "notes": result.notes}, ensure_ascii=False))
        return
    lang = current_lang()
    s = result.stats
    rate = fmt_number(100 * float(s["unmatched_rate"]), 2, lang)
    out.print(t(
        f"Importiert: '{result.dataset.name}' (Revision {result.dataset.revision}): "
        f"{fmt_number(s['records'], 0, lang)} Datensätze gelesen, "
        f"{fmt_number(s['used'], 0, lang)} verwendet, {fmt_number(s['unmatched'], 0, lang)} "
        f"ohne Gebiet ({rate} %), {fmt_number(s['outside_years'], 0, lang)} außerhalb der "
        "Jahre",
        f"Imported: '{result.dataset.name}' (revision {result.dataset.revision}): "
        f"{s['records']:,} records read, {s['used']:,} used, {s['unmatched']:,} without a "
        f"unit ({rate}%), {s['outside_years']:,} outside the years"))
    out.print(t(
        f"{fmt_number(result.observations, 0, lang)} Werte in {result.tables} Tabellen "
        f"(Indikator × Jahr über alle Ebenen), davon {fmt_number(result.suppressed, 0, lang)} "
        "gesperrt (Geheimhaltung, LP-geprüft); ersetzt: "
        f"{fmt_number(result.replaced, 0, lang)}",
        f"{result.observations:,} values in {result.tables} tables (indicator × period over "
        f"all levels), {result.suppressed:,} suppressed (disclosure control, LP-audited); "
        f"replaced: {result.replaced:,}"))
    for note in result.notes:
        out.print(f"  - {note}", markup=False)


@records_app.command("generate")
def records_generate(
    output: Annotated[Path, typer.Option("--out", "-o", help="Zieldatei (.parquet, .csv, "
                                                           ".xlsx); der Name erhält das "
                                                           "Präfix SYNTHETISCH_.")],
    years: Annotated[str, typer.Option(help="Jahre, z. B. 2010-2012.")] = "2010-2012",
    seed: Annotated[int, typer.Option(help="Startwert des Zufallsgenerators.")] = 42,
    records: Annotated[int | None, typer.Option(
        help="Genau so viele Datensätze (sonst Kohorten aus der Bevölkerung).")] = None,
    level: Annotated[str, typer.Option(help="Ebene der Gebiete.")] = "stadtteil",
    small_areas: Annotated[int, typer.Option(
        help="So viele Gebiete absichtlich klein (2-8 Kinder je Jahr).")] = 3,
    crs: Annotated[str, typer.Option(help="Koordinatensystem der Punkte.")] = "EPSG:25832",
) -> None:
    """SYNTHETISCHE Schuleingangsdaten erzeugen (keine echten Kinder).

    Kohorten aus der Bevölkerung im Store (einwohner_6_10 / 4), Befunde abhängig vom
    Kinderanteil des Gebiets, Punkte in den Gebietsgrenzen. Beispiel:
    kekiz records generate --out seu.parquet --years 2010-2012 --seed 42
    """
    result = kekiz().records.generate_records(output, years=years, seed=seed, records=records,
                                      level=level, small_areas=small_areas, crs=crs)
    lang = current_lang()
    out.print(t(
        f"SYNTHETISCH: {fmt_number(result.records, 0, lang)} Datensätze geschrieben nach "
        f"{result.path} (Seed {seed}; absichtlich kleine Gebiete: "
        f"{', '.join(result.info.small_areas)})",
        f"SYNTHETIC: {result.records:,} records written to {result.path} (seed {seed}; "
        f"deliberately small areas: {', '.join(result.info.small_areas)})"), markup=False)
    for note in result.notes:
        out.print(f"  - {note}", markup=False)


@records_app.command("audit")
def records_audit(
    records: Annotated[Path | None, typer.Option(
        "--records", help="Die importierte Einzeldatei: prüft zusätzlich gegen die wahren "
                          "Zahlen.")] = None,
    schema: Annotated[Path | None, typer.Option(help="Schema der Einzeldatei.")] = None,
    streets: Annotated[Path | None, typer.Option(help="Straßenverzeichnis.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON.")] = False,
) -> None:
    """Jede veröffentlichte Tabelle (Indikator × Jahr über alle Ebenen) mit dem
    LP-Angreifer prüfen, genau so, wie sie gespeichert ist.

    Beispiel: kekiz records audit
    """
    result = kekiz().records.audit_published(records=records, schema=schema, streets=streets)
    if as_json:
        print_json(result.to_dict())
    else:
        lang = current_lang()
        for ds in result.datasets:
            out.print(t(
                f"{ds['dataset']} (Revision {ds['revision']}): {ds['tables']} Tabellen, "
                f"{ds['violations']} Verletzungen",
                f"{ds['dataset']} (revision {ds['revision']}): {ds['tables']} tables, "
                f"{ds['violations']} violations"), markup=False)
        if result.passed:
            what = t("gegen die Einzeldaten und ", "against the records and ") \
                if result.with_records else ""
            out.print(t(
                f"Geprüft {what}aus Sicht eines Angreifers: {result.tables} veröffentlichte "
                "Tabellen, keine Verletzung. Keine gesperrte Zelle ist berechenbar oder enger "
                "als ihr Schutzbereich eingrenzbar, keine Fallzahl unter der Schwelle ist "
                "veröffentlicht.",
                f"Audited {what}from an attacker's side: {result.tables} published tables, "
                "no violation. No suppressed cell can be recomputed or narrowed below its "
                "protection, no count below the threshold is published."))
        else:
            table = Table(t("Indikator", "indicator"), t("Jahr", "period"),
                          t("Gebiet", "unit"), t("Teil", "part"),
                          t("Befund", "finding"))
            for v in result.violations[:50]:
                table.add_row(v.indicator, v.period, v.unit, v.part, v.text(lang))
            out.print(table)
            out.print(t(f"{len(result.violations)} Verletzungen.",
                                 f"{len(result.violations)} violations."))
    if not result.passed:
        raise typer.Exit(1)


@records_app.command("schema")
def records_schema(
    output: Annotated[Path | None, typer.Option("--out", "-o", help="TOML-Datei.")] = None,
) -> None:
    """Das Standard-Schema der Schuleingangsuntersuchung als TOML ausgeben (Vorlage).

    Beispiel: kekiz records schema -o schema.toml
    """
    text = kekiz().files.records_schema_toml()
    if output is None:
        out.print(text, markup=False, highlight=False)
        return
    output.write_text(text, encoding="utf-8")
    out.print(t(f"Schema geschrieben nach {output}", f"Schema written to {output}"))
