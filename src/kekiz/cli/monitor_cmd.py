"""``kekiz monitor ...`` and ``kekiz index mss``: socio-spatial monitoring (issue #3)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from kekiz.cli.context import current_lang, kekiz, num, out, print_json, t
from kekiz.cli.import_cmd import MissingOpt
from kekiz.cli.monitor_extra_cmd import monitor_index, monitor_typology
from kekiz.domain.missing import parse_missing
from kekiz.i18n import fmt_number
from kekiz.services.files import DYNAMICS_CLASSES, STATUS_CLASSES

if TYPE_CHECKING:
    from kekiz.services.derived import Derived

__all__ = ["index_app", "monitor_app"]

monitor_app = typer.Typer(help="Sozialräumliches Monitoring: Quoten, Klassen, LISA, Trends, "
                               "Prioritäten.", no_args_is_help=True)
index_app = typer.Typer(help="Indizes aus Dateien berechnen (ohne Store).", no_args_is_help=True)

SEED = 20120101
METHOD_NAMES = {"wilson": "Wilson", "clopper-pearson": "Clopper-Pearson",
                "phe": "Poisson (exakt/Byar)", "exact": "Poisson (exakt)",
                "byar": "Poisson (Byar)"}


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def _saved(result: Derived) -> None:
    ds = result.dataset
    if ds is None:
        return
    n = len(result.observations)
    out.print(t(
        f"Gespeichert: {fmt_number(n, 0)} Werte im Datensatz '{ds.name}' (Revision "
        f"{ds.revision}, ersetzt {fmt_number(result.replaced, 0)})",
        f"Stored: {n:,} values in dataset '{ds.name}' (revision {ds.revision}, replaced "
        f"{result.replaced:,})"))


# -- printing each kind of result ---------------------------------------------------------
def _print_rates(r: Derived, period: str | None, limit: int) -> None:
    s, en = r.summary, current_lang() == "en"
    dec = int(s.get("decimals", 1))
    status = ", ".join(f"{k} {fmt_number(v, 0, current_lang())}" for k, v in s["status"].items())
    periods = s["periods"]
    how = METHOD_NAMES.get(str(s["method"]), str(s["method"]))
    out.print(t(
        f"[bold]{s['name_de']}[/bold] ({s['indicator']}), Ebene {s['level']}: "
        f"{fmt_number(s['values'], 0)} Werte {periods[0]}–{periods[-1]}; "
        f"{how}-Intervall {num(s['confidence'] * 100, 0)} %; Status: {status}",
        f"[bold]{s['name_en']}[/bold] ({s['indicator']}), level {s['level']}: "
        f"{s['values']:,} values {periods[0]}–{periods[-1]}; {how} interval "
        f"{s['confidence'] * 100:.0f}%; status: {status}"))
    shown = str(period or periods[-1])
    rows = r.table[r.table["period"] == shown].sort_values("value", ascending=False,
                                                           na_position="last")
    table = Table(t("Schlüssel", "key"), t("Gebiet", "area"),
                  t("Wert", "value"), t("95-%-Intervall", "95% interval"),
                  t("Zähler", "numerator"), t("Nenner", "denominator"), "Status",
                  title=t(f"{shown}: die {limit} höchsten Werte",
                               f"{shown}: the {limit} highest values"))
    for row in rows.head(limit).to_dict("records"):
        table.add_row(row["unit_id"], str(row["name"]), num(row["value"], dec),
                      f"{num(row['lower'], dec)}–{num(row['upper'], dec)}",
                      num(row["numerator"], 0), num(row["denominator"], 0), row["status"])
    out.print(table)
    flagged = r.table[r.table["status"] != "ok"]
    if len(flagged):
        table = Table(t("Schlüssel", "key"), t("Gebiet", "area"),
                      t("Zeitraum", "period"), "Status", t("Grund", "reason"),
                      title=t("Fehlende und unsichere Werte",
                                   "Missing and unreliable values"))
        for row in flagged.head(limit).to_dict("records"):
            table.add_row(row["unit_id"], str(row["name"]), row["period"], row["status"],
                          str(row["reason_en" if en else "reason"]))
        out.print(table)
        if len(flagged) > limit:
            out.print(t(f"  ... und {len(flagged) - limit} weitere",
                                 f"  ... and {len(flagged) - limit} more"))
    _saved(r)


def _print_classes(r: Derived) -> None:
    s, en = r.summary, current_lang() == "en"
    out.print(t(
        f"[bold]Klassen: {s['name_de']}[/bold] ({s['indicator']}), Ebene {s['level']}, "
        f"{s['period']}, Verfahren {s['method']}",
        f"[bold]Classes: {s['name_en']}[/bold] ({s['indicator']}), level {s['level']}, "
        f"{s['period']}, method {s['method']}"))
    table = Table(t("Klasse", "class"), t("Wertebereich", "range"),
                  t("Gebiete", "areas"))
    for item in s["legend"]:
        table.add_row(str(item["class"]), item["label_en" if en else "label"],
                      fmt_number(item["count"], 0, current_lang()))
    out.print(table)
    for note in s["notes_en" if en else "notes"]:
        out.print(f"  - {note}")
    _saved(r)


def _print_lisa(r: Derived, limit: int) -> None:
    s, en = r.summary, current_lang() == "en"
    fdr = t(", FDR-korrigiert", ", FDR-adjusted") if s["fdr"] else ""
    out.print(t(
        f"[bold]LISA-Cluster: {s['name_de']}[/bold] ({s['indicator']}), Ebene {s['level']}, "
        f"{s['period']}: Moran's I = {num(s['moran_I'], 3)} (z = {num(s['moran_z'], 2)}); "
        f"{fmt_number(s['permutations'], 0)} Permutationen, Startwert {s['seed']}, "
        f"α = {num(s['alpha'], 2)}{fdr}",
        f"[bold]LISA clusters: {s['name_en']}[/bold] ({s['indicator']}), level {s['level']}, "
        f"{s['period']}: Moran's I = {num(s['moran_I'], 3)} (z = {num(s['moran_z'], 2)}); "
        f"{s['permutations']:,} permutations, seed {s['seed']}, α = {num(s['alpha'], 2)}{fdr}"))
    out.print("  " + str(s["weights_en" if en else "weights"]))
    from kekiz.services.monitoring import LISA_CODES

    counts = Table("Cluster", t("Gebiete", "areas"))
    for code, (key, de, en_label) in LISA_CODES.items():
        n = s["counts"].get(key, 0)
        if n or code in (0, 1, 2):
            counts.add_row(f"{en_label if en else de}", fmt_number(n, 0, current_lang()))
    out.print(counts)
    hot = r.table[r.table["code"].isin([1, 2])].sort_values(["code", "I"],
                                                             ascending=[True, False])
    if len(hot):
        table = Table(t("Schlüssel", "key"), t("Gebiet", "area"),
                      t("Wert", "value"), "Cluster", "I", "p",
                      title=t("Gebiete in Hot und Cold Spots", "Areas in hot and cold spots"))
        for row in hot.head(limit).to_dict("records"):
            p = row["p_fdr"] if s["fdr"] else row["p_sim"]
            table.add_row(row["unit_id"], str(row["name"]), num(row["value"], 3),
                          str(row["cluster_en" if en else "cluster"]), num(row["I"], 2),
                          num(p, 3))
        out.print(table)
    _saved(r)


def _print_trend(r: Derived, limit: int) -> None:
    s, en = r.summary, current_lang() == "en"
    dec = int(s.get("decimals", 1))
    dyn = ", ".join(f"{k} {v}" for k, v in s["dynamics_en" if en else "dynamics"].items())
    out.print(t(
        f"[bold]Trend: {s['name_de']}[/bold] ({s['indicator']}), Ebene {s['level']}, "
        f"{s['since']}–{s['until']}: Veränderung im Mittel {num(s['mean_change'], dec)}; "
        f"gestiegen in {s['increased']}, gesunken in {s['decreased']} Gebieten; "
        f"Gebietsänderungen: {s['broken']}" + (f"; Dynamik: {dyn}" if dyn else ""),
        f"[bold]Trend: {s['name_en']}[/bold] ({s['indicator']}), level {s['level']}, "
        f"{s['since']}–{s['until']}: mean change {num(s['mean_change'], dec)}; "
        f"increased in {s['increased']}, decreased in {s['decreased']} areas; boundary "
        f"changes: {s['broken']}" + (f"; dynamics: {dyn}" if dyn else "")))
    rows = r.table.sort_values("change", ascending=False, na_position="last")
    table = Table(t("Schlüssel", "key"), t("Gebiet", "area"), str(s["since"]),
                  str(s["until"]), t("Veränderung", "change"),
                  t("Trend/Jahr", "trend/year"), t("Dynamik", "dynamics"),
                  title=t(f"Die {limit} stärksten Anstiege",
                               f"The {limit} largest increases"))
    for row in rows.head(limit).to_dict("records"):
        mark = t(" (Bruch)", " (break)") if row["broken"] else ""
        table.add_row(row["unit_id"], str(row["name"]) + mark, num(row["value_since"], dec),
                      num(row["value_until"], dec), num(row["change"], dec),
                      num(row["slope"], dec + 1),
                      str(row["dynamics_en" if en else "dynamics"] or "–"))
    out.print(table)
    _saved(r)


def _print_priority(r: Derived, limit: int) -> None:
    s, en = r.summary, current_lang() == "en"
    out.print(t(
        f"[bold]Prioritäre Gebiete: {s['name_de']}[/bold], Ebene {s['level']}, {s['period']}: "
        f"{s['priority']} von {s['units']} Gebieten",
        f"[bold]Priority areas: {s['name_en']}[/bold], level {s['level']}, {s['period']}: "
        f"{s['priority']} of {s['units']} areas"))
    out.print(str(s["rule_en" if en else "rule"]), markup=False)
    for row in r.table.head(limit).to_dict("records"):
        flag = t("prioritär", "priority") if row["priority"] else t(
            "nicht prioritär", "not a priority")
        out.print(t(
            f"{row['rank']}. [bold]{row['name']}[/bold] ({row['unit_id']}): "
            f"{num(row['score'], 1)} Punkte, {flag}",
            f"{row['rank']}. [bold]{row['name']}[/bold] ({row['unit_id']}): "
            f"{num(row['score'], 1)} points, {flag}"))
        for reason in str(row["reasons_en" if en else "reasons"]).split("; "):
            out.print(f"     - {reason}", markup=False)
    _saved(r)


def _print(result: Derived, limit: int, period: str | None = None) -> None:
    if result.kind == "rates":
        _print_rates(result, period, limit)
    elif result.kind == "classes":
        _print_classes(result)
    elif result.kind == "lisa":
        _print_lisa(result, limit)
    elif result.kind == "trend":
        _print_trend(result, limit)
    elif result.kind == "priority":
        _print_priority(result, limit)
    else:
        s = result.summary
        out.print(f"{result.kind}: {result.indicator_id} ({result.level}), "
                         f"{s.get('values', len(result.observations))}")
        _saved(result)


# -- commands -------------------------------------------------------------------------------
Limit = Annotated[int, typer.Option(help="Höchstens so viele Zeilen je Tabelle zeigen.")]
AsJson = Annotated[bool, typer.Option("--json", help="Ergebnis als JSON.")]
Children = Annotated[str | None, typer.Option(
    help="Indikator der Kinderzahl je Gebiet für die Prioritäten (sonst einwohner_u18 oder "
         "die Altersgruppen einwohner_u3 ... einwohner_15_18).")]


@monitor_app.command("rates")
def rates(
    level: Annotated[str, typer.Option(help="Ebene, z. B. gemeinde, kreis, stadtteil.")],
    indicator: Annotated[str | None, typer.Option(
        "--id", "--indicator", help="ID der abgeleiteten Quote, z. B. anteil_u18 oder "
        "arbeitslosenanteil (sonst aus Zähler und Nenner gebildet).")] = None,
    name_de: Annotated[str | None, typer.Option(
        "--name-de", help="Name der neuen Quote, z. B. \"Anteil unter 18 Jahren\".")] = None,
    name_en: Annotated[str | None, typer.Option(
        "--name-en", help="Englischer Name der neuen Quote.")] = None,
    numerator: Annotated[str | None, typer.Option(
        help="Zähler-Indikator(en), mehrere mit '+' (sonst aus der Indikatordefinition).")]
    = None,
    denominator: Annotated[str | None, typer.Option(help="Nenner-Indikator.")] = None,
    kind: Annotated[str, typer.Option(help="share (Anteil, Wilson) oder rate (Rate, "
                                           "Poisson).")] = "share",
    multiplier: Annotated[float | None, typer.Option(help="Je 100 (Standard für Anteile) "
                                                          "oder je 1.000 ...")] = None,
    min_denominator: Annotated[float, typer.Option(
        help="Werte mit kleinerem Nenner gelten als unsicher.")] = 30,
    smooth: Annotated[str | None, typer.Option(
        help="Zusätzlich glätten: binomial_eb, global_eb oder local_eb.")] = None,
    period: Annotated[str | None, typer.Option(help="Diesen Zeitraum zeigen (gespeichert "
                                                    "werden alle).")] = None,
    limit: Limit = 15,
    as_json: AsJson = False,
) -> None:
    """Quote mit Konfidenzintervall und Verlässlichkeit ableiten.

    Gespeichert werden alle Zeiträume; Werte mit Nenner 0 als 'missing' mit Grund.

    Beispiel: kekiz monitor rates --id anteil_u18 --name-de "Anteil unter 18 Jahren"
    --numerator einwohner_u3+einwohner_3_6 --denominator einwohner --level stadtteil
    """
    results = kekiz().monitoring.derive_rate(
        indicator, numerator, denominator, level, kind=kind, multiplier=multiplier,
        min_denominator=min_denominator, smooth=smooth, name_de=name_de, name_en=name_en)
    if as_json:
        print_json([r.to_dict() for r in results])
        return
    for r in results:
        _print(r, limit, period)


@monitor_app.command("classes")
def classes(
    indicator: Annotated[str, typer.Option(help="Indikator, z. B. gisd_score.")],
    level: Annotated[str, typer.Option(help="Ebene, z. B. gemeinde.")],
    period: Annotated[str | None, typer.Option(help="Zeitraum (sonst der neueste).")] = None,
    method: Annotated[str, typer.Option(
        help="quantile9 (Quantile nach R-Typ 9 wie der GISD), quantiles, fisher_jenks, "
             "equal_interval, std_mean oder manual.")] = "quantile9",
    k: Annotated[int, typer.Option("--k", help="Anzahl der Klassen.")] = 5,
    breaks: Annotated[str | None, typer.Option(help="Grenzen für manual: 0.2,0.4,...")]
    = None,
    as_json: AsJson = False,
) -> None:
    """Kartenklassen eines Indikators bilden, etwa GISD-Quintile.

    Gespeichert als Indikator <indikator>_klasse (1 = niedrigste Werte).

    Beispiel: kekiz monitor classes --indicator gisd_score --level gemeinde --period 2021
    """
    cuts = [float(b) for b in _split(breaks)] or None
    result = kekiz().monitoring.classify(indicator, level, period, method, k, breaks=cuts)
    if as_json:
        print_json(result.to_dict())
        return
    _print(result, 0)


@monitor_app.command("lisa")
def lisa(
    indicator: Annotated[str, typer.Option(help="Indikator, z. B. gisd_score.")],
    level: Annotated[str, typer.Option(help="Ebene, z. B. gemeinde.")],
    period: Annotated[str | None, typer.Option(help="Zeitraum (sonst der neueste).")] = None,
    permutations: Annotated[int, typer.Option(help="Anzahl der Permutationen.")] = 999,
    seed: Annotated[int, typer.Option(help="Startwert des Zufallsgenerators.")] = SEED,
    fdr: Annotated[bool, typer.Option(help="p-Werte nach Benjamini-Hochberg (FDR) "
                                           "korrigieren.")] = False,
    alpha: Annotated[float, typer.Option(help="Signifikanzniveau.")] = 0.05,
    weights: Annotated[str, typer.Option(help="queen, rook oder distance.")] = "queen",
    threshold: Annotated[float | None, typer.Option(
        help="Abstandsband in Metern (nur für distance).")] = None,
    limit: Limit = 15,
    as_json: AsJson = False,
) -> None:
    """Lokale Cluster (LISA) und Moran's I berechnen.

    Gespeichert als <indikator>_lisa: 0 nicht signifikant, 1 Hoch-Hoch, 2 Niedrig-Niedrig,
    3 Hoch-Niedrig, 4 Niedrig-Hoch, 9 ohne Nachbarn.

    Beispiel: kekiz monitor lisa --indicator gisd_score --level gemeinde --period 2021
    """
    result = kekiz().monitoring.lisa(indicator, level, period, permutations=permutations,
                                   seed=seed, fdr=fdr, alpha=alpha, weights=weights,
                                   threshold=threshold)
    if as_json:
        print_json(result.to_dict())
        return
    _print(result, limit)


@monitor_app.command("trend")
def trend(
    indicator: Annotated[str, typer.Option(help="Indikator, z. B. gisd_score.")],
    level: Annotated[str, typer.Option(help="Ebene, z. B. kreis.")],
    since: Annotated[int | None, typer.Option(help="Startjahr (sonst das erste).")] = None,
    until: Annotated[int | None, typer.Option(help="Endjahr (sonst das letzte).")] = None,
    limit: Limit = 15,
    as_json: AsJson = False,
) -> None:
    """Veränderung, Trend und Dynamik seit einem Startjahr.

    Gespeichert als <indikator>_veraenderung, _trend (je Jahr, 95-%-Intervall) und
    _dynamik; Gebietsänderungen werden markiert.

    Beispiel: kekiz monitor trend --indicator gisd_score --level kreis --since 2012
    """
    result = kekiz().monitoring.trend(indicator, level, since, until)
    if as_json:
        print_json(result.to_dict())
        return
    _print(result, limit)


@monitor_app.command("priority")
def priority(
    level: Annotated[str, typer.Option(help="Ebene, z. B. gemeinde.")],
    score: Annotated[str, typer.Option(help="Indikator für den Status, z. B. "
                                            "gisd_score.")] = "gisd_score",
    period: Annotated[str | None, typer.Option(help="Zeitraum (sonst der neueste).")] = None,
    since: Annotated[int | None, typer.Option(help="Startjahr der Dynamik.")] = None,
    permutations: Annotated[int, typer.Option(help="Permutationen für LISA.")] = 999,
    seed: Annotated[int, typer.Option(help="Startwert des Zufallsgenerators.")] = SEED,
    fdr: Annotated[bool, typer.Option(help="LISA mit FDR-Korrektur.")] = False,
    min_score: Annotated[float, typer.Option(help="Punkte ab denen ein Gebiet prioritär "
                                                  "ist.")] = 4.0,
    children: Children = None,
    limit: Limit = 15,
    as_json: AsJson = False,
) -> None:
    """Prioritäre Gebiete mit Begründung.

    Punkte für Status, Dynamik, Hot Spots und betroffene Kinder; gespeichert als
    <indikator>_prioritaet mit Rang und Begründung.

    Beispiel: kekiz monitor priority --level gemeinde --since 2012
    """
    result = kekiz().monitoring.priority(level, score, period, since, permutations=permutations,
                                       seed=seed, fdr=fdr, min_score=min_score,
                                       children=children)
    if as_json:
        print_json(result.to_dict())
        return
    _print(result, limit)


@monitor_app.command("run")
def run(
    level: Annotated[str, typer.Option(help="Ebene, z. B. gemeinde, kreis, stadtteil.")],
    score: Annotated[str | None, typer.Option(
        help="Indikator für Klassen, LISA, Trend und Prioritäten (sonst gisd_score oder "
             "der eine Index der Ebene).")] = None,
    period: Annotated[str | None, typer.Option(help="Zeitraum (sonst der neueste).")] = None,
    since: Annotated[int | None, typer.Option(help="Startjahr des Trends.")] = None,
    permutations: Annotated[int, typer.Option(help="Permutationen für LISA.")] = 999,
    seed: Annotated[int, typer.Option(help="Startwert des Zufallsgenerators.")] = SEED,
    fdr: Annotated[bool, typer.Option(help="LISA mit FDR-Korrektur.")] = False,
    children: Children = None,
    limit: Limit = 10,
    as_json: AsJson = False,
) -> None:
    """Das ganze Monitoring einer Ebene rechnen.

    Quoten, Klassen, LISA, Trend und Prioritäten, gespeichert in einer Transaktion.

    Beispiel: kekiz monitor run --level gemeinde --since 2012
    """
    result = kekiz().monitoring.run_monitoring(level, score=score, period=period, since=since,
                                          permutations=permutations, seed=seed, fdr=fdr,
                                          children=children)
    if as_json:
        print_json(result.to_dict())
        return
    out.print(t(f"[bold]Monitoring der Ebene {level}[/bold]",
                         f"[bold]Monitoring of level {level}[/bold]"))
    for item in result.results:
        out.rule()
        _print(item, limit)
    notes = result.notes_en if current_lang() == "en" else result.notes
    for note in notes:
        out.print(f"  - {note}")


@index_app.command("mss")
def index_mss(
    file: Annotated[Path, typer.Argument(help="CSV/XLSX mit einer Zeile je Gebiet.")],
    id_col: Annotated[str, typer.Option("--id", help="Spalte mit dem Gebietsschlüssel.")],
    status: Annotated[str, typer.Option(help="Statusanteile (in %): SPALTE,SPALTE,...")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Ergebnis (CSV oder XLSX).")],
    population: Annotated[str | None, typer.Option(help="Spalte mit der Einwohnerzahl.")]
    = None,
    dynamics: Annotated[str | None, typer.Option(
        help="Veränderungen der Anteile (Dynamik): SPALTE,SPALTE,...")] = None,
    min_population: Annotated[float | None, typer.Option(
        help="Gebiete mit weniger Einwohnern ausschließen (Standard 300).")] = None,
    exclude: Annotated[str | None, typer.Option(help="Gebiete ausschließen: ID,ID,...")] = None,
    sheet: Annotated[str | None, typer.Option(help="Tabellenblatt (XLSX).")] = None,
    missing: MissingOpt = None,
    as_json: AsJson = False,
) -> None:
    """Status- und Dynamikindex (Berliner MSS) aus einer Datei.

    Schreibt id, status_index, status_class (1 hoch, 2 mittel, 3 niedrig, 4 sehr niedrig),
    dynamics_index, dynamics_class (1 positiv, 2 stabil, 3 negativ) und die z-Werte.

    Beispiel: kekiz index mss plr.csv --id id --population ew --status s1,s2,s3,s4
    --dynamics d1,d2,d3,d4 -o mss.csv
    """
    result = kekiz().files.mss_file(file, id_col=id_col, status=_split(status),
                                    dynamics=_split(dynamics), population=population,
                                    min_population=min_population, exclude=_split(exclude),
                                    out=output, sheet=sheet,
                                    missing=parse_missing(missing))
    if as_json:
        print_json(result.to_dict())
        return
    en = current_lang() == "en"
    n, gone = len(result.table), len(result.excluded)
    out.print(t(f"{fmt_number(n, 0)} Gebiete, davon {gone} ausgeschlossen",
                f"{n:,} areas, {gone} excluded"))
    for note in (result.notes_en if en else result.notes):
        out.print(f"  - {note}", markup=False, highlight=False)

    table = Table(t("Index", "index"), t("Klasse", "class"),
                  t("Gebiete", "areas"))
    for c, cnt in result.status_counts.items():
        table.add_row("Status", f"{c} {STATUS_CLASSES[c][1 if en else 0]}",
                      fmt_number(cnt, 0, current_lang()))
    for c, cnt in result.dynamics_counts.items():
        table.add_row(t("Dynamik", "dynamics"), f"{c} {DYNAMICS_CLASSES[c][1 if en else 0]}",
                      fmt_number(cnt, 0, current_lang()))
    out.print(table)
    for item in result.excluded[:20]:
        out.print(f"  - {item['id']}: {item['reason_en' if en else 'reason']}", markup=False)
    if gone > 20:
        out.print(t(f"  ... und {gone - 20} weitere", f"  ... and {gone - 20} more"))
    out.print(t(f"Ergebnis: {output}", f"Result: {output}"))


monitor_app.command("index")(monitor_index)
monitor_app.command("typology")(monitor_typology)
