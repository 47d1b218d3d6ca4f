"""``kekiz delete dataset|indicator|unit|period``: remove data with its derived values."""

from __future__ import annotations

from typing import Annotated

import typer

from kekiz.cli.context import fmt_number, kekiz, out, t
from kekiz.domain.deletion import DeletionPlan

__all__ = ["delete_app"]

delete_app = typer.Typer(help="Datensätze, Indikatoren, Gebiete oder Zeiträume löschen "
                         "(mit den daraus abgeleiteten Werten).", no_args_is_help=True)

YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Ohne Rückfrage löschen.")]
ForceOpt = Annotated[bool, typer.Option(
    "--force", help="Auch löschen, wenn Zielwerte eines Leitbilds darauf beruhen.")]


def _run(kind: str, target: str, yes: bool, force: bool, indicator: str | None = None) -> None:
    app = kekiz()
    plan = app.deletion.plan(kind, target, indicator)
    _show(plan)
    app.deletion.check(plan, force=force)
    if plan.empty:
        out.print(t("Nichts zu löschen.", "Nothing to delete."))
        return
    if not yes and not typer.confirm(t("Wirklich löschen?", "Delete for real?")):
        out.print(t("Abgebrochen; nichts wurde gelöscht.", "Cancelled; nothing was deleted."))
        raise typer.Exit(1)
    removed = app.deletion.delete(plan, force=force)
    out.print(t(f"Gelöscht: {fmt_number(removed, 0)} Zeilen (im Protokoll vermerkt).",
                 f"Deleted: {removed:,} rows (recorded in the audit log)."))


def _show(plan: DeletionPlan) -> None:
    c = plan.counts()
    out.print(t(f"Löschen von {plan.kind} '{plan.target}' entfernt: "
                 f"{fmt_number(c['observations'], 0)} Werte, "
                 f"{fmt_number(c['derived'], 0)} abgeleitete Werte, "
                 f"{c['datasets']} Datensätze, {c['units']} Gebiete, "
                 f"{c['indicators']} Indikatoren, {c['members']} Mitglieder, "
                 f"{c['funding']} Förderbuchungen.",
                 f"Deleting {plan.kind} '{plan.target}' removes: {c['observations']:,} "
                 f"values, {c['derived']:,} derived values, {c['datasets']} datasets, "
                 f"{c['units']} units, {c['indicators']} indicators, {c['members']} "
                 f"members, {c['funding']} funding entries."), markup=False)


@delete_app.command("dataset")
def dataset(name: Annotated[str, typer.Argument(help="Name (alle Revisionen) oder ID.")],
            yes: YesOpt = False, force: ForceOpt = False) -> None:
    """Einen Datensatz mit seinen Werten (bei Grenzen: Gebieten) löschen.

    Beispiel: kekiz delete dataset "MSS 2019" --yes
    """
    _run("dataset", name, yes, force)


@delete_app.command("indicator")
def indicator(indicator_id: Annotated[str, typer.Argument(help="Indikator-ID.")],
              yes: YesOpt = False, force: ForceOpt = False) -> None:
    """Einen Indikator mit allen Werten löschen.

    Beispiel: kekiz delete indicator mss_s1 --yes
    """
    _run("indicator", indicator_id, yes, force)


@delete_app.command("unit")
def unit(unit_id: Annotated[str, typer.Argument(help="Gebiets-ID.")],
         yes: YesOpt = False, force: ForceOpt = False) -> None:
    """Ein Gebiet mit den Gebieten darunter und ihren Werten löschen.

    Beispiel: kekiz delete unit 11000000-01011101 --yes
    """
    _run("unit", unit_id, yes, force)


@delete_app.command("period")
def period(value: Annotated[str, typer.Argument(help="Zeitraum, z. B. 2019.")],
           indicator: Annotated[str | None, typer.Option(help="Nur dieser Indikator.")] = None,
           yes: YesOpt = False, force: ForceOpt = False) -> None:
    """Alle Werte eines Zeitraums (oder eines Indikators in diesem Zeitraum) löschen.

    Beispiel: kekiz delete period 2013 --indicator mss_s1 --yes
    """
    _run("period", value, yes, force, indicator)
