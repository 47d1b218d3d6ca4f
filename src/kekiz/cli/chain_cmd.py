"""``kekiz chain ...``: the prevention chain on files (issue #5).

Thin commands over the facade (:class:`kekiz.facade.prevention.PreventionJobs`, mixed
into :class:`kekiz.monitor.Monitor`); ``kekiz.cli.main`` is imported inside the commands
so that ``main`` can ``app.add_typer(chain_app, name="chain")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

if TYPE_CHECKING:
    from kekiz.facade.prevention import PreventionJobs

__all__ = ["chain_app"]

chain_app = typer.Typer(help="Präventionskette: Angebote prüfen, umwandeln, Abdeckung, "
                        "Familienwegweiser.", no_args_is_help=True)


def _jobs() -> PreventionJobs:
    from kekiz.cli import main as cli

    return cast("PreventionJobs", cli.monitor())


@chain_app.command("coverage")
def coverage(
    offers: Annotated[Path, typer.Option(help="Angebote: CSV/XLSX mit Koordinaten oder "
                                              "GeoJSON-Punkte.")],
    units: Annotated[Path, typer.Option(help="Gebiete: GeoJSON, GeoPackage oder "
                                             "Shapefile.")],
    unit_id: Annotated[str, typer.Option(help="Feld mit dem Gebietsschlüssel.")],
    population: Annotated[Path, typer.Option(help="Bevölkerung je Gebiet (CSV/XLSX).")],
    population_id: Annotated[str, typer.Option(help="Spalte mit dem Gebietsschlüssel.")],
    population_column: Annotated[str, typer.Option(help="Spalte mit der Zahl der Kinder.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Ergebnis (CSV/XLSX).")],
    lat: Annotated[str | None, typer.Option(help="Spalte der geogr. Breite (sonst "
                                                 "erkannt).")] = None,
    lon: Annotated[str | None, typer.Option(help="Spalte der geogr. Länge (sonst "
                                                 "erkannt).")] = None,
    capacity: Annotated[str | None, typer.Option(help="Spalte mit der Platzzahl (sonst "
                                                      "zählt jedes Angebot 1).")] = None,
) -> None:
    """Angebote und Plätze je Gebiet und je Kind (unit_id, offers, capacity, population,
    capacity_per_child).

    Beispiel: kekiz chain coverage --offers kitas.geojson --units stadtteile.geojson
    --unit-id STT_NR --population kinder.csv --population-id raum --population-column
    u6 -o abdeckung.csv
    """
    from kekiz.cli import main as cli
    from kekiz.cli.format import fmt_number

    frame = _jobs().chain_coverage(offers, units, unit_id=unit_id, population=population,
                                   population_id=population_id,
                                   population_column=population_column, out=output,
                                   lat=lat, lon=lon, capacity=capacity)
    lang = cli.state.lang or cli.monitor().lang
    n_off = int(frame["offers"].sum())
    cap = float(frame["capacity"].sum())
    pop = float(frame["population"].sum())
    ratio = fmt_number(cap / pop if pop else float("nan"), 3, lang)
    cli.out.print(cli._t(
        f"{fmt_number(n_off, 0)} Angebote mit {fmt_number(cap, 0)} Plätzen in "
        f"{len(frame)} Gebieten; {ratio} Plätze je Kind insgesamt. Ergebnis: {output}",
        f"{n_off:,} offers with {cap:,.0f} places in {len(frame)} units; {ratio} places "
        f"per child overall. Result: {output}"))
    for note in frame.attrs.get("notes", []):
        cli.out.print(f"  - {note}", markup=False, highlight=False)


@chain_app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="Angebote: CSV/XLSX, GeoJSON oder HSDS-JSON.")],
    kita: Annotated[bool, typer.Option(help="Kita-Liste: Lebensphasen 0–6, "
                                            "Jugendhilfe.")] = False,
) -> None:
    """Eine Angebotsdatei vollständig prüfen, ohne etwas zu speichern.

    Beispiel: kekiz chain check angebote.xlsx
    """
    from kekiz.cli import main as cli

    result = _jobs().load_directory(file, kita=kita)
    d = result.directory
    cli.out.print(cli._t(
        f"{file.name}: in Ordnung – {len(d.services)} Angebote, {len(d.organizations)} "
        f"Träger, {len(d.locations)} Orte",
        f"{file.name}: OK – {len(d.services)} services, {len(d.organizations)} "
        f"organisations, {len(d.locations)} locations"))
    for note in result.notes[:20]:
        cli.out.print(f"  - {note}", markup=False, highlight=False)


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
    from kekiz.cli import main as cli

    n = _jobs().directory_to_hsds(file, output, kita=kita, only_published=published,
                                  shape=shape)
    cli.out.print(cli._t(f"{n} Angebote nach {output} geschrieben (HSDS 3.0)",
                         f"{n} services written to {output} (HSDS 3.0)"))


@chain_app.command("find")
def find(
    file: Annotated[Path, typer.Argument(help="Angebote: CSV/XLSX, GeoJSON oder HSDS-JSON.")],
    age: Annotated[float | None, typer.Option(help="Alter des Kindes in Jahren, z. B. "
                                                   "2.5.")] = None,
    topic: Annotated[str | None, typer.Option(help="Thema, z. B. Sprachförderung.")] = None,
    near: Annotated[str | None, typer.Option(help="Ausgangspunkt BREITE,LÄNGE.")] = None,
    radius: Annotated[float | None, typer.Option(help="Umkreis in Metern.")] = None,
    limit: Annotated[int, typer.Option(help="Höchstens so viele Treffer.")] = 10,
) -> None:
    """Familienwegweiser: veröffentlichte Angebote finden.

    Beispiel: kekiz chain find angebote.json --age 2.5 --near 50.94,6.96 --radius 2000
    """
    from kekiz.cli import main as cli

    point = None
    if near:
        a, _, b = near.partition(",")
        point = (float(a), float(b))
    hits = _jobs().find_in_directory(file, age=age, topic=topic, near=point,
                                     radius_m=radius, limit=limit)
    lang = cli.state.lang or cli.monitor().lang
    for hit in hits:
        cli.out.print(f"{hit.rank}. {hit.text(lang)}", markup=False, highlight=False)
    if not hits:
        cli.out.print(cli._t("Keine passenden Angebote gefunden.", "No matching offers."))
