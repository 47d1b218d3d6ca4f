"""``kekiz network ...``: the state network (reach, funding, comparison, benchmark, DiD)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kekiz.cli.context import current_lang, fmt_number, kekiz, out, print_json, t

__all__ = ["network_app"]

network_app = typer.Typer(help="Landesnetzwerk: Mitglieder, Reichweite.", no_args_is_help=True)


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
    result = kekiz().network.reach(year, age_max, programme)
    if as_json:
        out.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    lang = current_lang()
    pct = fmt_number(result.share * 100, 1, lang)
    out.print(t(f"Reichweite {year}: {pct} % der Kinder unter {age_max} Jahren "
                 f"({fmt_number(result.children_in_members, 0)} von "
                 f"{fmt_number(result.children_total, 0)})",
                 f"Reach {year}: {pct}% of children under {age_max} "
                 f"({result.children_in_members:,.0f} of {result.children_total:,.0f})"))
    table = Table(t("Schlüssel", "key"), t("Kommune", "municipality"),
                  t("Beitritt", "joined"), t("Kinder", "children"),
                  t("gezählt", "counted"), t("Hinweis", "note"))
    for m in result.members:
        table.add_row(m["unit_id"], m["name"], m["joined"][:4],
                      fmt_number(m["children"], 0, lang),
                      t("ja", "yes") if m["counted"] else t("nein", "no"), m["note"])
    out.print(table)
    out.print(t(f"Bevölkerungsquelle: {result.population_source_de}",
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
    frame = kekiz().network.compare_members(indicator, level, programme)
    if as_json:
        out.print_json(frame.to_json(orient="records", force_ascii=False))
        return
    lang = current_lang()
    wide = frame.pivot(index="period", columns="group", values="mean")
    table = Table(t("Jahr", "year"), *[str(c) for c in wide.columns])
    for period, row in wide.iterrows():
        table.add_row(str(period), *[fmt_number(v, 3, lang) for v in row])
    out.print(table)
    out.print(t("Mittelwerte je Gruppe (ungewichtet), 95-%-Intervalle mit --json.",
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
    data = kekiz().network.network_did(indicator, level, programme, start, end, control)
    lang = current_lang()
    if output is not None:
        output.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    if chart is not None:
        kekiz().network.event_study_chart(data, chart, lang)
    out.print(data["illustration_en" if lang == "en" else "illustration_de"])
    table = Table(t("Ereigniszeit", "event time"), "ATT", "SE")
    for e, v in data["dynamic"]["by_event"].items():
        table.add_row(e, fmt_number(v["att"], 4, lang), fmt_number(v["se"], 4, lang))
    out.print(table)
    out.print(t(f"ATT gesamt: {fmt_number(data['simple']['att'], 4, lang)} "
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
    data = kekiz().network.funding_ledger(programme, year)
    if as_json:
        print_json(data)
        return
    lang = current_lang()
    table = Table(t("Jahr", "year"), t("Mitglieder", "members"), t("Förderung (EUR)",
                  "funding (EUR)"), t("Kinder in Mitgliedskommunen", "children in members"),
                  t("EUR je Kind", "EUR per child"))
    for y, row in data["by_year"].items():
        table.add_row(str(y), str(row["members"]), fmt_number(row["amount"], 0, lang),
                      fmt_number(row["children_in_members"], 0, lang),
                      fmt_number(row["eur_per_child"], 2, lang))
    out.print(table)
    for note in data["notes"]:
        out.print(f"  - {note}")


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
    lang = current_lang()
    data = kekiz().network.benchmark(indicator, unit, level, period, programme, lang)
    if funnel is not None and "_funnel_frame" in data:
        kekiz().network.funnel_chart(data, funnel, lang)
    data.pop("_funnel_frame", None)
    if as_json:
        print_json(data)
        return
    out.print(f"[bold]{data['name']}[/bold] ({unit}) – {indicator}, "
              + t(f"Vergleichsgruppe: {data['peer_group']}", f"peers: {data['peer_group']}"))
    import pandas as pd

    frame = pd.DataFrame(data["trends"])
    wide = frame.pivot_table(index="period", columns="group", values="mean")
    table = Table(t("Jahr", "year"), *[str(c) for c in wide.columns])
    for p, row in wide.tail(8).iterrows():
        table.add_row(str(p), *[fmt_number(v, 2, lang) for v in row])
    out.print(table)
    r = data["rank"]
    if r:
        out.print(t(f"Rang {int(r['rank'])} von {data['units_ranked']} im Jahr "
                     f"{data['period']} (mit Intervall zwischen Rang {int(r['rank_best'])} "
                     f"und {int(r['rank_worst'])}; Rang 1 = niedrigster Wert)",
                     f"Rank {int(r['rank'])} of {data['units_ranked']} in {data['period']} "
                     f"(interval allows ranks {int(r['rank_best'])} to "
                     f"{int(r['rank_worst'])}; rank 1 = lowest value)"))
    if data.get("funnel"):
        f = data["funnel"]
        where = {0: t("innerhalb der Grenzen", "inside the limits"),
                 1: t("über der 95-%-Grenze", "above the 95% limit"),
                 2: t("über der 99,8-%-Grenze", "above the 99.8% limit"),
                 -1: t("unter der 95-%-Grenze", "below the 95% limit"),
                 -2: t("unter der 99,8-%-Grenze", "below the 99.8% limit")}
        out.print(t("Funnel-Plot: ", "Funnel plot: ") + where[int(f["outside"])])
