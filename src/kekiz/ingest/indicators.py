"""Indicator tables (CSV/XLSX, long or wide) -> validated observations.

Layouts, detected from the header:

* **long**: a key column, a period column, an indicator column and a value column
  (optionally numerator and denominator columns);
* **by period**: a key column, a period column and one column per indicator;
* **wide by period**: a key column and one column per period (``2019``, ``2020`` ...),
  with ``--indicator`` naming the indicator;
* **snapshot**: a key column and one column per indicator, with ``--period``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from kekiz.domain.catalogue import lookup
from kekiz.domain.errors import ValidationReport
from kekiz.domain.model import Aggregation, Indicator
from kekiz.ingest.boundaries import match_key
from kekiz.ingest.cells import column_style, normalise_key, parse_number
from kekiz.ingest.tables import RawTable

__all__ = ["IndicatorOptions", "ParsedIndicators", "parse_indicators"]

KEY_NAMES = ("ags", "ars", "kennziffer", "gkz", "schlüssel", "schluessel", "gebietsschlüssel",
             "regionalschlüssel", "id", "key", "raum_id", "gvb_id", "kreis_id", "unit_id",
             "stt_nr", "plr_id")
PERIOD_NAMES = ("jahr", "year", "period", "periode", "zeitraum", "stichtag")
INDICATOR_NAMES = ("indikator", "indicator", "merkmal", "indicator_id")
VALUE_NAMES = ("wert", "value", "anzahl", "zahl")
NUMERATOR_NAMES = ("zaehler", "zähler", "numerator")
DENOMINATOR_NAMES = ("nenner", "denominator")
_YEAR = re.compile(r"^(19|20)\d\d$")
_PERIOD = re.compile(r"^(19|20)\d\d(-\d\d(-\d\d)?)?$")


@dataclass
class IndicatorOptions:
    level: str
    key_column: str | None = None
    period_column: str | None = None
    period: str | None = None
    indicator: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # column -> indicator id
    id_prefix: str = ""
    filter_column: str | None = None
    filter_values: list[str] = field(default_factory=list)
    key_map: dict[str, str] = field(default_factory=dict)  # file key -> unit id
    indicator_column: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)  # overrides, e.g. unit, name_de


@dataclass
class ParsedIndicators:
    observations: pd.DataFrame
    indicators: list[Indicator]
    layout: str
    unmatched_keys: int = 0


def _find(header: list[str], names: tuple[str, ...]) -> str | None:
    lower = {h.lower(): h for h in header}
    for n in names:
        if n in lower:
            return lower[n]
    return None


def parse_indicators(table: RawTable, opts: IndicatorOptions, report: ValidationReport,
                     key_index: dict[str, dict[str, str]],
                     known: dict[str, Indicator]) -> ParsedIndicators | None:
    """Check every cell of ``table`` and return the observations it holds."""
    header = table.header
    key_col = opts.key_column or _find(header, KEY_NAMES)
    if key_col is None or key_col not in header:
        report.add("Schlüsselspalte nicht gefunden", value=opts.key_column or "",
                   expected="eine Spalte mit Gebietsschlüsseln, z. B. " +
                   ", ".join(KEY_NAMES[:6]) + f"; vorhanden: {', '.join(header)}",
                   fix="--key SPALTE angeben", message_en="key column not found")
        return None
    rows = list(enumerate(table.rows, start=table.first_row))
    if opts.filter_column:
        if opts.filter_column not in header:
            report.add("Filterspalte nicht gefunden", column=opts.filter_column,
                       expected="eine vorhandene Spalte", fix="--where SPALTE=WERT korrigieren",
                       message_en="filter column not found")
            return None
        fi = header.index(opts.filter_column)
        keep = set(opts.filter_values)
        rows = [(ln, r) for ln, r in rows if r[fi] in keep]
    layout, value_cols = _layout(header, key_col, opts, report)
    if layout in ("bytime", "snapshot") and not opts.columns:
        value_cols = [c for c in value_cols if c in known or lookup(c) is not None or
                      not _label_column([r[header.index(c)] for _, r in rows[:500]])]
    if layout == "":
        return None
    key_i = header.index(key_col)
    records: list[dict[str, object]] = []
    indicators: dict[str, Indicator] = {}
    unmatched: dict[str, int] = {}
    seen: dict[tuple[str, str, str], int] = {}
    styles = {c: column_style([r[header.index(c)] for _, r in rows[:2000]])
              for c in value_cols}
    period_col = opts.period_column or _find(header, PERIOD_NAMES)
    ind_col = opts.indicator_column or _find(header, INDICATOR_NAMES)
    for line, row in rows:
        if not any(row):
            continue
        key = normalise_key(row[key_i])
        unit_id = opts.key_map.get(key) or (
            match_key(key, key_index, opts.id_prefix) if key else None)
        if unit_id is None:
            unmatched[key] = unmatched.get(key, 0) + 1
            if unmatched[key] == 1:
                report.add(f"Gebietsschlüssel auf Ebene '{opts.level}' unbekannt", row=line,
                           column=key_col, value=key, expected="den Schlüssel eines "
                           f"importierten Gebiets der Ebene '{opts.level}'" +
                           _suggest(key, key_index),
                           fix="Schlüssel korrigieren, zuerst die Grenzen importieren oder "
                           "die richtige --level angeben", message_en="unknown unit key")
            continue
        for col in value_cols:
            ind_id, period = _cell_target(row, header, col, layout, opts, period_col, ind_col,
                                          line, report)
            if ind_id is None or period is None:
                continue
            ind = indicators.get(ind_id) or _indicator(
                ind_id, opts.indicator if layout == "wide" and opts.indicator else col,
                known, opts.metadata)
            indicators[ind_id] = ind
            parsed = parse_number(row[header.index(col)], styles[col])
            rec = _observation(ind, unit_id, period, parsed, row, header, col, line, report)
            if rec is None:
                continue
            dup_key = (ind_id, unit_id, period)
            if dup_key in seen:
                report.add(f"Doppelter Wert (schon in Zeile {seen[dup_key]})", row=line,
                           column=col, value=f"{key} / {period} / {ind_id}",
                           expected="je Gebiet, Zeitraum und Indikator genau einen Wert",
                           fix="die doppelte Zeile löschen",
                           message_en=f"duplicate value (already in row {seen[dup_key]})")
                continue
            seen[dup_key] = line
            records.append(rec)
    if not records and report.ok:
        report.add("Keine Werte gefunden", expected="mindestens einen Wert",
                   fix="Spalten und Optionen prüfen", message_en="no values found")
    frame = pd.DataFrame.from_records(records, columns=[
        "indicator_id", "unit_id", "period", "value", "numerator", "denominator", "status"])
    return ParsedIndicators(frame, list(indicators.values()), layout, sum(unmatched.values()))


def _layout(header: list[str], key_col: str, opts: IndicatorOptions,
            report: ValidationReport) -> tuple[str, list[str]]:
    ind_col = opts.indicator_column or _find(header, INDICATOR_NAMES)
    if ind_col is not None and ind_col not in header:
        report.add("Indikator-Spalte nicht gefunden", column=ind_col,
                   expected="eine vorhandene Spalte", fix="--indicator-column korrigieren",
                   message_en="indicator column not found")
        return "", []
    period_col = opts.period_column or _find(header, PERIOD_NAMES)
    if opts.period_column and opts.period_column not in header:
        report.add("Zeitraum-Spalte nicht gefunden", column=opts.period_column,
                   expected="eine vorhandene Spalte", fix="--period-column korrigieren",
                   message_en="period column not found")
        return "", []
    if ind_col is not None:
        val = _find(header, VALUE_NAMES)
        if val is None or period_col is None:
            report.add("Langes Format erkannt, aber Wert- oder Zeitraum-Spalte fehlt",
                       column=ind_col, expected="Spalten für Indikator, Zeitraum (Jahr) und "
                       "Wert", fix="Spalten 'jahr' und 'wert' ergänzen",
                       message_en="long layout without value or period column")
            return "", []
        return "long", [val]
    year_cols = [h for h in header if _YEAR.match(h)]
    if year_cols and period_col is None:
        if not opts.indicator:
            report.add("Spalten je Jahr erkannt, aber kein Indikator angegeben",
                       value=", ".join(year_cols[:5]), expected="--indicator ID",
                       fix="--indicator mit der Indikator-ID angeben",
                       message_en="one column per year, but no --indicator given")
            return "", []
        return "wide", year_cols
    ignore = {key_col, period_col} | {h for h in header if h.lower() in (
        "name", "gen", "raumeinheit", "gebiet", "bezeichnung", "aggregat", "kreis_name",
        "gvb_name", "bez", "ars", "krs", "source_file", "gemeinde", "kreis", "stadtteil",
        "stadtbezirk", "kommune", "gebietsname", "ortsteil", "bezirk", "raum", "name_de")}
    if opts.filter_column:
        ignore.add(opts.filter_column)
    if opts.columns and ind_col is None:
        missing = [c for c in opts.columns if c not in header]
        for c in missing:
            report.add("Spalte nicht gefunden", column=c, expected="eine vorhandene Spalte; "
                       f"vorhanden: {', '.join(header)}", fix="--column SPALTE=ID korrigieren",
                       message_en="column not found")
        if missing:
            return "", []
    if opts.columns:
        value_cols = list(opts.columns)
    else:
        value_cols = [h for h in header if h not in ignore and h]
    if not value_cols:
        report.add("Keine Wertspalten gefunden", expected="mindestens eine Spalte mit Werten",
                   fix="die Datei prüfen", message_en="no value columns")
        return "", []
    if period_col is None and opts.period is None:
        report.add("Kein Zeitraum: weder eine Spalte 'jahr' noch --period",
                   expected="eine Spalte 'jahr' oder die Option --period 2021",
                   fix="--period JAHR angeben", message_en="no period column and no --period")
        return "", []
    if opts.indicator and len(value_cols) > 1 and not opts.columns:
        report.add("--indicator passt nur zu einer Wertspalte",
                   value=", ".join(value_cols[:6]), expected="genau eine Wertspalte",
                   fix="--column SPALTE=ID je Spalte angeben",
                   message_en="--indicator fits only one value column")
        return "", []
    return ("bytime" if period_col else "snapshot"), value_cols


def _cell_target(row: list[str], header: list[str], col: str, layout: str,
                 opts: IndicatorOptions, period_col: str | None, ind_col: str | None,
                 line: int, report: ValidationReport) -> tuple[str | None, str | None]:
    if layout == "wide":
        return opts.indicator, col
    if layout == "long":
        assert ind_col is not None
        raw = row[header.index(ind_col)]
        if opts.columns and raw not in opts.columns:
            return None, None
        ind_id = opts.columns.get(raw) or _indicator_id(raw)
    else:
        ind_id = opts.columns.get(col) or opts.indicator or _indicator_id(col)
    if period_col is not None:
        period = row[header.index(period_col)].strip()
        if period.endswith(".0"):
            period = period[:-2]
        if not _PERIOD.match(period):
            report.add("Zeitraum ist kein Jahr oder Datum", row=line, column=period_col,
                       value=period, expected="ein Jahr (2021) oder ein Datum (2021-12-31)",
                       fix="den Zeitraum als Jahr schreiben", message_en="period is not a year")
            return ind_id, None
        return ind_id, period
    return ind_id, opts.period


def _indicator_id(name: str) -> str:
    cat = lookup(name)
    if cat is not None:
        return cat.id
    slug = name.strip().lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        slug = slug.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "_", slug).strip("_")[:64] or "wert"


def _indicator(ind_id: str, column: str, known: dict[str, Indicator],
               overrides: dict[str, Any]) -> Indicator:
    """The indicator's metadata: stored, from the catalogue, or new; options override."""
    base = known.get(ind_id) or lookup(ind_id) or lookup(column)
    if base is None:
        base = Indicator(ind_id, column, column,
                         definition_de=f"Spalte '{column}' der Importdatei",
                         definition_en=f"column '{column}' of the imported file")
    changes = {k: v for k, v in overrides.items()
               if v is not None and k in Indicator.__dataclass_fields__}
    if not changes:
        return base
    return replace(base, id=ind_id, **changes)


def _observation(ind: Indicator, unit_id: str, period: str, parsed: object, row: list[str],
                 header: list[str], col: str, line: int,
                 report: ValidationReport) -> dict[str, object] | None:
    from kekiz.ingest.cells import ParsedNumber

    assert isinstance(parsed, ParsedNumber)
    raw = row[header.index(col)]
    if parsed.status == "invalid":
        what = "eine Anzahl (ganze Zahl)" if ind.aggregation is Aggregation.SUM else "eine Zahl"
        report.add(f"'{raw}' ist keine Zahl" if ind.aggregation is not Aggregation.SUM
                   else f"'{raw}' ist keine Anzahl", row=line, column=col, value=raw,
                   expected=f"{what} für '{ind.name_de}' (z. B. 1.234,5 oder 1234.5; fehlende "
                   "Werte leer, '.' für geheim)", fix="den Wert korrigieren",
                   message_en="not a number")
        return None
    value = parsed.value
    if parsed.percent and ind.aggregation is Aggregation.SUM:
        report.add(f"'{raw}' ist keine Anzahl", row=line, column=col, value=raw,
                   expected=f"eine ganze Zahl für '{ind.name_de}'", fix="die Anzahl statt "
                   "eines Anteils liefern", message_en="not a count")
        return None
    if value is not None and ind.aggregation is Aggregation.SUM:
        if value < 0:
            report.add("Negative Anzahl", row=line, column=col, value=raw,
                       expected=f"eine Anzahl >= 0 für '{ind.name_de}'",
                       fix="den Wert korrigieren", message_en="negative count")
            return None
        if not float(value).is_integer():
            report.add(f"'{raw}' ist keine Anzahl", row=line, column=col, value=raw,
                       expected=f"eine ganze Zahl für '{ind.name_de}' (Dezimalkomma nur bei "
                       "Anteilen und Quoten)", fix="den Wert als ganze Zahl liefern",
                       message_en="not a count (decimal in a count column)")
            return None
    if value is not None and ind.unit == "%" and ind.aggregation is not Aggregation.NONE and \
            value < 0:
        report.add("Negativer Anteil", row=line, column=col, value=raw,
                   expected="einen Anteil >= 0", fix="den Wert korrigieren",
                   message_en="negative share")
        return None
    numerator = denominator = None
    num_col = _find(header, NUMERATOR_NAMES)
    den_col = _find(header, DENOMINATOR_NAMES)
    if num_col and den_col:
        numerator = _count(row, header, num_col, line, report)
        denominator = _count(row, header, den_col, line, report)
        if numerator is not None and denominator is not None and ind.unit == "%" and \
                numerator > denominator:
            report.add(f"Zähler ({numerator:g}) ist größer als der Nenner ({denominator:g})",
                       row=line, column=num_col, value=row[header.index(num_col)],
                       expected="Zähler <= Nenner bei einem Anteil",
                       fix="Zähler und Nenner prüfen (vertauscht?)",
                       message_en="numerator greater than denominator")
            return None
    status = parsed.status if value is None else "ok"
    return {"indicator_id": ind.id, "unit_id": unit_id, "period": period, "value": value,
            "numerator": numerator, "denominator": denominator, "status": status}


def _count(row: list[str], header: list[str], col: str, line: int,
           report: ValidationReport) -> float | None:
    raw = row[header.index(col)]
    parsed = parse_number(raw, column_style([raw]))
    if parsed.status == "invalid" or (parsed.value is not None and (
            parsed.value < 0 or not float(parsed.value).is_integer())):
        report.add(f"'{raw}' ist keine Anzahl", row=line, column=col, value=raw,
                   expected="eine ganze Zahl >= 0", fix="den Wert korrigieren",
                   message_en="not a count")
        return None
    return parsed.value


def _suggest(key: str, index: dict[str, dict[str, str]]) -> str:
    pool = list(index.get("id", {}))
    close = difflib.get_close_matches(key, pool, n=2, cutoff=0.8)
    return f" (meinten Sie {' oder '.join(close)}?)" if close else ""


def _label_column(cells: list[str]) -> bool:
    """A column of names (no cell is a number), not of values."""
    filled = [c for c in cells if c.strip()]
    if not filled:
        return False
    style = column_style(filled)
    return all(parse_number(c, style).status in ("invalid",) for c in filled)
