"""``kekiz evaluate did`` and ``kekiz privacy protect``: jobs on a file, without the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kekiz.cli.context import current_lang, fmt_number, kekiz, out, t

__all__ = ["evaluate_app", "privacy_app"]

evaluate_app = typer.Typer(help="Wirkungen evaluieren (Differenz-von-Differenzen).",
                           no_args_is_help=True)
privacy_app = typer.Typer(help="Geheimhaltung (statistische Geheimhaltung von Tabellen).",
                          no_args_is_help=True)


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
    data = kekiz().files.evaluate_did(file, outcome=outcome, unit=unit, time=time, group=group,
                                  control=control, covariates=covs, out=output)
    lang = current_lang()
    out.print(t(f"ATT gesamt (einfach): {fmt_number(data['simple']['att'], 4, lang)} "
                 f"(SE {fmt_number(data['simple']['se'], 4, lang)}); Vortest auf parallele "
                 f"Trends: p = {fmt_number(data['pretest_p'], 3, lang)}",
                 f"Overall ATT (simple): {fmt_number(data['simple']['att'], 4, lang)} "
                 f"(SE {fmt_number(data['simple']['se'], 4, lang)}); pre-test of parallel "
                 f"trends: p = {fmt_number(data['pretest_p'], 3, lang)}"))
    for line in data["caveats_en" if lang == "en" else "caveats_de"][:3]:
        out.print(f"  - {line}")
    out.print(t(f"Ergebnis: {output}", f"Result: {output}"))


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
    lang = current_lang()
    table = kekiz().files.privacy_protect(records, by=by, value=value,
                                      min_frequency=min_frequency, dominance=dominance,
                                      p_percent=p_percent, lang=lang, out=output,
                                      with_reason=reason)
    counts = table["status"].value_counts()
    out.print(t(f"{len(table)} Zellen geschrieben nach {output}: "
                 f"{counts.get('published', 0)} veröffentlicht, {counts.get('primary', 0)} "
                 f"primär gesperrt, {counts.get('secondary', 0)} sekundär gesperrt",
                 f"{len(table)} cells written to {output}: {counts.get('published', 0)} "
                 f"published, {counts.get('primary', 0)} primary, "
                 f"{counts.get('secondary', 0)} secondary suppressions"))
