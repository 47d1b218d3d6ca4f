"""``kekiz chain ...``: the prevention chain on files and on the stored offers (issue #5).

Thin commands over the facade (:class:`kekiz.services.prevention.PreventionJobs`, mixed
into the application object); ``kekiz.cli.main`` is imported inside the commands
so that ``main`` can ``app.add_typer(chain_app, name="chain")``.  Every command on the
store prints German tables (English with ``--lang en``) or, with ``--json``, JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from kekiz.cli.context import current_lang, kekiz, out, t
from kekiz.cli.format import fmt_number

if TYPE_CHECKING:
    pass

__all__ = ["chain_app"]

chain_app = typer.Typer(help="Präventionskette: Angebote importieren, prüfen, exportieren; "
                        "Präventionsmatrix, Abdeckung, Lücken, Standorte, "
                        "Familienwegweiser.", no_args_is_help=True)


def _num(value: Any, decimals: int = 1) -> str:
    return fmt_number(None if value is None else float(value), decimals, current_lang())


def _json_out(data: Any) -> None:
    out.print_json(json.dumps(data, ensure_ascii=False, default=str))


def _plain(text: str) -> None:
    out.print(text, markup=False, highlight=False)


def _notes(notes: list[str]) -> None:
    for note in notes:
        _plain(f"  - {note}")


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
            from kekiz.domain.errors import KekizError

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
                              kind=None if kind in ("alle", "all", "") else kind,
                              radius=radius, demand=demand, cell=cell, network=network,
                              mode=mode)
    if output is not None:
        from kekiz.services.chain_data import write_frame

        write_frame(result.table, output, current_lang())
    if as_json:
        _json_out(result.to_dict())
        return
    m = result.meta
    out.print(t(
        f"[bold]Abdeckung[/bold] ({m['kind'] or 'alle Angebote'}, Lebensphase "
        f"{m['life_phase']}), Ebene {m['level']}: {fmt_number(m['offers'], 0)} Angebote für "
        f"{_num(m['children'], 0)} Kinder ({m['population_indicator']}, {m['period']}) = "
        f"{_num(m['offers_per_1000_total'], 2)} je 1.000 Kinder",
        f"[bold]Coverage[/bold] ({m['kind'] or 'all offers'}, life phase {m['life_phase']}), "
        f"level {m['level']}: {m['offers']:,} offers for {_num(m['children'], 0)} children "
        f"({m['population_indicator']}, {m['period']}) = {_num(m['offers_per_1000_total'], 2)}"
        " per 1,000 children"))
    _plain(t(m["supply_label_de"], m["supply_label_en"]) + ". " + m["demand_de"])
    table = Table(t("Schlüssel", "key"), t("Gebiet", "area"),
                  t("Kinder", "children"), t("Angebote", "offers"),
                  t("je 1.000 Kinder", "per 1,000 children"),
                  t("Plätze je Kind", "places per child"),
                  t("Erreichbarkeit (2SFCA)", "accessibility (2SFCA)"),
                  title=t(f"Die {limit} Gebiete mit der geringsten Erreichbarkeit",
                               f"The {limit} units with the lowest accessibility"))
    rows = result.table.sort_values(["accessibility", "offers_per_1000"], na_position="first")
    for r in rows.head(limit).to_dict("records"):
        table.add_row(str(r["unit_id"]), str(r["name"]), _num(r["children"], 0),
                      _num(r["offers"], 0), _num(r["offers_per_1000"], 1),
                      _num(r["places_per_child"], 2), _num(r["accessibility"], 2))
    out.print(table)
    _notes(result.notes)
    if output is not None:
        out.print(t(f"Ergebnis: {output}", f"Result: {output}"))


def _coverage_files(offers: Path, units: Path | None, unit_id: str | None,
                    population: Path | None, population_id: str | None,
                    population_column: str | None, output: Path | None, lat: str | None,
                    lon: str | None, capacity: str | None) -> None:
    from kekiz.domain.errors import KekizError

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
    _notes(frame.attrs.get("notes", []))


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
        _json_out([h.to_dict() for h in hits])
        return
    lang = current_lang()
    for hit in hits:
        _plain(f"{hit.rank}. {hit.text(lang)}")
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
        _json_out(result.to_dict())
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
            table.add_row(str(r["name_b"]), str(r["name_a"]), _num(r["distance_m"], 0))
        out.print(table)
        if len(dups) > limit:
            out.print(t(f"  ... und {len(dups) - limit} weitere (alle mit --json)",
                                 f"  ... and {len(dups) - limit} more (all with --json)"))
    else:
        out.print(t("Keine Dubletten gespeicherter Angebote.",
                             "No duplicates of stored offers."))
    for r in result.internal_duplicates.head(limit).to_dict("records"):
        _plain(f"  - {r['message_de' if current_lang() == 'de' else 'message_en']}")
    _notes(result.notes)


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
        _json_out([r.to_dict() for r in rows])
        return
    table = Table("Id", t("Datensatz", "dataset"), "Rev.", t("Angebote", "services"),
                  t("veröffentlicht", "published"), t("synthetisch", "synthetic"),
                  t("Quelle", "source"))
    for r in rows:
        table.add_row(str(r.dataset_id), r.name, str(r.revision), _num(r.services, 0),
                      _num(r.published, 0), _num(r.synthetic, 0), r.source)
    out.print(table)


# -- analyses on the stored offers -----------------------------------------------------
@chain_app.command("matrix")
def matrix(
    unit: Annotated[str | None, typer.Option(help="Gebiet (Schlüssel oder Name); ohne: die "
                                                  "ganze Kommune.")] = None,
    level: Annotated[str | None, typer.Option(help="Ebene der Gebiete (ohne --unit).")] = None,
    places: Annotated[bool, typer.Option("--places", help="Plätze statt Zahl der "
                                                          "Angebote.")] = False,
    limit: Annotated[int, typer.Option(help="So viele leere Felder nennen.")] = 12,
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON.")] = False,
) -> None:
    """Präventionsmatrix: Angebote je Lebensphase und Bereich (und je Übergang).

    Beispiel: kekiz chain matrix --unit Nippes
    """
    from kekiz.domain.directory import Transition, sector_label
    from kekiz.domain.model import LifePhase

    lang = current_lang()
    result = kekiz().chain.matrix(unit, level)
    if as_json:
        _json_out(result.to_dict())
        return
    value = "capacity" if places else "offers"
    out.print(t(
        f"[bold]Präventionsmatrix {result.name}[/bold] (Ebene {result.level}): "
        f"{fmt_number(result.offers, 0)} Angebote, davon {fmt_number(result.synthetic_offers, 0)}"
        " SYNTHETISCH; Zelle: Zahl (davon synthetisch)",
        f"[bold]Chain matrix {result.name}[/bold] (level {result.level}): {result.offers:,} "
        f"offers, {result.synthetic_offers:,} of them SYNTHETIC; cell: count (synthetic)"))
    for dim, title_de, title_en in (("life_phase", "Lebensphase", "life phase"),
                                    ("transition", "Übergang", "transition")):
        wide = result.matrix.matrix(result.unit_id, value, dim)
        synth = result.synthetic.matrix(result.unit_id, value, dim)
        table = Table(t(title_de, title_en),
                      *[sector_label(c, lang) for c in wide.columns])
        for key in wide.index:
            label = (LifePhase(key) if dim == "life_phase" else Transition(key))
            name = label.label_de if lang == "de" else label.label_en
            cells = []
            for col in wide.columns:
                n, s = wide.at[key, col], synth.at[key, col]
                text = _num(n, 0)
                cells.append(text if not s else f"{text} ({_num(s, 0)} synth.)")
            table.add_row(name, *cells)
        out.print(table)
    gaps = result.matrix.gaps_text(result.unit_id, lang)
    for line in gaps[:limit]:
        _plain(f"  - {line}")
    if len(gaps) > limit:
        out.print(t(f"  ... und {len(gaps) - limit} weitere leere Felder",
                             f"  ... and {len(gaps) - limit} more empty cells"))
    _notes(result.notes)


@chain_app.command("gaps")
def gaps(
    need: Annotated[str | None, typer.Option(help="Indikator des Bedarfs (Standard: "
                                                  "anteil_kinder_u6, sonst aus den "
                                                  "Einwohnerzahlen berechnet).")] = None,
    supply: Annotated[str, typer.Option(help="accessibility (2SFCA), offers_per_1000 oder "
                                             "places_per_child.")] = "accessibility",
    level: Annotated[str | None, typer.Option(help="Ebene.")] = None,
    life_phase: Annotated[str, typer.Option(help="Lebensphase.")] = "3-6",
    kind: Annotated[str, typer.Option(help="Art der Angebote.")] = "kita",
    radius: Annotated[float, typer.Option(help="Radius der 2SFCA in Metern.")] = 1500.0,
    network: Annotated[Path | None, typer.Option(
        help="Straßennetz (.osm.pbf oder .graphml): Wege im Netz statt Luftlinie.")] = None,
    mode: Annotated[str, typer.Option(help="Mit --network: walk, bike oder drive.")
                    ] = "walk",
    show_all: Annotated[bool, typer.Option("--all", help="Alle Gebiete, nicht nur die "
                                                         "Lücken.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON.")] = False,
) -> None:
    """Bedarf und Angebot: Quadranten und eine Liste der Lücken mit Gründen.

    Beispiel: kekiz chain gaps --kind kita --life-phase 3-6
    """
    result = kekiz().chain.gaps(need, level, supply=supply, life_phase=life_phase,
                          kind=None if kind in ("alle", "all", "") else kind, radius=radius,
                          **({"network": network, "mode": mode} if network else {}))
    if as_json:
        _json_out(result.to_dict())
        return
    en = current_lang() == "en"
    info = result.need
    out.print(t(
        f"[bold]Bedarf und Angebot[/bold], Ebene {result.coverage.meta['level']}",
        f"[bold]Need and supply[/bold], level {result.coverage.meta['level']}"))
    _plain(t(f"Bedarfsmaß: {info['name_de']} ({info['period']}) – {info['how_de']}.",
                  f"Need measure: {info['name_en']} ({info['period']}) – {info['how_en']}."))
    meta = result.coverage.meta
    _plain(t(f"Angebotsmaß: {result.supply_label_de}; Kinder "
                  f"{meta['population_indicator']} {meta['period']}.",
                  f"Supply measure: {result.supply_label_en}; children "
                  f"{meta['population_indicator']} {meta['period']}."))
    _notes(result.notes[2:])
    from kekiz.prevention.gaps import QUADRANTS

    counts = result.result.table["quadrant"].value_counts()
    table = Table(t("Quadrant", "quadrant"), t("Gebiete", "units"))
    for key, (de, en_label) in QUADRANTS.items():
        table.add_row(en_label if en else de, _num(int(counts.get(key, 0)), 0))
    out.print(table)
    rows = result.result.table if show_all else result.result.gaps()
    table = Table(t("Rang", "rank"), t("Gebiet", "area"),
                  t("Bedarf", "need"), t("Angebot", "supply"),
                  t("Quadrant", "quadrant"), t("Begründung", "reason"),
                  title=t("Lücken: hoher Bedarf, geringes Angebot (größte zuerst)",
                               "Gaps: high need, low supply (largest first)")
                  if not show_all else None)
    for r in rows.to_dict("records"):
        table.add_row(str(r["rank"]), str(r["name"]), _num(r["need"], 1),
                      _num(r["supply"], 2), QUADRANTS[r["quadrant"]][1 if en else 0],
                      str(r["reason_en" if en else "reason_de"]))
    out.print(table)


@chain_app.command("sites")
def sites(
    k: Annotated[int, typer.Option("-k", help="Zahl der neuen Standorte.")] = 3,
    kind: Annotated[str, typer.Option(help="Art des Angebots.")] = "Familienzentrum",
    level: Annotated[str | None, typer.Option(help="Ebene der Kandidaten.")] = None,
    need: Annotated[str | None, typer.Option(help="Indikator des Bedarfs (siehe gaps).")] = None,
    strength: Annotated[float, typer.Option(help="Gewicht des Bedarfs (0 = nur "
                                                 "Kinderzahl).")] = 1.0,
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON.")] = False,
) -> None:
    """Standorte für neue Angebote vorschlagen (p-Median, gewichtet mit Kindern und Bedarf).

    Beispiel: kekiz chain sites -k 3 --kind Familienzentrum
    """
    result = kekiz().chain.suggest_sites(k, kind, level=level, need_indicator=need,
                                   strength=strength)
    if as_json:
        _json_out(result.to_dict())
        return
    m = result.meta
    before = m["mean_distance_before_m"]
    km_before = _num(None if before is None else before / 1000, 2)
    out.print(t(
        f"[bold]{k} Standortvorschläge: {kind}[/bold] ({m['method']}, Kandidaten: "
        f"{m['candidates']}); mittlere Entfernung der Kinder unter 6 zum nächsten Angebot "
        f"{km_before} km → {_num(m['mean_distance_after_m'] / 1000, 2)} km (Luftlinie)",
        f"[bold]{k} suggested sites: {kind}[/bold] ({m['method']}); mean distance of "
        f"children under 6 to the nearest offer {km_before} km → "
        f"{_num(m['mean_distance_after_m'] / 1000, 2)} km (straight line)"))
    table = Table(t("Rang", "rank"), t("Gebiet", "area"),
                  t("Breite", "lat"), t("Länge", "lon"),
                  t("Kinder u6", "children <6"), t("Bedarf", "need"),
                  t("bisher (km)", "before (km)"),
                  t("neu nächstes für Kinder", "nearest for children"))
    for r in result.sites.to_dict("records"):
        table.add_row(str(r["rank"]), f"{r['name']} ({r['unit_id']})", _num(r["lat"], 5),
                      _num(r["lon"], 5), _num(r["children"], 0), _num(r["need"], 1),
                      _num(r["distance_before_m"] / 1000, 2), _num(r["children_served"], 0))
    out.print(table)
    for r in result.sites.to_dict("records"):
        _plain(f"{r['rank']}. {r['reason_de']}")
    _notes(result.notes)


@chain_app.command("what-if")
def what_if(
    add: Annotated[list[str] | None, typer.Option(
        "--add", help='Neues Angebot "NAME;BREITE;LÄNGE[;PLÄTZE[;LEBENSPHASEN]]" (Felder mit '
                      '";" getrennt, Dezimalkomma erlaubt; mehrfach möglich).')] = None,
    remove: Annotated[list[str] | None, typer.Option(
        "--remove", help="Angebot schließen: Kennung (offer_id, auch ihr eindeutiger "
                         "Anfang) oder genauer Name; mehrfach möglich.")] = None,
    move: Annotated[list[str] | None, typer.Option(
        "--move", help="Angebot verlegen: KENNUNG:BREITE,LÄNGE; mehrfach möglich.")] = None,
    level: Annotated[str | None, typer.Option(help="Ebene (Standard: feinste Ebene mit "
                                                   "Gebieten).")] = None,
    life_phase: Annotated[str, typer.Option(help="Lebensphase, z. B. 3-6.")] = "3-6",
    kind: Annotated[str, typer.Option(help="Art der Angebote (kita, schule, Familienzentrum; "
                                           "'alle' für alle).")] = "kita",
    radius: Annotated[float, typer.Option(help="Radius der 2SFCA in Metern.")] = 1500.0,
    demand: Annotated[str, typer.Option(help="Nachfragepunkte grid (Raster) oder units.")
                      ] = "grid",
    cell: Annotated[float, typer.Option(help="Rasterweite in Metern.")] = 250.0,
    network: Annotated[Path | None, typer.Option(
        help="Straßennetz (.osm.pbf oder .graphml): Wege im Netz statt Luftlinie.")] = None,
    mode: Annotated[str, typer.Option(help="Mit --network: walk (zu Fuß), bike oder "
                                           "drive.")] = "walk",
    show_all: Annotated[bool, typer.Option("--all", help="Alle Gebiete, nicht nur die "
                                                         "veränderten.")] = False,
    limit: Annotated[int, typer.Option(help="So viele Gebiete zeigen.")] = 20,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Tabelle aller "
                                                "Gebiete vorher/nachher (CSV/XLSX).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON.")] = False,
) -> None:
    """Was wäre, wenn: Angebote hinzufügen, verlegen oder schließen und die Abdeckung je
    Gebiet vorher, nachher und als Differenz sehen.

    Rechnet wie 'kekiz chain coverage' auf den gespeicherten Angeboten (gleiche
    Optionen); die Änderungen werden nur gerechnet, nicht gespeichert. Reihenfolge:
    erst --remove, dann --move, dann --add.

    Beispiel: kekiz chain what-if --add "Kita Libur;50,848;7,0734;60;3-6" --remove
    "Mülheimer Rasselbande" --move aed752b4:50.94,7.03
    """
    from kekiz.prevention.siting import parse_change

    changes = [*(parse_change("remove", x) for x in remove or []),
               *(parse_change("move", x) for x in move or []),
               *(parse_change("add", x) for x in add or [])]
    result = kekiz().chain.what_if(changes, level, life_phase,
                             kind=None if kind in ("alle", "all", "") else kind,
                             radius=radius, demand=demand, cell=cell, network=network,
                             mode=mode)
    if output is not None:
        from kekiz.services.chain_data import write_frame

        write_frame(result.table, output, current_lang())
    if as_json:
        _json_out(result.to_dict())
        return
    en = current_lang() == "en"
    m = result.meta
    out.print(t(
        f"[bold]Was wäre, wenn[/bold] ({m['kind'] or 'alle Angebote'}, Lebensphase "
        f"{m['life_phase']}, Ebene {m['level']})",
        f"[bold]What if[/bold] ({m['kind'] or 'all offers'}, life phase {m['life_phase']}, "
        f"level {m['level']})"))
    _plain(m["supply_label_en" if en else "supply_label_de"] + ".")
    for line in result.summary_en if en else result.summary_de:
        _plain(line)
    places = bool(m["places_known"])
    dec = 3 if places else 2
    cols = [t("Schlüssel", "key"), t("Gebiet", "area"),
            t("Kinder", "children"), t("Angebote vorher", "offers before"),
            t("nachher", "after")]
    if places:
        cols += [t("Plätze je Kind vorher", "places per child before"),
                 t("nachher", "after")]
    cols += [t("Erreichbarkeit vorher", "accessibility before"),
             t("nachher", "after"), t("Differenz", "change")]
    rows = result.table if show_all else result.changed()
    table = Table(*cols, title=None if show_all else t(
        f"{len(rows)} veränderte Gebiete (größte Änderung zuerst)",
        f"{len(rows)} changed units (largest change first)"))
    for r in rows.head(limit).to_dict("records"):
        cells = [str(r["unit_id"]), str(r["name"]), _num(r["children"], 0),
                 _num(r["offers_before"], 0), _num(r["offers_after"], 0)]
        if places:
            cells += [_num(r["places_per_child_before"], 3),
                      _num(r["places_per_child_after"], 3)]
        change = r["accessibility_change"]
        sign = "+" if change is not None and change == change and change > 0 else ""
        cells += [_num(r["accessibility_before"], dec), _num(r["accessibility_after"], dec),
                  sign + _num(change, dec)]
        table.add_row(*cells)
    out.print(table)
    if len(rows) > limit:
        out.print(t(f"  ... und {len(rows) - limit} weitere (alle mit -o oder "
                             "--json)", f"  ... and {len(rows) - limit} more (all with -o "
                             "or --json)"))
    _notes(result.notes)
    if output is not None:
        out.print(t(f"Ergebnis: {output}", f"Result: {output}"))


@chain_app.command("access")
def access(
    network: Annotated[Path, typer.Option(help="Straßennetz: OpenStreetMap (.osm.pbf) oder "
                                               "GraphML (.graphml).")],
    mode: Annotated[str, typer.Option(help="walk (zu Fuß), bike (Rad) oder drive "
                                           "(Auto).")] = "walk",
    level: Annotated[str | None, typer.Option(help="Ebene.")] = None,
    life_phase: Annotated[str, typer.Option(help="Lebensphase, z. B. 3-6.")] = "3-6",
    kind: Annotated[str, typer.Option(help="Art der Angebote ('alle' für alle).")] = "kita",
    radius: Annotated[float, typer.Option(help="Radius der 2SFCA in Metern (Luftlinie "
                                               "bzw. Weg im Netz).")] = 1500.0,
    demand: Annotated[str, typer.Option(help="Nachfragepunkte grid oder units.")] = "grid",
    cell: Annotated[float, typer.Option(help="Rasterweite in Metern.")] = 250.0,
    limit: Annotated[int, typer.Option(help="So viele Gebiete zeigen.")] = 20,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Tabelle (CSV/XLSX)."
                                                )] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON.")] = False,
) -> None:
    """Erreichbarkeit (2SFCA) über das Straßennetz neben der Luftlinie, je Gebiet.

    Beispiel: kekiz chain access --network koeln.osm.pbf --mode walk --kind kita
    """
    result = kekiz().chain.compare_access(network, mode, level, life_phase,
                                    kind=None if kind in ("alle", "all", "") else kind,
                                    radius=radius, demand=demand, cell=cell)
    if output is not None:
        from kekiz.services.chain_data import write_frame

        write_frame(result.table, output, current_lang())
    if as_json:
        _json_out(result.to_dict())
        return
    m = result.meta
    en = current_lang() == "en"
    dec = 3 if m["places_known"] else 2
    out.print(t(
        f"[bold]Erreichbarkeit im Straßennetz[/bold] ({m['kind'] or 'alle Angebote'}, "
        f"Lebensphase {m['life_phase']}, Ebene {m['level']})",
        f"[bold]Accessibility on the street network[/bold] ({m['kind'] or 'all offers'}, "
        f"life phase {m['life_phase']}, level {m['level']})"))
    _plain(t(f"Netz: {m['supply_label_de']}; Luftlinie: "
                  f"{m['supply_label_straight_de']}.",
                  f"Network: {m['supply_label_en']}; straight line: "
                  f"{m['supply_label_straight_en']}."))
    _plain(t(f"Kinder ohne erreichbares Angebot: {_num(m['children_without_straight'], 0)}"
                  f" (Luftlinie), {_num(m['children_without_network'], 0)} (Netz).",
                  f"Children without an offer in reach: "
                  f"{_num(m['children_without_straight'], 0)} (straight line), "
                  f"{_num(m['children_without_network'], 0)} (network)."))
    table = Table(t("Schlüssel", "key"), t("Gebiet", "area"),
                  t("Kinder", "children"), t("Angebote", "offers"),
                  t("Luftlinie", "straight line"), t("Netz", "network"),
                  t("Differenz", "change"),
                  title=t(f"Die {limit} Gebiete mit dem größten Unterschied",
                               f"The {limit} units with the largest difference"))
    rows = result.table.assign(_d=result.table["change"].abs()).sort_values(
        "_d", ascending=False, kind="mergesort")
    for r in rows.head(limit).to_dict("records"):
        table.add_row(str(r["unit_id"]), str(r["name"]), _num(r["children"], 0),
                      _num(r["offers"], 0), _num(r["accessibility_straight"], dec),
                      _num(r["accessibility_network"], dec), _num(r["change"], dec))
    out.print(table)
    _notes(result.notes)
    if en and output is not None:
        out.print(f"Result: {output}")
    elif output is not None:
        out.print(f"Ergebnis: {output}")
