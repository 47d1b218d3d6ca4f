"""``kekiz levels define`` and ``kekiz levels list``: a municipality's own district levels."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kekiz.cli.context import current_lang, kekiz, out, t
from kekiz.domain.errors import KekizError

__all__ = ["levels_app"]

levels_app = typer.Typer(help="Eigene Gebietsebenen einer Kommune festlegen und auflisten.",
                         no_args_is_help=True)


@levels_app.command("define")
def define(
    level: Annotated[list[str] | None, typer.Argument(
        help="Ebenen von grob nach fein: ID=Name|englischer Name[|Plural|englischer "
             "Plural].")] = None,
    under: Annotated[str, typer.Option(help="Eingebaute Ebene darüber.")] = "gemeinde",
    municipality: Annotated[str | None, typer.Option(
        help="Schlüssel der Kommune, deren Ebenen es sind (z. B. 11000000).")] = None,
    file: Annotated[Path | None, typer.Option(
        "--file", help="Textdatei mit einer Ebene je Zeile (gleiche Schreibweise).")] = None,
) -> None:
    """Eigene Ebenen einer Kommune festlegen (Reihenfolge: von grob nach fein).

    Beispiel: kekiz levels define "bezirk=Bezirk|district"
    "prognoseraum=Prognoseraum|forecast area|Prognoseräume|forecast areas"
    --municipality 11000000
    """
    from kekiz.services.levels import parse_level_spec

    specs = list(level or [])
    if file is not None:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise KekizError(f"{file}: Datei nicht lesbar ({exc}).",
                             message_en=f"{file}: file not readable ({exc}).") from exc
        specs += [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]
    stored = kekiz().levels.define([parse_level_spec(s) for s in specs], under=under,
                                   municipality=municipality)
    lang = current_lang()
    chain = " > ".join(lv.name(lang) for lv in stored)
    out.print(t(f"{len(stored)} Ebenen festgelegt unter '{under}': {chain}",
                 f"{len(stored)} levels defined below '{under}': {chain}"), markup=False)


@levels_app.command("list")
def list_levels() -> None:
    """Alle Ebenen mit Rang, Namen und Zahl der Gebiete.

    Beispiel: kekiz levels list
    """
    app = kekiz()
    counts = app.store.count_units()
    table = Table(t("ID", "id"), t("Rang", "rank"), t("Name", "name"),
                  t("englisch", "English"), t("übergeordnet", "parent"),
                  t("Kommune", "municipality"), t("Gebiete", "units"))
    for lv in app.levels.levels():
        table.add_row(lv.id, str(lv.rank), lv.name_de, lv.name_en, lv.parent_id or "",
                      lv.municipality or "", str(counts.get(lv.id, 0)))
    out.print(table)
