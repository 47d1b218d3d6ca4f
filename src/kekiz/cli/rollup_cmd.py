"""``kekiz rollup``: values of fine units summed or recomputed into coarser units."""

from __future__ import annotations

from typing import Annotated

import typer

from kekiz.cli.context import fmt_number, kekiz, out, t

__all__ = ["rollup"]


def rollup(
    from_level: Annotated[str, typer.Option("--from", help="Feine Ebene, z. B. planungsraum.")],
    to_level: Annotated[str, typer.Option("--to", help="Grobe Ebene, z. B. bezirksregion.")],
    by: Annotated[str, typer.Option(help="prefix:N (erste N Zeichen des Schlüssels), "
                                         "contains (räumlich) oder mapping:DATEI.")],
    indicator: Annotated[list[str] | None, typer.Option(help="Nur diese Indikatoren.")] = None,
    partial: Annotated[bool, typer.Option(
        help="Grobe Gebiete auch dann, wenn feinen Gebieten Werte fehlen.")] = False,
) -> None:
    """Werte feiner Gebiete in gröbere zusammenfassen (Anzahlen summiert, Quoten aus
    Zähler und Nenner neu berechnet).

    Beispiel: kekiz rollup --from planungsraum --to bezirksregion --by prefix:6
    """
    result = kekiz().rollups.rollup(from_level, to_level, by, indicators=indicator,
                                    partial=partial)
    for ind, n in result.written.items():
        out.print(t(f"{ind}: {fmt_number(n, 0)} Werte auf '{to_level}' zusammengefasst",
                     f"{ind}: {n:,} values rolled up into '{to_level}'"))
    for ind, n in result.incomplete.items():
        if partial:
            out.print(t(f"{ind}: {n} davon aus unvollständigen feinen Werten (--partial)",
                         f"{ind}: {n} of them from incomplete fine values (--partial)"))
        else:
            out.print(t(f"{ind}: {n} Gebiete ohne Wert, weil feine Werte fehlen (--partial "
                         "nimmt die vorhandenen)",
                         f"{ind}: {n} units left without a value for missing fine values "
                         "(--partial takes those present)"))
    if not result.written:
        out.print(t("Nichts zusammenzufassen (Indikatoren brauchen die Aggregation sum "
                     "oder ratio).", "Nothing to roll up (indicators need the aggregation "
                     "sum or ratio)."))
