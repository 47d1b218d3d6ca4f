"""``kekiz chain ...``: the prevention chain on files and on the stored offers (issue #5).

Thin commands over the chain, directory and finder services of the application object
(:func:`kekiz.cli.context.kekiz`); ``kekiz.cli.main`` registers ``chain`` lazily.  Every
command on the store prints German tables (English with ``--lang en``) or, with
``--json``, JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from kekiz.cli.chain_analysis_cmd import (
    chain_access,
    chain_gaps,
    chain_matrix,
    chain_sites,
    chain_what_if,
    deliver,
    offer_kind,
)
from kekiz.cli.context import current_lang, kekiz, num, out, print_json, print_notes, print_plain, t
from kekiz.domain.errors import KekizError
from kekiz.i18n import fmt_number

if TYPE_CHECKING:
    pass

__all__ = ["chain_app"]

chain_app = typer.Typer(help="Präventionskette: Angebote importieren, prüfen, exportieren; "
                        "Präventionsmatrix, Abdeckung, Lücken, Standorte, "
                        "Familienwegweiser.", no_args_is_help=True)


@chain_app.command("coverage")
def coverage(
    offers: Annotated[Path | None, typer.Option(help="Dateimodus: Angebote als CSV/XLSX mit "
                                                     "Koordinaten oder GeoJSON-Punkte.")] = None,
    units: Annotated[Path | None, typer.Option(help="Dateimodus: Gebiete (GeoJSON, "
                                                    "GeoPackage, Shapefile).")] = None,
    unit_id: Annotated[str | None, typer.Option(help="Dateimodus: Feld mit dem "
                                                     "Gebietsschlüssel.")] = None,
    population: Annotated[Path | None, typer.Option(help="Dateimodus: Bevölkerung je "
                                                         "Gebiet (CSV/XLSX).")] = None,
    population_id: Annotated[str | None, typer.Option(help="Dateimodus: Spalte mit dem "
                                                           "Gebietsschlüssel.")] = None,
    population_column: Annotated[str | None, typer.Option(help="Dateimodus: Spalte mit der "
                                                               "Zahl der Kinder.")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Ergebnis (CSV/XLSX)."
                                                )] = None,
    lat: Annotated[str | None, typer.Option(help="Spalte der geogr. Breite (sonst "
                                                 "erkannt).")] = None,
    lon: Annotated[str | None, typer.Option(help="Spalte der geogr. Länge (sonst "
                                                 "erkannt).")] = None,
    capacity: Annotated[str | None, typer.Option(help="Spalte mit der Platzzahl (sonst "
                                                      "zählt jedes Angebot 1).")] = None,
    level: Annotated[str | None, typer.Option(help="Store: Ebene (Standard: feinste Ebene "
                                                   "mit Gebieten, in der Demo stadtteil)."
                                              )] = None,
    life_phase: Annotated[str, typer.Option(help="Store: Lebensphase, z. B. 3-6.")] = "3-6",
    population_indicator: Annotated[str | None, typer.Option(
        help="Store: Indikator der Kinderzahl (Standard nach Lebensphase, z. B. "
             "einwohner_3_6).")] = None,
    period: Annotated[str | None, typer.Option(help="Store: Zeitraum der Kinderzahl "
                                                    "(Standard: der letzte).")] = None,
    kind: Annotated[str, typer.Option(help="Store: Art der Angebote (kita, schule, "
                                           "Familienzentrum; 'alle' für alle).")] = "kita",
    radius: Annotated[float, typer.Option(help="Store: Radius der 2SFCA in Metern.")] = 1500.0,
    demand: Annotated[str, typer.Option(help="Store: Nachfragepunkte grid (Raster) oder "
                                             "units (ein Punkt je Gebiet).")] = "grid",
    cell: Annotated[float, typer.Option(help="Store: Rasterweite in Metern.")] = 250.0,
    network: Annotated[Path | None, typer.Option(
        help="Store: Straßennetz (.osm.pbf oder .graphml); die 2SFCA rechnet dann mit Wegen "
             "im Netz statt Luftlinie.")] = None,
    mode: Annotated[str, typer.Option(help="Mit --network: walk (zu Fuß), bike (Rad) oder "
                                           "drive (Auto).")] = "walk",
    limit: Annotated[int, typer.Option(help="Store: so viele Gebiete zeigen.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON.")] = False,
) -> None:
    """Abdeckung: Angebote je 1.000 Kinder, Plätze je Kind und Erreichbarkeit (2SFCA).

    Ohne --offers rechnet der Befehl auf den gespeicherten Angeboten, Gebieten und
    Bevölkerungszahlen; mit --offers, --units, --unit-id, --population, --population-id,
    --population-column auf Dateien.

    Beispiel: kekiz chain coverage --level stadtteil --life-phase 3-6 --kind kita
    --network koeln.osm.pbf --mode walk
    """
    if offers is not None:
        if network is not None:
            raise KekizError("--network gilt für die Erreichbarkeit (2SFCA) auf den "
                             "gespeicherten Angeboten; der Dateimodus zählt nur Angebote "
                             "und Plätze je Gebiet. Abhilfe: --network weglassen oder die "
                             "Angebote mit 'kekiz chain import' speichern.",
                             message_en="--network applies to the accessibility (2SFCA) "
                             "of the stored offers; file mode only counts offers and "
                             "places per unit.")
        _coverage_files(offers, units, unit_id, population, population_id, population_column,
                        output, lat, lon, capacity)
        return
    result = kekiz().chain.coverage(level, life_phase, population_indicator, period,
                              kind=offer_kind(kind),
                              radius=radius, demand=demand, cell=cell, network=network,
                              mode=mode)
    if deliver(result, output, as_json):
        return
    _print_coverage(result, limit, output)


def _print_coverage(result: Any, limit: int, output: Path | None) -> None:
    m = result.meta
    out.print(t(
        f"[bold]Abdeckung[/bold] ({m['kind'] or 'alle Angebote'}, Lebensphase "
        f"{m['life_phase']}), Ebene {m['level']}: {fmt_number(m['offers'], 0)} Angebote für "
        f"{num(m['children'], 0)} Kinder ({m['population_indicator']}, {m['period']}) = "
        f"{num(m['offers_per_1000_total'], 2)} je 1.000 Kinder",
        f"[bold]Coverage[/bold] ({m['kind'] or 'all offers'}, life phase {m['life_phase']}), "
        f"level {m['level']}: {m['offers']:,} offers for {num(m['children'], 0)} children "
        f"({m['population_indicator']}, {m['period']}) = {num(m['offers_per_1000_total'], 2)}"
        " per 1,000 children"))
    print_plain(t(m["supply_label_de"], m["supply_label_en"]) + ". " + m["demand_de"])
    table = Table(t("Schlüssel", "key"), t("Gebiet", "area"),
                  t("Kinder", "children"), t("Angebote", "offers"),
                  t("je 1.000 Kinder", "per 1,000 children"),
                  t("Plätze je Kind", "places per child"),
                  t("Erreichbarkeit (2SFCA)", "accessibility (2SFCA)"),
                  title=t(f"Die {limit} Gebiete mit der geringsten Erreichbarkeit",
                               f"The {limit} units with the lowest accessibility"))
    rows = result.table.sort_values(["accessibility", "offers_per_1000"], na_position="first")
    for r in rows.head(limit).to_dict("records"):
        table.add_row(str(r["unit_id"]), str(r["name"]), num(r["children"], 0),
                      num(r["offers"], 0), num(r["offers_per_1000"], 1),
                      num(r["places_per_child"], 2), num(r["accessibility"], 2))
    out.print(table)
    print_notes(result.notes)
    if output is not None:
        out.print(t(f"Ergebnis: {output}", f"Result: {output}"))


def _coverage_files(offers: Path, units: Path | None, unit_id: str | None,
                    population: Path | None, population_id: str | None,
                    population_column: str | None, output: Path | None, lat: str | None,
                    lon: str | None, capacity: str | None) -> None:
    if units is None or unit_id is None or population is None or population_id is None \
            or population_column is None or output is None:
        raise KekizError("Im Dateimodus bitte --units, --unit-id, --population, "
                         "--population-id, --population-column und -o angeben.",
                         message_en="In file mode please give --units, --unit-id, "
                         "--population, --population-id, --population-column and -o.")
    frame = kekiz().files.chain_coverage(offers, units, unit_id=unit_id, population=population,
                                   population_id=population_id,
                                   population_column=population_column, out=output,
                                   lat=lat, lon=lon, capacity=capacity)
    lang = current_lang()
    n_off = int(frame["offers"].sum())
    cap = float(frame["capacity"].sum())
    pop = float(frame["population"].sum())
    ratio = fmt_number(cap / pop if pop else float("nan"), 3, lang)
    out.print(t(
        f"{fmt_number(n_off, 0)} Angebote mit {fmt_number(cap, 0)} Plätzen in "
        f"{len(frame)} Gebieten; {ratio} Plätze je Kind insgesamt. Ergebnis: {output}",
        f"{n_off:,} offers with {cap:,.0f} places in {len(frame)} units; {ratio} places "
        f"per child overall. Result: {output}"))
    print_notes(frame.attrs.get("notes", []))


@chain_app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="Angebote: CSV/XLSX, GeoJSON oder HSDS-JSON.")],
    kita: Annotated[bool, typer.Option(help="Kita-Liste: Lebensphasen 0–6, "
                                            "Jugendhilfe.")] = False,
) -> None:
    """Eine Angebotsdatei vollständig prüfen, ohne etwas zu speichern.

    Beispiel: kekiz chain check angebote.xlsx
    """

    result = kekiz().files.load_directory(file, kita=kita)
    d = result.directory
    out.print(t(
        f"{file.name}: in Ordnung – {len(d.services)} Angebote, {len(d.organizations)} "
        f"Träger, {len(d.locations)} Orte",
        f"{file.name}: OK – {len(d.services)} services, {len(d.organizations)} "
        f"organisations, {len(d.locations)} locations"))
    for note in result.notes[:20]:
        out.print(f"  - {note}", markup=False, highlight=False)


@chain_app.command("hsds")
def hsds(
    file: Annotated[Path, typer.Argument(help="Angebote: CSV/XLSX, GeoJSON oder HSDS-JSON.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="HSDS-3.0-JSON.")],
    kita: Annotated[bool, typer.Option(help="Kita-Liste (siehe check).")] = False,
    published: Annotated[bool, typer.Option(help="Nur veröffentlichte Angebote.")] = False,
    shape: Annotated[str, typer.Option(help="services, organizations oder "
                                            "tabular.")] = "services",
) -> None:
    """Angebote als Open-Referral-HSDS-3.0-JSON schreiben.

    Beispiel: kekiz chain hsds angebote.csv -o angebote.hsds.json
    """

    n = kekiz().files.directory_to_hsds(file, output, kita=kita, only_published=published,
                                  shape=shape)
    out.print(t(f"{n} Angebote nach {output} geschrieben (HSDS 3.0)",
                         f"{n} services written to {output} (HSDS 3.0)"))


@chain_app.command("find")
def find(
    file: Annotated[Path | None, typer.Argument(help="Angebote: CSV/XLSX, GeoJSON oder "
                                                     "HSDS-JSON; ohne Datei die "
                                                     "gespeicherten Angebote.")] = None,
    age: Annotated[float | None, typer.Option(help="Alter des Kindes in Jahren, z. B. "
                                                   "2.5.")] = None,
    topic: Annotated[str | None, typer.Option(help="Thema, z. B. Sprachförderung.")] = None,
    life_phase: Annotated[str | None, typer.Option(help="Lebensphase, z. B. 0-3.")] = None,
    near: Annotated[str | None, typer.Option(help="Ausgangspunkt BREITE,LÄNGE oder ein "
                                                  "Stadtteil.")] = None,
    radius: Annotated[float | None, typer.Option(help="Umkreis in Metern.")] = None,
    district: Annotated[str | None, typer.Option(help="Nur in diesem Gebiet (Schlüssel oder "
                                                      "Name).")] = None,
    language: Annotated[str | None, typer.Option(help="Sprache, z. B. Türkisch.")] = None,
    free: Annotated[bool, typer.Option("--free", help="Nur kostenlose Angebote.")] = False,
    limit: Annotated[int, typer.Option(help="Höchstens so viele Treffer.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Treffer als JSON.")] = False,
) -> None:
    """Familienwegweiser: veröffentlichte Angebote finden.

    Beispiel: kekiz chain find --age 2.5 --near Nippes --radius 2000
    """
    if file is not None:
        point = None
        if near:
            a, _, b = near.partition(",")
            point = (float(a), float(b))
        hits = kekiz().files.find_in_directory(file, age=age, topic=topic, life_phase=life_phase,
                                         near=point, radius_m=radius, language=language,
                                         free_only=free, limit=limit)
    else:
        hits = kekiz().finder.find(age=age, topic=topic, life_phase=life_phase, district=district,
                            near=near, radius_m=radius, language=language, free_only=free,
                            limit=limit)
    if as_json:
        print_json([h.to_dict() for h in hits])
        return
    lang = current_lang()
    for hit in hits:
        print_plain(f"{hit.rank}. {hit.text(lang)}")
    if not hits:
        out.print(t("Keine passenden Angebote gefunden.", "No matching offers."))


# -- the stored directory -------------------------------------------------------------------
@chain_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Angebote: HSDS-JSON, CSV/XLSX (eine Zeile je "
                                              "Angebot) oder Punkte (GeoJSON ...).")],
    fmt: Annotated[str | None, typer.Option("--format", help="hsds, csv oder points (sonst "
                                                             "erkannt).")] = None,
    kind: Annotated[str | None, typer.Option(help="Art der Punkte: kita oder schule "
                                                  "(füllt Lebensphasen, Bereich, Alter)."
                                             )] = None,
    synthetic: Annotated[bool, typer.Option("--synthetic", help="Erfundene Demo-Daten: so "
                                                                "gekennzeichnet.")] = False,
    dataset: Annotated[str | None, typer.Option(help="Name des Datensatzes (gleicher Name = "
                                                     "ersetzen).")] = None,
    source: Annotated[str, typer.Option(help="Quelle.")] = "",
    licence: Annotated[str, typer.Option(help="Lizenz.")] = "",
    level: Annotated[str | None, typer.Option(help="Ebene, deren Gebiete den Orten "
                                                   "zugeordnet werden.")] = None,
    keep_duplicates: Annotated[bool, typer.Option(help="Dubletten gespeicherter Angebote "
                                                       "trotzdem speichern.")] = False,
    limit: Annotated[int, typer.Option(help="So viele Dubletten zeigen.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Bericht als JSON.")] = False,
) -> None:
    """Angebote in den Store importieren (vollständig geprüft, eine Transaktion).

    Beispiel: kekiz chain import kitas.geojson --kind kita --dataset "Kitas 2024"
    """
    result = kekiz().directory.import_services(file, fmt=fmt, kind=kind, synthetic=synthetic,
                                     dataset=dataset, source=source, licence=licence,
                                     level=level, keep_duplicates=keep_duplicates)
    if as_json:
        print_json(result.to_dict())
        return
    ds = result.dataset
    out.print(t(
        f"{file.name}: {fmt_number(result.services, 0)} Angebote, "
        f"{fmt_number(result.locations, 0)} Orte, {fmt_number(result.organizations, 0)} "
        f"Träger gespeichert im Datensatz '{ds.name}' (Revision {ds.revision}, ersetzt "
        f"{fmt_number(result.replaced, 0)}); {fmt_number(result.assigned, 0)} Orte in "
        f"Gebieten der Ebene {result.level}",
        f"{file.name}: {result.services:,} services, {result.locations:,} locations, "
        f"{result.organizations:,} organisations stored in dataset '{ds.name}' (revision "
        f"{ds.revision}, replaced {result.replaced:,}); {result.assigned:,} locations in "
        f"units of level {result.level}"), markup=False, highlight=False)
    if result.synthetic:
        out.print(t("SYNTHETISCH: erfundene Demo-Daten, überall so gekennzeichnet.",
                             "SYNTHETIC: invented demo data, labelled as such everywhere."))
    dups = result.duplicates
    if len(dups):
        table = Table(t("Neues Angebot", "new offer"),
                      t("Gespeichert als", "stored as"),
                      t("Abstand (m)", "distance (m)"),
                      title=t(
                          f"{len(dups)} Dubletten gespeicherter Angebote "
                          + ("(trotzdem gespeichert)" if result.kept_duplicates
                             else "(nicht gespeichert)"),
                          f"{len(dups)} duplicates of stored offers "
                          + ("(stored anyway)" if result.kept_duplicates else "(not stored)")))
        for r in dups.head(limit).to_dict("records"):
            table.add_row(str(r["name_b"]), str(r["name_a"]), num(r["distance_m"], 0))
        out.print(table)
        if len(dups) > limit:
            out.print(t(f"  ... und {len(dups) - limit} weitere (alle mit --json)",
                                 f"  ... and {len(dups) - limit} more (all with --json)"))
    else:
        out.print(t("Keine Dubletten gespeicherter Angebote.",
                             "No duplicates of stored offers."))
    for r in result.internal_duplicates.head(limit).to_dict("records"):
        print_plain(f"  - {r['message_de' if current_lang() == 'de' else 'message_en']}")
    print_notes(result.notes)


@chain_app.command("export")
def export(
    output: Annotated[Path, typer.Option("-o", "--output", help="FILE.json (HSDS 3.0), .csv "
                                                                "oder .xlsx.")],
    include_unpublished: Annotated[bool, typer.Option(
        "--all", help="Auch nicht veröffentlichte Angebote (nur intern weitergeben).")] = False,
    shape: Annotated[str, typer.Option(help="HSDS: services, organizations oder tabular."
                                       )] = "services",
) -> None:
    """Gespeicherte Angebote exportieren: HSDS 3.0 JSON oder Tabelle; öffentlich nur die
    veröffentlichten.

    Beispiel: kekiz chain export -o angebote.hsds.json
    """
    n = kekiz().directory.export_services(output, include_unpublished=include_unpublished,
                                          shape=shape)
    which = t("alle" if include_unpublished else "veröffentlichte",
                   "all" if include_unpublished else "published")
    out.print(t(f"{fmt_number(n, 0)} {which} Angebote nach {output} geschrieben",
                         f"{n:,} {which} services written to {output}"))


@chain_app.command("datasets")
def datasets(as_json: Annotated[bool, typer.Option("--json", help="Als JSON.")] = False
             ) -> None:
    """Die gespeicherten Angebotsdatensätze mit Quelle und Zahl der Angebote.

    Beispiel: kekiz chain datasets
    """
    rows = kekiz().directory.service_datasets()
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    table = Table("Id", t("Datensatz", "dataset"), "Rev.", t("Angebote", "services"),
                  t("veröffentlicht", "published"), t("synthetisch", "synthetic"),
                  t("Quelle", "source"))
    for r in rows:
        table.add_row(str(r.dataset_id), r.name, str(r.revision), num(r.services, 0),
                      num(r.published, 0), num(r.synthetic, 0), r.source)
    out.print(table)


# -- analyses on the stored offers -----------------------------------------------------


chain_app.command("matrix")(chain_matrix)
chain_app.command("gaps")(chain_gaps)
chain_app.command("sites")(chain_sites)
chain_app.command("what-if")(chain_what_if)
chain_app.command("access")(chain_access)
