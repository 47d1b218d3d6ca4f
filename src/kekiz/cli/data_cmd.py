"""``kekiz init``, ``units``, ``indicators``, ``show``, ``export``, ``aggregate``,
``members`` and ``demo``: the store and its data as a whole."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from kekiz.cli.context import fmt_number, kekiz, out, print_json, progress_bar, t
from kekiz.domain.accounts import ReadScope

__all__ = ["commands"]

commands = typer.Typer()

@commands.command()
def init(upgrade: Annotated[bool, typer.Option(help="Schema eines älteren Stores "
                                                    "aktualisieren.")] = False) -> None:
    """Store anlegen (oder mit --upgrade aktualisieren).

    Beispiel: kekiz --store sqlite:///kekiz.db init
    """
    version = kekiz().init(upgrade=upgrade)
    out.print(t(f"Store bereit: {kekiz().store.safe_url()} (Schema {version})",
                 f"Store ready: {kekiz().store.safe_url()} (schema {version})"))




@commands.command()
def members(programme: Annotated[str | None, typer.Option(help="Nur dieses "
                                                                "Programm.")] = None) -> None:
    """Mitgliedskommunen des Landesnetzwerks auflisten.

    Beispiel: kekiz members --programme "Kein Kind zurücklassen!"
    """
    rows = kekiz().store.members(programme)
    table = Table(t("Schlüssel", "key"), t("Kommune", "municipality"),
                  t("Programm", "programme"), t("Beitritt", "joined"),
                  t("Austritt", "left"))
    for m in rows:
        table.add_row(m.unit_id, m.name, m.programme, m.joined.strftime("%d.%m.%Y"),
                      m.left.strftime("%d.%m.%Y") if m.left else "")
    out.print(table)
    out.print(t(f"{len(rows)} Mitglieder", f"{len(rows)} members"))




@commands.command()
def aggregate(indicator: Annotated[list[str] | None, typer.Option(
        help="Nur diese Indikatoren.")] = None) -> None:
    """Zählwerte und Quoten entlang der Gebietshierarchie nach oben aggregieren.

    Beispiel: kekiz aggregate --indicator einwohner
    """
    with progress_bar() as bar:
        written = kekiz().data.aggregate(indicator, progress=bar)
    for ind, n in sorted(written.items()):
        out.print(t(f"{ind}: {fmt_number(n, 0)} Werte aggregiert",
                     f"{ind}: {n:,} values aggregated"))
    if not written:
        out.print(t("Nichts zu aggregieren.", "Nothing to aggregate."))


@commands.command()
def units(level: Annotated[str | None, typer.Option(help="Nur diese Ebene.")] = None) -> None:
    """Gebiete auflisten.

    Beispiel: kekiz units --level stadtbezirk
    """
    rows = kekiz().store.units(level=level)
    table = Table(t("Schlüssel", "key"), t("Name", "name"), t("Ebene", "level"),
                  t("Elterngebiet", "parent"))
    for u in rows:
        table.add_row(u.id, u.name, u.level, u.parent_id or "")
    out.print(table)
    out.print(t(f"{fmt_number(len(rows), 0)} Gebiete", f"{len(rows):,} units"))


@commands.command()
def indicators() -> None:
    """Indikatoren mit Zeiträumen auflisten.

    Beispiel: kekiz indicators
    """
    m = kekiz()
    periods = m.store.periods()
    table = Table("ID", t("Name", "name"), t("Einheit", "unit"), t("Zeiträume", "periods"))
    for i in m.store.indicators():
        ps = periods.get(i.id, [])
        span = f"{ps[0]}–{ps[-1]} ({len(ps)})" if ps else "–"
        table.add_row(i.id, i.name_de if m.lang == "de" else i.name_en, i.unit, span)
    out.print(table)


@commands.command()
def show(unit_id: Annotated[str, typer.Argument(help="Gebietsschlüssel.")],
         indicator: Annotated[str | None, typer.Option(help="Nur dieser Indikator.")] = None,
         period: Annotated[str | None, typer.Option(help="Nur dieser Zeitraum.")] = None
         ) -> None:
    """Werte eines Gebiets zeigen.

    Beispiel: kekiz show 05315000 --indicator gisd_score
    """
    m = kekiz()
    u = m.store.unit(unit_id)
    frame = m.data.values(unit_id, indicator, period)
    out.print(f"[bold]{u.name}[/bold] ({u.id}, {u.level})")
    table = Table(t("Indikator", "indicator"), t("Zeitraum", "period"), t("Wert", "value"),
                  t("Einheit", "unit"), "Status")
    for r in frame.to_dict("records"):
        value = "." if r["status"] == "suppressed" else fmt_number(
            r["value"], int(r["decimals"]), m.lang)
        table.add_row(str(r["indicator"]), str(r["period"]), value, str(r["unit"]),
                      str(r["status"]))
    out.print(table)


@commands.command()
def export(output: Annotated[Path, typer.Option("-o", "--output", help="Zieldatei.")],
           format: Annotated[str | None, typer.Option(
               help="csv, xlsx, geojson oder gpkg (sonst aus der Endung).")] = None,
           indicator: Annotated[str | None, typer.Option(help="Nur dieser Indikator.")] = None,
           level: Annotated[str | None, typer.Option(help="Nur diese Ebene.")] = None,
           period: Annotated[str | None, typer.Option(help="Nur dieser Zeitraum.")] = None,
           full_precision: Annotated[bool, typer.Option(
               "--full-precision", help="Werte ungerundet schreiben (sonst auf die "
               "Nachkommastellen des Indikators gerundet).")] = False,
           tenant: Annotated[str | None, typer.Option(
               "--tenant", help="Mit den privaten Daten dieser Kommune (Gebietsschlüssel; "
                                "mit ihren Freigaben).")] = None,
           ) -> None:
    """Werte exportieren: CSV (Excel, deutsch), XLSX, GeoJSON, GeoPackage.

    Werte gerundet wie angezeigt (Nachkommastellen des Indikators); --full-precision
    schreibt sie ungerundet. Private Daten einer Kommune nur mit --tenant KOMMUNE.

    Beispiel: kekiz export -o gisd.xlsx --indicator gisd_score --level gemeinde
    """
    m = kekiz()
    scope = m.audience_of_tenant(tenant).read_scope() if tenant else ReadScope()
    n = m.data.export(output, fmt=format, indicator_id=indicator, level=level, period=period,
                      full_precision=full_precision, scope=scope)
    out.print(t(f"{fmt_number(n, 0)} Zeilen nach {output} geschrieben",
                 f"{n:,} rows written to {output}"))


@commands.command()
def demo(as_json: Annotated[bool, typer.Option("--json", help="Zusammenfassung als "
                                                              "JSON.")] = False) -> None:
    """Demo-Store aus den mitgelieferten echten Daten (NRW, Köln) aufbauen.

    Beispiel: KEKIZ_STORE=sqlite:////tmp/demo.db kekiz demo
    """
    with progress_bar() as bar:
        from kekiz.demo import build_demo

        summary = build_demo(kekiz(), progress=bar)
    if as_json:
        print_json(summary)
        return
    _print_summary(summary)


def _print_summary(summary: dict[str, Any]) -> None:
    out.print(t(f"Demo-Store: {summary['store']}", f"Demo store: {summary['store']}"))
    table = Table(t("Ebene", "level"), t("Gebiete", "units"))
    for level, n in summary["units"].items():
        table.add_row(level, fmt_number(n, 0))
    out.print(table)
    table = Table(t("Indikator", "indicator"), t("Jahre", "years"))
    for ind, periods in summary["indicators"].items():
        span = f"{periods[0]}–{periods[-1]} ({len(periods)})" if periods else "–"
        table.add_row(ind, span)
    out.print(table)
    for line in summary.get("extra", []):
        out.print(line)
    out.print(t("Quellen und Lizenzen:", "Sources and licences:"))
    for a in summary.get("attribution", []):
        out.print(f"  - {a}")


