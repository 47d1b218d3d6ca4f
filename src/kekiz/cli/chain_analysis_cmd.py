"""``kekiz chain matrix``, ``gaps``, ``sites``, ``what-if`` and ``access``: analyses of
the stored offers (issue #5); registered by :mod:`kekiz.cli.chain_cmd`."""


from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from kekiz.cli.context import current_lang, kekiz, num, out, print_json, print_notes, print_plain, t
from kekiz.domain.directory import Transition, sector_label
from kekiz.domain.model import LifePhase
from kekiz.i18n import fmt_number
from kekiz.services.chain import QUADRANTS, parse_change
from kekiz.services.chain_data import write_frame


def offer_kind(kind: str) -> str | None:
    """The ``--kind`` option as the services take it: "alle"/"all"/empty = every kind."""
    return None if kind in ("alle", "all", "") else kind


def deliver(result: Any, output: Path | None, as_json: bool) -> bool:
    """Write the result's table to ``output`` (if given) and print it as JSON (if asked);
    whether the command is done (JSON printed, nothing else to show)."""
    if output is not None:
        write_frame(result.table, output, current_lang())
    if as_json:
        print_json(result.to_dict())
    return as_json

if TYPE_CHECKING:
    pass

__all__ = ["chain_access", "chain_gaps", "chain_matrix", "chain_sites", "chain_what_if"]


def chain_matrix(
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
    lang = current_lang()
    result = kekiz().chain.matrix(unit, level)
    if as_json:
        print_json(result.to_dict())
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
                text = num(n, 0)
                cells.append(text if not s else f"{text} ({num(s, 0)} synth.)")
            table.add_row(name, *cells)
        out.print(table)
    gaps = result.matrix.gaps_text(result.unit_id, lang)
    for line in gaps[:limit]:
        print_plain(f"  - {line}")
    if len(gaps) > limit:
        out.print(t(f"  ... und {len(gaps) - limit} weitere leere Felder",
                             f"  ... and {len(gaps) - limit} more empty cells"))
    print_notes(result.notes)


def chain_gaps(
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
                          kind=offer_kind(kind), radius=radius,
                          **({"network": network, "mode": mode} if network else {}))
    if as_json:
        print_json(result.to_dict())
        return
    en = current_lang() == "en"
    info = result.need
    out.print(t(
        f"[bold]Bedarf und Angebot[/bold], Ebene {result.coverage.meta['level']}",
        f"[bold]Need and supply[/bold], level {result.coverage.meta['level']}"))
    print_plain(t(f"Bedarfsmaß: {info['name_de']} ({info['period']}) – {info['how_de']}.",
                  f"Need measure: {info['name_en']} ({info['period']}) – {info['how_en']}."))
    meta = result.coverage.meta
    print_plain(t(f"Angebotsmaß: {result.supply_label_de}; Kinder "
                  f"{meta['population_indicator']} {meta['period']}.",
                  f"Supply measure: {result.supply_label_en}; children "
                  f"{meta['population_indicator']} {meta['period']}."))
    print_notes(result.notes[2:])
    counts = result.result.table["quadrant"].value_counts()
    table = Table(t("Quadrant", "quadrant"), t("Gebiete", "units"))
    for key, (de, en_label) in QUADRANTS.items():
        table.add_row(en_label if en else de, num(int(counts.get(key, 0)), 0))
    out.print(table)
    rows = result.result.table if show_all else result.result.gaps()
    table = Table(t("Rang", "rank"), t("Gebiet", "area"),
                  t("Bedarf", "need"), t("Angebot", "supply"),
                  t("Quadrant", "quadrant"), t("Begründung", "reason"),
                  title=t("Lücken: hoher Bedarf, geringes Angebot (größte zuerst)",
                               "Gaps: high need, low supply (largest first)")
                  if not show_all else None)
    for r in rows.to_dict("records"):
        table.add_row(str(r["rank"]), str(r["name"]), num(r["need"], 1),
                      num(r["supply"], 2), QUADRANTS[r["quadrant"]][1 if en else 0],
                      str(r["reason_en" if en else "reason_de"]))
    out.print(table)


def chain_sites(
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
        print_json(result.to_dict())
        return
    m = result.meta
    before = m["mean_distance_before_m"]
    km_before = num(None if before is None else before / 1000, 2)
    out.print(t(
        f"[bold]{k} Standortvorschläge: {kind}[/bold] ({m['method']}, Kandidaten: "
        f"{m['candidates']}); mittlere Entfernung der Kinder unter 6 zum nächsten Angebot "
        f"{km_before} km → {num(m['mean_distance_after_m'] / 1000, 2)} km (Luftlinie)",
        f"[bold]{k} suggested sites: {kind}[/bold] ({m['method']}); mean distance of "
        f"children under 6 to the nearest offer {km_before} km → "
        f"{num(m['mean_distance_after_m'] / 1000, 2)} km (straight line)"))
    table = Table(t("Rang", "rank"), t("Gebiet", "area"),
                  t("Breite", "lat"), t("Länge", "lon"),
                  t("Kinder u6", "children <6"), t("Bedarf", "need"),
                  t("bisher (km)", "before (km)"),
                  t("neu nächstes für Kinder", "nearest for children"))
    for r in result.sites.to_dict("records"):
        table.add_row(str(r["rank"]), f"{r['name']} ({r['unit_id']})", num(r["lat"], 5),
                      num(r["lon"], 5), num(r["children"], 0), num(r["need"], 1),
                      num(r["distance_before_m"] / 1000, 2), num(r["children_served"], 0))
    out.print(table)
    for r in result.sites.to_dict("records"):
        print_plain(f"{r['rank']}. {r['reason_de']}")
    print_notes(result.notes)


def chain_what_if(
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
    changes = [*(parse_change("remove", x) for x in remove or []),
               *(parse_change("move", x) for x in move or []),
               *(parse_change("add", x) for x in add or [])]
    result = kekiz().chain.what_if(changes, level, life_phase,
                             kind=offer_kind(kind),
                             radius=radius, demand=demand, cell=cell, network=network,
                             mode=mode)
    if deliver(result, output, as_json):
        return
    _print_what_if(result, show_all, limit)
    print_notes(result.notes)
    if output is not None:
        out.print(t(f"Ergebnis: {output}", f"Result: {output}"))


def _print_what_if(result: Any, show_all: bool, limit: int) -> None:
    en = current_lang() == "en"
    m = result.meta
    out.print(t(
        f"[bold]Was wäre, wenn[/bold] ({m['kind'] or 'alle Angebote'}, Lebensphase "
        f"{m['life_phase']}, Ebene {m['level']})",
        f"[bold]What if[/bold] ({m['kind'] or 'all offers'}, life phase {m['life_phase']}, "
        f"level {m['level']})"))
    print_plain(m["supply_label_en" if en else "supply_label_de"] + ".")
    for line in result.summary_en if en else result.summary_de:
        print_plain(line)
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
        cells = [str(r["unit_id"]), str(r["name"]), num(r["children"], 0),
                 num(r["offers_before"], 0), num(r["offers_after"], 0)]
        if places:
            cells += [num(r["places_per_child_before"], 3),
                      num(r["places_per_child_after"], 3)]
        change = r["accessibility_change"]
        sign = "+" if change is not None and change == change and change > 0 else ""
        cells += [num(r["accessibility_before"], dec), num(r["accessibility_after"], dec),
                  sign + num(change, dec)]
        table.add_row(*cells)
    out.print(table)
    if len(rows) > limit:
        out.print(t(f"  ... und {len(rows) - limit} weitere (alle mit -o oder "
                             "--json)", f"  ... and {len(rows) - limit} more (all with -o "
                             "or --json)"))


def chain_access(
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
                                    kind=offer_kind(kind),
                                    radius=radius, demand=demand, cell=cell)
    if deliver(result, output, as_json):
        return
    m = result.meta
    en = current_lang() == "en"
    dec = 3 if m["places_known"] else 2
    out.print(t(
        f"[bold]Erreichbarkeit im Straßennetz[/bold] ({m['kind'] or 'alle Angebote'}, "
        f"Lebensphase {m['life_phase']}, Ebene {m['level']})",
        f"[bold]Accessibility on the street network[/bold] ({m['kind'] or 'all offers'}, "
        f"life phase {m['life_phase']}, level {m['level']})"))
    print_plain(t(f"Netz: {m['supply_label_de']}; Luftlinie: "
                  f"{m['supply_label_straight_de']}.",
                  f"Network: {m['supply_label_en']}; straight line: "
                  f"{m['supply_label_straight_en']}."))
    print_plain(t(f"Kinder ohne erreichbares Angebot: {num(m['children_without_straight'], 0)}"
                  f" (Luftlinie), {num(m['children_without_network'], 0)} (Netz).",
                  f"Children without an offer in reach: "
                  f"{num(m['children_without_straight'], 0)} (straight line), "
                  f"{num(m['children_without_network'], 0)} (network)."))
    table = Table(t("Schlüssel", "key"), t("Gebiet", "area"),
                  t("Kinder", "children"), t("Angebote", "offers"),
                  t("Luftlinie", "straight line"), t("Netz", "network"),
                  t("Differenz", "change"),
                  title=t(f"Die {limit} Gebiete mit dem größten Unterschied",
                               f"The {limit} units with the largest difference"))
    rows = result.table.assign(_d=result.table["change"].abs()).sort_values(
        "_d", ascending=False, kind="mergesort")
    for r in rows.head(limit).to_dict("records"):
        table.add_row(str(r["unit_id"]), str(r["name"]), num(r["children"], 0),
                      num(r["offers"], 0), num(r["accessibility_straight"], dec),
                      num(r["accessibility_network"], dec), num(r["change"], dec))
    out.print(table)
    print_notes(result.notes)
    if en and output is not None:
        out.print(f"Result: {output}")
    elif output is not None:
        out.print(f"Ergebnis: {output}")
