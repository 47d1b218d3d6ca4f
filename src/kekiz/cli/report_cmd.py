"""``kekiz report KEY`` and ``kekiz report-batch`` (issue #9): thin commands over
:class:`kekiz.services.reports.ReportJobs`, registered in :mod:`kekiz.cli.main`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from kekiz.cli.context import current_lang, kekiz, out, progress_bar
from kekiz.i18n import fmt_number

__all__ = ["report", "report_batch"]


def _language(lang: str | None) -> str:
    chosen = lang or current_lang()
    if chosen not in ("de", "en"):
        raise typer.BadParameter(f"--lang {chosen}: erwartet de oder en.")
    return str(chosen)


def _pick(lang: str, de: str, en: str) -> str:
    return en if lang == "en" else de


def _kb(size: int, lang: str) -> str:
    return fmt_number(size / 1024, 0, lang)


def report(
    key: Annotated[str, typer.Argument(help="Gebietsschlüssel der Kommune (z. B. 05315000 "
                                            "oder 05315 für Köln) oder 'network' für den "
                                            "Bericht des Landesnetzwerks.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Zieldatei (.html oder .pdf).")],
    fmt: Annotated[str | None, typer.Option("--format", help="html oder pdf (sonst aus der "
                                                             "Dateiendung).")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="YAML-Datei mit Abschnitten, "
                                                                 "Farben, Indikatoren.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Sprache: de (Standard) oder "
                                                            "en.")] = None,
    programme: Annotated[str | None, typer.Option(help="Programm des Landesnetzwerks (nur "
                                                       "mit KEY network).")] = None,
    tenant: Annotated[str | None, typer.Option(
        "--tenant", help="Für diese Kommune erstellen (Gebietsschlüssel): mit ihren privaten "
                         "Indikatoren, nur für ihren eigenen Gebrauch.")] = None,
) -> None:
    """Sozialraumbericht einer Kommune oder Bericht des Landesnetzwerks (HTML oder PDF).

    Ohne --tenant enthält der Bericht nur öffentliche Daten.

    Beispiel: kekiz report 05315000 --format pdf -o koeln.pdf
    """
    language = _language(lang)
    m = kekiz()
    reports = m.reports_for(m.audience_of_tenant(tenant)) if tenant else m.reports
    result = reports.report(key, output, fmt=fmt, config=config, lang=language,
                            programme=programme)
    what = f"({result.fmt.upper()}, {_kb(result.size, language)} KB)"
    out.print(_pick(language,
                        f"Bericht {result.name} ({result.key}) geschrieben: {result.path} {what}",
                        f"Report {result.name} ({result.key}) written: {result.path} {what}"))
    for note in result.notes:
        out.print(f"  - {note}")


def report_batch(
    output: Annotated[Path, typer.Option("-o", "--output", help="Zielordner.")],
    programme: Annotated[str | None, typer.Option(help="Programm (Standard: Kein Kind "
                                                       "zurücklassen!).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="html oder pdf.")] = "html",
    config: Annotated[Path | None, typer.Option("--config", help="YAML-Berichtskonfiguration."
                                                )] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="de oder en.")] = None,
    limit: Annotated[int | None, typer.Option(help="Nur die ersten N Mitglieder.")] = None,
    workers: Annotated[int | None, typer.Option(
        min=1, max=64, help="Anzahl der Prozesse (Standard: einer je Prozessorkern; 1: "
        "nacheinander in diesem Prozess).")] = None,
) -> None:
    """Berichte für alle Mitglieder des Landesnetzwerks und den Netzwerkbericht.

    Beispiel: kekiz report-batch --programme "Kein Kind zurücklassen!" -o berichte/
    """
    from kekiz.cli.report_pool import report_batch as batch

    language = _language(lang)
    with progress_bar() as update:
        results: list[Any] = batch(
            kekiz(), output, programme=programme, fmt=fmt.lower(), config=config,
            lang=language, limit=limit, workers=workers, progress=update)
    size = sum(r.size for r in results)
    out.print(_pick(language, f"{len(results)} Berichte geschrieben nach {output} "
                                  f"({_kb(size, language)} KB)",
                        f"{len(results)} reports written to {output} "
                        f"({_kb(size, language)} KB)"))
