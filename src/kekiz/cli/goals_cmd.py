"""``kekiz coop ...`` (cooperation network) and ``kekiz goals ...`` (Leitbild), issue #6.

Thin commands over the goals and cooperation services.  The sub-apps are
registered in :mod:`kekiz.cli.main`; the shared console, language helper and monitor are
looked up there when a command runs (no circular import).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from kekiz.cli.context import current_lang, kekiz, num, out, print_json, t
from kekiz.domain.errors import KekizError
from kekiz.i18n import fmt_percent

if TYPE_CHECKING:
    pass

__all__ = ["coop_app", "goals_app"]

coop_app = typer.Typer(help="Kooperationsnetzwerk der Präventionskette: Befragungswellen "
                            "importieren, Kennzahlen, Vergleich der Wellen.",
                       no_args_is_help=True)
goals_app = typer.Typer(help="Leitbild: Ziele, Indikatoren, Zielwerte, Status und "
                             "Scorecards.", no_args_is_help=True)

_STATUS_STYLE = {"on_track": "green", "at_risk": "yellow", "off_track": "red",
                 "no_data": "bright_black"}
_STEP_DE = {"birth": "Schwangerschaft → frühe Kindheit", "family-kita": "Familie → Kita",
            "kita-primary": "Kita → Grundschule",
            "primary-secondary": "Grundschule → weiterführende Schule",
            "school-work": "Schule → Ausbildung/Beruf"}
_STEP_EN = {"birth": "pregnancy → early childhood", "family-kita": "family → day care",
            "kita-primary": "day care → primary school",
            "primary-secondary": "primary → secondary school",
            "school-work": "school → training/work"}


def _pct(value: Any, decimals: int = 1) -> str:
    return fmt_percent(value, decimals, current_lang())


def _waves(text: str) -> tuple[int, int]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise KekizError(f"--compare '{text}': erwartet zwei Wellen, z. B. 1,2.",
                         message_en=f"--compare '{text}': expected two waves, e.g. 1,2.")
    return int(parts[0]), int(parts[1])


# -- kekiz coop ---------------------------------------------------------------------------
@coop_app.command("import")
def coop_import(
    file: Annotated[Path, typer.Argument(help="Befragungsexport (CSV/XLSX), eine Zeile je "
                                              "Befragte und Partner.")],
    wave: Annotated[int, typer.Option("--wave", help="Nummer der Befragungswelle (1, 2 ...).")],
    label: Annotated[str | None, typer.Option(help="Bezeichnung der Welle.")] = None,
    sheet: Annotated[str | None, typer.Option(help="Tabellenblatt (XLSX).")] = None,
    source: Annotated[str, typer.Option(help="Quelle.")] = "",
) -> None:
    """Eine Befragungswelle des Kooperationsnetzwerks importieren (ersetzt die Welle).

    Beispiel: kekiz coop import netzwerk_2025.xlsx --wave 2
    """
    result = kekiz().cooperation.import_wave(file, wave, label=label, sheet=sheet, source=source)
    out.print(escape(t(
        f"Welle {wave} importiert: {result.actors} Akteure, {result.reports} Nennungen – "
        f"{result.dataset.name} (Revision {result.dataset.revision})",
        f"Wave {wave} imported: {result.actors} actors, {result.reports} reports – "
        f"{result.dataset.name} (revision {result.dataset.revision})")))
    if result.synthetic:
        out.print(t("[bold]SYNTHETISCH:[/bold] erfundene Demo-Daten, keine echten "
                         "Akteure oder Beziehungen.",
                         "[bold]SYNTHETIC:[/bold] invented demo data, no real actors or "
                         "relations."))
    for note in result.notes[:20]:
        out.print(f"  - {escape(note)}")


@coop_app.command("waves")
def coop_waves() -> None:
    """Gespeicherte Befragungswellen auflisten.

    Beispiel: kekiz coop waves
    """
    table = Table(t("Welle", "wave"), t("Bezeichnung", "label"), t("Befragt", "surveyed"),
                  t("Akteure", "actors"), t("Nennungen", "reports"))
    for w in kekiz().cooperation.waves():
        span = "–" if w["first_date"] is None else \
            f"{w['first_date']:%d.%m.%Y}–{w['last_date']:%d.%m.%Y}"
        table.add_row(str(w["wave"]), escape(w["label"]), span, str(w["actors"]),
                      str(w["reports"]))
    out.print(table)


@coop_app.command("metrics")
def coop_metrics(
    wave: Annotated[int | None, typer.Option(help="Welle (sonst die neueste).")] = None,
    compare: Annotated[str | None, typer.Option(help="Zwei Wellen vergleichen, z. B. "
                                                     "1,2.")] = None,
    level: Annotated[str, typer.Option(help="Ebene der Bezirke für die Übergänge.")]
    = "stadtteil",
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON.")] = False,
) -> None:
    """Kennzahlen des Kooperationsnetzwerks: Dichte, Vermittler, Isolierte, Übergänge.

    Beispiel: kekiz coop metrics --wave 2   |   kekiz coop metrics --compare 1,2
    """
    lang = current_lang()
    if compare is not None:
        a, b = _waves(compare)
        cmp = kekiz().cooperation.compare(a, b, level)
        if as_json:
            print_json(cmp.to_dict())
            return
        _print_comparison(cmp.to_dict())
        return
    m = kekiz().cooperation.metrics(wave, level)
    data = m.to_dict(lang)
    if as_json:
        print_json(data)
        return
    _print_metrics(data)


def _print_metrics(d: dict[str, Any]) -> None:
    out.print(f"[bold]{escape(d['label'] or t('Welle', 'Wave') + ' ' + str(d['wave']))}"
                  "[/bold]")
    if "SYNTHETISCH" in (d["label"] or "").upper():
        out.print(t("Hinweis: synthetische Demo-Daten (erfunden).",
                         "Note: synthetic demo data (invented)."))
    rows = [
        (t("Akteure (davon befragt)", "actors (respondents)"),
         f"{d['actors']} ({d['respondents']})"),
        (t("Beziehungen (Paare) / Nennungen", "ties (pairs) / reports"),
         f"{d['ties']} / {d['reports']}"),
        (t("Dichte", "density"), _pct(d["density"], 2)),
        (t("Gegenseitig bestätigt", "reciprocated"), _pct(d["reciprocity"])),
        (t("Vertrauen (1–4)", "trust (1-4)"),
         f"{num(d['trust_mean'], 2)} ({num(d['trust_pct'])} %)"),
        (t("Nutzen (1–4)", "value (1-4)"),
         f"{num(d['value_mean'], 2)} ({num(d['value_pct'])} %)"),
        (t("Komponenten (größte)", "components (largest)"),
         f"{d['components']} ({d['largest_component']})"),
        (t("Isolierte Akteure", "isolates"), str(len(d["isolates"]))),
    ]
    table = Table(t("Kennzahl", "metric"), t("Wert", "value"))
    for k, v in rows:
        table.add_row(k, v)
    out.print(table)
    if d["isolates"]:
        out.print(escape(t("Isoliert: ", "Isolates: ") + ", ".join(d["isolates"])))
    sec = Table(t("Sektor", "sector"), t("mit Sektor", "with sector"),
                t("Beziehungen", "ties"), t("Dichte", "density"),
                title=t("Dichte innerhalb der Sektoren und die dichtesten Verbindungen "
                         "zwischen Sektoren (alle mit --json)",
                         "Density within sectors and the densest links between sectors "
                         "(all with --json)"))
    within = [r for r in d["sectors"] if r["sector_a"] == r["sector_b"]]
    between = sorted((r for r in d["sectors"] if r["sector_a"] != r["sector_b"]),
                     key=lambda r: -r["density"])[:10]
    for r in [*within, *between]:
        sec.add_row(escape(r["label_a"]), escape(r["label_b"]), str(r["ties"]),
                    _pct(r["density"]))
    out.print(sec)
    brk = Table("ID", t("Organisation", "organisation"), t("Grad", "degree"),
                "Betweenness", t("Vermittlung", "brokerage"), t("Schnittpunkt", "cut point"),
                title=t("Vermittler (nach Betweenness)", "Brokers (by betweenness)"))
    for r in d["brokers"][:10]:
        brk.add_row(escape(r["id"]), escape(r["name"]), str(r["degree"]),
                    num(r["betweenness"], 3), str(r["brokerage"]),
                    t("ja", "yes") if r["cutpoint"] else "")
    out.print(brk)
    _print_transitions(d["transitions"])
    out.print(t(
        "Regeln: Dichte = Beziehungen / mögliche Paare; Vermittler = Schnittpunkte oder "
        "Akteure, die nicht verbundene Partner verschiedener Sektoren verbinden; Übergänge: "
        "Beziehungen zwischen Akteuren aufeinanderfolgender Lebensphasen im selben Bezirk; "
        "Vertrauen/Nutzen: Mittel aller Bewertungen, in % des Skalenmaximums 4.",
        "Rules: density = ties / possible pairs; brokers = cut points or actors joining "
        "unconnected partners of different sectors; transitions: ties between actors of "
        "consecutive life phases in the same district; trust/value: mean of all ratings, "
        "in % of the scale maximum 4."))


def _print_transitions(rows: list[dict[str, Any]]) -> None:
    steps: dict[str, dict[str, float]] = {}
    for r in rows:
        s = steps.setdefault(r["step"], {"both": 0, "covered": 0, "ties": 0, "from": 0,
                                         "linked": 0})
        if r["actors_from"] and r["actors_to"]:
            s["both"] += 1
            s["covered"] += int(bool(r["covered"]))
        s["ties"] += r["ties"]
        s["from"] += r["actors_from"]
        s["linked"] += r["linked_from"]
    names = _STEP_EN if current_lang() == "en" else _STEP_DE
    table = Table(t("Übergang", "transition"),
                  t("Bezirke mit beiden Phasen", "districts with both phases"),
                  t("davon verbunden", "of which linked"), t("Beziehungen", "ties"),
                  t("Akteure der früheren Phase mit Verbindung", "earlier-phase actors linked"),
                  title=t("Übergänge je Bezirk", "Transitions per district"))
    for key in names:
        if key not in steps:
            continue
        s = steps[key]
        share = s["linked"] / s["from"] if s["from"] else None
        table.add_row(names[key], str(int(s["both"])), str(int(s["covered"])),
                      str(int(s["ties"])), f"{int(s['linked'])} ({_pct(share, 0)})")
    out.print(table)


def _signed(value: Any, decimals: int) -> str:
    if value is None:
        return "–"
    text = num(value, decimals)
    return text if text.startswith(("-", "–")) or float(value) <= 0 else f"+{text}"


def _print_comparison(d: dict[str, Any]) -> None:
    a, b = d["wave_a"], d["wave_b"]
    if "SYNTHETISCH" in f"{d['label_a']} {d['label_b']}".upper():
        out.print(t("Hinweis: synthetische Demo-Daten (erfunden).",
                         "Note: synthetic demo data (invented)."))
    table = Table(t("Kennzahl", "metric"), t(f"Welle {a}", f"wave {a}"),
                  t(f"Welle {b}", f"wave {b}"), t("Veränderung", "change"),
                  title=t(f"Vergleich der Wellen {a} und {b}", f"Comparison of waves {a} "
                           f"and {b}"))
    table.add_row(t("Dichte", "density"), _pct(d["density_a"], 2), _pct(d["density_b"], 2),
                  t(f"{_signed(d['density_change'] * 100, 2)} %-Punkte",
                     f"{_signed(d['density_change'] * 100, 2)} pp"))
    table.add_row(t("Vertrauen (1–4)", "trust (1-4)"), num(d["trust_a"], 2),
                  num(d["trust_b"], 2), _signed(d["trust_change"], 2))
    table.add_row(t("Nutzen (1–4)", "value (1-4)"), num(d["value_a"], 2),
                  num(d["value_b"], 2), _signed(d["value_change"], 2))
    table.add_row(t("Komponenten", "components"), str(d["components_a"]),
                  str(d["components_b"]), _signed(d["components_b"] - d["components_a"], 0))
    table.add_row(t("Isolierte", "isolates"), str(d["isolates_a"]), str(d["isolates_b"]),
                  _signed(d["isolates_b"] - d["isolates_a"], 0))
    out.print(table)
    out.print(t(
        f"Neue Beziehungen: {d['new_ties']}, verlorene: {d['lost_ties']} (davon "
        f"{d['lost_with_actor']} mit ausgeschiedenen Akteuren), gehaltene: {d['kept_ties']}; "
        f"neue Akteure: {len(d['actors_new'])}, ausgeschieden: {len(d['actors_left'])}; "
        f"Veränderung des Vertrauens auf gehaltenen Beziehungen: "
        f"{_signed(d['trust_change_kept'], 2)}",
        f"New ties: {d['new_ties']}, lost: {d['lost_ties']} ({d['lost_with_actor']} with "
        f"actors who left), kept: {d['kept_ties']}; new actors: {len(d['actors_new'])}, "
        f"left: {len(d['actors_left'])}; trust change on kept ties: "
        f"{_signed(d['trust_change_kept'], 2)}"))


# -- kekiz goals --------------------------------------------------------------------------
@goals_app.command("import")
def goals_import(file: Annotated[Path, typer.Argument(help="Leitbild als YAML oder "
                                                           "XLSX.")]) -> None:
    """Leitbild importieren (ersetzt ein Leitbild mit derselben ID).

    Beispiel: kekiz goals import leitbild.yaml
    """
    result = kekiz().goals.import_leitbild(file)
    lb = result.leitbild
    out.print(escape(t(
        f"Leitbild '{lb.id}' importiert: {len(lb.goals)} Ziele, {result.targets} Zielwerte "
        f"({result.dataset.name}, Revision {result.dataset.revision})",
        f"Leitbild '{lb.id}' imported: {len(lb.goals)} goals, {result.targets} targets "
        f"({result.dataset.name}, revision {result.dataset.revision})")))
    for d in lb.indicators:
        out.print(escape(t(f"  - angekündigter Indikator '{d.id}' (noch ohne Werte)",
                                f"  - announced indicator '{d.id}' (no values yet)")))
    for note in result.notes:
        out.print(f"  - {escape(note)}")


def _status_cell(row: dict[str, Any]) -> str:
    return f"[{_STATUS_STYLE[row['status']]}]{escape(row['status_label'])}[/]"


def _value(v: Any, year: Any, dec: int) -> str:
    return "–" if v is None else f"{num(v, dec)} ({year})"


def _print_targets(data: dict[str, Any]) -> None:
    table = Table(t("Ziel", "goal"), t("Indikator", "indicator"), t("Basis", "baseline"),
                  t("Aktuell", "current"), t("Zielwert", "target"),
                  t("Prognose [95-%-Intervall]", "forecast [95% interval]"), "Status",
                  title=escape(f"{data['leitbild']['name']} – {data['unit_name']} "
                               f"({data['unit_id']})"))
    for r in data["targets"]:
        dec = int(r["decimals"])
        fc = "–" if r["forecast_value"] is None else (
            f"{num(r['forecast_value'], dec)} [{num(r['forecast_low'], dec)}; "
            f"{num(r['forecast_high'], dec)}]")
        table.add_row(escape(r["goal_id"]), escape(r["indicator"]),
                      _value(r["baseline_value"], r["baseline_year"], dec),
                      _value(r["current_value"], r["current_year"], dec),
                      f"{num(r['target_value'], dec)} ({r['target_year']}, "
                      f"{r['direction']})", fc, _status_cell(r))
    out.print(table)
    for r in data["targets"]:
        notes = [r["reason"], *r["notes"]]
        out.print(escape(f"  {r['goal_id']} {r['indicator_id']}: " + " ".join(notes)))


def _print_levels(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    table = Table(t("Ziel", "goal"), t("Indikator", "indicator"), t("Ebene", "level"),
                  t("Zielwert", "target"), t("Gebiete", "units"), t("auf Kurs", "on track"),
                  t("gefährdet", "at risk"), t("nicht auf Kurs", "off track"),
                  t("keine Daten", "no data"),
                  title=t("Zielwerte für jedes Gebiet einer Ebene",
                           "Targets for every unit of a level"))
    for r in rows:
        c = r["counts"]
        table.add_row(escape(r["goal_id"]), escape(r["indicator"]), r["level"],
                      f"{num(r['target_value'])} ({r['target_year']})", str(r["units"]),
                      str(c["on_track"]), str(c["at_risk"]), str(c["off_track"]),
                      str(c["no_data"]))
    out.print(table)


def _print_header(data: dict[str, Any]) -> None:
    lb = data["leitbild"]
    if lb["synthetic"]:
        out.print(escape(t(f"Hinweis: {lb['note'] or 'Demo-Leitbild (illustrativ).'}",
                                f"Note: {lb['note'] or 'demo Leitbild (illustrative).'}")))


@goals_app.command("status")
def goals_status(
    unit: Annotated[str | None, typer.Option(help="Gebiet (sonst die Kommune des "
                                                  "Leitbilds).")] = None,
    leitbild: Annotated[str | None, typer.Option(help="Leitbild-ID.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON.")] = False,
) -> None:
    """Status aller Zielwerte: auf Kurs, gefährdet, nicht auf Kurs, keine Daten.

    Beispiel: kekiz goals status --unit 05315000
    """
    data = kekiz().goals.status(unit, leitbild, current_lang())
    if as_json:
        print_json(data)
        return
    _print_header(data)
    _print_targets(data)
    _print_levels(data.get("level_targets", []))
    counts = data["counts"]
    out.print(t(
        f"Status: auf Kurs {counts['on_track']}, gefährdet {counts['at_risk']}, nicht auf "
        f"Kurs {counts['off_track']}, keine Daten {counts['no_data']}",
        f"Status: on track {counts['on_track']}, at risk {counts['at_risk']}, off track "
        f"{counts['off_track']}, no data {counts['no_data']}"))
    out.print(escape(data["rule"]))


@goals_app.command("store-coverage")
def goals_store_coverage(
    indicator: Annotated[str, typer.Argument(help="ID des Indikators, z. B. "
                                                  "kitas_je_1000_3_6.")],
    levels: Annotated[str | None, typer.Option(help="Ebenen, kommagetrennt (Standard: "
                                                    "die feinste Ebene).")] = None,
    life_phase: Annotated[str, typer.Option(help="Lebensphase der Kinder.")] = "3-6",
    kind: Annotated[str, typer.Option(help="Art der Angebote, z. B. kita.")] = "kita",
    population: Annotated[str | None, typer.Option(help="Bevölkerungsindikator (Standard "
                                                        "nach Lebensphase).")] = None,
    period: Annotated[str | None, typer.Option(help="Zeitraum der Bevölkerung (Standard: "
                                                    "der neueste).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON.")] = False,
) -> None:
    """Versorgung (Angebote und, wo bekannt, Plätze je 1.000 Kinder) als Indikator speichern,
    z. B. für ein Leitbild-Ziel; rechnet wie 'kekiz chain coverage'.

    Beispiel: kekiz goals store-coverage kitas_je_1000_3_6 --levels stadtteil,stadtbezirk,gemeinde
    """
    result = kekiz().goals.store_coverage_indicator(
        indicator, levels=[v.strip() for v in levels.split(",") if v.strip()] if levels
        else None, life_phase=life_phase, kind=kind or None,
        population_indicator=population, period=period)
    if as_json:
        print_json(result.to_dict())
        return
    ind = result.indicator
    per_level = ", ".join(f"{lv} {n}" for lv, n in result.rows.items())
    out.print(escape(t(
        f"Indikator '{ind.id}' ({ind.name_de}) gespeichert: {per_level} Werte für "
        f"{result.period} ({result.dataset.name}, Revision {result.dataset.revision})",
        f"Indicator '{ind.id}' ({ind.name_en}) stored: {per_level} values for "
        f"{result.period} ({result.dataset.name}, revision {result.dataset.revision})")))
    if result.places_indicator is not None:
        out.print(escape(t(f"  - Plätze: '{result.places_indicator.id}'",
                                f"  - places: '{result.places_indicator.id}'")))
    for note in result.notes:
        out.print(f"  - {escape(note)}")


@goals_app.command("scorecard")
def goals_scorecard(
    unit: Annotated[str, typer.Option(help="Gebiet: Kommune oder Bezirk, z. B. 05315000 "
                                           "oder 05315000-101.")],
    leitbild: Annotated[str | None, typer.Option(help="Leitbild-ID.")] = None,
    chart: Annotated[Path | None, typer.Option(help="Ordner für Diagramme (Ist, Ziel, "
                                                    "Prognose).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="png oder svg.")] = "png",
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON.")] = False,
) -> None:
    """Scorecard eines Gebiets: Ergebnisse, Indikatoren, Zielwerte, Programme, Diagramme.

    Beispiel: kekiz goals scorecard --unit 05315000 --chart diagramme/
    """
    lang = current_lang()
    card = kekiz().goals.scorecard(unit, leitbild)
    data = card.to_dict(lang)
    written = kekiz().goals.charts(card, chart, fmt=fmt, lang=lang) if chart is not None else []
    if as_json:
        data["charts"] = [str(p) for p in written]
        print_json(data)
        return
    _print_header(data)
    if not data["targets"]:
        out.print(t("Für dieses Gebiet gibt es keine Zielwerte.",
                         "There are no targets for this unit."))
    else:
        _print_targets(data)
    for g in data["goals"]:
        out.print(escape(f"{g['id']}: {g['result']}"))
        for p in g["programmes"]:
            lead = f" ({p['lead']})" if p["lead"] else ""
            syn = t(" [synthetisch]", " [synthetic]") if p["synthetic"] else ""
            out.print(escape(f"  {t('Programm', 'Programme')} {p['id']}: {p['name']}"
                                 f"{lead}{syn}"))
            for m in p["measures"]:
                years = sorted(m["values"])
                last = f"{num(m['values'][years[-1]], 0)} ({years[-1]})" if years else "–"
                tgt = f", {t('Ziel', 'target')} {num(m['target'], 0)}" \
                    if m["target"] is not None else ""
                out.print(escape(f"    {m['kind_label']} {m['name']}: {last} "
                                     f"{m['unit']}{tgt}"))
    out.print(escape(data["rule"]))
    if written:
        out.print(t(f"{len(written)} Diagramme nach {chart} geschrieben",
                         f"{len(written)} charts written to {chart}"))
