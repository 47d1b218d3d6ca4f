"""The ``kekiz`` command line: thin commands over :class:`kekiz.monitor.Monitor`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from kekiz.cli.format import fmt_number
from kekiz.domain.errors import ImportFailed, KekizError
from kekiz.ingest.boundaries import BoundaryOptions
from kekiz.ingest.indicators import IndicatorOptions
from kekiz.monitor import Monitor
from kekiz.settings import load_settings

__all__ = ["app", "run"]

app = typer.Typer(help="kekiz — Kein Kind zurücklassen!: Monitoring, Präventionskette, Leitbild.",
                  no_args_is_help=True, add_completion=False, rich_markup_mode=None)
import_app = typer.Typer(help="Dateien importieren (Grenzen, Indikatortabellen).",
                         no_args_is_help=True)
app.add_typer(import_app, name="import")
evaluate_app = typer.Typer(help="Wirkungen evaluieren (Differenz-von-Differenzen).",
                           no_args_is_help=True)
app.add_typer(evaluate_app, name="evaluate")
privacy_app = typer.Typer(help="Geheimhaltung (statistische Geheimhaltung von Tabellen).",
                          no_args_is_help=True)
app.add_typer(privacy_app, name="privacy")
from kekiz.cli.chain_cmd import chain_app  # noqa: E402
from kekiz.cli.serve_cmd import serve  # noqa: E402

app.command("serve")(serve)

app.add_typer(chain_app, name="chain")
network_app = typer.Typer(help="Landesnetzwerk: Mitglieder, Reichweite.", no_args_is_help=True)
app.add_typer(network_app, name="network")
from kekiz.cli.goals_cmd import coop_app, goals_app  # noqa: E402

app.add_typer(coop_app, name="coop")
app.add_typer(goals_app, name="goals")
from kekiz.cli.records_cmd import records_app  # noqa: E402

app.add_typer(records_app, name="records")
from kekiz.cli.admin_cmd import admin_app  # noqa: E402

app.add_typer(admin_app, name="admin")
import kekiz.cli.monitor_extra_cmd  # noqa: E402,F401  (monitor index, monitor typology)
from kekiz.cli.monitor_cmd import index_app, monitor_app  # noqa: E402

app.add_typer(monitor_app, name="monitor")
app.add_typer(index_app, name="index")
from kekiz.cli.report_cmd import report, report_batch  # noqa: E402

app.command("report")(report)
app.command("report-batch")(report_batch)

out = Console()
err = Console(stderr=True)


class _State:
    store: str | None = None
    lang: str | None = None
    monitor: Monitor | None = None


state = _State()


def monitor() -> Monitor:
    if state.monitor is None:
        state.monitor = Monitor(load_settings({"store": state.store, "lang": state.lang}))
    return state.monitor


def _t(de: str, en: str) -> str:
    return en if (state.lang or monitor().lang) == "en" else de


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    bar = Progress(TextColumn("{task.description}"), BarColumn(),
                   TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                   console=err, transient=True, disable=not err.is_terminal)
    tasks: dict[str, TaskID] = {}

    def update(task: str, done: int, total: int) -> None:
        if task not in tasks:
            tasks[task] = bar.add_task(task, total=max(total, 1))
        bar.update(tasks[task], completed=done, total=max(total, 1))

    with bar:
        yield update


@app.callback()
def main(
    store: Annotated[str | None, typer.Option(
        "--store", help="Store-Adresse (sonst KEKIZ_STORE oder sqlite:///kekiz.db).")] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="Sprache: de (Standard) oder en.")] = None,
) -> None:
    """kekiz: sozialräumliches Monitoring für Kommunen.

    Beispiel: kekiz --store sqlite:///kekiz.db demo
    """
    state.store, state.lang, state.monitor = store, lang, None


@app.command()
def init(upgrade: Annotated[bool, typer.Option(help="Schema eines älteren Stores "
                                                    "aktualisieren.")] = False) -> None:
    """Store anlegen (oder mit --upgrade aktualisieren).

    Beispiel: kekiz --store sqlite:///kekiz.db init
    """
    version = monitor().init(upgrade=upgrade)
    out.print(_t(f"Store bereit: {monitor().store.safe_url()} (Schema {version})",
                 f"Store ready: {monitor().store.safe_url()} (schema {version})"))


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for v in values or []:
        if "=" not in v:
            raise KekizError(f"{option} '{v}': erwartet NAME=WERT.",
                             message_en=f"{option} '{v}': expected NAME=VALUE.")
        k, _, val = v.partition("=")
        result[k.strip()] = val.strip()
    return result


@import_app.command("boundaries")
def import_boundaries(
    file: Annotated[Path, typer.Argument(help="GeoJSON, GeoPackage, Shapefile oder ZIP.")],
    level: Annotated[str, typer.Option(help="Ebene, z. B. gemeinde, stadtteil.")],
    id_field: Annotated[str, typer.Option(help="Feld mit dem Gebietsschlüssel.")],
    name_field: Annotated[str, typer.Option(help="Feld mit dem Gebietsnamen.")],
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
                           key_fields=_pairs(key, "--key"))
    with progress_bar() as bar:
        result = monitor().import_boundaries(file, opts, dataset=dataset, licence=licence,
                                             source=source, progress=bar)
    _report_import(result.count, result.dataset.name, result.dataset.revision, result.notes,
                   _t("Gebiete", "units"))


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
) -> None:
    """Indikatortabelle importieren (CSV/XLSX; Semikolon, Dezimalkomma, Windows-1252).

    Beispiel: kekiz import indicators sgb2.csv --level stadtteil --key raum_id
    --period 2021
    """
    filt_col, filt_vals = None, []
    if where:
        filt_col, _, vals = where.partition("=")
        filt_vals = [v.strip() for v in vals.split(",")]
    opts = IndicatorOptions(level=level, key_column=key, period_column=period_column,
                            period=period, indicator=indicator,
                            columns=_pairs(column, "--column"), id_prefix=id_prefix,
                            filter_column=filt_col, filter_values=filt_vals,
                            key_map=_pairs(key_map, "--key-map"),
                            indicator_column=indicator_column)
    meta: dict[str, Any] = {"name_de": name_de, "name_en": name_en, "unit": unit,
                            "polarity": polarity, "aggregation": aggregation}
    with progress_bar() as bar:
        result = monitor().import_indicators(file, opts, dataset=dataset, licence=licence,
                                             source=source, encoding=encoding, separator=sep,
                                             sheet=sheet, metadata=meta, progress=bar)
    _report_import(result.count, result.dataset.name, result.dataset.revision, result.notes,
                   _t("Werte", "values"))


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
    result = monitor().import_members(
        file, programme, dataset=dataset, source=source,
        joined=date(int(joined), 1, 1) if joined and joined.isdigit() else
        (date.fromisoformat(joined) if joined else None))
    _report_import(result.count, result.dataset.name, result.dataset.revision, result.notes,
                   _t("Mitglieder", "members"))


@import_app.command("funding")
def import_funding(
    file: Annotated[Path, typer.Argument(help="CSV/XLSX mit ags, jahr, quelle, betrag.")],
    programme: Annotated[str, typer.Option(help="Programm.")] = "Kein Kind zurücklassen!",
    source: Annotated[str, typer.Option(help="Quelle.")] = "",
) -> None:
    """Förderbuchungen der Mitgliedskommunen importieren (ersetzt das bisherige Ledger).

    Beispiel: kekiz import funding foerderung.csv --programme "Kein Kind zurücklassen!"
    """
    n = monitor().import_funding(file, programme, source)
    out.print(_t(f"{fmt_number(n, 0)} Förderbuchungen importiert",
                 f"{n:,} funding entries imported"))


@app.command()
def members(programme: Annotated[str | None, typer.Option(help="Nur dieses "
                                                                "Programm.")] = None) -> None:
    """Mitgliedskommunen des Landesnetzwerks auflisten.

    Beispiel: kekiz members --programme "Kein Kind zurücklassen!"
    """
    rows = monitor().store.members(programme)
    table = Table(_t("Schlüssel", "key"), _t("Kommune", "municipality"),
                  _t("Programm", "programme"), _t("Beitritt", "joined"),
                  _t("Austritt", "left"))
    for m in rows:
        table.add_row(m.unit_id, m.name, m.programme, m.joined.strftime("%d.%m.%Y"),
                      m.left.strftime("%d.%m.%Y") if m.left else "")
    out.print(table)
    out.print(_t(f"{len(rows)} Mitglieder", f"{len(rows)} members"))


def _report_import(count: int, name: str, revision: int, notes: list[str], what: str) -> None:
    out.print(_t(f"{fmt_number(count, 0)} {what} importiert: {name} (Revision {revision})",
                 f"{count:,} {what} imported: {name} (revision {revision})"))
    for note in notes[:20]:
        out.print(f"  - {note}")
    if len(notes) > 20:
        out.print(_t(f"  ... und {len(notes) - 20} weitere Hinweise",
                     f"  ... and {len(notes) - 20} more notes"))


@app.command()
def aggregate(indicator: Annotated[list[str] | None, typer.Option(
        help="Nur diese Indikatoren.")] = None) -> None:
    """Zählwerte und Quoten entlang der Gebietshierarchie nach oben aggregieren.

    Beispiel: kekiz aggregate --indicator einwohner
    """
    with progress_bar() as bar:
        written = monitor().aggregate(indicator, progress=bar)
    for ind, n in sorted(written.items()):
        out.print(_t(f"{ind}: {fmt_number(n, 0)} Werte aggregiert",
                     f"{ind}: {n:,} values aggregated"))
    if not written:
        out.print(_t("Nichts zu aggregieren.", "Nothing to aggregate."))


@app.command()
def units(level: Annotated[str | None, typer.Option(help="Nur diese Ebene.")] = None) -> None:
    """Gebiete auflisten.

    Beispiel: kekiz units --level stadtbezirk
    """
    rows = monitor().store.units(level=level)
    table = Table(_t("Schlüssel", "key"), _t("Name", "name"), _t("Ebene", "level"),
                  _t("Elterngebiet", "parent"))
    for u in rows:
        table.add_row(u.id, u.name, u.level, u.parent_id or "")
    out.print(table)
    out.print(_t(f"{fmt_number(len(rows), 0)} Gebiete", f"{len(rows):,} units"))


@app.command()
def indicators() -> None:
    """Indikatoren mit Zeiträumen auflisten.

    Beispiel: kekiz indicators
    """
    m = monitor()
    periods = m.store.periods()
    table = Table("ID", _t("Name", "name"), _t("Einheit", "unit"), _t("Zeiträume", "periods"))
    for i in m.store.indicators():
        ps = periods.get(i.id, [])
        span = f"{ps[0]}–{ps[-1]} ({len(ps)})" if ps else "–"
        table.add_row(i.id, i.name_de if m.lang == "de" else i.name_en, i.unit, span)
    out.print(table)


@app.command()
def show(unit_id: Annotated[str, typer.Argument(help="Gebietsschlüssel.")],
         indicator: Annotated[str | None, typer.Option(help="Nur dieser Indikator.")] = None,
         period: Annotated[str | None, typer.Option(help="Nur dieser Zeitraum.")] = None
         ) -> None:
    """Werte eines Gebiets zeigen.

    Beispiel: kekiz show 05315000 --indicator gisd_score
    """
    m = monitor()
    u = m.store.unit(unit_id)
    frame = m.values(unit_id, indicator, period)
    out.print(f"[bold]{u.name}[/bold] ({u.id}, {u.level})")
    table = Table(_t("Indikator", "indicator"), _t("Zeitraum", "period"), _t("Wert", "value"),
                  _t("Einheit", "unit"), "Status")
    for r in frame.to_dict("records"):
        value = "." if r["status"] == "suppressed" else fmt_number(
            r["value"], int(r["decimals"]), m.lang)
        table.add_row(str(r["indicator"]), str(r["period"]), value, str(r["unit"]),
                      str(r["status"]))
    out.print(table)


@app.command()
def export(output: Annotated[Path, typer.Option("-o", "--output", help="Zieldatei.")],
           format: Annotated[str | None, typer.Option(
               help="csv, xlsx, geojson oder gpkg (sonst aus der Endung).")] = None,
           indicator: Annotated[str | None, typer.Option(help="Nur dieser Indikator.")] = None,
           level: Annotated[str | None, typer.Option(help="Nur diese Ebene.")] = None,
           period: Annotated[str | None, typer.Option(help="Nur dieser Zeitraum.")] = None
           ) -> None:
    """Werte exportieren: CSV (Excel, deutsch), XLSX, GeoJSON, GeoPackage.

    Beispiel: kekiz export -o gisd.xlsx --indicator gisd_score --level gemeinde
    """
    n = monitor().export(output, fmt=format, indicator_id=indicator, level=level,
                         period=period)
    out.print(_t(f"{fmt_number(n, 0)} Zeilen nach {output} geschrieben",
                 f"{n:,} rows written to {output}"))


@app.command()
def demo(as_json: Annotated[bool, typer.Option("--json", help="Zusammenfassung als "
                                                              "JSON.")] = False) -> None:
    """Demo-Store aus den mitgelieferten echten Daten (NRW, Köln) aufbauen.

    Beispiel: KEKIZ_STORE=sqlite:////tmp/demo.db kekiz demo
    """
    with progress_bar() as bar:
        summary = monitor().build_demo(progress=bar)
    if as_json:
        out.print_json(json.dumps(summary, ensure_ascii=False, default=str))
        return
    _print_summary(summary)


@evaluate_app.command("did")
def evaluate_did(
    file: Annotated[Path, typer.Argument(help="Paneldatei (CSV/XLSX), eine Zeile je Einheit "
                                              "und Zeitraum.")],
    outcome: Annotated[str, typer.Option(help="Ergebnisspalte.")],
    unit: Annotated[str, typer.Option(help="Spalte mit der Einheit (z. B. AGS).")],
    time: Annotated[str, typer.Option(help="Spalte mit dem Zeitraum (Jahr).")],
    group: Annotated[str, typer.Option(help="Spalte mit dem ersten Jahr im Programm "
                                            "(0 = nie).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Ergebnis als JSON.")],
    control: Annotated[str, typer.Option(help="never oder notyet.")] = "never",
    covariates: Annotated[str | None, typer.Option(help="Kovariaten: SPALTE,SPALTE.")] = None,
) -> None:
    """Gestaffelte Differenz-von-Differenzen (Callaway & Sant'Anna) mit Ereignisstudie.

    Beispiel: kekiz evaluate did mpdta.csv --outcome lemp --unit countyreal --time year
    --group first.treat -o did.json
    """
    covs = [c.strip() for c in covariates.split(",") if c.strip()] if covariates else []
    data = monitor().evaluate_did(file, outcome=outcome, unit=unit, time=time, group=group,
                                  control=control, covariates=covs, out=output)
    lang = state.lang or monitor().lang
    out.print(_t(f"ATT gesamt (einfach): {fmt_number(data['simple']['att'], 4, lang)} "
                 f"(SE {fmt_number(data['simple']['se'], 4, lang)}); Vortest auf parallele "
                 f"Trends: p = {fmt_number(data['pretest_p'], 3, lang)}",
                 f"Overall ATT (simple): {fmt_number(data['simple']['att'], 4, lang)} "
                 f"(SE {fmt_number(data['simple']['se'], 4, lang)}); pre-test of parallel "
                 f"trends: p = {fmt_number(data['pretest_p'], 3, lang)}"))
    for line in data["caveats_en" if lang == "en" else "caveats_de"][:3]:
        out.print(f"  - {line}")
    out.print(_t(f"Ergebnis: {output}", f"Result: {output}"))


@network_app.command("reach")
def network_reach(
    year: Annotated[int, typer.Option(help="Jahr der Mitgliedschaft.")],
    age_max: Annotated[int, typer.Option(help="Kinder unter diesem Alter.")] = 18,
    programme: Annotated[str, typer.Option(help="Programm.")] = "Kein Kind zurücklassen!",
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON.")] = False,
) -> None:
    """Anteil der Kinder des Landes, die in Mitgliedskommunen leben (ohne Doppelzählung).

    Beispiel: kekiz network reach --year 2017 --age-max 18
    """
    result = monitor().reach(year, age_max, programme)
    if as_json:
        out.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    lang = state.lang or monitor().lang
    pct = fmt_number(result.share * 100, 1, lang)
    out.print(_t(f"Reichweite {year}: {pct} % der Kinder unter {age_max} Jahren "
                 f"({fmt_number(result.children_in_members, 0)} von "
                 f"{fmt_number(result.children_total, 0)})",
                 f"Reach {year}: {pct}% of children under {age_max} "
                 f"({result.children_in_members:,.0f} of {result.children_total:,.0f})"))
    table = Table(_t("Schlüssel", "key"), _t("Kommune", "municipality"),
                  _t("Beitritt", "joined"), _t("Kinder", "children"),
                  _t("gezählt", "counted"), _t("Hinweis", "note"))
    for m in result.members:
        table.add_row(m["unit_id"], m["name"], m["joined"][:4],
                      fmt_number(m["children"], 0, lang),
                      _t("ja", "yes") if m["counted"] else _t("nein", "no"), m["note"])
    out.print(table)
    out.print(_t(f"Bevölkerungsquelle: {result.population_source_de}",
                 f"Population source: {result.population_source_en}"))
    out.print(result.method_en if lang == "en" else result.method_de)


@network_app.command("compare")
def network_compare(
    indicator: Annotated[str, typer.Option(help="Indikator, z. B. gisd_score.")],
    level: Annotated[str, typer.Option(help="Ebene: gemeinde oder kreis.")] = "gemeinde",
    programme: Annotated[str, typer.Option(help="Programm.")] = "Kein Kind zurücklassen!",
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON.")] = False,
) -> None:
    """Mitglieder (nach Beitrittsjahr) und Nicht-Mitglieder im Zeitverlauf vergleichen.

    Beispiel: kekiz network compare --indicator gisd_score --level gemeinde
    """
    frame = monitor().compare_members(indicator, level, programme)
    if as_json:
        out.print_json(frame.to_json(orient="records", force_ascii=False))
        return
    lang = state.lang or monitor().lang
    wide = frame.pivot(index="period", columns="group", values="mean")
    table = Table(_t("Jahr", "year"), *[str(c) for c in wide.columns])
    for period, row in wide.iterrows():
        table.add_row(str(period), *[fmt_number(v, 3, lang) for v in row])
    out.print(table)
    out.print(_t("Mittelwerte je Gruppe (ungewichtet), 95-%-Intervalle mit --json.",
                 "Group means (unweighted); 95% intervals with --json."))


@network_app.command("did")
def network_did(
    indicator: Annotated[str, typer.Option(help="Indikator, z. B. gisd_score.")],
    level: Annotated[str, typer.Option(help="Ebene: gemeinde oder kreis.")] = "gemeinde",
    programme: Annotated[str, typer.Option(help="Programm.")] = "Kein Kind zurücklassen!",
    start: Annotated[int | None, typer.Option(help="Erstes Jahr.")] = None,
    end: Annotated[int | None, typer.Option(help="Letztes Jahr.")] = None,
    control: Annotated[str, typer.Option(help="never oder notyet.")] = "never",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="JSON-Datei.")] = None,
    chart: Annotated[Path | None, typer.Option(help="Ereignisstudie als PNG/SVG.")] = None,
) -> None:
    """Ereignisstudie (gestaffelte DiD) mit den Beitrittsjahren — eine Illustration.

    Beispiel: kekiz network did --indicator gisd_score --start 2005 --chart did.png
    """
    data = monitor().network_did(indicator, level, programme, start, end, control)
    lang = state.lang or monitor().lang
    if output is not None:
        output.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    if chart is not None:
        monitor().event_study_chart(data, chart, lang)
    out.print(data["illustration_en" if lang == "en" else "illustration_de"])
    table = Table(_t("Ereigniszeit", "event time"), "ATT", "SE")
    for e, v in data["dynamic"]["by_event"].items():
        table.add_row(e, fmt_number(v["att"], 4, lang), fmt_number(v["se"], 4, lang))
    out.print(table)
    out.print(_t(f"ATT gesamt: {fmt_number(data['simple']['att'], 4, lang)} "
                 f"(SE {fmt_number(data['simple']['se'], 4, lang)}); Vortest p = "
                 f"{fmt_number(data['pretest_p'], 4, lang)}",
                 f"Overall ATT: {fmt_number(data['simple']['att'], 4, lang)} "
                 f"(SE {fmt_number(data['simple']['se'], 4, lang)}); pre-test p = "
                 f"{fmt_number(data['pretest_p'], 4, lang)}"))
    for line in data["caveats_en" if lang == "en" else "caveats_de"]:
        out.print(f"  - {line}")


@network_app.command("funding")
def network_funding(
    programme: Annotated[str, typer.Option(help="Programm.")] = "Kein Kind zurücklassen!",
    year: Annotated[int | None, typer.Option(help="Nur dieses Jahr.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON.")] = False,
) -> None:
    """Förderung je Jahr und Quelle und je erreichtem Kind.

    Beispiel: kekiz network funding --year 2017
    """
    data = monitor().funding_ledger(programme, year)
    if as_json:
        out.print_json(json.dumps(data, ensure_ascii=False, default=str))
        return
    lang = state.lang or monitor().lang
    table = Table(_t("Jahr", "year"), _t("Mitglieder", "members"), _t("Förderung (EUR)",
                  "funding (EUR)"), _t("Kinder in Mitgliedskommunen", "children in members"),
                  _t("EUR je Kind", "EUR per child"))
    for y, row in data["by_year"].items():
        table.add_row(str(y), str(row["members"]), fmt_number(row["amount"], 0, lang),
                      fmt_number(row["children_in_members"], 0, lang),
                      fmt_number(row["eur_per_child"], 2, lang))
    out.print(table)
    for note in data["notes"]:
        out.print(f"  - {note}")


@privacy_app.command("protect")
def privacy_protect(
    records: Annotated[Path, typer.Argument(help="Einzeldatensätze (CSV/XLSX).")],
    by: Annotated[str, typer.Option(help="Gliederung: SPALTE,SPALTE; Hierarchie mit '>', "
                                         "z. B. stadtbezirk>stadtteil,geschlecht.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Geschützte Tabelle (CSV).")],
    value: Annotated[str | None, typer.Option(help="Wertspalte für Größentabellen.")] = None,
    min_frequency: Annotated[int, typer.Option(help="Kleinste veröffentlichte Fallzahl.")] = 3,
    dominance: Annotated[str | None, typer.Option(help="Dominanzregel n,k, z. B. 2,75.")] = None,
    p_percent: Annotated[float | None, typer.Option(help="p%-Regel, z. B. 70.")] = None,
    reason: Annotated[bool, typer.Option(help="Spalte mit dem Grund je Zelle.")] = False,
) -> None:
    """Tabelle aus Einzeldaten erzeugen und mit Primär- und Sekundärsperrung schützen.

    Beispiel: kekiz privacy protect schuleingang.csv --by stadtteil,geschlecht -o tab.csv
    """
    lang = state.lang or monitor().lang
    table = monitor().privacy_protect(records, by=by, value=value,
                                      min_frequency=min_frequency, dominance=dominance,
                                      p_percent=p_percent, lang=lang, out=output,
                                      with_reason=reason)
    counts = table["status"].value_counts()
    out.print(_t(f"{len(table)} Zellen geschrieben nach {output}: "
                 f"{counts.get('published', 0)} veröffentlicht, {counts.get('primary', 0)} "
                 f"primär gesperrt, {counts.get('secondary', 0)} sekundär gesperrt",
                 f"{len(table)} cells written to {output}: {counts.get('published', 0)} "
                 f"published, {counts.get('primary', 0)} primary, "
                 f"{counts.get('secondary', 0)} secondary suppressions"))


@network_app.command("benchmark")
def network_benchmark(
    indicator: Annotated[str, typer.Option(help="Indikator, z. B. arbeitslosenanteil.")],
    unit: Annotated[str, typer.Option(help="Gebietsschlüssel der Kommune.")],
    level: Annotated[str, typer.Option(help="Ebene: gemeinde oder kreis.")] = "gemeinde",
    period: Annotated[str | None, typer.Option(help="Jahr für Rang und Funnel-Plot.")] = None,
    programme: Annotated[str, typer.Option(help="Programm.")] = "Kein Kind zurücklassen!",
    funnel: Annotated[Path | None, typer.Option(help="Funnel-Plot als PNG/SVG.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON.")] = False,
) -> None:
    """Kommune gegen Vergleichsgruppe, Mitglieder und Nicht-Mitglieder; Rang mit Intervall.

    Beispiel: kekiz network benchmark --indicator arbeitslosenanteil --unit 05513000
    --period 2021 --funnel funnel.png
    """
    lang = state.lang or monitor().lang
    data = monitor().benchmark(indicator, unit, level, period, programme, lang)
    if funnel is not None and "_funnel_frame" in data:
        monitor().funnel_chart(data, funnel, lang)
    data.pop("_funnel_frame", None)
    if as_json:
        out.print_json(json.dumps(data, ensure_ascii=False, default=str))
        return
    out.print(f"[bold]{data['name']}[/bold] ({unit}) – {indicator}, "
              + _t(f"Vergleichsgruppe: {data['peer_group']}", f"peers: {data['peer_group']}"))
    frame = pd.DataFrame(data["trends"])
    wide = frame.pivot_table(index="period", columns="group", values="mean")
    table = Table(_t("Jahr", "year"), *[str(c) for c in wide.columns])
    for p, row in wide.tail(8).iterrows():
        table.add_row(str(p), *[fmt_number(v, 2, lang) for v in row])
    out.print(table)
    r = data["rank"]
    if r:
        out.print(_t(f"Rang {int(r['rank'])} von {data['units_ranked']} im Jahr "
                     f"{data['period']} (mit Intervall zwischen Rang {int(r['rank_best'])} "
                     f"und {int(r['rank_worst'])}; Rang 1 = niedrigster Wert)",
                     f"Rank {int(r['rank'])} of {data['units_ranked']} in {data['period']} "
                     f"(interval allows ranks {int(r['rank_best'])} to "
                     f"{int(r['rank_worst'])}; rank 1 = lowest value)"))
    if data.get("funnel"):
        f = data["funnel"]
        where = {0: _t("innerhalb der Grenzen", "inside the limits"),
                 1: _t("über der 95-%-Grenze", "above the 95% limit"),
                 2: _t("über der 99,8-%-Grenze", "above the 99.8% limit"),
                 -1: _t("unter der 95-%-Grenze", "below the 95% limit"),
                 -2: _t("unter der 99,8-%-Grenze", "below the 99.8% limit")}
        out.print(_t("Funnel-Plot: ", "Funnel plot: ") + where[int(f["outside"])])


def _print_summary(summary: dict[str, Any]) -> None:
    out.print(_t(f"Demo-Store: {summary['store']}", f"Demo store: {summary['store']}"))
    table = Table(_t("Ebene", "level"), _t("Gebiete", "units"))
    for level, n in summary["units"].items():
        table.add_row(level, fmt_number(n, 0))
    out.print(table)
    table = Table(_t("Indikator", "indicator"), _t("Jahre", "years"))
    for ind, periods in summary["indicators"].items():
        span = f"{periods[0]}–{periods[-1]} ({len(periods)})" if periods else "–"
        table.add_row(ind, span)
    out.print(table)
    for line in summary.get("extra", []):
        out.print(line)
    out.print(_t("Quellen und Lizenzen:", "Sources and licences:"))
    for a in summary.get("attribution", []):
        out.print(f"  - {a}")


def run() -> None:
    """Entry point: usage errors exit 2 (typer), kekiz errors print their message.

    A rejected import exits 2, every other kekiz error 1; nothing prints a traceback.
    """
    try:
        app()
    except KekizError as exc:
        lang = state.lang or ("en" if load_lang() == "en" else "de")
        err.print(exc.text(lang), markup=False, highlight=False)
        sys.exit(2 if isinstance(exc, ImportFailed) else 1)
    finally:
        if state.monitor is not None:
            state.monitor.close()


def load_lang() -> str:
    try:
        return str(load_settings().lang)
    except KekizError:
        return "de"
