"""``kekiz private ...``: mark indicators and datasets private to a municipality, or
public again, and list the marks (issue #20).

A private indicator or dataset is read by the accounts of its municipality (and of the
units it is granted to), by the state office when the municipality allows it, and by the
administration; nowhere else: not on public pages, in the APIs, exports, search results,
reports for others or the network benchmarking.  Every change is written to the audit log.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from kekiz.cli.context import kekiz, out, t

__all__ = ["private_app"]

private_app = typer.Typer(help="Private Indikatoren und Datensätze einer Kommune.",
                          no_args_is_help=True)

ToOpt = Annotated[str | None, typer.Option(
    "--to", help="Gebietsschlüssel der Kommune, der die Daten gehören (z. B. 05315000).")]
PublicOpt = Annotated[bool, typer.Option(
    "--public", help="Die Markierung aufheben: die Daten werden öffentlich.")]
StateOpt = Annotated[bool, typer.Option(
    "--state-may-read", help="Die Landesstelle darf die Daten lesen.")]


def _mark(kind: str, key: str, to: str | None, public: bool, state: bool) -> None:
    if (to is None) == (not public):
        raise typer.BadParameter(t("Genau eines von --to KOMMUNE oder --public angeben.",
                                   "Give exactly one of --to UNIT or --public."))
    if public and state:
        raise typer.BadParameter(t("--state-may-read gilt nur mit --to.",
                                   "--state-may-read needs --to."))
    before = kekiz().data.set_private(kind, key, to, state)
    was = before[0] or t("öffentlich", "public")
    if to is None:
        out.print(t(f"{key} ist jetzt öffentlich (vorher privat für {was}).",
                    f"{key} is public now (before: private to {was})."))
        return
    extra = t(", die Landesstelle darf lesen", ", the state office may read") if state else ""
    out.print(t(f"{key} ist jetzt privat für {to}{extra} (vorher: {was}).",
                f"{key} is now private to {to}{extra} (before: {was})."))


@private_app.command("indicator")
def private_indicator(
    indicator_id: Annotated[str, typer.Argument(help="Indikator-ID.")],
    to: ToOpt = None, public: PublicOpt = False, state_may_read: StateOpt = False,
) -> None:
    """Einen Indikator privat für eine Kommune markieren (oder mit --public freigeben).

    Beispiel: kekiz private indicator hze_faelle --to 05315000 --state-may-read
    """
    _mark("indicator", indicator_id, to, public, state_may_read)


@private_app.command("dataset")
def private_dataset(
    name: Annotated[str, typer.Argument(help="Name des Datensatzes (alle Revisionen).")],
    to: ToOpt = None, public: PublicOpt = False, state_may_read: StateOpt = False,
) -> None:
    """Einen Datensatz (alle Revisionen) privat für eine Kommune markieren.

    Beispiel: kekiz private dataset "Hilfen zur Erziehung 2023" --to 05315000
    """
    _mark("dataset", name, to, public, state_may_read)


@private_app.command("list")
def private_list() -> None:
    """Private Indikatoren und Datensätze mit ihrer Kommune auflisten.

    Beispiel: kekiz private list
    """
    table = Table(t("Art", "kind"), "ID", t("Kommune", "municipality"),
                  t("Landesstelle liest", "state office reads"))
    for kind, key, owner, state in kekiz().data.private_rows():
        table.add_row(t("Indikator", "indicator") if kind == "indicator" else
                      t("Datensatz", "dataset"), key, owner,
                      t("ja", "yes") if state else t("nein", "no"))
    out.print(table)
