"""``kekiz monitor index`` and ``kekiz monitor typology``: composite indices and district
typologies from stored indicators (issue #3, items 3 and 5); registered by
:mod:`kekiz.cli.monitor_cmd`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from kekiz.cli.context import current_lang, kekiz, out, print_json, t
from kekiz.domain.errors import MethodError
from kekiz.i18n import fmt_number

if TYPE_CHECKING:
    from kekiz.services.indices import CompositeRun, TypologyRun

__all__ = ["monitor_index", "monitor_typology"]

AsJson = Annotated[bool, typer.Option("--json", help="Ergebnis als JSON.")]


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


    return str(current_lang())


def _number(text: str, option: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise MethodError(f"{option}: '{text}' ist keine Zahl. Erwartet z. B. 2 oder 0.5 "
                          "(Dezimalpunkt, weil das Komma die Werte trennt).",
                          message_en=f"{option}: '{text}' is not a number. Expected e.g. 2 or "
                          "0.5.") from None


def _weights(text: str | None) -> dict[str, float] | list[float] | None:
    parts = _split(text)
    if not parts:
        return None
    if all("=" in p for p in parts):
        return {k.strip(): _number(v.strip(), "--weights")
                for k, v in (p.split("=", 1) for p in parts)}
    if any("=" in p for p in parts):
        raise MethodError("--weights: entweder nur Zahlen (2,1,1) oder nur ID=Zahl "
                          "(kinderarmut=2,kaufkraft=1), nicht gemischt.",
                          message_en="--weights: either only numbers (2,1,1) or only "
                          "ID=number (kinderarmut=2,kaufkraft=1), not mixed.")
    return [_number(p, "--weights") for p in parts]


def _polarity(text: str | None) -> dict[str, int] | None:
    parts = _split(text)
    if not parts:
        return None
    out: dict[str, int] = {}
    for p in parts:
        key, _, value = p.partition("=")
        if value.strip() not in ("-1", "1", "+1"):
            raise MethodError(f"--polarity: '{p}' erwartet ID=-1 (höher ist schlechter) oder "
                              "ID=1 (höher ist besser).",
                              message_en=f"--polarity: '{p}' expected ID=-1 (higher is worse) "
                              "or ID=1 (higher is better).")
        out[key.strip()] = int(value.strip())
    return out


def _print_index(r: CompositeRun, limit: int) -> None:

    s, lang = r.summary, current_lang()
    en = lang == "en"
    dec = int(s["decimals"])
    out.print(t(
        f"[bold]Index {s['name']}[/bold] ({s['method_de']}), Ebene {s['level']}, "
        f"{s['period']}: {fmt_number(s['units'], 0, lang)} Gebiete, "
        f"{fmt_number(len(r.excluded), 0, lang)} ausgeschlossen",
        f"[bold]Index {s['name']}[/bold] ({s['method_en']}), level {s['level']}, "
        f"{s['period']}: {fmt_number(s['units'], 0, lang)} areas, "
        f"{fmt_number(len(r.excluded), 0, lang)} excluded"))
    out.print(t("Höherer Wert = mehr Benachteiligung; Polarität: ",
                         "Higher value = more disadvantage; polarity: ")
                  + ", ".join(f"{k} {'+1' if v > 0 else '-1'}" for k, v in
                              s["polarity"].items()), markup=False)
    included = r.table[r.table["included"]]
    n = min(limit, len(included))
    top = included.head(n)
    bottom = included.tail(n).iloc[::-1] if len(included) > n else included.iloc[0:0]
    for rows, title in ((top, t(f"Die {n} Gebiete mit den höchsten Werten",
                                     f"The {n} areas with the highest values")),
                        (bottom, t(f"Die {n} Gebiete mit den niedrigsten Werten",
                                        f"The {n} areas with the lowest values"))):
        if rows.empty:
            continue
        table = Table(t("Rang", "rank"), t("Schlüssel", "key"),
                      t("Gebiet", "area"), "Index", t("Klasse", "class"),
                      title=title)
        for row in rows.to_dict("records"):
            table.add_row(fmt_number(int(row["rank"]), 0, lang), str(row["unit_id"]),
                          str(row["name"]), fmt_number(float(row["index"]), dec, lang),
                          f"{int(row['class'])} ({row['label_en' if en else 'label']})")
        out.print(table)
    for item in r.excluded[:20]:
        out.print(f"  - {item['id']}: {item['reason_en' if en else 'reason']}",
                      markup=False)
    if len(r.excluded) > 20:
        more = len(r.excluded) - 20
        out.print(t(f"  ... und {more} weitere", f"  ... and {more} more"))
    for note in s["notes_en" if en else "notes"]:
        out.print(f"  - {note}", markup=False)
    _saved(r)


def _print_typology(r: TypologyRun) -> None:
    s, lang = r.summary, current_lang()
    en = lang == "en"
    how = {"kmeans": "k-Means", "ward": "Ward"}.get(str(s["method"]), str(s["method"]))
    out.print(t(
        f"[bold]Typisierung {s['name']}[/bold] ({how}, k = {s['k']}, Startwert {s['seed']}), "
        f"Ebene {s['level']}, {s['period']}: {fmt_number(s['units'], 0, lang)} Gebiete",
        f"[bold]Typology {s['name']}[/bold] ({how}, k = {s['k']}, seed {s['seed']}), level "
        f"{s['level']}, {s['period']}: {fmt_number(s['units'], 0, lang)} areas"))
    table = Table(t("Typ", "type"), t("Gebiete", "areas"),
                  t("Profil", "profile"))
    profiles = r.profiles_en if en else r.profiles
    for typ, size in r.sizes.items():
        table.add_row(str(typ), fmt_number(size, 0, lang), profiles[typ])
    out.print(table)
    for item in r.excluded[:20]:
        out.print(f"  - {item['id']}: {item['reason_en' if en else 'reason']}",
                      markup=False)
    _saved(r)


def _saved(r: CompositeRun | TypologyRun) -> None:

    ds, lang = r.dataset, current_lang()
    if ds is None:
        return
    n = len(r.observations)
    out.print(t(
        f"Gespeichert: {fmt_number(n, 0, lang)} Werte im Datensatz '{ds.name}' (Revision "
        f"{ds.revision}, ersetzt {fmt_number(r.replaced, 0, lang)})",
        f"Stored: {fmt_number(n, 0, lang)} values in dataset '{ds.name}' (revision "
        f"{ds.revision}, replaced {fmt_number(r.replaced, 0, lang)})"))


def monitor_index(
    level: Annotated[str, typer.Option(help="Ebene, z. B. gemeinde, kreis.")],
    indicators: Annotated[str, typer.Option(
        help="Indikatoren: ID,ID,... (Richtung aus der Polarität der Indikatoren).")],
    period: Annotated[str, typer.Option(help="Zeitraum, z. B. 2022.")],
    name: Annotated[str, typer.Option(help="ID des Index, z. B. sozialindex (gespeichert "
                                           "als <name> und <name>_klasse).")] = "sozialindex",
    method: Annotated[str, typer.Option(
        help="weighted_z (z-Werte), minmax, rank, pca (GISD-Verfahren) oder mss.")]
    = "weighted_z",
    weights: Annotated[str | None, typer.Option(
        help="Gewichte: 2,1,1 (Reihenfolge der Indikatoren) oder ID=2,ID=1.")] = None,
    polarity: Annotated[str | None, typer.Option(
        help="Richtung überschreiben: ID=-1 (höher ist schlechter) oder ID=1.")] = None,
    min_population: Annotated[float, typer.Option(
        help="Gebiete mit weniger Einwohnern ausschließen (0 = keine Grenze).")] = 300,
    exclude: Annotated[str | None, typer.Option(help="Gebiete ausschließen: ID,ID,...")]
    = None,
    limit: Annotated[int, typer.Option(help="So viele Gebiete oben und unten zeigen.")] = 10,
    as_json: AsJson = False,
) -> None:
    """Zusammengesetzten Index (Sozialindex) aus mehreren Indikatoren bilden.

    Höherer Wert = mehr Benachteiligung; gespeichert als <name> und <name>_klasse
    (Quintile nach R-Typ 9), mit Verfahren, Parametern und Versionen.

    Beispiel: kekiz monitor index --level gemeinde --indicators
    kinderarmut,beschaeftigtenquote,kaufkraft --period 2022 --name sozialindex
    """

    result = kekiz().indices.composite_index(
        level, _split(indicators), period, name=name, method=method,
        weights=_weights(weights), polarity=_polarity(polarity),
        min_population=min_population or None, exclude=_split(exclude))
    if as_json:
        print_json({**result.to_dict(), "excluded": result.excluded})
        return
    _print_index(result, limit)


def monitor_typology(
    level: Annotated[str, typer.Option(help="Ebene, z. B. gemeinde, kreis.")],
    indicators: Annotated[str, typer.Option(help="Indikatoren: ID,ID,...")],
    period: Annotated[str, typer.Option(help="Zeitraum, z. B. 2022.")],
    k: Annotated[int, typer.Option("--k", help="Anzahl der Typen.")] = 4,
    method: Annotated[str, typer.Option(help="kmeans oder ward.")] = "kmeans",
    seed: Annotated[int, typer.Option(help="Startwert des Zufallsgenerators (k-Means).")]
    = 42,
    name: Annotated[str, typer.Option(help="Name der Typisierung (gespeichert als "
                                           "<name>_typ).")] = "sozialraum",
    as_json: AsJson = False,
) -> None:
    """Gebietstypen mit ähnlichem Profil bilden (k-Means oder Ward).

    Gespeichert als <name>_typ (Typ 1..k); jeder Typ mit Größe und Profil in Worten.

    Beispiel: kekiz monitor typology --level gemeinde --indicators
    kinderarmut,beschaeftigtenquote,kaufkraft --period 2022 --k 4 --seed 42
    """

    result = kekiz().indices.typology(
        level, _split(indicators), period, k=k, method=method, seed=seed, name=name)
    if as_json:
        print_json(result.to_dict())
        return
    _print_typology(result)
